"""deploy/transverse-backup: a populated site backed up, then restored into a new database
and a new media directory, where every post, message, photo and attachment is found and
downloadable, and search finds them.

Site A is the test database (committed: transactional test); the script runs manage.py
through TRANSVERSE_MANAGE, a small wrapper standing for transverse-manage. Site B is
new: on SQLite the embedded layout of a fresh TRANSVERSE_VAR_DIR, on PostgreSQL a
database created for the test (dropped after). The test runs with the database of the
run, so .ci/run covers both.
"""

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from intranet.chat import services as chat_services
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.people.services import profile_photo_set
from intranet.stream.services import posts
from tests.factories import UserFactory
from tests.people.test_services import png_upload
from tests.services import require_executable

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "transverse-backup"

VERIFY = """
import hashlib, json, os
from django.test import Client
from django.urls import reverse
from intranet.accounts.models import User
from intranet.chat.models import Message
from intranet.search import selectors
from intranet.stream.models import Post

alice = User.objects.get(username="alice")
client = Client()
client.force_login(alice)

def download(url):
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [response.status_code, hashlib.sha256(content).hexdigest()]

urls = json.loads(os.environ["DOWNLOADS"])
print("RESULT" + json.dumps({
    "posts": sorted(Post.objects.values_list("body", flat=True)),
    "messages": sorted(Message.objects.values_list("body", flat=True)),
    "downloads": {url: download(url) for url in urls},
    "search": {
        word: sorted([hit.kind, hit.obj.pk] for hit in selectors.search(alice, word).hits)
        for word in ("girafe", "zephyr", "mandarine")
    },
}))
"""


def sha256(name: str) -> str:
    with default_storage.open(name, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def pdf_upload() -> SimpleUploadedFile:
    content = b"%PDF-1.4\n" + os.urandom(50_000) + b"\n%%EOF\n"
    return SimpleUploadedFile("budget.pdf", content, content_type="application/pdf")


def populate(alice, staff) -> dict:
    """Posts, chat messages (one with a file), a photo; returns {download url: sha256}."""
    bob = UserFactory(username="bob", first_name="Bob", last_name="Martin")
    group = group_services.group_create(staff, name="Budget", policy="closed")
    Membership.objects.create(group=group, agent=alice)
    Membership.objects.create(group=group, agent=bob)
    room = chat_services.group_room(alice, group)
    with_file, _ = chat_services.message_send(
        alice,
        room.pk,
        body="Le budget zephyr",
        idempotency_key="backup-0001",
        attachment=pdf_upload(),
    )
    chat_services.message_send(
        bob, room.pk, body="Réunion mandarine", idempotency_key="backup-0002"
    )
    post = posts.post_create(
        alice,
        body="Compte rendu girafe",
        visibility="organisation",
        image=png_upload(),
        image_decorative=True,
    )
    posts.post_create(bob, body="Sans image", visibility="organisation")
    profile_photo_set(alice, alice, upload=png_upload(size=(300, 300)))
    alice.refresh_from_db()
    return {
        f"/posts/{post.pk}/image/": sha256(post.image.name),
        f"/chat/files/{with_file.pk}/": sha256(with_file.attachment.name),
        "/people/alice/photo/": sha256(alice.photo.name),
    }


def site_environment(var_dir: Path, database_url: str | None, media_root=None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(TRANSVERSE_VAR_DIR=str(var_dir), ALLOWED_HOSTS="testserver")
    env.pop("SECRET_KEY", None)
    env.pop("TRANSVERSE_MEDIA_ROOT", None)
    if media_root is not None:
        env["TRANSVERSE_MEDIA_ROOT"] = str(media_root)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def wrapper(folder: Path, env: dict) -> Path:
    """A stand-in for transverse-manage: manage.py with this site's environment."""
    path = folder / "manage"
    exports = "".join(f"export {k}={json.dumps(v)}\n" for k, v in env.items() if k.isidentifier())
    path.write_text(f'#!/bin/bash\n{exports}exec {sys.executable} {ROOT}/manage.py "$@"\n')
    path.chmod(0o700)
    return path


def run_script(*args, manage: Path, config: Path) -> str:
    env = dict(os.environ, TRANSVERSE_MANAGE=str(manage), TRANSVERSE_CONFIG_DIR=str(config))
    done = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def url_of(settings_dict: dict, name: str) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
    auth = user + (f":{password}" if password else "")
    return f"postgres://{auth}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{name}"


@pytest.fixture
def new_database():
    """The database site B restores into: None on SQLite (the embedded default), else a
    new PostgreSQL database of the test's own."""
    if connection.vendor == "sqlite":
        yield None
        return
    require_executable("pg_dump", "apt install postgresql-client")
    name = f"transverse_restored_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield url_of(connection.settings_dict, name)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_new_site_finds_everything(
    alice, staff, settings, tmp_path, new_database
):
    expected = populate(alice, staff)
    config = tmp_path / "etc" / "transverse"
    config.mkdir(parents=True)
    (config / "transverse.env").write_text("ALLOWED_HOSTS=transverse.example.fr\n")
    source = site_environment(
        tmp_path / "a",
        url_of(connection.settings_dict, connection.settings_dict["NAME"]),
        media_root=settings.MEDIA_ROOT,
    )
    backups = tmp_path / "backups"
    manage_a = wrapper(tmp_path, source)
    for _ in range(3):
        run_script("--dir", str(backups), "--keep", "2", "backup", manage=manage_a, config=config)
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 2 and not any(name.endswith(".partial") for name in kept)
    for path in [backups, *backups.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path

    target = site_environment(tmp_path / "b", new_database)
    b_folder = tmp_path / "b-tools"
    b_folder.mkdir()
    output = run_script(
        "restore", str(backups / kept[-1]), manage=wrapper(b_folder, target), config=config
    )
    assert "TRANSVERSE_INSTANCE_NAME" in output and "search index rebuilt" in output

    env = dict(target, DOWNLOADS=json.dumps(sorted(expected)))
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", VERIFY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    assert result["posts"] == ["Compte rendu girafe", "Sans image"]
    assert result["messages"] == ["Le budget zephyr", "Réunion mandarine"]
    assert result["downloads"] == {url: [200, digest] for url, digest in expected.items()}
    assert [kind for kind, _pk in result["search"]["girafe"]] == ["post"]
    assert [kind for kind, _pk in result["search"]["zephyr"]] == ["chat"]
    assert [kind for kind, _pk in result["search"]["mandarine"]] == ["chat"]
    new_host = tmp_path / "new-host" / "transverse"
    run_script("restore-config", str(backups / kept[-1]), manage=manage_a, config=new_host)
    assert (new_host / "transverse.env").read_text() == "ALLOWED_HOSTS=transverse.example.fr\n"
    restored_media = tmp_path / "b" / "media"
    assert sorted(p.name for p in restored_media.rglob("*") if p.is_file()) == sorted(
        p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
    )


def test_restore_refuses_a_database_that_is_not_empty(alice, staff, settings, tmp_path):
    """Restoring over a site's data would mix two sites: refused, nothing changed."""
    populate(alice, staff)
    config = tmp_path / "etc"
    config.mkdir()
    source = site_environment(
        tmp_path / "a",
        url_of(connection.settings_dict, connection.settings_dict["NAME"]),
        media_root=settings.MEDIA_ROOT,
    )
    manage_a = wrapper(tmp_path, source)
    run_script("--dir", str(tmp_path / "backups"), "backup", manage=manage_a, config=config)
    backup = next((tmp_path / "backups").iterdir())
    env = dict(os.environ, TRANSVERSE_MANAGE=str(manage_a), TRANSVERSE_CONFIG_DIR=str(config))
    done = subprocess.run(
        ["bash", str(SCRIPT), "restore", str(backup)], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "is not empty" in done.stderr


def test_restore_refuses_a_member_that_leaves_the_media_directory(tmp_path):
    """A forged archive cannot write outside the new site's media directory."""
    import io
    import tarfile

    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as archive:
        for name, content in [
            ("manifest.json", b'{"format": 1, "media_files": 1}'),
            ("media/../../evil", b"x"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    target = site_environment(tmp_path / "b" / "var", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "site_restore", "--input", str(forged)],
        cwd=ROOT,
        env=target,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "leaves the media directory" in done.stderr
    assert not (tmp_path / "b" / "evil").exists() and not (tmp_path / "evil").exists()
