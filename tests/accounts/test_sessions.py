"""Each agent's sessions are recorded at sign-in, so a leaver's are deleted, and only theirs.

Roles: `alice`, a leaver-to-be with two browsers; `bob`, a colleague who stays signed in.
"""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from intranet.accounts.models import AgentSession
from intranet.accounts.services import agent_sessions_end
from intranet.directory.services.agents import agent_deactivate
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


def signed_in_client(username) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_sign_in_records_the_session_key(alice):
    client = signed_in_client("alice")
    assert list(AgentSession.objects.values_list("agent_id", "session_key")) == [
        (alice.pk, client.session.session_key)
    ]


def test_signing_in_as_someone_else_records_the_new_session_only(alice, bob):
    client = signed_in_client("alice")
    client.force_login(bob)  # login() on a session that holds Alice: flushed, new key
    # login() flushed Alice's session: Bob's new key is the one recorded for Bob.
    assert AgentSession.objects.get(agent=bob).session_key == client.session.session_key
    assert not Session.objects.filter(
        session_key__in=AgentSession.objects.filter(agent=alice).values("session_key")
    ).exists()


def test_sign_out_forgets_the_record(alice):
    client = signed_in_client("alice")
    client.post("/accounts/logout/")
    assert not AgentSession.objects.exists()


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "django.contrib.sessions.backends.cache",
    ],
)
def test_leaver_loses_exactly_their_sessions(settings, engine, alice, bob):
    settings.SESSION_ENGINE = engine
    laptop, phone, colleague = (
        signed_in_client("alice"),
        signed_in_client("alice"),
        signed_in_client("bob"),
    )
    assert agent_sessions_end([alice.pk]) == 2
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(colleague)
    assert list(AgentSession.objects.values_list("agent_id", flat=True)) == [bob.pk]


def test_ending_sessions_reads_no_one_elses(alice, django_assert_max_num_queries):
    """The cost does not grow with the number of sessions of other agents."""
    for index in range(30):
        UserFactory(username=f"agent{index}")
        signed_in_client(f"agent{index}")
    signed_in_client("alice")
    with django_assert_max_num_queries(3):  # read the keys, delete sessions, delete records
        assert agent_sessions_end([alice.pk]) == 1
    assert Session.objects.count() == 30


def test_deactivation_ends_the_sessions_after_commit(
    alice, bob, django_capture_on_commit_callbacks
):
    client, colleague = signed_in_client("alice"), signed_in_client("bob")
    with django_capture_on_commit_callbacks(execute=True):
        agent_deactivate(None, alice)
    assert not AgentSession.objects.filter(agent=alice).exists()
    assert not is_signed_in(client) and is_signed_in(colleague)


def test_signing_in_again_on_the_same_session_keeps_one_record(alice):
    client = Client()
    client.force_login(alice)
    client.force_login(alice)  # same agent, same session: login() keeps the key
    assert AgentSession.objects.filter(agent=alice).count() == 1
    assert AgentSession.objects.get().session_key == client.session.session_key
