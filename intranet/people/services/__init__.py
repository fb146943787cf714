"""Every write to agents' profiles, skills, claims and endorsements, and the skills taxonomy."""

from intranet.people.services.profiles import (
    EDITABLE_FIELDS,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
)
from intranet.people.services.skills import (
    MAX_SKILL_LENGTH,
    MAX_SKILLS,
    agent_skills_set,
    skill_labels_normalise,
    skill_resolve,
    skills_get_or_create,
    skills_resolve,
)

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_SKILLS",
    "MAX_SKILL_LENGTH",
    "agent_skills_set",
    "profile_photo_remove",
    "profile_photo_set",
    "profile_update",
    "skill_labels_normalise",
    "skill_resolve",
    "skills_get_or_create",
    "skills_resolve",
]
