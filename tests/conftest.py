"""Role fixtures and shared settings for the whole suite.

A new test starts from what is here, defined once with a comment each: the agents (alice,
bob, dave of Finance; carol of another department; staff; former), the groups (group,
budget and its chat room) and published_events (what reached the channel layer). Any
other object comes from tests/factories.py (`PostFactory(author=alice)`), built by the
app's own services; a test that waits for something uses tests/waiting.py, never a
fixed sleep. A module that needs more of a role extends the fixture under the same name
(see tests/experts/conftest.py) rather than redefining it.
"""

import contextlib
import copy
import gc
import os
from dataclasses import dataclass

import pytest

import intranet.asgi  # noqa: F401 - it tunes the garbage collector for a socket server: undone below
from tests.factories import GroupFactory, UserFactory, make_department
from tests.logscan import (  # noqa: F401 - the whole run's logs, scanned
    logs_hold_no_secret,
    logs_scanned_in_this_test,
)
from tests.services import require_executable

# The test process is no socket server: CPython's own collector settings, so that what a
# test leaves for the collector (a coroutine never awaited, an unclosed file) is found
# and reported while that test runs.
gc.unfreeze()
gc.set_threshold(700, 10, 10)


# The fixtures through which a test reaches the database (pytest-django's, and the live site).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_collection_modifyitems(config, items):
    """TRANSVERSE_TESTS_DATABASE_ONLY=1, CI's second pass (on PostgreSQL, .ci/run): only the
    tests that use the database. The others (pure functions, browser journeys through the
    live site) do not depend on the database engine and ran in the first pass, on SQLite;
    running them twice no longer fits CI's 30 minutes."""
    if os.environ.get("TRANSVERSE_TESTS_DATABASE_ONLY") != "1":
        return
    kept, dropped = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            fixtures & DATABASE_FIXTURES
        )
        browser = "tests/browser/" in str(item.fspath)
        (kept if uses_db and not browser else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """One test database per test run, on disk.

    On disk (not in memory) so that the in-process daphne server of the browser journeys
    opens its own connections to it; named per process so that parallel runs on one
    machine never share a database.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"].endswith("sqlite3"):
        test["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        test["NAME"] = f"test_{database['NAME']}_{os.getpid()}"
        # No connection pool in this process: consumer tests run commands on the executor
        # threads of a new event loop per test, and those threads ended holding a lent
        # connection (one per test: the pool of 10 ran dry). Real daphne processes keep
        # their pool (tests/faults/test_db_connections.py), where no connection is lost.
        database.get("OPTIONS", {}).pop("pool", None)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],  # the site's own storage class
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def finance(db):
    """The Finance direction, under the DGS."""
    dgs = make_department("Direction générale des services", acronym="DGS")
    return make_department("Direction des finances", parent=dgs, acronym="DF")


@pytest.fixture
def alice(finance):
    """alice: an agent of Finance, local account."""
    return UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )


@pytest.fixture
def bob(finance):
    """bob: another agent of Finance (animator of budget; modules may give him more roles)."""
    return UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)


@pytest.fixture
def dave(finance):
    """dave: a third agent of Finance."""
    return UserFactory(username="dave", first_name="Dave", last_name="Martin", department=finance)


@pytest.fixture
def carol(db):
    """carol: an agent of another department (Human resources)."""
    hr = make_department("Direction des ressources humaines", acronym="DRH")
    return UserFactory(username="carol", first_name="Carol", last_name="N'Diaye", department=hr)


@pytest.fixture
def staff(db):
    """staff: the site administrator (superuser)."""
    return UserFactory(
        username="siteadmin", first_name="Site", last_name="Admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def former(finance):
    """former: an agent of Finance who has left (deactivated)."""
    return UserFactory(
        username="former",
        first_name="Ancien",
        last_name="Agent",
        department=finance,
        is_active=False,
    )


@pytest.fixture
def group(alice):
    """group: "Veille", a closed group owned by alice; carol is no member."""
    return GroupFactory(created_by=alice, name="Veille", policy="closed")


@pytest.fixture
def carol_member(group, carol):
    """carol, a plain member of group.

    Added as every way of joining ends (the private _add_member): the invitation or
    request a public path leaves would add a notification to the tests that count
    carol's notifications.
    """
    from intranet.groups import services as group_services

    group_services._add_member(group, carol)
    return carol


@pytest.fixture
def budget(alice, bob, staff):
    """budget: a closed group created by staff; alice is a member, bob an animator."""
    from intranet.groups import services as group_services
    from intranet.groups.models import Membership

    group = group_services.group_create(staff, name="Budget", policy="closed")
    Membership.objects.create(group=group, agent=alice)
    Membership.objects.create(group=group, agent=bob, role=Membership.Role.ANIMATOR)
    group_services.group_member_role_set(staff, group, bob, role="animator")
    return group


@pytest.fixture
def room(budget, alice):
    """room: budget's chat room."""
    from intranet.chat import services as chat_services

    return chat_services.group_room(alice, budget)


@pytest.fixture(autouse=True)
def _groups_with_room_forgotten():
    """Each test starts with an empty per-process set of groups known to have a room (the
    database is emptied between tests, and ids come again)."""
    from intranet.chat.services import conversations

    conversations._groups_with_room.clear()
    yield
    conversations._groups_with_room.clear()


@pytest.fixture
def private_index(settings, tmp_path):
    """The search index in the test's own folder (Whoosh), never var/index."""
    settings.TRANSVERSE_SEARCH_INDEX_DIR = tmp_path / "index"
    settings.TRANSVERSE_SEARCH_ENGINE = "whoosh"


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of our own, stopped by the test without touching the machine's."""
    require_executable("redis-server", "apt-get install redis-server")
    from bench.realtime.cluster import Redis

    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def english():
    """Service messages in English, so tests can state them exactly."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def rgpd(staff):
    """The RGPD skill, curated by staff, with GDPR and "protection des données personnelles"
    as synonyms."""
    from intranet.skills.services import curation

    return curation.skill_create(
        staff, label="RGPD", synonyms=["GDPR", "Protection des données personnelles"]
    )


@dataclass(frozen=True)
class Published:
    """One message sent to the channel layer: its layer group and what was sent."""

    group: str
    message: dict

    @property
    def kind(self) -> str:
        """The event's type for relayed events (post.created...), else the socket command
        (subscriptions.refresh, counts.refresh, socket.close)."""
        event = self.message.get("event")
        return event["type"] if event is not None else self.message["type"]

    @property
    def event(self) -> dict | None:
        return self.message.get("event")

    @property
    def audience(self) -> list[int] | None:
        return self.message.get("audience")


class PublishedEvents:
    """What the site sent to the channel layer, in order (see the published_events fixture)."""

    def __init__(self, capture_on_commit):
        self.sent: list[Published] = []
        self._capture_on_commit = capture_on_commit

    @contextlib.contextmanager
    def committing(self):
        """Run the block, then its after-commit hooks, as if its transaction committed."""
        with self._capture_on_commit(execute=True):
            yield self

    def of_kind(self, kind: str) -> list[Published]:
        return [p for p in self.sent if p.kind == kind]

    def kinds(self) -> list[str]:
        return [p.kind for p in self.sent]


@pytest.fixture
def published_events(settings, django_capture_on_commit_callbacks):
    """Every message the site sends to the channel layer, as Published(group, message).

    The layer is Channels' own in-memory one (no socket listens, so the embedded mode's
    outbox is not involved), and the record is taken at its group_send, which every
    publish goes through, whatever module builds the event. Services publish after commit
    only: run the code under test in `published_events.committing()`; what a block that
    never committed would have published is never recorded.
    """
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    recorder = PublishedEvents(django_capture_on_commit_callbacks)
    group_send = layer.group_send

    async def recording_group_send(group, message):
        recorder.sent.append(Published(group, copy.deepcopy(message)))
        await group_send(group, message)

    layer.group_send = recording_group_send
    return recorder
