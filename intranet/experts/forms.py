"""Input validation for the expert finder, themes, ambassadors and the coverage matrix."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.accounts.fields import AgentField, AgentFieldsMixin
from intranet.core.text import fold
from intranet.core.widgets import ListSelect
from intranet.departments.models import Department
from intranet.departments.selectors import department_choices
from intranet.experts.models import Theme
from intranet.skills.models import SkillClaim
from intranet.skills.services import MAX_SKILL_LENGTH, skill_labels_normalise, skills_resolve
from intranet.topics.services import topic_key

LEVEL_CHOICES = [("", _("Any level")), *SkillClaim.Level.choices]


def _department_field(empty_label):
    return forms.TypedChoiceField(
        label=_("Department"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", empty_label)],
        widget=ListSelect,
    )


def _clean_department(value):
    return Department.objects.filter(pk=value, is_active=True).first() if value else None


class ThemeChoiceMixin:
    def set_theme_choices(self, themes):
        self.fields["theme"].choices = [("", _("All themes")), *((t.slug, t.name) for t in themes)]

    def clean_theme(self):
        slug = self.cleaned_data["theme"]
        return Theme.objects.filter(slug=slug).first() if slug else None


class FinderForm(ThemeChoiceMixin, forms.Form):
    q = forms.CharField(
        label=_("Skill or theme"),
        max_length=MAX_SKILL_LENGTH,
        required=False,
        help_text=_("Any spelling or synonym, for example GDPR or données personnelles."),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False, widget=ListSelect)
    department = _department_field(_("All departments"))
    office = forms.CharField(label=_("Site or office"), max_length=200, required=False)
    level = forms.TypedChoiceField(
        label=_("Level at least"),
        choices=LEVEL_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=ListSelect,
    )
    accepts_requests = forms.BooleanField(label=_("Happy to be asked only"), required=False)

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_theme_choices(themes)
        self.fields["department"].choices = [("", _("All departments")), *department_choices()]

    def clean_department(self):
        return _clean_department(self.cleaned_data["department"])


class CoverageFilterForm(ThemeChoiceMixin, forms.Form):
    department = _department_field(_("All departments"))
    theme = forms.ChoiceField(label=_("Theme"), required=False, widget=ListSelect)

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_theme_choices(themes)
        self.fields["department"].choices = [("", _("All departments")), *department_choices()]

    def clean_department(self):
        return _clean_department(self.cleaned_data["department"])


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    skills = forms.CharField(
        label=_("Skills"),
        max_length=3_000,
        required=False,
        help_text=_("Separate skills with commas; synonyms are understood."),
    )
    topics = forms.CharField(
        label=_("Topics"),
        max_length=1_000,
        required=False,
        help_text=_("Separate topics with commas, for example: rgpd, cnil."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_skills(self):
        labels = skill_labels_normalise(self.cleaned_data["skills"].split(","))
        found = skills_resolve(labels)
        unknown = [label for label in labels if fold(label) not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown skills: %(labels)s. Create them on the skills page first."),
                params={"labels": ", ".join(unknown)},
            )
        return list({s.pk: s for s in found.values()}.values())

    def clean_topics(self):
        """The topics' labels (the service creates the missing ones: a form never writes)."""
        labels = [label.strip() for label in self.cleaned_data["topics"].split(",")]
        return [label for label in labels if topic_key(label)][:30]


class AmbassadorInviteForm(AgentFieldsMixin, forms.Form):
    theme = forms.ChoiceField(label=_("Theme"))
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    agent = AgentField(label=_("Agent"))
    # A date input takes only ISO dates in its value, whatever the page's language.
    starts_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, themes=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [(t.slug, t.name) for t in themes]
        self.fields["department"].choices = [(d.pk, d.label) for d in departments]
        self._departments = {d.pk: d for d in departments}
        self._themes = {t.slug: t for t in themes}

    def clean_theme(self):
        return self._themes[self.cleaned_data["theme"]]

    def clean_department(self):
        return self._departments[self.cleaned_data["department"]]
