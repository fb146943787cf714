"""deploy/trial-cluster: two application nodes behind nginx, on real PostgreSQL, Redis,
gunicorn, daphne and nginx processes of their own (private instances, free ports).

Signed in through node 1, a post is read through node 2; a chat message sent on node 1
reaches a socket on node 2; with node 1 stopped, a client that was on it reconnects
through nginx (now node 2 only) and replays what it missed, and the pages still answer.
"""

import asyncio
import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.services import missing_service, require_executable

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "trial-cluster"

pytestmark = [pytest.mark.faults, pytest.mark.filterwarnings("ignore::ResourceWarning")]

SEED = r"""
import json
from intranet.accounts.models import User
from intranet.chat.services import conversations
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from django.utils import timezone
now = timezone.now()
alice = User.objects.create_user(username="alice", password="Trial-cluster-1", first_name="Alice",
                                 welcomed_at=now)
bob = User.objects.create_user(username="bob", password="Trial-cluster-2", first_name="Bob",
                               welcomed_at=now)
group = group_services.group_create(alice, name="Deux nœuds", policy="closed")
Membership.objects.get_or_create(group=group, agent=bob)
room = conversations.group_room(alice, group)
print(json.dumps({"alice": alice.pk, "bob": bob.pk, "room": room.pk, "group": group.slug,
                  "group_id": group.pk}))
"""


def trial(folder, *args, check=True):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--dir", str(folder), "--python", sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
        timeout=600,
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_executable("nginx", "apt-get install nginx")
    require_executable("redis-server", "apt-get install redis-server")
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing_service("PostgreSQL's initdb not found (apt-get install postgresql)")
    folder = tmp_path_factory.mktemp("trial") / "cluster"
    try:
        started = trial(folder, "start", "--json", check=False)
        if started.returncode:
            pytest.fail(f"trial-cluster start failed:\n{started.stderr[-3000:]}")
        urls = json.loads(started.stdout.strip().splitlines()[-1])
        assert urls["nginx"] is True
        seeded = subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                "manage",
                "--dir",
                str(folder),
                "--python",
                sys.executable,
                "--",
                "shell",
                "-c",
                SEED,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        urls["seed"] = json.loads(seeded.stdout.strip().splitlines()[-1])
        urls["folder"] = folder
        yield urls
    finally:
        trial(folder, "stop", check=False)


class Browser:
    """A cookie jar and urllib: the session cookie is the host's, whatever the port."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, url):
        with self.opener.open(url, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()

    def post(self, url, fields):
        body = urllib.parse.urlencode(
            {**fields, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        ).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()

    def sign_in(self, base, username, password):
        self.get(f"{base}/accounts/login/")
        status, landed, _ = self.post(
            f"{base}/accounts/login/", {"username": username, "password": password}
        )
        assert status == 200 and "/accounts/login/" not in landed, landed
        return self.cookie("sessionid")


class Endpoint:
    """What bench/realtime/client.Client needs of a server: its socket URL and origin."""

    def __init__(self, ws, origin):
        self._ws, self.origin = ws, origin

    def ws_url(self):
        return self._ws


def test_a_post_written_through_node_1_is_read_through_node_2(cluster):
    one, two = (node["pages"] for node in cluster["nodes"])
    group = cluster["seed"]["group"]
    alice = Browser()
    alice.sign_in(one, "alice", "Trial-cluster-1")
    status, _, page = alice.get(f"{one}/groups/{group}/")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    fields = {
        "body": "Écrit sur le nœud 1",
        "visibility": "group",
        "group": cluster["seed"]["group_id"],
    }
    if key:
        fields["idempotency_key"] = key.group(1)
    if 'name="accept_charter"' in page:
        fields["accept_charter"] = "on"
        version = re.search(r'name="charter_version" value="(\d+)"', page)
        fields["charter_version"] = version.group(1) if version else ""
    status, _, _ = alice.post(f"{one}/posts/new/", fields)
    assert status == 200
    bob = Browser()
    bob.sign_in(two, "bob", "Trial-cluster-2")
    status, _, page = bob.get(f"{two}/groups/{group}/")
    assert status == 200
    assert "Écrit sur le nœud 1" in page
    # The same session works on the other node and through nginx (one database of sessions).
    status, landed, _ = alice.get(f"{cluster['url']}/")
    assert status == 200 and "/accounts/login/" not in landed


async def _chat_and_failover(cluster):
    from bench.realtime.client import Client

    seed, (node1, node2) = cluster["seed"], cluster["nodes"]
    room = seed["room"]
    alice_key = Browser().sign_in(node1["pages"], "alice", "Trial-cluster-1")
    bob_key = Browser().sign_in(node2["pages"], "bob", "Trial-cluster-2")
    on_one = Endpoint(node1["ws"], node1["daphne"])
    on_two = Endpoint(node2["ws"], node2["daphne"])
    front = Endpoint(cluster["ws"], cluster["url"])

    # Chat across nodes: alice on node 1, bob on node 2.
    alice, bob = Client(on_one, alice_key, seed["alice"]), Client(on_two, bob_key, seed["bob"])
    assert (await alice.open())["live"] is True
    assert (await bob.open())["live"] is True
    await alice.send(
        {"action": "send", "conversation": room, "body": "Du nœud 1", "key": "node1-00001"}
    )
    ack = await alice.expect("ack", timeout=15)
    event = await bob.expect("message.created", timeout=15)
    assert event["message"]["id"] == ack["message"]["id"]
    await alice.close()
    await bob.close()

    # bob's socket is on node 1 (as nginx may have placed it); he knows the room so far.
    bob = Client(on_one, bob_key, seed["bob"])
    await bob.open()
    await bob.send({"action": "sync", "cursors": {str(room): 0}})
    cursor = (await bob.expect("replay", timeout=15))["cursor"]

    stopped = trial(cluster["folder"], "stop", "--node", "1", "--json", check=False)
    assert stopped.returncode == 0, stopped.stderr
    await bob.expect("_closed", timeout=30)

    # While bob is away, alice writes through node 2.
    alice = Client(on_two, alice_key, seed["alice"])
    await alice.open()
    sent = []
    for n in range(3):
        await alice.send(
            {
                "action": "send",
                "conversation": room,
                "body": f"Pendant la panne {n}",
                "key": f"node2-{n:05d}",
            }
        )
        sent.append((await alice.expect("ack", timeout=15))["message"]["id"])

    # bob's client reconnects through nginx (node 2 only now) and replays what he missed.
    bob = Client(front, bob_key, seed["bob"])
    assert (await bob.open(timeout=20))["live"] is True
    await bob.send({"action": "sync", "cursors": {str(room): cursor}})
    replay = await bob.expect("replay", timeout=15)
    assert [m["id"] for m in replay["messages"]] == sent
    # And live delivery goes on, through nginx.
    await alice.send(
        {"action": "send", "conversation": room, "body": "Après", "key": "node2-after"}
    )
    ack = await alice.expect("ack", timeout=15)
    event = await bob.expect("message.created", timeout=15)
    assert event["message"]["id"] == ack["message"]["id"]
    await alice.close()
    await bob.close()


def test_chat_across_nodes_and_node_1_stopped_loses_nothing(cluster):
    asyncio.run(_chat_and_failover(cluster))
    # Pages through nginx still answer with node 1 gone (its upstream is skipped).
    browser = Browser()
    browser.sign_in(cluster["url"], "bob", "Trial-cluster-2")
    for _ in range(4):  # both upstream lines are tried in turn by least_conn
        status, landed, _ = browser.get(f"{cluster['url']}/")
        assert status == 200 and "/accounts/login/" not in landed
    status = json.loads(trial(cluster["folder"], "status", "--json").stdout)
    assert status["processes"]["node1-pages"] is False
    assert status["processes"]["node2-pages"] is True
