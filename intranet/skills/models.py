"""The skills taxonomy (skills and their spellings), agents' claims and endorsements.

These models were born in the people app (migrations people 0001-0003); skills 0001 took
them over with their rows. The two constraint names keep their "people_" prefix: renaming
a constraint rebuilds its unique index (a whole table on SQLite) for a cosmetic gain.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Skill(models.Model):
    """A skill of the shared taxonomy. `key` is the folded label, so "RGPD", "rgpd" and
    "Rgpd " are one skill; synonyms ("GDPR") are rows of SkillAlias pointing here.

    A label nobody knew becomes a proposed skill, which staff accept, rename or merge.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")

    label = models.CharField(_("label"), max_length=80)
    key = models.CharField(max_length=80, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("related skills")
    )

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["key"]

    def __str__(self):
        return self.label

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED


class SkillAlias(models.Model):
    """One spelling that resolves to a skill: its own label, a synonym or a former label.

    Keys are folded and unique across the whole taxonomy, so any spelling leads to at most
    one skill.
    """

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aliases")
    label = models.CharField(_("label"), max_length=80)
    key = models.CharField(max_length=80, unique=True)

    class Meta:
        verbose_name = _("skill synonym")
        verbose_name_plural = _("skill synonyms")
        ordering = ["key"]

    def __str__(self):
        return self.label


class SkillClaim(models.Model):
    """An agent says they have a skill, at a level, and whether they accept questions on it."""

    class Level(models.IntegerChoices):
        NOTIONS = 1, _("notions")
        PRACTICE = 2, _("practice")
        EXPERT = 3, _("expert")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_claims"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="claims")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.PRACTICE
    )
    accepts_requests = models.BooleanField(_("happy to be asked about this"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skill claim")
        verbose_name_plural = _("skill claims")
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="people_one_claim_per_skill")
        ]
        indexes = [models.Index(fields=["skill", "agent"])]

    def __str__(self):
        return f"{self.agent} – {self.skill}"


class Endorsement(models.Model):
    """A colleague vouches for a skill claim: once per colleague and claim, never oneself."""

    claim = models.ForeignKey(SkillClaim, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_given"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(fields=["claim", "endorser"], name="people_endorse_once")
        ]

    def __str__(self):
        return f"{self.endorser} → {self.claim}"
