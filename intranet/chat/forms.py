"""Input validation for the chat pages; views pass cleaned_data to chat.services."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.accounts.fields import AgentField, AgentFieldsMixin, AgentsField
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


class DirectForm(AgentFieldsMixin, forms.Form):
    username = AgentField(label=_("Agent"))


class NamedConversationForm(AgentFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name of the conversation"), max_length=120)
    usernames = AgentsField(
        label=_("Participants"),
        max_agents=MAX_NAMED_PARTICIPANTS,
        help_text=_(
            "Type part of a name, then choose in the suggestions; separate agents with commas. "
            "At most 50 participants, you included."
        ),
    )
