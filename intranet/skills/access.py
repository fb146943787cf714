"""Who may see and change skill claims and endorsements, and who curates the taxonomy.

Built on the accounts access model: a claim is visible exactly when its agent is
(visible_agents), so a claim on an agent the actor may not see answers 404 like a
missing one. Agents change their own claims; staff curate skills.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from intranet.accounts.access import visible_agents
from intranet.skills.models import SkillClaim


def is_active_agent(actor) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def can_curate_skills(actor) -> bool:
    return is_active_agent(actor) and actor.is_staff


def visible_claims(actor) -> QuerySet[SkillClaim]:
    return SkillClaim.objects.filter(agent__in=visible_agents(actor))


def can_change_claim(actor, claim: SkillClaim) -> bool:
    return is_active_agent(actor) and (actor.pk == claim.agent_id or actor.is_superuser)


def can_endorse_claim(actor, claim: SkillClaim) -> bool:
    """A colleague who may see the claimant, never the claimant."""
    return (
        is_active_agent(actor)
        and actor.pk != claim.agent_id
        and visible_agents(actor).filter(pk=claim.agent_id).exists()
    )


def access_skill_claim(actor, claim_id, *, for_write: bool = False) -> SkillClaim:
    """The claim if actor may see its agent (404 otherwise); for_write: its agent only (403)."""
    try:
        pk = int(claim_id)
    except (TypeError, ValueError):
        raise Http404 from None
    claim = visible_claims(actor).select_related("agent", "skill").filter(pk=pk).first()
    if claim is None:
        raise Http404
    if for_write and not can_change_claim(actor, claim):
        raise PermissionDenied
    return claim
