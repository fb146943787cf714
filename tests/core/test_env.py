"""Settings readers: good values parse, bad ones stop start-up naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from intranet.core.env import env_bool, env_int, env_list, env_secret, persistent_secret_key


def test_env_bool_accepts_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False


def test_env_bool_rejects_garbage_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_rejects_non_numbers_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("X_NUM", "douze")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be a whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "3")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be at least 5"):
        env_int("X_NUM", 10, minimum=5)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.fr, ,b.fr ")
    assert env_list("X_LIST") == ["a.fr", "b.fr"]


def test_env_secret_reads_the_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "s3cr3t"


def test_env_secret_names_an_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env_secret("X_SECRET")


def test_secret_key_is_generated_once_then_reused(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = persistent_secret_key(path)
    assert len(first) > 40
    assert persistent_secret_key(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def _settings_in_a_new_process(tmp_path, **environ) -> subprocess.CompletedProcess:
    """Import intranet.settings in a fresh interpreter with exactly these variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"} and not key.startswith("TRANSVERSE_")
    }
    env.update(TRANSVERSE_VAR_DIR=str(tmp_path / "var"), **environ)
    script = (
        "from intranet import settings as s; "
        "d = s.DATABASES['default']; "
        "print(d['HOST'], d['PORT'], d['PASSWORD'], s.REDIS_URL, "
        "s.CHANNEL_LAYERS['default']['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_and_redis_urls_with_a_password_can_come_from_files(tmp_path):
    database_url = tmp_path / "database_url"
    database_url.write_text("postgres://transverse:s%40cret@db.example.fr:5433/transverse\n")
    redis_url = tmp_path / "redis_url"
    redis_url.write_text("redis://:s3cret@cache.example.fr:6379/0\n")
    done = _settings_in_a_new_process(
        tmp_path, DATABASE_URL_FILE=str(database_url), REDIS_URL_FILE=str(redis_url)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "db.example.fr",
        "5433",
        "s@cret",
        "redis://:s3cret@cache.example.fr:6379/0",
        "realtime.layers.RedisPubSubChannelLayer",
    ]


def test_an_unreadable_database_url_file_stops_start_up_naming_it(tmp_path):
    done = _settings_in_a_new_process(tmp_path, DATABASE_URL_FILE=str(tmp_path / "missing"))
    assert done.returncode != 0
    assert "DATABASE_URL_FILE points to" in done.stderr
    assert "cannot be read" in done.stderr
