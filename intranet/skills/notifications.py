"""Skill claims as notification targets (endorsements received), re-checked through the
skills access model: a claim that was removed, or whose agent is no longer visible,
notifies nobody."""

from django.urls import reverse

from intranet.notifications.targets import Target, target_register
from intranet.skills.access import visible_claims
from intranet.skills.models import SkillClaim


def _claim_url(claim: SkillClaim) -> str:
    return f"{reverse('people:agent-detail', args=[claim.agent.username])}#skills-heading"


target_register(
    Target(model=SkillClaim, visible=visible_claims, url=_claim_url, label=lambda c: c.skill.label)
)
