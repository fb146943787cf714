"""Start-up with bad variables stops with the variable's name; embedded mode needs none."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check(env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"TRANSVERSE_VAR_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_embedded_mode_starts_with_no_variable(tmp_path):
    result = check({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRANSVERSE_DEBUG", "maybe"),
        ("TRANSVERSE_SESSION_AGE", "ten"),
        ("TRANSVERSE_PRIMARY_COLOR", "red;}body{display:none"),
        ("DATABASE_URL", "nonsense://x"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = check({name: value}, tmp_path)
    assert result.returncode != 0
    assert name in result.stderr
