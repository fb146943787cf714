"""Input validation for profile editing and the people directory filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from intranet.accounts.fields import AgentField, AgentFieldsMixin
from intranet.accounts.models import User
from intranet.core.images import check_image
from intranet.core.widgets import ListSelect
from intranet.departments.models import Department
from intranet.departments.selectors import department_choices
from intranet.skills.services import MAX_SKILL_LENGTH, MAX_SKILLS, skill_labels_normalise

LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("ru", _("Russian")),
    ("pl", _("Polish")),
    ("ro", _("Romanian")),
    ("nl", _("Dutch")),
    ("tr", _("Turkish")),
    ("br", _("Breton")),
    ("oc", _("Occitan")),
    ("eu", _("Basque")),
    ("ca", _("Catalan")),
    ("co", _("Corsican")),
    ("fsl", _("French Sign Language")),
]
LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)


class ProfileForm(AgentFieldsMixin, forms.Form):
    """What an agent may change on their profile; directory-owned fields come disabled."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    manager = AgentField(label=_("Line manager"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    office = forms.CharField(label=_("Office"), max_length=200, required=False)
    about = forms.CharField(
        label=_("About me"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italics*, lists, links."),
    )
    skills = forms.CharField(
        label=_("Skills"),
        max_length=MAX_SKILLS * (MAX_SKILL_LENGTH + 2),
        required=False,
        help_text=_("Separate skills with commas, for example: GDPR, public procurement."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(
        label=_("New photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text=_("JPEG, PNG, GIF or WebP; it will be cropped to a square."),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    def __init__(self, *args, agent: User, **kwargs):
        self.agent = agent
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("— None —")), *department_choices()]
        owned = set(agent.directory_fields)
        if "manager" in owned:  # shown, never looked up: the directory keeps it
            self.fields["manager"] = forms.CharField(label=_("Line manager"), required=False)
        for name in owned & set(self.fields):
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Managed by the directory of your administration.")
        if "photo" in owned:
            self.fields["remove_photo"].disabled = True

    def clean_department(self):
        pk = self.cleaned_data["department"]
        if pk is None:
            return None
        department = Department.objects.filter(pk=pk, is_active=True).first()
        if department is None:
            raise forms.ValidationError(_("Choose a department from the list."))
        return department

    def clean_manager(self):
        manager = self.cleaned_data["manager"]
        if self.fields["manager"].disabled:
            return self.agent.manager
        if manager is None:
            return None
        if manager.pk == self.agent.pk:
            raise forms.ValidationError(_("You cannot be your own manager."))
        return manager

    def clean_skills(self):
        labels = skill_labels_normalise(self.cleaned_data["skills"].split(","))
        if len(labels) > MAX_SKILLS:
            raise forms.ValidationError(
                _("At most %(max)d skills, please."), params={"max": MAX_SKILLS}
            )
        return labels

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            check_image(upload, max_bytes=settings.TRANSVERSE_MAX_PHOTO_BYTES)
        return upload


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=200, required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None, widget=ListSelect
    )
    skill = forms.CharField(label=_("Skill"), max_length=MAX_SKILL_LENGTH, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *department_choices()]

    def clean_department(self):
        pk = self.cleaned_data["department"]
        return Department.objects.filter(pk=pk, is_active=True).first() if pk else None
