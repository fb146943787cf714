"""The agent: one account per person, with the profile fields shown to colleagues."""

import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from intranet.core.text import fold

# Profile fields a directory may own; those it owns are read-only for the agent. The text
# ones are copied as they are; the others are resolved (department, manager) or fetched.
DIRECTORY_TEXT_FIELDS = ("first_name", "last_name", "email", "title", "phone", "office")
DIRECTORY_FIELDS = (*DIRECTORY_TEXT_FIELDS, "department", "manager", "photo")


def default_time_zone() -> str:
    """A new agent's time zone: the site's (settings.TIME_ZONE)."""
    return settings.TIME_ZONE


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zones the system knows (zoneinfo.available_timezones), read once."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(_("Choose a time zone from the list."), code="invalid")


def interface_languages():
    """The languages an agent may choose (settings.LANGUAGES), read when a form needs them."""
    return settings.LANGUAGES


def login_is(login: str) -> Exact:
    """A filter on User: the login is `login`, whatever its case, as the unique index on
    lower(username) reads it. (username__iexact compares UPPER() on PostgreSQL, which no
    index covers: each profile and photo read the whole table of agents.)"""
    return Exact(Lower("username"), Lower(Value(login)))


class AgentManager(UserManager):
    def get_by_natural_key(self, username):
        # Logins are case-insensitive, like the directories they come from.
        return self.get(login_is(username))


class User(AbstractUser):
    """An agent of the administration (or a local account such as the site administrator)."""

    class Source(models.TextChoices):
        LOCAL = "local", _("local account")
        DIRECTORY = "directory", _("directory account")
        PROCONNECT = "proconnect", _("ProConnect account")

    source = models.CharField(
        _("account source"), max_length=16, choices=Source.choices, default=Source.LOCAL
    )
    directory_dn = models.CharField(_("directory DN"), max_length=1024, blank=True)
    directory_fields = models.JSONField(
        _("fields owned by the directory"), default=list, blank=True
    )
    title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    office = models.CharField(_("office"), max_length=200, blank=True)
    about = models.TextField(_("about"), blank=True, max_length=10_000)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agents",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    # Folded "last first" name: accent- and case-insensitive search and sorting on any database.
    sort_name = models.CharField(max_length=300, db_index=True, editable=False, default="")
    left_at = models.DateTimeField(_("left the administration on"), null=True, blank=True)
    # The interface language the agent chose with the language switch; blank: the site's.
    # It is also the language of everything sent to them outside a request (e-mails).
    language = models.CharField(
        _("interface language"), max_length=16, blank=True, default="", choices=interface_languages
    )
    # Dates and times are shown in it (intranet.accounts.middleware.AgentTimeZoneMiddleware).
    # The choices are checked by the validator, not stored in migrations: the list of
    # zones comes from the system's tz database and changes with it.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    # When the agent saw the first-visit welcome (shown once); null: not yet, a new agent.
    welcomed_at = models.DateTimeField(_("welcome seen on"), null=True, blank=True)

    objects = AgentManager()

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique")
        ]
        indexes = [models.Index(fields=["is_active", "sort_name"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        if not parts:
            return self.username[:2].upper()
        return "".join(p[0] for p in parts).upper()

    @property
    def preferred_language(self) -> str:
        """The language to write to them in: their choice if still offered, else the site's."""
        if self.language and self.language in dict(settings.LANGUAGES):
            return self.language
        return settings.LANGUAGE_CODE

    @property
    def is_directory_account(self) -> bool:
        return self.source == self.Source.DIRECTORY

    def compute_sort_name(self) -> str:
        return fold(f"{self.last_name} {self.first_name} {self.username}")

    def save(self, *args, **kwargs):
        # Derived column only; bulk writers call compute_sort_name themselves.
        self.sort_name = self.compute_sort_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)


class AgentSession(models.Model):
    """A session an agent signed in with (recorded at sign-in, see accounts.services).

    Session data is a signed blob keyed by a random id: without this record, finding one
    agent's sessions means reading every session. Deactivation deletes exactly these.
    """

    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agent session")
        verbose_name_plural = _("agent sessions")

    def __str__(self):
        return f"{self.agent_id}: {self.session_key[:8]}…"


class SignInFailureCount(models.Model):
    """Failed sign-ins counted for one throttle key (a login, an address, or both) in the
    current window (accounts.throttle). In the database, not the cache: the count holds
    across processes and while Redis is away, and a restart does not reset it."""

    key = models.CharField(max_length=100, primary_key=True)
    failures = models.PositiveIntegerField()
    expires = models.BigIntegerField(db_index=True)  # Unix time the window ends

    class Meta:
        verbose_name = _("sign-in failure count")
        verbose_name_plural = _("sign-in failure counts")


def agent_zone(agent) -> zoneinfo.ZoneInfo:
    """agent's time zone, the site's when unset or no longer known to the system."""
    name = getattr(agent, "time_zone", "") or ""
    if name not in time_zone_names():
        name = settings.TIME_ZONE
    return zoneinfo.ZoneInfo(name)
