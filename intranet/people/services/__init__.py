"""Every write to agents' profiles: fields and photo (skills: intranet.skills.services)."""

from intranet.people.services.profiles import (
    EDITABLE_FIELDS,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "profile_photo_remove",
    "profile_photo_set",
    "profile_update",
]
