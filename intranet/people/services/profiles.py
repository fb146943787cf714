"""Every write to an agent's profile: fields and photo (skills: intranet.skills.services)."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction

from intranet.accounts.access import access_agent
from intranet.accounts.models import User
from intranet.core.images import square_jpeg
from intranet.core.text import without_nul
from intranet.search.services import search_index_later
from intranet.skills.services import agent_skills_set

logger = logging.getLogger(__name__)

# Fields an agent may edit on their own profile, unless the directory owns them.
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "phone",
    "office",
    "department",
    "manager",
    "about",
    "languages",
)


@transaction.atomic
def profile_update(actor, agent: User, **values) -> User:
    """Update the profile fields actor may change; fields the directory owns are left alone."""
    agent = access_agent(actor, agent.username, for_write=True)
    changed = []
    for name in EDITABLE_FIELDS:
        if name in values and name not in agent.directory_fields:
            setattr(agent, name, without_nul(values[name]))
            changed.append(name)
    if changed:
        agent.save(update_fields=changed)
        search_index_later(agent)
    if "skills" in values:
        agent_skills_set(actor, agent, labels=values["skills"])
    return agent


def profile_photo_set(actor, agent: User, *, upload) -> User:
    """Store a resized copy of upload as agent's photo; the old one goes after commit."""
    agent = access_agent(actor, agent.username, for_write=True)
    if "photo" in agent.directory_fields:
        raise PermissionDenied
    content = square_jpeg(upload, folder="photos")
    new_name = default_storage.save(content.name, content)
    old_name = agent.photo.name
    try:
        with transaction.atomic():
            agent.photo.name = new_name
            agent.save(update_fields=["photo"])
            if old_name:
                transaction.on_commit(lambda: _delete_file(old_name))
    except Exception:
        _delete_file(new_name)  # the row was not written: leave no orphan file behind
        raise
    return agent


@transaction.atomic
def profile_photo_remove(actor, agent: User) -> User:
    agent = access_agent(actor, agent.username, for_write=True)
    if "photo" in agent.directory_fields or not agent.photo:
        return agent
    old_name = agent.photo.name
    agent.photo = ""
    agent.save(update_fields=["photo"])
    transaction.on_commit(lambda: _delete_file(old_name))
    return agent


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete stored file %s", name, exc_info=True)
