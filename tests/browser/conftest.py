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

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.services import missing_service

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


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh contexts (one per agent); each reports console/CSP problems."""
    contexts, problems = [], []

    def open_page(locale="fr-FR"):
        context = browser.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error"
            else None,
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
