"""Every write to an agent's profile and skills."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction

from intranet.accounts.access import access_agent
from intranet.accounts.models import User
from intranet.core.images import square_jpeg
from intranet.core.text import fold, without_nul
from intranet.people.models import Skill, SkillClaim
from intranet.search.services import search_index_later

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
MAX_SKILLS = 30
MAX_SKILL_LENGTH = 80


def skill_labels_normalise(labels) -> list[str]:
    """Trim, drop empties and keep the first spelling of each folded skill."""
    seen, result = set(), []
    for raw in labels:
        label = " ".join(without_nul(str(raw)).split())[:MAX_SKILL_LENGTH]
        key = fold(label)
        if key and key not in seen:
            seen.add(key)
            result.append(label)
    return result


def skills_get_or_create(labels) -> list[Skill]:
    labels = skill_labels_normalise(labels)
    keys = {fold(label): label for label in labels}
    existing = {s.key: s for s in Skill.objects.filter(key__in=keys)}
    missing = [Skill(key=k, label=v) for k, v in keys.items() if k not in existing]
    if missing:
        Skill.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.key: s for s in Skill.objects.filter(key__in=keys)}
    return [existing[k] for k in keys]


@transaction.atomic
def agent_skills_set(actor, agent: User, *, labels) -> list[Skill]:
    access_agent(actor, agent.username, for_write=True)
    skills = skills_get_or_create(labels)
    wanted = {s.pk for s in skills}
    SkillClaim.objects.filter(agent=agent).exclude(skill_id__in=wanted).delete()
    have = set(SkillClaim.objects.filter(agent=agent).values_list("skill_id", flat=True))
    SkillClaim.objects.bulk_create(
        [SkillClaim(agent=agent, skill_id=pk) for pk in wanted - have], ignore_conflicts=True
    )
    search_index_later(agent)
    return skills


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
