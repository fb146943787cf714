"""Browser journey: every page at a phone's width, in light and dark mode.

A demo agent (amartin) and the site administrator each crawl the site as the demo
organisation fills it (links collected from the pages, same origin, one page per URL
shape, a bounded count; not sign-out, not the language switch, not the Django admin,
not files): at 390 px wide, no page may scroll sideways (RGAA 10.11, WCAG 1.4.10), and axe
finds no serious or critical violation, in the light and in the dark colour scheme.
"""

import collections
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from intranet.accounts.models import User
from intranet.chat.services import conversations
from intranet.chat.services import messages as chat_messages
from intranet.people.demo import ADMIN_PASSWORD, DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}
# Not pages: leaving, switching language (both POST), the Django admin (not our design),
# static and uploaded files, downloads.
SKIP = ("/accounts/logout/", "/i18n/", "/static/", "/admin/", "/sw.js", "/manifest")
FILES = re.compile(
    r"(\.(csv|png|jpe?g|gif|webp|svg|pdf|xlsx|txt|ics|zip)$)|/(photo|image|files|file|preview)/|^/logo$"
)
MAX_PAGES = 70
NO_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))"""


def shape(url: str) -> str:
    """One page per URL pattern: two profiles are one page, as are two groups."""
    path, _mark, query = url.partition("?")
    try:
        route = resolve(path).route
    except Resolver404:
        route = path
    return f"{route}?{bool(query)}"


def same_origin_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    origin = urlsplit(page.url)._replace(path="", query="", fragment="").geturl()
    links = []
    for href in hrefs:
        if href.startswith(origin + "/"):
            parts = urlsplit(href)
            links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def check_page(page, axe_run) -> list[str]:
    """What is wrong with the page as it stands, in each colour scheme."""
    problems = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        if not page.evaluate(NO_SCROLL):
            problems.append(f"{scheme}: scrolls sideways, past the edge: {page.evaluate(WIDEST)}")
        violations = [
            v
            for v in axe_run(page).response["violations"]
            if v.get("impact") in {"serious", "critical"}
        ]
        for v in violations:
            targets = ", ".join(str(node["target"]) for node in v["nodes"][:3])
            problems.append(f"{scheme}: axe {v['id']} ({v['impact']}) at {targets}")
    page.emulate_media(color_scheme="light")
    return problems


def crawl(page, axe_run) -> tuple[dict[str, list[str]], int]:
    """Problems per page, and how many pages were checked."""
    seen, shapes, found = set(), collections.Counter(), {}
    queue = collections.deque(["/"])
    checked = 0
    while queue and checked < MAX_PAGES:
        url = queue.popleft()
        path = url.partition("?")[0]
        if url in seen or url.startswith(SKIP) or FILES.search(path) or shapes[shape(url)]:
            continue
        seen.add(url)
        shapes[shape(url)] += 1
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a link to a file: the browser downloads it
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200:
            if response is not None and response.status >= 500:
                found[url] = [f"answered {response.status}"]
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state()
        checked += 1
        problems = check_page(page, axe_run)
        if problems:
            found[url] = problems
        queue.extend(same_origin_links(page))
    return found, checked


@pytest.fixture
def demo_site(settings, live_site):
    """The demo organisation and its content, and a chat conversation (the demo has none)."""
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", no_progress=True)
    writer = User.objects.get(username="amartin")
    other = User.objects.get(username="jlefevre")
    room = conversations.conversation_direct_open(writer, other=other)
    chat_messages.message_send(writer, room.pk, body="Réunion à 10 h ?", idempotency_key="crawl-01")
    return live_site


@pytest.mark.parametrize(
    ("username", "password"), [("amartin", DEMO_PASSWORD), ("admin", ADMIN_PASSWORD)]
)
def test_every_page_fits_a_phone_and_passes_axe_in_light_and_dark(
    demo_site, browser, sign_in, username, password
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(base_url=demo_site.url, locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, username, password)
        found, checked = crawl(page, axe.run)
    finally:
        context.close()
    assert checked >= 25, f"only {checked} pages reached: the crawl lost its way"
    report = "\n".join(f"{url}\n  " + "\n  ".join(problems) for url, problems in found.items())
    assert not found, f"{len(found)} of {checked} pages fail at 390 px:\n{report}"
