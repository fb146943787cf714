"""Error reports reach a Sentry-compatible server (a real HTTP server here, receiving the
SDK's envelope) only when a DSN is set, and carry no personal data."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.test import Client
from django.urls import path

from intranet.core.errors import scrub_text, sentry_init


def failing_view(request):
    # Personal data from the request, as a real message would carry it.
    raise ValueError(f"could not reach {request.GET['to']} from {request.GET['from']}")


urlpatterns = [path("boom/", failing_view)]


class Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Receiver.received.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def sentry_server():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://public@127.0.0.1:{server.server_port}/42"
    sentry_sdk.init(dsn=None)  # off again for the rest of the run
    server.shutdown()


def events(received: list[bytes]) -> list[dict]:
    found = []
    for envelope in received:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_no_dsn_no_sdk():
    assert sentry_init("") is False


@pytest.mark.urls(__name__)
def test_error_reported_without_personal_data(sentry_server, alice):
    token = "Zx9yQ4mB7nL2pK8v" + "R3sT6wU1aC5dE0fG"  # not in the view's source context
    assert sentry_init(sentry_server, environment="test")
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    session_key = client.cookies["sessionid"].value
    response = client.get(
        "/boom/",
        {"to": "jean.dupont@finances.gouv.fr", "from": "203.0.113.7", "token": token},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    reported = events(Receiver.received)
    assert len(reported) == 1
    raw = json.dumps(reported[0])
    event = reported[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    request = event.get("request", {})
    assert set(request) <= {"method", "url"}  # no headers, cookies, query string, body
    assert "?" not in request.get("url", "")
    for secret in (
        "jean.dupont",
        "203.0.113.7",
        "198.51.100.9",
        "alice",
        session_key,
        token,
        "Cookie",
        "Authorization",
    ):
        assert secret not in raw, secret
    assert "could not reach [removed] from [removed]" in raw


def test_scrub_text_masks():
    assert (
        scrub_text("mail a.b@x.gouv.fr ip 10.1.2.3 ::1") == "mail [removed] ip [removed] [removed]"
    )
