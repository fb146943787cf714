"""Every page of the site with Redis stopped mid-test (a redis-server of the test's own).

The site is configured as production configures it with REDIS_URL (cache and channel
layer on Redis), filled with the demo's content and a chat conversation, then crawled by
following its links: as an agent and as staff, once with Redis running (the cache fills),
then again after stopping it. Every page answers as it did, none with a 500; sign-in
works and its throttle still counts; a post can still be published.
"""

import collections
import html
import re

import pytest
import redis
from django.core.management import call_command
from django.urls import Resolver404, resolve

from intranet.accounts.models import User
from intranet.accounts.throttle import THROTTLE_LIMITS
from intranet.chat.services import conversations
from intranet.chat.services import messages as chat_messages
from intranet.core.redis_cache import redis_settings
from intranet.stream.models import Post
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

LINK = re.compile(r'href="(/[^"#]*)')
# Not pages: leaving, switching language (both POST), files of the static folder.
SKIP = ("/accounts/logout/", "/i18n/", "/static/")
PER_SHAPE = 2  # pages of one URL shape (ids and slugs aside) crawled at most
MAX_PAGES = 400


def shape(url: str) -> str:
    """The URL pattern of a page: /posts/1/ and /posts/2/ are one page, as are two
    profiles; with or without a query string."""
    path, _mark, query = url.partition("?")
    try:
        route = resolve(path).route
    except Resolver404:
        route = path
    return f"{route}?{bool(query)}"


def crawl(client, start: str) -> dict[str, int]:
    """Status code of every page reachable from start by links (a few per shape)."""
    statuses, shapes = {}, collections.Counter()
    queue = collections.deque([start])
    while queue and len(statuses) < MAX_PAGES:
        url = queue.popleft()
        if url in statuses or url.startswith(SKIP) or shapes[shape(url)] >= PER_SHAPE:
            continue
        shapes[shape(url)] += 1
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(html.unescape(link) for link in LINK.findall(response.text))
    return statuses


@pytest.fixture
def on_redis(settings, own_redis):
    """Cache and channel layer on our Redis, as settings.py sets them with REDIS_URL."""
    settings.REDIS_URL = own_redis.url
    settings.CACHES, settings.CHANNEL_LAYERS = redis_settings(own_redis.url, "fault-test")
    return own_redis


@pytest.fixture
def site(settings, on_redis):
    """The demo site, and a chat conversation (the demo has none)."""
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", no_progress=True)
    writer = User.objects.get(username="amartin")
    other = User.objects.get(username="jlefevre")
    room = conversations.conversation_direct_open(writer, other=other)
    chat_messages.message_send(writer, room.pk, body="Réunion à 10 h", idempotency_key="crawl-0001")
    return writer


def test_every_page_answers_as_before_once_redis_is_stopped(site, client, on_redis):
    staff = User.objects.filter(is_superuser=True).first()
    before = {}
    for actor in (site, staff):
        client.force_login(actor)
        before[actor.username] = {**crawl(client, "/"), **crawl(client, "/admin/")}
    assert redis.Redis.from_url(on_redis.url).dbsize() > 0  # the pages did use the cache
    on_redis.stop()
    for actor in (site, staff):
        client.force_login(actor)
        pages = before[actor.username]
        after = {url: client.get(url).status_code for url in pages}
        changed = {url: (pages[url], after[url]) for url in pages if after[url] != pages[url]}
        assert not changed
        assert sum(status == 200 for status in after.values()) >= 50
        assert all(status < 500 for status in after.values())


def test_sign_in_and_its_throttle_work_with_redis_stopped(on_redis, client, alice):
    on_redis.stop()
    answer = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert answer.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and "Alice" in home.text
    client.logout()
    for _attempt in range(THROTTLE_LIMITS["pair"]):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    refused = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200
    assert "Too many failed sign-in attempts" in refused.text
    assert "_auth_user_id" not in client.session


def test_a_post_is_published_with_redis_stopped(
    on_redis, alice_client, django_capture_on_commit_callbacks
):
    """Its after-commit work (the live event, the indexer's nudge) meets Redis down too."""
    on_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice_client.post(
            "/posts/new/",
            {
                "body": "Publié pendant la panne",
                "visibility": "organisation",
                "idempotency_key": "panne-redis-0001",
                "accept_charter": "on",
            },
        )
    assert answer.status_code == 302
    assert Post.objects.filter(body="Publié pendant la panne").exists()
    assert "Publié pendant la panne" in alice_client.get("/").text
