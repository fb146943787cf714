"""Browser journey: an agent asks for their data from their profile and downloads it.

alice opens her profile, follows the link to her personal data, asks for an export by
keyboard; the worker's job runs (here and now); the page then offers the zip, which she
downloads. Staff's page for an agent (counts, anonymise, erase) is checked with axe too.
"""

import json
import zipfile

from playwright.sync_api import expect

from intranet.accounts.models import User
from intranet.privacy import services
from intranet.privacy.models import DataExport
from intranet.stream.services import posts
from tests.factories import PASSWORD, UserFactory


def test_agent_asks_for_and_downloads_their_data(
    transactional_db, settings, tmp_path, new_page, sign_in, axe_check
):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/nowhere/"},
        },
    }
    alice = UserFactory(username="alice", first_name="Alice", last_name="Lefèvre")
    UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    posts.post_create(alice, body="zqxjourney post", visibility="organisation")
    page = new_page()
    sign_in(page, "alice", PASSWORD)

    page.goto("/people/alice/")
    page.locator("a[href='/my-data/']").click()
    expect(page).to_have_url(f"{page.url.split('/my-data/')[0]}/my-data/")
    axe_check(page)
    ask = page.locator("form[action='/my-data/export/'] button")
    ask.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("table")).to_be_visible()  # the export, being prepared
    export = DataExport.objects.get(agent=alice)
    services.export_build(export.pk)  # what the worker does

    page.reload()
    link = page.locator(f"a[href='/my-data/exports/{export.pk}/download/']")
    expect(link).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        link.click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        rows = json.loads(archive.read("stream/posts.json"))
    assert [row["body"] for row in rows] == ["zqxjourney post"]

    User.objects.filter(pk=alice.pk).update(is_active=False)
    staff = new_page()
    sign_in(staff, "siteadmin", PASSWORD)
    staff.goto(f"/my-data/agents/{alice.pk}/")
    expect(staff.locator(f"form[action='/my-data/agents/{alice.pk}/erase/']")).to_be_visible()
    axe_check(staff)
