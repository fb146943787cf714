"""search_check on a missing or corrupt index: one clear line and exit status 1, never a
traceback; --repair rebuilds the index from the database, after which search works."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from intranet.search.engines import get_engine
from intranet.search.selectors import search_index_health
from tests.search.conftest import index_now

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def indexed(db, alice, carol, settings):
    index_now()
    assert get_engine().health() == "ok"
    return settings.TRANSVERSE_SEARCH_INDEX_DIR


def corrupt(index_dir: Path) -> None:
    generation = (index_dir / "CURRENT").read_text().strip()
    segments = list((index_dir / generation).glob("*.seg"))
    assert segments
    for segment in segments:
        data = segment.read_bytes()
        segment.write_bytes(data[:-200] + b"\x01" * 200)


def test_a_missing_index_is_named_with_what_to_run(indexed):
    (indexed / "CURRENT").unlink()
    with pytest.raises(CommandError, match=r"is missing.*search_rebuild.*--repair"):
        call_command("search_check", "--dry-run")


def test_a_corrupt_index_is_named_with_what_to_run(indexed):
    corrupt(indexed)
    with pytest.raises(CommandError, match=r"is corrupt.*search_rebuild"):
        call_command("search_check")


def test_repair_rebuilds_a_corrupt_index(indexed, capsys):
    corrupt(indexed)
    call_command("search_check", "--repair")
    out = capsys.readouterr().out
    assert "is corrupt: rebuilding it" in out and "missing: 0" in out
    assert search_index_health() == "ok"
    assert {f"agent:{pk}" for pk in _agents()} <= set(get_engine().digests())


def test_repair_builds_a_missing_index(indexed, capsys):
    (indexed / "CURRENT").unlink()
    call_command("search_check", "--repair")
    assert "is missing: rebuilding it" in capsys.readouterr().out
    assert search_index_health() == "ok"


def _agents():
    from intranet.accounts.models import User

    return User.objects.values_list("pk", flat=True)


def test_the_command_line_says_it_in_one_line_with_status_1(tmp_path):
    """As operators run it: no traceback on stderr, exit status 1."""
    env = {**os.environ, "TRANSVERSE_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "search_check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "is missing" in done.stderr and "search_rebuild" in done.stderr
