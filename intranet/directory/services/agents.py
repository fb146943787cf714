"""Writes to agents that come from the directory: at sign-in, and when they leave."""

import logging
import secrets

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image

from intranet.accounts.leavers import agents_left
from intranet.accounts.models import DIRECTORY_TEXT_FIELDS, User
from intranet.accounts.services import agents_sign_out
from intranet.core.images import check_image, square_jpeg
from intranet.core.storage import StorageFull
from intranet.departments.models import Department
from intranet.directory.config import DirectoryConfig
from intranet.directory.entries import DirectoryAgent, agent_from_entry, normalise_dn, photo_bytes
from intranet.directory.services.departments import department_nodes, departments_ensure
from intranet.search.services import search_index_later

logger = logging.getLogger(__name__)

PHOTO_FOLDER = "photos/directory"
PHOTO_SIZE = 400  # the side of profile photos


def unusable_password() -> str:
    """What make_password(None) stores, without its per-call overhead (bulk creation)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def photo_name(photo_hash: str) -> str:
    return f"{PHOTO_FOLDER}/{photo_hash}.jpg" if photo_hash else ""


def agent_photo_store(data: bytes, photo_hash: str) -> str:
    """Store the directory's photo as a square JPEG named after its hash; "" if unusable.

    Same photo, same name: re-syncs never decode or write an unchanged photo again.
    """
    name = photo_name(photo_hash)
    if default_storage.exists(name):
        return name
    upload = ContentFile(data, name="directory-photo")
    try:
        check_image(upload, max_bytes=settings.TRANSVERSE_MAX_PHOTO_BYTES)
    except ValidationError as exc:
        logger.warning("directory photo %s refused: %s", photo_hash, "; ".join(exc.messages))
        return ""
    upload.seek(0)
    with Image.open(upload) as image:
        side = min(image.size)
    # Directory photos are often small (AD thumbnails are 96 px): never enlarge them.
    content = square_jpeg(upload, folder=PHOTO_FOLDER, size=max(1, min(PHOTO_SIZE, side)))
    try:
        return default_storage.save(name, content)
    except StorageFull:
        # A full disk must not stop the sync or a sign-in: the agent keeps the old photo.
        logger.warning("directory photo %s not stored: the storage is full", photo_hash)
        return ""


def owned_fields(config: DirectoryConfig, agent: DirectoryAgent) -> list[str]:
    """The profile fields the directory decides for this agent (read-only in the profile)."""
    amap = config.attribute_map
    owned = [name for name in DIRECTORY_TEXT_FIELDS if amap.get(name)]
    if amap.get("manager"):
        owned.append("manager")
    if agent.department_path:
        owned.append("department")
    if agent.photo_hash:
        owned.append("photo")
    return owned


def agent_values(config: DirectoryConfig, agent: DirectoryAgent, department_id: int | None) -> dict:
    """The User columns the directory decides (manager and photo aside)."""
    values = {
        name: agent.fields[name] for name in DIRECTORY_TEXT_FIELDS if config.attribute_map.get(name)
    }
    values.update(
        username=agent.username,
        source=User.Source.DIRECTORY,
        directory_dn=agent.dn[:1024],
        directory_fields=owned_fields(config, agent),
    )
    if agent.department_path:
        values["department_id"] = department_id
    return values


@transaction.atomic
def agents_deactivate(user_ids, *, when=None) -> int:
    """Switch off leavers: no sign-in, no session, no department; their content stays."""
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    when = when or timezone.now()
    leavers = list(User.objects.filter(pk__in=user_ids, is_active=True))
    for agent in leavers:
        agent.is_active = False
        agent.left_at = when
        agent.department_id = None
        agent.password = unusable_password()  # a new session hash ends every other session
    User.objects.bulk_update(
        leavers, ["is_active", "left_at", "department", "password"], batch_size=500
    )
    Department.objects.filter(head_id__in=user_ids).update(head=None)
    ids = [agent.pk for agent in leavers]
    # Their groups go to an animator (else staff), memberships end, the index forgets them.
    agents_left(ids)
    # Sessions and sockets end after commit: a rolled-back run must not sign anyone out.
    agents_sign_out(ids)
    return len(leavers)


def agent_update_from_directory(
    config: DirectoryConfig,
    dn: str,
    raw,
    *,
    known: User | None = None,
    agent: DirectoryAgent | None = None,
) -> User | None:
    """Create or update the agent an entry describes, at sign-in; None if it cannot be used.

    The caller has checked the password; this only refuses disabled accounts, malformed
    entries, and logins already taken by a local account. known is the account the caller
    already read for this login, if any (saves a query), agent the entry already parsed.
    An agent whose profile already matches the entry costs no write and no transaction:
    the usual sign-in.
    """
    if agent is None:
        agent = agent_from_entry(config, dn, raw)
    if agent.disabled or agent.locked:
        logger.info("directory sign-in refused for %s: account disabled or locked", dn)
        return None
    user = known if known is not None and known.username.casefold() == agent.key else None
    if user is None:
        user = users_by_login(agent.username).select_related("department").first()
    if user is not None and not user.is_directory_account:
        logger.warning("directory login %s matches a local account: refused", agent.username)
        return None
    if user is not None and not user.is_active and user.left_at is None:
        logger.info("directory sign-in refused for %s: switched off in Transverse", dn)
        return None
    leaf = agent.department_path[-1][0] if agent.department_path else ""
    current = user.department if user is not None and user.department_id else None
    in_place = current is not None and current.directory_dn == leaf and current.is_active
    values = agent_values(config, agent, current.pk if in_place else None)
    values.update(is_active=True, left_at=None)
    if config.attribute_map.get("manager"):
        # The sync keeps managers right; at sign-in, only fill one that is missing.
        if not agent.manager_dn:
            values["manager_id"] = None
        elif user is None or user.manager_id is None:
            values["manager_id"] = _manager_id_for(agent)
    if agent.photo_hash and (user is None or user.photo.name != photo_name(agent.photo_hash)):
        stored = agent_photo_store(photo_bytes(config, raw), agent.photo_hash)
        if stored:
            values["photo"] = stored
    if (
        user is not None
        and (in_place or not leaf)
        and all(getattr(user, name) == value for name, value in values.items())
    ):
        return user
    with transaction.atomic():
        if leaf and not in_place:
            ids = departments_ensure(department_nodes([agent.department_path]))
            values["department_id"] = ids[leaf]
        return _agent_save(user, values)


def _agent_save(user: User | None, values: dict) -> User:
    if user is None:
        user = User(password=unusable_password(), **values)
        user.save()
    else:
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, values[name])
        user.save(update_fields=[name.removesuffix("_id") for name in changed])
    search_index_later(user)
    return user


def users_by_login(username: str):
    """Agents whose login is username, ignoring case, through the LOWER(username) index."""
    return User.objects.alias(login=Lower("username")).filter(login=Lower(Value(username)))


def _manager_id_for(agent: DirectoryAgent) -> int | None:
    """The manager's id, if Transverse knows them already (the sync fills the rest)."""
    first = agent.manager_dn.split(",", 1)[0]
    attribute, _eq, value = first.partition("=")
    candidates = User.objects.filter(source=User.Source.DIRECTORY)
    if attribute.strip().lower() in {"uid", "samaccountname"}:
        candidates = users_by_login(value.strip()).filter(source=User.Source.DIRECTORY)
    else:
        candidates = candidates.filter(directory_dn__istartswith=first)
    for pk, dn in candidates.values_list("pk", "directory_dn")[:50]:
        if normalise_dn(dn) == agent.manager_dn:
            return pk
    return None
