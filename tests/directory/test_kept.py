"""Sign-in connections kept open between sign-ins (intranet.directory.kept), real slapd."""

import threading

import pytest
from django.test import RequestFactory
from ldap3 import MODIFY_REPLACE

from intranet.accounts.signin import directory_was_unavailable
from intranet.directory.backend import DirectoryBackend
from intranet.directory.config import directory_config
from intranet.directory.kept import kept_search_one, kept_user_bind
from tests.directory.slapd import USER_BASE

pytestmark = pytest.mark.django_db


def sign_in(username, password):
    request = RequestFactory().post("/accounts/login/")
    user = DirectoryBackend().authenticate(request, username=username, password=password)
    return user, directory_was_unavailable(request)


def test_many_sign_ins_in_a_row_with_failures_between(slapd_server, directory_settings):
    directory_settings(slapd_server)
    for _round in range(3):
        assert sign_in("jdupont", "pw-jdupont")[0].username == "jdupont"
        assert sign_in("jdupont", "wrong") == (None, False)
        assert sign_in("fndiaye", "pw-jdupont") == (None, False)  # someone else's password
        assert sign_in("nobody-here", "pw-jdupont") == (None, False)
        assert sign_in("fndiaye", "pw-fndiaye")[0].username == "fndiaye"


def test_directory_restarted_between_sign_ins_is_reconnected(fresh_slapd, directory_settings):
    directory_settings(fresh_slapd)
    assert sign_in("jdupont", "pw-jdupont")[0] is not None
    fresh_slapd.stop()
    fresh_slapd.start()  # same port: the kept connections are now dead sockets
    user, unavailable = sign_in("fndiaye", "pw-fndiaye")
    assert user is not None and not unavailable


def test_directory_stopped_after_a_sign_in_says_unavailable(fresh_slapd, directory_settings):
    directory_settings(fresh_slapd)
    assert sign_in("jdupont", "pw-jdupont")[0] is not None
    fresh_slapd.stop()
    assert sign_in("jdupont", "pw-jdupont") == (None, True)
    fresh_slapd.start()
    assert sign_in("jdupont", "pw-jdupont")[0] is not None  # and back once it returns


def test_settings_change_uses_the_new_directory(
    slapd_server, fresh_slapd, directory_settings, ldap_admin
):
    """Connections kept for one configuration are never used for another."""
    conn = ldap_admin(fresh_slapd)
    conn.search(USER_BASE, "(uid=jdupont)", attributes=["uid"])
    dn = conn.response[0]["dn"]
    conn.modify(dn, {"title": [(MODIFY_REPLACE, ["Titre du second annuaire"])]})
    directory_settings(slapd_server)
    assert sign_in("jdupont", "pw-jdupont")[0].title == "Chargé de mission"
    directory_settings(fresh_slapd)
    assert sign_in("jdupont", "pw-jdupont")[0].title == "Titre du second annuaire"


def test_each_thread_keeps_its_own_connections(slapd_server, directory_settings):
    config = directory_settings(slapd_server) and directory_config()
    results = []

    def check():
        found = kept_search_one(config, "(uid=jdupont)")
        results.append(kept_user_bind(config, found[0][0], "pw-jdupont"))

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4


def test_connections_idle_too_long_are_replaced_before_use(
    fresh_slapd, directory_settings, monkeypatch
):
    """Past KEPT_IDLE_SECONDS a kept connection is not tried at all (0 here: never kept)."""
    monkeypatch.setattr("intranet.directory.kept.KEPT_IDLE_SECONDS", 0)
    directory_settings(fresh_slapd)
    assert sign_in("jdupont", "pw-jdupont")[0] is not None
    fresh_slapd.stop()
    fresh_slapd.start()
    assert sign_in("fndiaye", "pw-fndiaye")[0] is not None
    assert sign_in("fndiaye", "wrong") == (None, False)
