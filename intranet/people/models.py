"""Skills agents declare on their profile, as normalised free tags."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Skill(models.Model):
    """A skill tag. `key` is the folded label, so "RGPD", "rgpd" and "Rgpd " are one skill."""

    label = models.CharField(_("label"), max_length=80)
    key = models.CharField(max_length=80, unique=True, editable=False)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["key"]

    def __str__(self):
        return self.label


class SkillClaim(models.Model):
    """An agent says they have a skill."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_claims"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="claims")
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
