"""Input validation for groups: creation, editing, invitations, filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from intranet.accounts.fields import AgentFieldsMixin, AgentsField
from intranet.core.images import MAX_ALT_TEXT, check_image, checked_alt_text
from intranet.departments.models import Department
from intranet.departments.selectors import department_choices
from intranet.groups.models import Group

MAX_THEMES = 10


def parse_labels(raw: str, *, limit: int) -> list[str]:
    labels = [" ".join(part.strip().lstrip("#").split()) for part in raw.split(",")]
    labels = [label[:60] for label in labels if label]
    if len(labels) > limit:
        raise forms.ValidationError(_("At most %(max)d themes, please."), params={"max": limit})
    return labels


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italics*, lists, links."),
    )
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=700,
        help_text=_("Separate themes with commas, for example: GDPR, digital."),
    )
    policy = forms.ChoiceField(
        label=_("Who can join"), choices=Group.Policy.choices, widget=forms.RadioSelect
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the group a name."))
        return name

    def clean_themes(self):
        return parse_labels(self.cleaned_data["themes"], limit=MAX_THEMES)


class ImageDescriptionMixin:
    """The logo's text alternative: required with an image unless marked decorative."""

    def add_image_description_fields(self):
        self.fields["image_alt"] = forms.CharField(
            label=_("Description of the image"),
            required=False,
            max_length=MAX_ALT_TEXT,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_(
                "What the logo shows, for colleagues who cannot see it (read aloud by "
                "screen readers). Required with an image, unless it is only decorative."
            ),
        )
        self.fields["image_decorative"] = forms.BooleanField(
            label=_("The image is decorative (it adds nothing to the group's name)"),
            required=False,
        )

    def clean_image_description(self, data, *, has_image: bool):
        if has_image and "image_alt" not in self.errors:
            try:
                data["image_alt"] = checked_alt_text(
                    data.get("image_alt", ""), decorative=data.get("image_decorative", False)
                )
            except forms.ValidationError as error:
                self.add_error("image_alt", error)
        return data


class GroupEditForm(ImageDescriptionMixin, GroupForm):
    """Editing a group: its logo's description too, when it has a logo."""

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_image = bool(group.image)
        if self.has_image:
            self.add_image_description_fields()

    def clean(self):
        return self.clean_image_description(super().clean(), has_image=self.has_image)


class GroupCreateForm(ImageDescriptionMixin, GroupForm):
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    parent = forms.TypedChoiceField(
        label=_("Part of the group"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a team or a workstream of a group you own."),
    )
    template = forms.ChoiceField(
        label=_("Kind of space"),
        required=False,
        initial="",
        widget=forms.RadioSelect,
        choices=[
            ("", _("An ordinary group: a feed, members, a discussion")),
            (
                "training",
                _(
                    "A space for training and change: every tool on (wiki, sessions, polls, "
                    "learning path) and a welcome page"
                ),
            ),
        ],
    )
    confirm_distinct = forms.BooleanField(
        label=_("None of these groups fits: create mine anyway"), required=False
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        owned = Group.objects.filter(
            memberships__agent=actor, memberships__role="owner", archived_at__isnull=True
        ).order_by("name")
        self.parents = {g.pk: g for g in owned}
        self.fields["parent"].choices = [("", _("— None —"))] + [(g.pk, g.name) for g in owned]
        if not owned:
            del self.fields["parent"]
        self.add_image_description_fields()

    def clean(self):
        data = super().clean()
        return self.clean_image_description(data, has_image=bool(data.get("image")))

    def clean_parent(self):
        pk = self.cleaned_data.get("parent")
        return self.parents.get(pk) if pk else None

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            check_image(upload, max_bytes=settings.TRANSVERSE_MAX_PHOTO_BYTES)
        return upload


class GroupToolsForm(forms.Form):
    """The tools an animator switches on for a group (intranet.groups.tools)."""

    tools = forms.MultipleChoiceField(
        label=_("Tools of the group"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each tool that is on adds a tab to the group's page."),
    )

    def __init__(self, *args, registered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tools"].choices = [
            (t.key, f"{t.label} — {t.description}" if t.description else t.label)
            for t in registered
        ]


class InviteForm(AgentFieldsMixin, forms.Form):
    logins = AgentsField(label=_("Agents to invite"), required=False, max_agents=100)
    department = forms.TypedChoiceField(
        label=_("or a whole department"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("— None —")), *department_choices()]

    def clean_department(self):
        pk = self.cleaned_data["department"]
        return Department.objects.filter(pk=pk, is_active=True).first() if pk else None

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("logins") and not data.get("department"):
            raise forms.ValidationError(_("Give at least one agent or a department."))
        return data


class GroupFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=120, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=60, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Group.Kind.choices]
    )
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None
    )
    mine = forms.BooleanField(label=_("My groups only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *department_choices()]

    def clean_department(self):
        pk = self.cleaned_data["department"]
        return Department.objects.filter(pk=pk).first() if pk else None
