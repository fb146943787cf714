"""Privacy fixtures: the private storage in the test's own folder, a secret group."""

import io
import json
import zipfile

import pytest

from intranet.groups import services as group_services
from intranet.groups.models import Membership


@pytest.fixture(autouse=True)
def _isolated_private_storage(settings, tmp_path):
    """Exports go to a temporary folder, never into var/private."""
    settings.TRANSVERSE_PRIVATE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/nowhere/"},
        },
    }


@pytest.fixture
def secret(alice, bob):
    """secret: a secret group of alice's; bob is a member, carol is not."""
    group = group_services.group_create(alice, name="Cellule secrète", policy="secret")
    Membership.objects.create(group=group, agent=bob)
    return group


def zip_json(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read(name))


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()
