"""The download permission matrix: actor × group kind × restriction × which file.

Every case uploads a document with two versions into a fresh group, then asks for the
document page, the file URL (current version, old version, or the file of a trashed
document) and the library listing. Visible means 200 and the token shown; invisible
means 404, exactly like a missing document, and the name appearing nowhere.
"""

import pytest
from django.http import Http404
from django.test import Client

from intranet.departments.services import department_create
from intranet.documents import services
from intranet.documents.access import access_document
from intranet.groups import services as group_services
from tests.documents.conftest import analyse, file_of
from tests.factories import UserFactory

ACTORS = ["member", "animator", "outsider", "former_member", "deactivated", "staff"]
KINDS = ["open", "closed", "secret"]
WHICH = ["current", "old", "trashed"]


def expected_visible(actor: str, kind: str, restricted: bool, which: str) -> bool:
    if actor == "deactivated":
        return False
    if actor in {"animator", "staff"}:
        return True
    if restricted or which == "trashed":
        return False
    return actor == "member" or kind == "open"


@pytest.fixture
def scene(db):
    department = department_create(name="Direction des fichiers")
    owner = UserFactory(username="owner", department=department)
    agents = {
        name: UserFactory(username=name, department=department)
        for name in ["member", "animator", "outsider", "former_member", "deactivated"]
    }
    agents["staff"] = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return {"owner": owner, "agents": agents}


def build(scene, kind, restricted, which):
    owner, agents = scene["owner"], scene["agents"]
    group = group_services.group_create(owner, name=f"Fichiers {kind}", policy=kind)
    for name in ["member", "animator", "former_member", "deactivated"]:
        group_services._add_member(group, agents[name])
    group_services.group_member_role_set(owner, group, agents["animator"], role="animator")
    document = services.document_upload(
        owner, group=group, upload=file_of("tokzqxrapport.txt", b"premier")
    )
    analyse(document)
    document.refresh_from_db()
    analyse(services.document_version_add(owner, document, upload=file_of("r.txt", b"second")))
    document.refresh_from_db()
    if restricted:
        services.document_restrict(owner, document, restriction="animators")
    if which == "trashed":
        services.document_delete(owner, document)
    group_services.group_leave(agents["former_member"], group)
    agents["deactivated"].is_active = False
    agents["deactivated"].save()
    return group, document


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("restricted", [False, True], ids=["open-doc", "restricted"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("actor", ACTORS)
def test_download_matrix(scene, actor, kind, restricted, which):
    group, document = build(scene, kind, restricted, which)
    agent = scene["agents"][actor]
    visible = expected_visible(actor, kind, restricted, which)
    client = Client()
    client.force_login(agent)
    file_url = (
        f"/documents/{document.pk}/versions/1/file/"
        if which == "old"
        else f"/documents/{document.pk}/file/"
    )
    page = client.get(f"/documents/{document.pk}/")
    download = client.get(file_url)
    if actor == "deactivated":  # signed out at once: the sign-in page, never the file
        assert page.status_code == download.status_code == 302
        with pytest.raises(Http404):
            access_document(agent, document.pk, trashed=True)
        return
    assert page.status_code == (200 if visible else 404)
    assert download.status_code == (200 if visible else 404)
    if visible:
        expected = b"premier" if which == "old" else b"second"
        assert b"".join(download.streaming_content) == expected
    listing = client.get(f"/groups/{group.slug}/documents/")
    shown_in_list = visible and which != "trashed"
    assert ("tokzqxrapport" in listing.content.decode()) is shown_in_list
    if not visible:
        assert "tokzqxrapport" not in page.content.decode()
