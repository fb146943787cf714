"""`manage.py check --deploy` with the production settings (deploy/transverse.env.example's
choices: HTTPS behind a proxy, a secret key, the site's host) gives no warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRANSVERSE_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="transverse.example.fr",
        CSRF_TRUSTED_ORIGINS="https://transverse.example.fr",
        TRANSVERSE_HTTPS="true",
        TRANSVERSE_BEHIND_PROXY="true",
        TRANSVERSE_VAR_DIR=str(tmp_path),
        TRANSVERSE_DEBUG="false",
    )
    return env


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_still_warns_about_plain_http(tmp_path):
    """The check is live: the same settings without HTTPS fail it."""
    env = production_env(tmp_path)
    env["TRANSVERSE_HTTPS"] = "false"
    result = check_deploy(env)
    assert result.returncode != 0 and "security.W" in result.stderr + result.stdout
