"""Who holds an agent's personal data: a registry each app fills (RGPD rights, leavers).

Each app that stores something about an agent declares it in its own `personal_data.py`
(discovered at start-up by intranet.privacy, like search.py), for example:

    from intranet.accounts.personal_data import Provider, provider_register

    provider_register(Provider(
        name="skills",
        label=_("declared skills"),
        export=lambda agent, archive: archive.write_json("skills.json", rows(agent)),
        count=lambda agent: SkillClaim.objects.filter(agent=agent).count(),
        anonymise=lambda agent: SkillClaim.objects.filter(agent=agent).delete(),
        erase=None,  # nothing more than anonymise removes
    ))

- export(agent, archive) writes what the agent may see of their own data into the archive
  (`archive.write_json(name, iterable_of_dicts)` streams a JSON array,
  `archive.write_file(name, field_file)` copies a stored file): never other agents'
  private content.
- count(agent) says how many items erase (or, without erase, anonymise) removes: the
  confirmation page shows it before staff act.
- anonymise(agent) removes what identifies the person and keeps the content: it runs for
  a leaver, and after erase.
- erase(agent) removes the agent's content itself, on a justified request.

Every function runs inside the acting transaction; files are removed after commit.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext_lazy as _


class Archive(Protocol):
    def write_json(self, name: str, rows: Iterable[dict]) -> int: ...

    def write_file(self, name: str, field_file) -> bool: ...


@dataclass(frozen=True)
class Provider:
    name: str  # a short key, unique: the folder of the app's files in an export
    label: str  # what the data is, in words (lazy translation), for the confirmation page
    export: Callable[[object, Archive], None] | None = None
    count: Callable[[object], int] | None = None
    anonymise: Callable[[object], None] | None = None
    erase: Callable[[object], None] | None = None
    order: int = 50  # accounts (the person) last when anonymising: others read the name


_providers: dict[str, Provider] = {}


def provider_register(provider: Provider) -> None:
    _providers[provider.name] = provider


def providers() -> list[Provider]:
    """Every registered provider, in order then by name."""
    return sorted(_providers.values(), key=lambda p: (p.order, p.name))


# --- The agent's own account: the profile, the photo, the sessions (the person, last) ---

PROFILE_FIELDS = (
    "username", "first_name", "last_name", "email", "title", "phone", "office", "about",
    "languages", "language", "source", "date_joined", "last_login", "left_at",
)  # fmt: skip


def _profile_export(agent, archive) -> None:
    row = {field: getattr(agent, field) for field in PROFILE_FIELDS}
    row["department"] = str(agent.department) if agent.department_id else None
    row["manager"] = agent.manager.display_name if agent.manager_id else None
    archive.write_json("profile.json", [row])
    if agent.photo:
        archive.write_file(f"photo/{agent.photo.name.rsplit('/', 1)[-1]}", agent.photo)


def _profile_anonymise(agent) -> None:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone, translation
    from django.utils.translation import gettext

    from intranet.accounts.models import User
    from intranet.accounts.services import agent_sessions_end

    agent_sessions_end([agent.pk])
    photo = agent.photo.name if agent.photo else ""
    storage = agent.photo.storage
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("Former agent")
    agent.first_name, agent.last_name = name, ""
    agent.username = f"former-{agent.pk}"
    agent.email = agent.title = agent.phone = agent.office = agent.about = ""
    agent.languages, agent.directory_fields = [], []
    agent.photo = ""
    agent.department = agent.manager = None
    agent.directory_dn, agent.source = "", User.Source.LOCAL
    agent.password = make_password(None)  # no sign-in, ever
    agent.is_active = agent.is_staff = agent.is_superuser = False
    agent.left_at = agent.left_at or timezone.now()
    agent.save()
    agent.groups.clear()
    agent.user_permissions.clear()
    User.objects.filter(manager=agent).update(manager=None)
    if photo:
        transaction.on_commit(lambda: storage.delete(photo))


provider_register(
    Provider(
        name="profile",
        label=_("profile, photo and sessions"),
        export=_profile_export,
        anonymise=_profile_anonymise,
        order=90,
    )
)
