"""Input validation for agents' skill claims and for staff curating the taxonomy."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.core.text import fold
from intranet.skills.models import SkillClaim
from intranet.skills.services import (
    MAX_SKILL_LENGTH,
    skill_labels_normalise,
    skill_resolve,
    skills_resolve,
)


class SkillClaimForm(forms.Form):
    """Add a skill to one's profile, or change its level and the "happy to be asked" flag."""

    label = forms.CharField(
        label=_("Skill"),
        max_length=MAX_SKILL_LENGTH,
        help_text=_("A known skill or synonym; a new one is proposed to the staff."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=SkillClaim.Level.choices,
        coerce=int,
        initial=SkillClaim.Level.PRACTICE,
    )
    accepts_requests = forms.BooleanField(
        label=_("I am happy to be asked about this subject"), required=False
    )


class SkillClaimUpdateForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Level"), choices=SkillClaim.Level.choices, coerce=int)
    accepts_requests = forms.BooleanField(
        label=_("I am happy to be asked about this subject"), required=False
    )


def _labels(value: str) -> list[str]:
    return skill_labels_normalise(value.split(","))


class SkillCurationForm(forms.Form):
    """Staff: a skill's label, its synonyms and the related skills."""

    label = forms.CharField(label=_("Label"), max_length=MAX_SKILL_LENGTH)
    synonyms = forms.CharField(
        label=_("Synonyms"),
        max_length=3_000,
        required=False,
        help_text=_("Separate with commas: each spelling will lead to this skill."),
    )
    related = forms.CharField(
        label=_("Related skills"),
        max_length=3_000,
        required=False,
        help_text=_("Separate with commas; only existing skills."),
    )

    def clean_synonyms(self):
        return _labels(self.cleaned_data["synonyms"])

    def clean_related(self):
        labels = _labels(self.cleaned_data["related"])
        found = skills_resolve(labels)
        unknown = [label for label in labels if fold(label) not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown skills: %(labels)s."), params={"labels": ", ".join(unknown)}
            )
        return list({s.pk: s for s in found.values()}.values())


class SkillMergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into"),
        max_length=MAX_SKILL_LENGTH,
        help_text=_("The skill that stays: its label or any synonym."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: the claims, synonyms and themes of this skill move to the other "
            "one, and this skill disappears."
        ),
    )

    def clean_into(self):
        skill = skill_resolve(self.cleaned_data["into"])
        if skill is None:
            raise forms.ValidationError(_("No skill is called that."))
        return skill
