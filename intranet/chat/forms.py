"""Input validation for the chat pages; views pass cleaned_data to chat.services."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.accounts.models import User
from intranet.chat.models import MAX_ALT_CHARS, MAX_NAMED_PARTICIPANTS


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 10_000}),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    attachment = forms.FileField(label=_("Attach a file"), required=False)
    attachment_alt = forms.CharField(
        label=_("Description of the image (text alternative)"),
        help_text=_("Required for an image: what it shows, for those who cannot see it."),
        required=False,
        max_length=MAX_ALT_CHARS,
        widget=forms.TextInput(attrs={"maxlength": MAX_ALT_CHARS}),
    )
    attachment_decorative = forms.BooleanField(
        label=_("The image is decorative (it adds nothing to the message)"), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


def _agents_from_usernames(raw: str) -> list[User]:
    names = [n.strip().lstrip("@") for n in raw.replace(";", ",").split(",") if n.strip()]
    if len(names) > MAX_NAMED_PARTICIPANTS:
        raise forms.ValidationError(
            _("A conversation has at most %(n)d participants."),
            params={"n": MAX_NAMED_PARTICIPANTS},
        )
    agents = []
    for name in names:
        agent = User.objects.filter(username__iexact=name[:150], is_active=True).first()
        if agent is None:
            raise forms.ValidationError(
                _("No active agent has the login “%(name)s”."), params={"name": name[:150]}
            )
        agents.append(agent)
    return agents


class DirectForm(forms.Form):
    username = forms.CharField(label=_("Agent's login"), max_length=150)

    def clean_username(self):
        return _agents_from_usernames(self.cleaned_data["username"])[0]


class NamedConversationForm(forms.Form):
    name = forms.CharField(label=_("Name of the conversation"), max_length=120)
    usernames = forms.CharField(
        label=_("Participants' logins"),
        help_text=_("Separated by commas; at most 50 participants, you included."),
        max_length=8000,
    )

    def clean_usernames(self):
        return _agents_from_usernames(self.cleaned_data["usernames"])
