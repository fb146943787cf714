"""Every write to skills: agents' claims and endorsements (claims), the taxonomy (curation)."""

from intranet.skills.services.claims import (
    MAX_SKILL_LENGTH,
    MAX_SKILLS,
    agent_skills_set,
    endorsement_add,
    endorsement_remove,
    skill_claim_add,
    skill_claim_remove,
    skill_claim_update,
    skill_key,
    skill_labels_normalise,
    skill_resolve,
    skills_get_or_create,
    skills_resolve,
)

__all__ = [
    "MAX_SKILLS",
    "MAX_SKILL_LENGTH",
    "agent_skills_set",
    "endorsement_add",
    "endorsement_remove",
    "skill_claim_add",
    "skill_claim_remove",
    "skill_claim_update",
    "skill_key",
    "skill_labels_normalise",
    "skill_resolve",
    "skills_get_or_create",
    "skills_resolve",
]
