"""Signing in with a directory account, against a real slapd (and a dead or silent one)."""

import logging
import time

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from ldap3 import MODIFY_REPLACE

from intranet.accounts.models import User
from intranet.accounts.signin import directory_was_unavailable
from intranet.directory.backend import DirectoryBackend
from intranet.directory.config import directory_config
from intranet.directory.connection import directory_close, directory_connect, user_bind
from tests.directory.ldif import DRH, unit_dn
from tests.factories import PASSWORD, UserFactory
from tests.services import free_port

pytestmark = pytest.mark.django_db

GENERIC = "Sign-in failed: check your login and password."
UNAVAILABLE = "The directory is unavailable"


@pytest.fixture
def ldap(slapd_server, directory_settings):
    return directory_settings(slapd_server)


def sign_in(username, password):
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=password), request


def post_login(client, username, password):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_agent_signs_in_and_account_is_created_from_the_directory(ldap):
    user, _request = sign_in("fndiaye", "pw-fndiaye")
    assert user is not None and user.source == User.Source.DIRECTORY
    assert (user.first_name, user.last_name) == ("Fatou", "N'Diaye")
    assert user.department.name == "Bureau d'études et de la formation"
    assert user.department.parent.name == "Direction des ressources humaines"
    assert not user.has_usable_password()  # the password is never copied


def test_login_is_case_insensitive_and_updates_the_account(ldap, slapd_server, ldap_admin):
    first, _ = sign_in("JDupont", "pw-jdupont")
    assert first.username == "jdupont"
    first.title = "stale"
    first.save()
    again, _ = sign_in("jdupont", "pw-jdupont")
    assert again.pk == first.pk and again.title == "Chargé de mission"


def test_photo_is_imported_at_sign_in(ldap):
    user, _ = sign_in("photo", "pw-photo")
    assert user.photo.name.startswith("photos/directory/")
    with user.photo.open("rb") as handle:
        assert handle.read(2) == b"\xff\xd8"  # a JPEG we encoded


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("jdupont", "wrong"),
        ("nobody", "pw-nobody"),
        ("disabled", "pw-disabled"),  # OpenLDAP ppolicy: locked by an administrator
        ("locked", "pw-locked"),  # locked after failed passwords
        ("jdupont", ""),
        ("jdupont", "   "),
    ],
)
def test_refusals_all_fail_the_same_way(ldap, client, username, password):
    assert sign_in(username, password)[0] is None
    response = post_login(client, username, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    if password.strip():
        assert GENERIC in response.content.decode()
    assert UNAVAILABLE not in response.content.decode()


def test_empty_password_is_refused_before_any_bind(ldap):
    conn = directory_connect(directory_config())
    try:
        assert user_bind(conn, f"uid=jdupont,{unit_dn(*DRH)}", "") is False
        assert user_bind(conn, f"uid=jdupont,{unit_dn(*DRH)}", " \t") is False
    finally:
        directory_close(conn)
    backend = DirectoryBackend()
    assert backend.authenticate(None, username="jdupont", password="") is None
    assert backend.authenticate(None, username="", password="x") is None
    assert backend.authenticate(None, username=None, password=None) is None


@pytest.mark.parametrize(
    "username",
    [
        "*",
        "*)(uid=*",
        "admin)(|(uid=*",
        "jdupont)(|(uid=*",
        "j*",
        "\\",
        "jdupont\\",
        "\x00",
        "jdupont\x00",
        "x" * 10_000,
    ],
)
def test_injection_strings_find_nobody(ldap, client, username):
    backend = DirectoryBackend()
    for password in ("pw-jdupont", "*", "x"):
        assert backend.authenticate(None, username=username, password=password) is None
    response = post_login(client, username, "pw-jdupont")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_directory_login_of_a_local_account_is_refused(ldap):
    boss = UserFactory(username="localboss", is_superuser=True)
    assert sign_in("localboss", "pw-localboss")[0] is None  # the directory's password
    user, _ = sign_in("LocalBoss", PASSWORD)  # the local password still works
    assert user == boss
    boss.refresh_from_db()
    assert boss.source == User.Source.LOCAL


def test_form_signs_in_and_redirects(ldap, client):
    response = post_login(client, "jdupont", "pw-jdupont")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="jdupont").pk)


def test_deactivated_agent_cannot_sign_in(ldap):
    user, _ = sign_in("jdupont", "pw-jdupont")
    user.is_active = False
    user.save()
    assert sign_in("jdupont", "pw-jdupont")[0] is None


def test_agent_disabled_after_import_cannot_sign_in(fresh_slapd, directory_settings, ldap_admin):
    directory_settings(fresh_slapd)
    assert sign_in("jdupont", "pw-jdupont")[0] is not None
    ldap_admin(fresh_slapd).modify(
        f"uid=jdupont,{unit_dn(*DRH)}",
        {"pwdAccountLockedTime": [(MODIFY_REPLACE, ["000001010000Z"])]},
    )
    assert sign_in("jdupont", "pw-jdupont")[0] is None


def test_unreachable_directory_gives_distinct_message_and_local_accounts_still_work(
    directory_settings, client
):
    directory_settings(urls=(f"ldap://127.0.0.1:{free_port()}",))
    user, request = sign_in("jdupont", "pw-jdupont")
    assert user is None and directory_was_unavailable(request)
    response = post_login(client, "jdupont", "pw-jdupont")
    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()
    UserFactory(username="siteadmin", is_superuser=True)
    assert post_login(client, "siteadmin", PASSWORD).status_code == 302


def test_unreachable_directory_is_named_in_the_failed_sign_in_log(
    directory_settings, client, caplog
):
    directory_settings(urls=(f"ldap://127.0.0.1:{free_port()}",))
    caplog.set_level(logging.DEBUG)
    post_login(client, "jdupont", "pw-jdupont")
    logged = [r.getMessage() for r in caplog.records if r.name == "intranet.accounts.signin"]
    assert logged == [
        "sign-in failed: login='jdupont' address=127.0.0.1 reason=directory-unavailable"
    ]
    assert "pw-jdupont" not in caplog.text


def test_second_server_is_tried_when_the_first_is_down(slapd_server, directory_settings):
    directory_settings(urls=(f"ldap://127.0.0.1:{free_port()}", slapd_server.url))
    assert sign_in("jdupont", "pw-jdupont")[0] is not None


def test_silent_directory_times_out_without_blocking(directory_settings, silent_listener, client):
    directory_settings(urls=(silent_listener,), receive_timeout=1)
    started = time.monotonic()
    response = post_login(client, "jdupont", "pw-jdupont")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()
    assert elapsed < 5, f"sign-in blocked {elapsed:.1f} s"


def test_directory_stopped_gives_unavailable_not_500(fresh_slapd, directory_settings, client):
    directory_settings(fresh_slapd)
    assert post_login(client, "jdupont", "pw-jdupont").status_code == 302
    client.logout()
    fresh_slapd.stop()
    response = post_login(client, "jdupont", "pw-jdupont")
    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()


def test_repeated_failures_are_throttled(ldap, client):
    for _attempt in range(5):
        assert GENERIC in post_login(client, "jdupont", "wrong").content.decode()
    response = post_login(client, "jdupont", "pw-jdupont")  # right password, too late
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not held back by the pair limit.
    other = client.post(
        "/accounts/login/",
        {"username": "jdupont", "password": "pw-jdupont"},
        REMOTE_ADDR="10.0.0.2",
    )
    assert other.status_code == 302


def test_no_directory_configured_leaves_local_sign_in_alone(settings, client):
    settings.TRANSVERSE_LDAP_URLS = ()
    UserFactory(username="alice")
    assert post_login(client, "alice", PASSWORD).status_code == 302
