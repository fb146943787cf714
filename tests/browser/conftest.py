"""Browser journeys: Playwright drives Debian's Chromium against a live server.

Fixtures:
- `browser`: one headless Chromium for the session (skips locally, fails under CI, when
  /usr/bin/chromium is missing);
- `page`: a fresh context and page in French, which records console errors and CSP
  violations and fails the test if any occurred;
- `sign_in(page, username, password)`: signs in through the real form;
- `axe_check(page)`: runs axe-core on the page and fails on serious or critical violations.
"""

import os
import threading
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.services import free_port, missing_service, tcp_open

CHROMIUM = os.environ.get("TRANSVERSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
# and by the live server are ordinary synchronous code, so Django's guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _CountingApplication:
    """The ASGI application, counting the connections it is still serving.

    A test's teardown flushes the database (TRUNCATE on PostgreSQL); a request or a socket
    still being served then holds row locks and the two deadlock (seen in CI). The live
    site waits until nothing is being served before the flush.
    """

    def __init__(self, application):
        self.application = application
        self.active = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        with self.lock:
            self.active += 1
        try:
            await self.application(scope, receive, send)
        finally:
            with self.lock:
                self.active -= 1


class AsgiLiveServer:
    """daphne serving intranet.asgi (HTTP and WebSocket) in a thread of this process.

    In-process, so that settings overridden by a test, the locmem mail outbox and the
    in-memory channel layer are the ones the server uses; Twisted's reactor cannot be
    restarted, so one server serves the whole session.
    """

    def __init__(self):
        from daphne.server import Server

        from intranet.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.application = _CountingApplication(application)
        self.server = Server(
            application=self.application,
            endpoints=[f"tcp:port={self.port}:interface=127.0.0.1"],
            signal_handlers=False,
            verbosity=0,
        )
        self.thread = threading.Thread(target=self.server.run, name="daphne", daemon=True)

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not tcp_open("127.0.0.1", self.port, timeout=0.2):
            if time.monotonic() > deadline:
                raise RuntimeError("daphne did not start listening within 15 s")
            time.sleep(0.05)

    def wait_idle(self, timeout=15.0):
        """Return once no request or socket is being served (or after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while self.application.active and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self):
        from twisted.internet import reactor

        reactor.callFromThread(reactor.stop)
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def _asgi_server(django_db_setup, django_db_blocker):
    server = AsgiLiveServer()
    with django_db_blocker.unblock():
        server.start()
    yield server
    server.stop()


@pytest.fixture
def live_site(_asgi_server, transactional_db):
    """The running site, for a test whose data is committed (transactional_db)."""
    yield _asgi_server
    # Pages and sockets are closed by now (fixtures using live_site tear down first): let
    # the server finish what they left running before transactional_db flushes the tables.
    _asgi_server.wait_idle()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running on this thread while
    # it is open, which would break the asyncio tests that run after the journeys.
    if not os.path.exists(CHROMIUM):
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_site):
    """Open pages in fresh contexts (one per agent); each reports console/CSP problems."""
    contexts, problems = [], []

    def open_page(locale="fr-FR"):
        context = browser.new_context(base_url=live_site.url, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert problems == [], "console errors or CSP violations:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def sign_in():
    def do_sign_in(page, username, password):
        page.goto("/accounts/login/")
        page.get_by_label("Identifiant").fill(username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

    return do_sign_in


_axe = Axe()


@pytest.fixture
def axe_check():
    def check(page):
        results = _axe.run(page)
        serious = [
            v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
        ]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in serious
        )
        assert not serious, f"axe violations on {page.url}:\n{details}"

    return check
