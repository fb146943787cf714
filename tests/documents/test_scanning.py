"""Malware scanning through clamd: a clamd-protocol server flagging EICAR, a real clamd
with a private signature, and the machine's ClamAV signatures when it has them."""

import shutil
import tempfile
from pathlib import Path

import pytest

from intranet.documents.scanning import CHUNK_BYTES, ScanResult, scan_file, scanner_enabled
from tests.documents import samples
from tests.documents.clamd_server import (
    EICAR,
    PRIVATE_SIGNATURE,
    SIGNATURE,
    ClamdServer,
    private_clamd,
    start_clamd,
)
from tests.services import free_port


@pytest.fixture
def short_dir():
    """A folder with a short path: a unix socket's path is limited to 107 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="clamd-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clamd(settings, short_dir):
    """A clamd-protocol server on a unix socket, configured as the scanner."""
    server = ClamdServer(unix_path=str(short_dir / "clamd.sock"))
    settings.TRANSVERSE_CLAMD_SOCKET = server.unix_path
    settings.TRANSVERSE_CLAMD_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def write(tmp_path):
    def write(data: bytes, name: str = "upload") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def test_the_scanner_is_off_by_default_and_never_says_clean(settings, write):
    assert (settings.TRANSVERSE_CLAMD_SOCKET, settings.TRANSVERSE_CLAMD_HOST) == ("", "")
    assert scanner_enabled() is False
    assert scan_file(write(b"bonjour")).verdict == "error"


def test_a_clean_file_is_clean(clamd, write):
    assert scanner_enabled() is True
    assert scan_file(write(samples.pdf_bytes(["Budget"]))) == ScanResult("clean")


def test_the_eicar_string_is_infected_with_its_signature(clamd, write):
    assert scan_file(write(EICAR)) == ScanResult("infected", SIGNATURE)


def test_a_large_file_is_streamed_in_chunks_and_eicar_across_two_chunks_is_found(clamd, write):
    data = b"a" * (CHUNK_BYTES * 3 - 20) + EICAR + b"b" * CHUNK_BYTES * 2
    assert scan_file(write(data)).verdict == "infected"
    assert clamd.received == [len(data)]
    assert clamd.chunks == [6]


def test_an_empty_file_is_clean(clamd, write):
    assert scan_file(write(b"")).verdict == "clean"
    assert clamd.received == [0]


def test_clamd_over_tcp(settings, write):
    server = ClamdServer()
    settings.TRANSVERSE_CLAMD_HOST, settings.TRANSVERSE_CLAMD_PORT = "127.0.0.1", server.port
    try:
        assert scan_file(write(EICAR)).verdict == "infected"
        assert scan_file(write(b"propre")).verdict == "clean"
    finally:
        server.stop()


def test_clamd_down_on_its_socket_is_an_error(settings, short_dir, write):
    settings.TRANSVERSE_CLAMD_SOCKET = str(short_dir / "absent.sock")
    result = scan_file(write(EICAR))
    assert result.verdict == "error"
    assert "FileNotFoundError" in result.detail


def test_clamd_down_on_its_port_is_an_error(settings, write):
    settings.TRANSVERSE_CLAMD_HOST, settings.TRANSVERSE_CLAMD_PORT = "127.0.0.1", free_port()
    result = scan_file(write(b"x"))
    assert result.verdict == "error"
    assert "ConnectionRefusedError" in result.detail


def test_a_clamd_that_never_answers_is_an_error_after_the_timeout(settings, short_dir, write):
    server = ClamdServer(unix_path=str(short_dir / "silent.sock"), behaviour="silent")
    settings.TRANSVERSE_CLAMD_SOCKET, settings.TRANSVERSE_CLAMD_TIMEOUT = server.unix_path, 1
    try:
        result = scan_file(write(EICAR))
    finally:
        server.stop()
    assert result.verdict == "error"
    assert "timed out" in result.detail or "TimeoutError" in result.detail


def test_a_clamd_that_hangs_up_is_an_error(settings, short_dir, write):
    server = ClamdServer(unix_path=str(short_dir / "hangup.sock"), behaviour="hangup")
    settings.TRANSVERSE_CLAMD_SOCKET = server.unix_path
    try:
        result = scan_file(write(b"x" * CHUNK_BYTES * 4))
    finally:
        server.stop()
    assert result.verdict == "error"


def test_a_file_over_clamds_stream_limit_is_an_error_not_clean(settings, short_dir, write):
    server = ClamdServer(unix_path=str(short_dir / "limit.sock"), max_stream=100_000)
    settings.TRANSVERSE_CLAMD_SOCKET = server.unix_path
    try:
        result = scan_file(write(b"x" * 300_000))
    finally:
        server.stop()
    assert result.verdict == "error"
    assert "size limit exceeded" in result.detail


def test_a_missing_file_is_an_error(clamd, tmp_path):
    assert scan_file(str(tmp_path / "absent")).verdict == "error"


# --- a real clamd -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_clamd():
    """The machine's clamd with a private one-signature database (EICAR)."""
    folder = Path(tempfile.mkdtemp(prefix="clamd-", dir="/tmp"))
    process, path = private_clamd(folder)
    yield path
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)


def test_real_clamd_finds_eicar_even_inside_an_office_document(settings, real_clamd, write):
    settings.TRANSVERSE_CLAMD_SOCKET = real_clamd
    infected = samples.added_entry(samples.docx_bytes(["Rapport"]), "word/media/x.bin", EICAR)
    assert scan_file(write(EICAR)) == ScanResult("infected", PRIVATE_SIGNATURE + ".UNOFFICIAL")
    assert scan_file(write(infected, "rapport")).verdict == "infected"
    assert scan_file(write(samples.docx_bytes(["Rapport"]), "propre")).verdict == "clean"


def test_real_clamd_past_its_stream_limit_is_an_error(settings, real_clamd, write):
    settings.TRANSVERSE_CLAMD_SOCKET = real_clamd
    result = scan_file(write(b"\0" * (31 * 1024 * 1024)))
    assert result.verdict == "error"
    assert "size limit exceeded" in result.detail


def test_real_clamd_with_the_machines_signatures(settings, short_dir, write):
    machine = Path("/var/lib/clamav")
    if not any(machine.glob("*.cvd")) and not any(machine.glob("*.cld")):
        pytest.skip(
            "no ClamAV signature database in /var/lib/clamav (freshclam needs the network); "
            "the clamd-protocol server and the private signature cover the scanner"
        )
    process, settings.TRANSVERSE_CLAMD_SOCKET = start_clamd(short_dir, machine, timeout=300)
    settings.TRANSVERSE_CLAMD_TIMEOUT = 60
    try:
        assert scan_file(write(EICAR)).verdict == "infected"
        assert scan_file(write(b"bonjour", "propre")).verdict == "clean"
    finally:
        process.terminate()
        process.wait(timeout=60)
