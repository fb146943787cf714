"""Connections to the directory: servers tried in order, TLS checked, timeouts always set.

Every failure to reach or use the directory becomes DirectoryUnavailable, whose message
is for the log (it never holds a password). Callers close what they open with directory_close().
"""

import contextlib
import logging
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from ldap3 import ANONYMOUS, NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.extend.standard.PagedSearch import paged_search_generator
from ldap3.strategy.sync import SyncStrategy
from ldap3.utils.conv import to_unicode

from intranet.directory.config import DirectoryConfig

logger = logging.getLogger(__name__)


class DirectoryUnavailable(Exception):
    """The directory could not be reached, refused the service account, or broke off."""


class RawEntriesStrategy(SyncStrategy):
    """ldap3's synchronous strategy, decoding search entries to raw bytes only.

    ldap3 turns every entry into two dicts: raw bytes and decoded text, the latter through
    a configuration lookup per value. Transverse reads only the raw bytes (it decodes the
    few attributes it keeps itself), so the text dict is left empty: on a full sync that
    is a third of the client's time.
    """

    def decode_response_fast(self, ldap_message):
        if ldap_message["protocolOp"] != 4:  # not a searchResEntry: ldap3's own decoding
            return super().decode_response_fast(ldap_message)
        dn, attributes = ldap_message["payload"][0][3], ldap_message["payload"][1][3]
        raw = {}
        for attribute in attributes:
            name, values = attribute[3][0][3], attribute[3][1][3]
            # Attribute names are ASCII (RFC 4512); lower-cased, as they compare.
            raw[bytes(name).decode("ascii", "replace").lower()] = [bytes(v[3]) for v in values]
        return {
            "raw_dn": dn,
            "dn": _dn_text(bytes(dn)),
            "raw_attributes": raw,
            "attributes": {},
            "type": "searchResEntry",
        }


def _dn_text(dn: bytes) -> str:
    try:
        return dn.decode("utf-8")
    except UnicodeDecodeError:  # some AD servers do: ldap3 tries its other encodings
        return to_unicode(dn, from_server=True)


def _server(config: DirectoryConfig, url: str) -> Server:
    parts = urlsplit(url)
    tls = Tls(
        validate=ssl.CERT_REQUIRED,
        ca_certs_file=config.ca_file or None,
        sni=parts.hostname,
    )
    return Server(
        parts.hostname,
        port=parts.port,
        use_ssl=parts.scheme == "ldaps",
        tls=tls,
        get_info=NONE,
        connect_timeout=config.connect_timeout,
    )


def directory_close(conn: Connection) -> None:
    """Unbind, even from a connection the server or a failed handshake already broke."""
    with contextlib.suppress(LDAPException, OSError):
        conn.unbind()


def _open(
    config: DirectoryConfig, url: str, user: str, password: str, *, bind: bool = True
) -> Connection:
    """Open, secure and bind one connection to url; raise DirectoryUnavailable otherwise.

    bind=False leaves it open and secured but not bound (for checking passwords).
    """
    conn = Connection(
        _server(config, url),
        user=user or None,
        password=password or None,
        authentication=SIMPLE if user else ANONYMOUS,
        receive_timeout=config.receive_timeout,
        read_only=True,
        check_names=False,
        return_empty_attributes=False,
        auto_referrals=False,
    )
    # The same SyncStrategy, with the cheaper entry decoding (see RawEntriesStrategy).
    conn.strategy.__class__ = RawEntriesStrategy
    try:
        conn.open(read_server_info=False)
        # StartTLS failing must stop here: never carry on in plain text.
        if config.start_tls and not conn.server.ssl and not conn.start_tls(read_server_info=False):
            raise DirectoryUnavailable(f"{url}: StartTLS refused ({conn.result})")
        if bind and not conn.bind(read_server_info=False):
            raise DirectoryUnavailable(
                f"{url}: the service account {user or '(anonymous)'} was refused: "
                f"{conn.result.get('description')}"
            )
    except (LDAPException, OSError) as exc:
        directory_close(conn)
        raise DirectoryUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
    except DirectoryUnavailable:
        directory_close(conn)
        raise
    return conn


def directory_connect(config: DirectoryConfig, *, bind: bool = True) -> Connection:
    """A connection bound as the service account, to the first server that answers.

    bind=False: opened and secured (StartTLS) only, for user_bind() to check passwords.
    """
    if not config.enabled:
        raise DirectoryUnavailable("no directory is configured (TRANSVERSE_LDAP_URL)")
    errors = []
    for url in config.urls:
        try:
            if not bind:
                return _open(config, url, "", "", bind=False)
            return _open(config, url, config.bind_dn, config.bind_password)
        except DirectoryUnavailable as exc:
            logger.warning("directory server unavailable: %s", exc)
            errors.append(str(exc))
    raise DirectoryUnavailable("; ".join(errors))


def user_bind(conn: Connection, dn: str, password: str) -> bool:
    """Whether dn's password is right, checked by a bind on conn (which stays usable).

    Raises DirectoryUnavailable if the server cannot be asked. The caller has already
    refused empty passwords: an empty simple bind is an anonymous bind that "succeeds".
    """
    if not password or not password.strip():
        return False
    try:
        conn.user, conn.password, conn.authentication = dn, password, SIMPLE
        ok = conn.bind(read_server_info=False)
    except (LDAPException, OSError) as exc:
        raise DirectoryUnavailable(f"bind as {dn}: {type(exc).__name__}: {exc}") from exc
    if not ok:
        logger.info("directory refused the password of %s: %s", dn, conn.result.get("description"))
    return ok


def search_entries(
    conn: Connection,
    base: str,
    search_filter: str,
    attributes: list[str],
    *,
    page_size: int,
    size_limit: int = 0,
) -> Iterator[tuple[str, dict[str, list[bytes]]]]:
    """(dn, raw attributes) of every entry found, page by page, streamed."""
    try:
        pages = paged_search_generator(
            conn,
            base,
            search_filter,
            search_scope=SUBTREE,
            attributes=attributes,
            size_limit=size_limit,
            paged_size=page_size,
        )
        for item in pages:
            if item.get("type") == "searchResEntry":
                yield item["dn"], item["raw_attributes"]
    except (LDAPException, OSError) as exc:
        raise DirectoryUnavailable(f"search under {base}: {type(exc).__name__}: {exc}") from exc
    result = conn.result or {}
    if result.get("result") not in (0, None):
        # noSuchObject (a wrong base DN), sizeLimitExceeded... never "an empty directory".
        raise DirectoryUnavailable(
            f"search under {base} ended with {result.get('description')}: {result.get('message')}"
        )


def search_one(
    conn: Connection, base: str, search_filter: str, attributes: list[str]
) -> list[tuple[str, dict[str, list[bytes]]]]:
    """At most two entries (two means ambiguous), without paging."""
    try:
        conn.search(base, search_filter, SUBTREE, attributes=attributes, size_limit=2)
    except (LDAPException, OSError) as exc:
        raise DirectoryUnavailable(f"search under {base}: {type(exc).__name__}: {exc}") from exc
    code = conn.result.get("result")
    if code not in (0, 4):  # 4: sizeLimitExceeded, i.e. ambiguous
        if code == 32:  # noSuchObject: a wrong base finds nobody, loudly in the log
            logger.error("directory user base %s does not exist", base)
            return []
        raise DirectoryUnavailable(f"search under {base}: {conn.result.get('description')}")
    return [
        (e["dn"], e["raw_attributes"])
        for e in conn.response or []
        if e.get("type") == "searchResEntry"
    ]
