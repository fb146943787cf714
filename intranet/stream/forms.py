"""Input validation for posts, comments, shares and reactions."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from intranet.core.images import MAX_ALT_TEXT, check_image, checked_alt_text
from intranet.groups import access as group_access
from intranet.groups.models import Group
from intranet.stream.models import MAX_BODY, ReactionKind, Visibility

# Read by static/transverse/mentions.js (the @mention suggestions).
MENTION_ATTRS = {
    "data-mentions": "1",
    "data-mentions-label": _("Colleagues to mention"),
    "data-mentions-status": _("{n} suggestions: arrow keys to choose, Enter to insert."),
}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class CharterMixin:
    """Adds "I accept the charter" to a writing form while actor has not accepted it."""

    def add_charter_field(self, actor):
        from intranet.moderation.charter import charter_accepted, charter_current

        if actor is not None and not charter_accepted(actor):
            self.charter = charter_current()
            self.fields["accept_charter"] = forms.BooleanField(
                label=_("I have read and I accept the charter of the network"),
                error_messages={"required": _("Accept the charter to publish.")},
            )
            self.fields["charter_version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.charter.pk
            )
        else:
            self.charter = None


class PostForm(CharterMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs=MENTION_ATTRS | {"rows": 4}),
        help_text=_("Markdown; @login to mention a colleague, #topic to tag a subject."),
        error_messages={"required": _("Write something before publishing.")},
    )
    visibility = forms.ChoiceField(label=_("Audience"), choices=Visibility.choices)
    group = forms.IntegerField(required=False, widget=forms.HiddenInput)
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Description of the image"),
        required=False,
        max_length=MAX_ALT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What the image shows, for colleagues who cannot see it (read aloud by screen "
            "readers). Required with an image, unless it is only decorative."
        ),
    )
    image_decorative = forms.BooleanField(
        label=_("The image is decorative (it adds nothing to the text)"), required=False
    )
    requires_ack = forms.BooleanField(
        label=_("Announcement: ask readers to acknowledge (“I have read it”)"), required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, actor, group: Group | None = None, **kwargs):
        self.actor, self.target_group = actor, group
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = new_idempotency_key()
        if group is not None:
            self.fields["visibility"].choices = [(Visibility.GROUP, Visibility.GROUP.label)]
            self.fields["visibility"].initial = Visibility.GROUP
            self.fields["group"].initial = group.pk
            self.fields["visibility"].widget = forms.HiddenInput()
        else:
            self.fields["visibility"].choices = [
                (Visibility.ORGANISATION, Visibility.ORGANISATION.label),
                (Visibility.DEPARTMENT, Visibility.DEPARTMENT.label),
            ]
            self.fields["visibility"].initial = Visibility.ORGANISATION
        may_announce = actor.is_staff or (
            group is not None and group_access.can_moderate_group(actor, group)
        )
        if not may_announce:
            del self.fields["requires_ack"]
        self.add_charter_field(actor)

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            check_image(upload, max_bytes=settings.TRANSVERSE_MAX_PHOTO_BYTES)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("image") and "image_alt" not in self.errors:
            try:
                data["image_alt"] = checked_alt_text(
                    data.get("image_alt", ""), decorative=data.get("image_decorative", False)
                )
            except forms.ValidationError as error:
                self.add_error("image_alt", error)
        return data


class CommentForm(CharterMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs=MENTION_ATTRS | {"rows": 2}),
        error_messages={"required": _("Write something before publishing.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = new_idempotency_key()
        self.add_charter_field(actor)


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write something before publishing.")},
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class ShareForm(forms.Form):
    group = forms.TypedChoiceField(label=_("Share into the group"), coerce=int)
    body = forms.CharField(
        label=_("Add a message (optional)"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(
            pk__in=group_access.member_group_ids(actor), archived_at__isnull=True
        ).order_by("name")
        self.fields["group"].choices = [(g.pk, g.name) for g in groups]
        self.fields["idempotency_key"].initial = new_idempotency_key()


class FeedFilterForm(forms.Form):
    show = forms.ChoiceField(
        required=False,
        choices=[
            ("all", _("Everything")),
            ("groups", _("My groups")),
            ("mentions", _("Mentions of me")),
        ],
    )
    topic = forms.CharField(required=False, max_length=60)
    after = forms.IntegerField(required=False, min_value=1)
