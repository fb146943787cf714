"""How Transverse talks to the directory: presets, parsing of the TRANSVERSE_LDAP_* values.

settings.py parses the environment with the pure functions below (so that a bad value
stops start-up with the variable's name); the rest of the code calls directory_config()
to get one immutable DirectoryConfig, read from settings at call time.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Profile fields the directory can fill, plus the login and the department/photo sources.
MAPPABLE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "phone",
    "office",
    "manager",
    "department",
    "photo",
)

PRESETS = {
    "openldap": {
        "user_filter": "(uid={username})",
        "sync_filter": "(objectClass=inetOrgPerson)",
        "attribute_map": {
            "username": "uid",
            "first_name": "givenName",
            "last_name": "sn",
            "email": "mail",
            "title": "title",
            "phone": "telephoneNumber",
            "office": "roomNumber",
            "manager": "manager",
            # Empty: the department comes from the entry's DN (its organisational units).
            "department": "",
            "photo": "jpegPhoto",
        },
        "department_head_attribute": "manager",
    },
    "active_directory": {
        "user_filter": "(&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))",
        "sync_filter": "(&(objectCategory=person)(objectClass=user))",
        "attribute_map": {
            "username": "sAMAccountName",
            "first_name": "givenName",
            "last_name": "sn",
            "email": "mail",
            "title": "title",
            "phone": "telephoneNumber",
            "office": "physicalDeliveryOfficeName",
            "manager": "manager",
            "department": "",
            "photo": "thumbnailPhoto",
        },
        "department_head_attribute": "managedBy",
    },
}

# Attributes read to tell whether an account may sign in, whatever the preset.
STATUS_ATTRIBUTES = ("userAccountControl", "lockoutTime", "pwdAccountLockedTime")
# OpenLDAP's ppolicy: this value means "locked by an administrator until unlocked".
PPOLICY_PERMANENT_LOCK = "000001010000Z"
AD_ACCOUNTDISABLE = 0x2


@dataclass(frozen=True)
class DirectoryConfig:
    urls: tuple[str, ...]
    start_tls: bool
    ca_file: str
    bind_dn: str
    bind_password: str
    user_base: str
    user_filter: str
    sync_filter: str
    attribute_map: dict[str, str] = field(hash=False)
    department_head_attribute: str
    connect_timeout: float
    receive_timeout: int
    page_size: int
    max_deactivate_share: float
    sync_interval_minutes: int
    full_sync_hours: int

    @property
    def enabled(self) -> bool:
        return bool(self.urls)

    def user_attributes(self) -> list[str]:
        """Every attribute a sign-in or a sync reads for an agent."""
        mapped = [a for a in self.attribute_map.values() if a]
        return sorted({*mapped, *STATUS_ATTRIBUTES, "modifyTimestamp"})


def parse_urls(raw: list[str], name: str) -> tuple[str, ...]:
    for url in raw:
        parts = urlsplit(url)
        if parts.scheme not in {"ldap", "ldaps"} or not parts.hostname:
            raise ImproperlyConfigured(
                f"{name} must list ldap:// or ldaps:// URLs with a host name, not {url!r}."
            )
    return tuple(raw)


def parse_preset(raw: str, name: str) -> str:
    value = (raw or "openldap").strip().lower().replace("-", "_")
    if value in {"ad", "activedirectory"}:
        value = "active_directory"
    if value not in PRESETS:
        raise ImproperlyConfigured(f"{name} must be openldap or active_directory, not {raw!r}.")
    return value


def parse_attribute_map(raw: str, name: str) -> dict[str, str]:
    """'first_name=givenName,photo=' -> {"first_name": "givenName", "photo": ""}."""
    result = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in MAPPABLE_FIELDS:
            raise ImproperlyConfigured(
                f"{name} must be a comma-separated list of field=attribute with fields among "
                f"{', '.join(MAPPABLE_FIELDS)}; {item!r} is not."
            )
        if value and not value.replace("-", "").replace(";", "").isalnum():
            raise ImproperlyConfigured(f"{name}: {value!r} is not an attribute name.")
        result[key] = value
    if result.get("username") == "":
        raise ImproperlyConfigured(f"{name}: the username attribute cannot be empty.")
    return result


def parse_filter(raw: str, name: str, *, needs_username: bool) -> str:
    value = raw.strip()
    if not (value.startswith("(") and value.endswith(")")):
        raise ImproperlyConfigured(f"{name} must be an LDAP filter in parentheses, not {raw!r}.")
    if needs_username and value.count("{username}") != 1:
        raise ImproperlyConfigured(f"{name} must contain {{username}} exactly once.")
    return value


def directory_config() -> DirectoryConfig:
    """The directory settings in force now, with the preset filled in."""
    preset = PRESETS[parse_preset(settings.TRANSVERSE_LDAP_PRESET, "TRANSVERSE_LDAP_PRESET")]
    attribute_map = {**preset["attribute_map"], **settings.TRANSVERSE_LDAP_ATTRIBUTE_MAP}
    return DirectoryConfig(
        urls=tuple(settings.TRANSVERSE_LDAP_URLS),
        start_tls=settings.TRANSVERSE_LDAP_START_TLS,
        ca_file=settings.TRANSVERSE_LDAP_CA_FILE,
        bind_dn=settings.TRANSVERSE_LDAP_BIND_DN,
        bind_password=settings.TRANSVERSE_LDAP_BIND_PASSWORD,
        user_base=settings.TRANSVERSE_LDAP_USER_BASE,
        user_filter=settings.TRANSVERSE_LDAP_USER_FILTER or preset["user_filter"],
        sync_filter=settings.TRANSVERSE_LDAP_SYNC_FILTER or preset["sync_filter"],
        attribute_map=attribute_map,
        department_head_attribute=settings.TRANSVERSE_LDAP_DEPARTMENT_HEAD_ATTRIBUTE
        or preset["department_head_attribute"],
        connect_timeout=settings.TRANSVERSE_LDAP_CONNECT_TIMEOUT,
        receive_timeout=settings.TRANSVERSE_LDAP_RECEIVE_TIMEOUT,
        page_size=settings.TRANSVERSE_LDAP_PAGE_SIZE,
        max_deactivate_share=settings.TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT / 100,
        sync_interval_minutes=settings.TRANSVERSE_LDAP_SYNC_INTERVAL,
        full_sync_hours=settings.TRANSVERSE_LDAP_FULL_SYNC_HOURS,
    )


def check_directory_settings(app_configs=None, **kwargs):
    """System check: a directory URL without a base or in plain text over the network."""
    from django.core.checks import Error, Warning

    config = directory_config()
    if not config.enabled:
        return []
    problems = []
    if not config.user_base:
        problems.append(
            Error("TRANSVERSE_LDAP_USER_BASE is required with TRANSVERSE_LDAP_URL.", id="dir.E001")
        )
    plain = [
        u
        for u in config.urls
        if u.startswith("ldap://") and urlsplit(u).hostname not in {"127.0.0.1", "localhost", "::1"}
    ]
    if plain and not config.start_tls:
        problems.append(
            Warning(
                "The directory is reached in plain text: passwords cross the network unencrypted.",
                hint="Use ldaps:// URLs or set TRANSVERSE_LDAP_START_TLS=true.",
                id="dir.W001",
            )
        )
    return problems
