"""Turning raw directory entries into plain values Transverse can store.

Nothing here talks to the directory or the database: an entry's raw attributes go in,
a DirectoryAgent (or MalformedEntry with a reason) comes out.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from ldap3.utils.dn import LDAPInvalidDnError, parse_dn

from intranet.directory.config import AD_ACCOUNTDISABLE, PPOLICY_PERMANENT_LOCK, DirectoryConfig

USERNAME_MAX = 150
# Longest value kept for each text field (the model's max_length).
TEXT_LIMITS = {
    "first_name": 150,
    "last_name": 150,
    "email": 254,
    "title": 200,
    "phone": 40,
    "office": 200,
}
USERNAME_FORBIDDEN = set("\x00/\\ \t\r\n")


class MalformedEntry(ValueError):
    """An entry Transverse cannot use; the message says why (for the sync summary)."""


@dataclass(slots=True)
class DirectoryAgent:
    dn: str
    username: str
    fields: dict[str, str]  # first_name ... office, already cut to size
    manager_dn: str  # normalised, to compare
    manager_raw: str  # as the directory wrote it
    department_path: tuple[tuple[str, str], ...]  # ((dn, name), ...) from the top
    photo_hash: str  # "" when the entry has no photo
    disabled: bool  # the directory says the account is switched off for good
    locked: bool  # temporarily locked (failed passwords): may not sign in, not a leaver
    modified: str  # modifyTimestamp as the directory wrote it, "" if absent

    @property
    def key(self) -> str:
        return self.username.casefold()


def _first(raw: dict[str, list[bytes]], attribute: str) -> bytes | None:
    if not attribute:
        return None
    # Attribute names are case-insensitive; ldap3 keeps the case the server sent.
    values = raw.get(attribute)
    if values is None:
        lowered = attribute.lower()
        values = next((v for k, v in raw.items() if k.lower() == lowered), None)
    return values[0] if values else None


def _one(lowered: dict[str, list[bytes]], attribute: str) -> bytes | None:
    """First value of attribute in an entry whose attribute names are lower-cased."""
    values = lowered.get(attribute.lower()) if attribute else None
    return values[0] if values else None


def _text(raw, attribute: str) -> str:
    """The attribute's first value as single-spaced printable text ("" when absent).

    raw's attribute names are lower-cased; attribute may be in any case.
    """
    values = raw.get(attribute.lower()) if attribute else None
    if not values:
        return ""
    try:
        text = values[0].decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEntry(f"{attribute} is not UTF-8 text") from None
    if not text.isprintable():
        # No control characters in profile fields (they come back in pages and e-mails).
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    elif "  " not in text and text == text.strip():
        return text  # already single-spaced: the usual case
    return " ".join(text.split())


def photo_bytes(config: DirectoryConfig, raw) -> bytes | None:
    return _first(raw, config.attribute_map.get("photo", ""))


def photo_hash(data: bytes | None) -> str:
    return hashlib.sha256(data).hexdigest()[:32] if data else ""


def _status(raw) -> tuple[bool, bool]:
    """(disabled, locked) from Active Directory's or OpenLDAP's own attributes."""
    disabled = locked = False
    uac = _one(raw, "userAccountControl")
    if uac:
        try:
            disabled = bool(int(uac) & AD_ACCOUNTDISABLE)
        except ValueError:
            disabled = True  # unreadable: err on the side of not letting anyone in
    lockout = _one(raw, "lockoutTime")
    if lockout and lockout.strip() not in (b"0", b""):
        locked = True
    pwd_locked = _one(raw, "pwdAccountLockedTime")
    if pwd_locked:
        locked = True
        disabled = disabled or pwd_locked.decode("ascii", "replace") == PPOLICY_PERMANENT_LOCK
    return disabled, locked


def split_dn(dn: str) -> tuple[str, str]:
    """(first RDN, parent DN), cutting at the first comma not escaped by a backslash."""
    index = 0
    while True:
        index = dn.find(",", index)
        if index < 0:
            return dn, ""
        backslashes = len(dn[:index]) - len(dn[:index].rstrip("\\"))
        if backslashes % 2 == 0:
            return dn[:index], dn[index + 1 :]
        index += 1


def _unescape(value: str) -> str:
    """An RDN value as people read it: 'Bureau d\\27études' or 'a\\,b' -> real text."""
    if "\\" not in value:
        return value
    out, i = bytearray(), 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(int(pair, 16))
                i += 3
                continue
            out += value[i + 1].encode()
            i += 2
            continue
        out += ch.encode()
        i += 1
    return out.decode("utf-8", "replace")


@lru_cache(maxsize=20_000)
def _parsed(dn: str):
    try:
        return tuple(parse_dn(dn, escape=False, strip=True))
    except LDAPInvalidDnError:
        raise MalformedEntry("the DN cannot be parsed") from None


@lru_cache(maxsize=20_000)
def normalise_parent(dn: str) -> str:
    """A DN in one spelling (lower case, no spaces), so that equal DNs compare equal."""
    try:
        rdns = _parsed(dn)
    except MalformedEntry:
        return dn.strip().lower()
    return ",".join(f"{a}={v}" for a, v, _sep in rdns).lower()


def normalise_dn(dn: str) -> str:
    """normalise_parent for any DN; only the (small set of) parents go through the parser."""
    first, parent = split_dn(dn.strip())
    attr, _eq, value = first.partition("=")
    head = f"{attr.strip()}={value.strip()}".lower()
    return f"{head},{normalise_parent(parent)}" if parent else head


@lru_cache(maxsize=20_000)
def department_path(parent_dn: str, base: str) -> tuple[tuple[str, str], ...]:
    """The organisational units from base down to parent_dn: ((normalised dn, name), ...)."""
    if not parent_dn:
        return ()
    rdns = _parsed(parent_dn)
    base_len = len(_parsed(base)) if base else 0
    inside = rdns[: len(rdns) - base_len] if base_len else rdns
    path = []
    for index in range(len(inside) - 1, -1, -1):
        attr, value, _sep = inside[index]
        if attr.lower() == "ou":
            dn = ",".join(f"{a}={v}" for a, v, _s in rdns[index:]).lower()
            path.append((dn, _unescape(value)[:200]))
    return tuple(path)


def agent_from_entry(config: DirectoryConfig, dn: str, raw) -> DirectoryAgent:
    """The agent an entry describes, or MalformedEntry saying what is wrong with it."""
    amap = config.attribute_map
    if any(not name.islower() for name in raw):  # from elsewhere than RawEntriesStrategy
        raw = {name.lower(): values for name, values in raw.items()}
    username = _text(raw, amap["username"])
    if not username:
        raise MalformedEntry(f"no {amap['username']} (login)")
    if len(username) > USERNAME_MAX or USERNAME_FORBIDDEN & set(username):
        raise MalformedEntry(f"the login {username[:40]!r} is too long or has forbidden characters")
    fields = {name: _text(raw, amap.get(name, ""))[:limit] for name, limit in TEXT_LIMITS.items()}
    department_attr = amap.get("department", "")
    if department_attr:
        names = [p.strip() for p in _text(raw, department_attr).split("/") if p.strip()]
        path = tuple(
            (f"{department_attr}:{'/'.join(names[: i + 1])}".lower(), name[:200])
            for i, name in enumerate(names)
        )
    else:
        path = department_path(split_dn(dn)[1], config.user_base)
    manager = _text(raw, amap.get("manager", ""))
    disabled, locked = _status(raw)
    modified = _one(raw, "modifyTimestamp")
    return DirectoryAgent(
        dn=dn,
        username=username,
        fields=fields,
        manager_dn=normalise_dn(manager) if manager else "",
        manager_raw=manager,
        department_path=path,
        photo_hash=photo_hash(_one(raw, amap.get("photo", ""))),
        disabled=disabled,
        locked=locked,
        modified=modified.decode("ascii", "replace") if modified else "",
    )


def generalized_time(moment: datetime) -> str:
    """A datetime as an LDAP GeneralizedTime filter value (UTC, seconds)."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def parse_generalized_time(value: str) -> datetime | None:
    """'20240131120000Z' or '20240131120000.0Z' -> aware datetime (None if unreadable)."""
    digits = value[:14]
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
