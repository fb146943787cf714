"""A real OpenID provider (tests/proconnect/provider.py) in its own process, and the
settings that point Transverse at it."""

import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from intranet.proconnect.config import proconnect_settings

CLIENT_ID, CLIENT_SECRET = "transverse-test", "client-secret-for-tests"


class Provider:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.issuer = f"{self.base}/api/v2"

    def agent(self, mode: str = "", sid: str = "session-1", **claims):
        """The agent the next sign-in is made for, and how the tokens are made."""
        control = {"mode": mode, "sid": sid, "claims": claims}
        requests.post(f"{self.base}/_control", data=json.dumps(control), timeout=5)

    def logout_token(self, **params) -> str:
        return requests.get(f"{self.base}/_logout_token", params=params, timeout=5).text

    def log(self) -> list[dict]:
        return requests.get(f"{self.base}/_log", timeout=5).json()


@pytest.fixture(scope="session")
def provider_process():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("provider.py")),
            str(port),
            CLIENT_ID,
            CLIENT_SECRET,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    yield Provider(port)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def provider(provider_process, settings):
    for name, value in proconnect_settings(
        provider_process.issuer, CLIENT_ID, CLIENT_SECRET, "refuse"
    ).items():
        setattr(settings, name, value)
    settings.TRANSVERSE_PROCONNECT = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "intranet.proconnect.backend.ProConnectBackend",
    ]
    return provider_process


def proconnect_sign_in(client, provider, start="/accounts/proconnect/login/"):
    """The browser's part of the flow: to the provider, which answers at once (the agent
    "signs in"), and back to Transverse's callback. Returns (callback answer, callback path)."""
    response = client.get(start)
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(provider.issuer + "/authorize?")
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    callback = f"{back.path}?{back.query}"
    return client.get(callback), callback
