"""Finding the real services tests need (PostgreSQL, Redis, slapd, Chromium).

Locally a missing service skips the test with a clear reason. Under CI (CI=true or
TRANSVERSE_REQUIRE_SERVICES=1, both set by .ci/run) a missing service fails it instead,
so a green CI always means the real component was exercised.
"""

import os
import shutil
import socket

import pytest


def services_required() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}
        for name in ("CI", "TRANSVERSE_REQUIRE_SERVICES")
    )


def missing_service(reason: str):
    """Skip (locally) or fail (under CI) because a real component is not available."""
    if services_required():
        pytest.fail(f"required service missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_executable(path_or_name: str, hint: str) -> str:
    found = shutil.which(path_or_name) or (
        path_or_name if os.path.isfile(path_or_name) and os.access(path_or_name, os.X_OK) else None
    )
    if not found:
        missing_service(f"{path_or_name} not found ({hint})")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
