"""Log lines: ISO 8601 times with their offset, and the id of the HTTP request on every line
of that request, sent back in X-Request-ID (the proxy's when trusted and well-formed)."""

import io
import logging
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from intranet.accounts.throttle import parse_trusted_proxies
from intranet.core.logs import RequestIdFilter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (?P<level>[A-Z]+)"
    r" \[(?P<request_id>[^\]]+)\] (?P<logger>\S+) (?P<message>.*)"
)
NGINX_ID = "5f0e6c1a9b8d4e7fa2c3b4d5e6f70819"
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """What the configured console handler writes (settings.LOGGING), as a list of lines."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: buffer.getvalue().splitlines()
    finally:
        handler.setStream(previous)


@pytest.fixture
def trusted_proxy(settings):
    settings.TRANSVERSE_TRUSTED_PROXIES = parse_trusted_proxies(
        ["10.0.0.1"], "TRANSVERSE_TRUSTED_PROXIES"
    )


def test_a_line_outside_requests_has_an_iso_time_with_its_offset(tmp_path):
    """A fresh process, configured by settings only, as daphne and the worker are."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"TRANSVERSE_VAR_DIR": str(tmp_path), "TRANSVERSE_TIME_ZONE": "Europe/Paris"})
    code = "import django; django.setup(); import logging; logging.getLogger('probe').warning('hi')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "intranet.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = result.stderr.splitlines()
    match = LINE.fullmatch(line)
    assert match, line
    assert match["level"] == "WARNING" and match["request_id"] == "-"
    assert (match["logger"], match["message"]) == ("probe", "hi")
    moment = datetime.fromisoformat(match["time"])
    assert moment.utcoffset() == moment.astimezone(ZoneInfo("Europe/Paris")).utcoffset()


def test_every_line_of_a_request_carries_its_id_sent_back_in_the_header(alice_client, log_lines):
    first = alice_client.get("/topics/nope/")
    second = alice_client.get("/topics/nope/")
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(HEX_ID.fullmatch(i) for i in ids) and ids[0] != ids[1]
    lines = [LINE.fullmatch(line) for line in log_lines()]
    assert all(lines), log_lines()
    not_found = [m["request_id"] for m in lines if "Not Found: /topics/nope/" in m["message"]]
    assert not_found == ids
    logging.getLogger("probe").warning("between requests")
    assert LINE.fullmatch(log_lines()[-1])["request_id"] == "-"


@pytest.mark.django_db(transaction=True)  # the ASGI handler's threads use their own connections
async def test_the_id_follows_the_request_under_asgi(async_client, alice, log_lines):
    await async_client.aforce_login(alice)
    response = await async_client.get("/topics/nope/")
    [line] = [line for line in log_lines() if "Not Found: /topics/nope/" in line]
    assert LINE.fullmatch(line)["request_id"] == response["X-Request-ID"]


def test_a_trusted_proxys_id_is_kept(alice_client, trusted_proxy, log_lines):
    response = alice_client.get("/topics/nope/", REMOTE_ADDR="10.0.0.1", HTTP_X_REQUEST_ID=NGINX_ID)
    assert response["X-Request-ID"] == NGINX_ID
    assert f"[{NGINX_ID}]" in "\n".join(log_lines())


def test_an_id_from_anyone_else_is_replaced(client, trusted_proxy):
    response = client.get("/accounts/login/", REMOTE_ADDR="203.0.113.7", HTTP_X_REQUEST_ID=NGINX_ID)
    assert response["X-Request-ID"] != NGINX_ID and HEX_ID.fullmatch(response["X-Request-ID"])


def test_no_id_is_trusted_without_trusted_proxies(client):
    assert django_settings.TRANSVERSE_TRUSTED_PROXIES == ()
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=NGINX_ID)
    assert response["X-Request-ID"] != NGINX_ID


@pytest.mark.parametrize(
    "hostile",
    [
        "abcdef12\nWARNING forged line",
        "abcdef12\r\nSet-Cookie: x=1",
        "a" * 10_240,
        "short",
        "abcdef12 with spaces",
        "abcdef12]\x00",
        "../../etc/passwd",
        "ünïcödé-ïd-12345",
    ],
)
def test_a_hostile_id_even_from_a_trusted_proxy_is_replaced(
    alice_client, trusted_proxy, log_lines, hostile
):
    response = alice_client.get("/topics/nope/", REMOTE_ADDR="10.0.0.1", HTTP_X_REQUEST_ID=hostile)
    assert response.status_code == 404  # as without the header
    assert HEX_ID.fullmatch(response["X-Request-ID"])
    [line] = log_lines()
    assert LINE.fullmatch(line)["request_id"] == response["X-Request-ID"]
    assert hostile not in line and "forged" not in line
