"""Browser journey of a group's library, in Chromium, in English (the site's other language).

Alice (owner, so animator) drops two files on the library's drop zone: each gets its own
progress bar and ends "Added". The worker's analysis runs (called here), the Markdown
file is previewed through the site's renderer and the image as a re-encoded JPEG. She adds
a version with a comment, downloads the file, then restricts it to the animators: Carol,
a member, now gets 404 for it. axe checks every page on the way.
"""

import pytest
from playwright.sync_api import expect

from intranet.documents.models import DocumentVersion
from intranet.documents.tasks import version_analyse
from intranet.groups import services as group_services
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def library(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "intranet.core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    finance = make_department("Direction des finances")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    carol = UserFactory(username="carol", first_name="Carol", last_name="Diaz", department=finance)
    group = group_services.group_create(alice, name="Bibliothèque des marchés", policy="closed")
    group_services._add_member(group, carol)
    return group


def sign_in_english(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def analyse_pending():
    for pk in DocumentVersion.objects.filter(state="pending").values_list("pk", flat=True):
        version_analyse.call(pk)


DROP_TWO_FILES = """([zone, png]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File(["# Ordre du jour\\n\\nVoter le **budget**."], "ordre du jour.md",
                              {type: "text/markdown"}));
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  transfer.items.add(new File([bytes], "plan.png", {type: "image/png"}));
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""


def png_base64() -> str:
    import base64

    from tests.documents.conftest import png_bytes

    return base64.b64encode(png_bytes((40, 30))).decode()


def test_library_journey(library, new_page, axe_check):
    alice_page = new_page(locale="en-US")
    sign_in_english(alice_page, "alice")
    alice_page.goto(f"/groups/{library.slug}/")
    alice_page.get_by_role("link", name="Documents").click()
    expect(alice_page.get_by_role("heading", level=1)).to_contain_text("Documents of")
    axe_check(alice_page)

    zone = alice_page.locator("[data-upload-zone]")
    zone.evaluate_handle("z => z")  # attached
    alice_page.evaluate(DROP_TWO_FILES, [zone.element_handle(), png_base64()])
    rows = alice_page.locator("[data-upload-list] li")
    expect(rows).to_have_count(2)
    expect(alice_page.locator("[data-upload-list] li[data-state=done]")).to_have_count(2)
    expect(rows.first.locator("progress")).to_have_attribute("value", "100")

    analyse_pending()
    alice_page.reload()
    expect(alice_page.get_by_role("link", name="plan.png")).to_be_visible()
    axe_check(alice_page)

    alice_page.get_by_role("link", name="plan.png").click()
    preview = alice_page.get_by_role("img", name="Preview of plan.png")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 40
    axe_check(alice_page)

    alice_page.goto(f"/groups/{library.slug}/documents/")
    alice_page.get_by_role("link", name="ordre du jour.md").click()
    expect(alice_page.locator(".prose strong")).to_have_text("budget")
    axe_check(alice_page)
    document_url = alice_page.url

    alice_page.set_input_files(
        "#version-file",
        files=[
            {"name": "ordre.md", "mimeType": "text/markdown", "buffer": b"# Ordre v2\n\nAdopt."}
        ],
    )
    alice_page.get_by_label("What changed").fill("Second reading")
    alice_page.get_by_role("button", name="Add the version").click()
    analyse_pending()
    alice_page.reload()
    expect(alice_page.get_by_role("cell", name="Second reading")).to_be_visible()
    expect(alice_page.locator(".prose h1")).to_have_text("Ordre v2")

    with alice_page.expect_download() as download_info:
        alice_page.get_by_role("link", name="Download", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "ordre du jour.md"
    with open(download.path(), "rb") as file:
        assert file.read() == b"# Ordre v2\n\nAdopt."

    carol_page = new_page(locale="en-US")
    sign_in_english(carol_page, "carol")
    assert carol_page.goto(document_url).status == 200

    alice_page.get_by_label("the group's animators only").check()
    alice_page.get_by_role("button", name="Save who may see it").click()
    expect(alice_page.get_by_text("Restricted to the group's animators.")).to_be_visible()
    axe_check(alice_page)

    assert carol_page.request.get(document_url).status == 404  # not a page load: no console error
    assert carol_page.request.get(document_url + "file/").status == 404
    carol_page.goto(f"/groups/{library.slug}/documents/")
    expect(carol_page.get_by_role("link", name="ordre du jour.md")).to_have_count(0)
    expect(carol_page.get_by_role("link", name="plan.png")).to_be_visible()
    axe_check(carol_page)
