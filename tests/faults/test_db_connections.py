"""A daphne process holds at most its pool of PostgreSQL connections, whatever it serves.

Under daphne every request runs in a thread of its own; with persistent connections
(CONN_MAX_AGE) each finished thread's connection stayed open until a garbage collection:
100 probes of /healthz took one process from 1 to 97 connections, and two processes
filled PostgreSQL's 100 within minutes (issue 15). Here a real daphne on a PostgreSQL
cluster of the test's own (it may be filled without disturbing the machine's server)
serves 300 requests of mixed kinds, 8 at a time: probes, signed-in pages, a form posted,
WebSocket sockets sending a message. Its connections, counted in pg_stat_activity by the
application name the process gives libpq (PGAPPNAME), never exceed its pool.
"""

import asyncio
import http.client
import re
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.services import missing_service

pytestmark = [pytest.mark.faults, pytest.mark.filterwarnings("ignore::ResourceWarning")]

POOL_SIZE = 4
APPLICATION = "transverse-daphne-under-test"


@pytest.fixture(scope="module")
def site():
    from bench.realtime.cluster import PostgresServer, cluster

    if PostgresServer.bin_dir() is None:
        missing_service("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    if shutil.which("runuser") is None:
        missing_service("runuser is needed to run initdb as the postgres account")
    settings = {"PGAPPNAME": APPLICATION, "TRANSVERSE_DB_POOL_SIZE": POOL_SIZE}
    with cluster(
        agents=3, rooms=[3], servers=1, redis=False, own_postgres=True, **settings
    ) as running:
        yield running


def connections_held(running) -> int:
    import psycopg

    with psycopg.connect(f"{running['postgres'].url}/postgres", autocommit=True) as conn:
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        return conn.execute(query, (APPLICATION,)).fetchone()[0]


class Browser:
    """One signed-in agent's cookies over plain HTTP (a connection per request)."""

    def __init__(self, server, session_key: str):
        self.server, self.cookies = server, {"sessionid": session_key}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.server.origin
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()

    def post_message(self, n: int) -> int:
        status, page = self.request("GET", "/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:  # the page itself failed
            return status
        form = (
            f"csrfmiddlewaretoken={token.group(1)}&body=Message+{n}&visibility=organisation"
            f"&idempotency_key={uuid.uuid4().hex}"
        )
        return self.request("POST", "/posts/new/", form)[0]


async def socket_round(running, n: int) -> str:
    from bench.realtime.client import Client

    agent_id, key = running["agents"][n % 3]
    client = Client(running["servers"][0], key, agent_id)
    await client.open(timeout=30)
    await client.send(
        {
            "action": "send",
            "conversation": running["rooms"][3],
            "body": f"socket {n}",
            "key": f"pool-{n:08d}",
        }
    )
    ack = await client.expect("ack", timeout=30)
    await client.close()
    return ack["type"]


def mixed_request(running, n: int):
    """Request n of the 300: a probe, a page, another page, a form, now and then a socket."""
    browser = Browser(running["servers"][0], running["agents"][n % 3][1])
    kind = n % 10
    if kind in (0, 1, 2, 3):
        return "healthz", browser.request("GET", "/healthz")[0]
    if kind in (4, 5, 6):
        return "home", browser.request("GET", "/")[0]
    if kind == 7:
        return "people", browser.request("GET", "/people/")[0]
    if kind == 8:
        return "post", browser.post_message(n)
    return "socket", asyncio.run(socket_round(running, n))


def peak_connections(running, work) -> tuple[int, list]:
    """Run work() while counting the process's connections every 50 ms: (most, results)."""
    most, done = [0], threading.Event()

    def watch():
        while not done.is_set():
            most[0] = max(most[0], connections_held(running))
            done.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        results = work()
    finally:
        done.set()
        watcher.join()
    return max(most[0], connections_held(running)), results


def test_a_daphne_process_holds_at_most_its_pool_of_connections(site):
    def work():
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda n: mixed_request(site, n), range(300)))

    most, answers = peak_connections(site, work)
    expected = {"healthz": 200, "home": 200, "people": 200, "post": 302, "socket": "ack"}
    wrong = [(kind, answer) for kind, answer in answers if answer != expected[kind]]
    assert not wrong, wrong[:10]
    assert 1 <= most <= POOL_SIZE, f"{most} connections held, pool of {POOL_SIZE}"


def test_pages_wait_for_a_free_connection_rather_than_open_more(site):
    """40 pages at once on a pool of 4: every one is served, in turn."""

    def work():
        def page(n):
            return Browser(site["servers"][0], site["agents"][n % 3][1]).request("GET", "/")[0]

        with ThreadPoolExecutor(40) as pool:
            return list(pool.map(page, range(40)))

    most, statuses = peak_connections(site, work)
    assert statuses == [200] * 40
    assert most <= POOL_SIZE, f"{most} connections held, pool of {POOL_SIZE}"
