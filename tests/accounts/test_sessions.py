"""intranet.accounts.sessions: a socket's agent is the one django.contrib.auth.get_user
gives for its session, read with two statements when everything verifies."""

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from intranet.accounts.sessions import session_agent

pytestmark = pytest.mark.django_db


def signed_in(agent, backend="django.contrib.auth.backends.ModelBackend") -> str:
    client = Client()
    client.force_login(agent, backend=backend)
    return client.cookies["sessionid"].value


def djangos_answer(key):
    from types import SimpleNamespace

    user = get_user(SimpleNamespace(session=SessionStore(key)))
    return user if user.is_authenticated else None


def test_a_valid_session_gives_its_agent_in_two_statements(alice, django_assert_num_queries):
    key = signed_in(alice)
    with django_assert_num_queries(2):
        agent = session_agent(key)
    assert agent == alice == djangos_answer(key)
    assert agent.is_active and agent.get_session_auth_hash() == alice.get_session_auth_hash()


def test_a_directory_session_gives_its_agent(alice):
    key = signed_in(alice, backend="intranet.directory.backend.DirectoryBackend")
    assert session_agent(key) == alice


@pytest.mark.parametrize("key", [None, "", "absent-session-key", "x" * 500, "'; DROP TABLE x"])
def test_unknown_keys_give_none(key):
    assert session_agent(key) is None


def test_expired_session_gives_none(alice):
    key = signed_in(alice)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert session_agent(key) is None


def test_deactivated_agent_gives_none(alice):
    key = signed_in(alice)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert session_agent(key) is None


def test_changed_password_gives_none_and_flushes_the_session(alice):
    key = signed_in(alice)
    alice.set_password("un tout autre mot de passe")
    alice.save()
    assert session_agent(key) is None
    assert not Session.objects.filter(session_key=key).exists()  # get_user's rule


def test_tampered_session_data_gives_none(alice):
    key = signed_in(alice)
    Session.objects.filter(session_key=key).update(session_data="bm9uc2Vucw:forged:sig")
    assert session_agent(key) is None


def test_a_backend_that_is_not_configured_gives_none(alice):
    key = signed_in(alice)
    store = SessionStore(key)
    store[BACKEND_SESSION_KEY] = "guardian.backends.ObjectPermissionBackend"  # no get_user
    store.save()
    assert session_agent(key) is None  # get_user itself raises AttributeError


def test_a_session_without_its_hash_gives_none(alice):
    key = signed_in(alice)
    store = SessionStore(key)
    del store[HASH_SESSION_KEY]
    store.save()
    assert session_agent(key) is None


def test_a_session_with_a_malformed_user_id_gives_none(alice):
    key = signed_in(alice)
    store = SessionStore(key)
    store[SESSION_KEY] = "not-a-number"
    store.save()
    assert session_agent(key) is None


def test_a_session_from_before_a_key_rotation_is_kept_as_get_user_keeps_it(alice):
    """Signed with the previous SECRET_KEY (now a fallback): get_user accepts it and
    moves it to the new key."""
    with override_settings(SECRET_KEY="ancienne-clé-" + "x" * 50):
        key = signed_in(alice)
    with override_settings(
        SECRET_KEY="nouvelle-clé-" + "y" * 50, SECRET_KEY_FALLBACKS=["ancienne-clé-" + "x" * 50]
    ):
        assert session_agent(key) == alice
