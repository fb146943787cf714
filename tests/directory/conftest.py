"""A real OpenLDAP for the directory tests (no mocks).

- `slapd_server`: one slapd for the session, loaded with tests/directory/ldif.py; tests
  must not change its data.
- `fresh_slapd`: a private copy (same data, own port) for a test that changes or stops it.
- `directory_settings(server)`: points Transverse's TRANSVERSE_LDAP_* settings at a server.
- `ldap_admin(server)`: an ldap3 connection as the directory's root, to change entries.
"""

import socket
import threading

import pytest
from ldap3 import Connection, Server

from intranet.directory.kept import kept_connections_close
from tests.directory.ldif import directory_ldif
from tests.directory.slapd import (
    ROOT_DN,
    ROOT_PASSWORD,
    SERVICE_DN,
    SERVICE_PASSWORD,
    SLAPADD,
    SLAPD,
    USER_BASE,
    Slapd,
)
from tests.services import require_executable


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/directory/" in str(item.fspath):
            item.add_marker(pytest.mark.ldap)


@pytest.fixture(scope="session")
def pristine_slapd(tmp_path_factory):
    """A configured and loaded, never started, directory to copy from."""
    require_executable(SLAPD, "apt-get install slapd")
    require_executable(SLAPADD, "apt-get install slapd")
    folder = tmp_path_factory.mktemp("slapd-pristine")
    server = Slapd(folder)
    server.configure()
    ldif = folder / "data.ldif"
    ldif.write_text(directory_ldif(), encoding="utf-8")
    server.load(ldif)
    return server


@pytest.fixture(scope="session")
def slapd_server(pristine_slapd, tmp_path_factory):
    server = pristine_slapd.clone(tmp_path_factory.mktemp("slapd-shared")).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_slapd(pristine_slapd, tmp_path):
    server = pristine_slapd.clone(tmp_path / "slapd").start()
    yield server
    server.stop()


@pytest.fixture
def directory_settings(settings):
    """Call with a server (or URLs) to point Transverse at it; returns the settings."""

    def configure(server=None, *, urls=None, **overrides):
        settings.TRANSVERSE_LDAP_URLS = urls or (server.url,)
        settings.TRANSVERSE_LDAP_PRESET = "openldap"
        settings.TRANSVERSE_LDAP_START_TLS = False
        settings.TRANSVERSE_LDAP_CA_FILE = ""
        settings.TRANSVERSE_LDAP_BIND_DN = SERVICE_DN
        settings.TRANSVERSE_LDAP_BIND_PASSWORD = SERVICE_PASSWORD
        settings.TRANSVERSE_LDAP_USER_BASE = USER_BASE
        settings.TRANSVERSE_LDAP_USER_FILTER = ""
        settings.TRANSVERSE_LDAP_SYNC_FILTER = ""
        settings.TRANSVERSE_LDAP_ATTRIBUTE_MAP = {}
        settings.TRANSVERSE_LDAP_DEPARTMENT_HEAD_ATTRIBUTE = ""
        settings.TRANSVERSE_LDAP_CONNECT_TIMEOUT = 1.0
        settings.TRANSVERSE_LDAP_RECEIVE_TIMEOUT = 2
        settings.TRANSVERSE_LDAP_PAGE_SIZE = 500
        settings.TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT = 10.0
        settings.TRANSVERSE_LDAP_SYNC_INTERVAL = 60
        settings.TRANSVERSE_LDAP_FULL_SYNC_HOURS = 24
        for name, value in overrides.items():
            setattr(settings, f"TRANSVERSE_LDAP_{name.upper()}", value)
        return settings

    return configure


@pytest.fixture
def ldap_admin():
    connections = []

    def connect(server):
        conn = Connection(Server(server.url), ROOT_DN, ROOT_PASSWORD, auto_bind=False)
        conn.bind()
        connections.append(conn)
        return conn

    yield connect
    for conn in connections:
        conn.unbind()


@pytest.fixture
def silent_listener():
    """A TCP port that accepts connections and never answers (a hung directory)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    accepted, stop = [], threading.Event()

    def accept():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"ldap://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    sock.close()


@pytest.fixture(autouse=True)
def _fast_dummy_hasher(settings):
    """Django hashes a dummy password for unknown logins (timing); keep that cheap here."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _close_kept_connections():
    """Each test starts and ends without sign-in connections kept from another test."""
    kept_connections_close()
    yield
    kept_connections_close()
