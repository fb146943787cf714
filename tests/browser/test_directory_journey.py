"""Browser journey: an agent signs in with the directory account and finds their department.

Runs in French against the live server and the real test slapd (tests/directory), checks
each page with axe, and fails on console errors or CSP violations.
"""

import pytest
from playwright.sync_api import expect

from tests.directory.conftest import (  # noqa: F401 (fixtures shared with the directory tests)
    directory_settings,
    pristine_slapd,
    slapd_server,
)


@pytest.fixture
def directory(slapd_server, directory_settings, transactional_db):  # noqa: F811
    return directory_settings(slapd_server)


def test_directory_agent_signs_in_and_sees_their_department(directory, page, sign_in, axe_check):
    page.goto("/accounts/login/")
    axe_check(page)
    sign_in(page, "fndiaye", "pw-fndiaye")
    expect(page).not_to_have_url("/accounts/login/")

    page.goto("/people/fndiaye/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatou N'Diaye")
    breadcrumb = page.get_by_role("navigation", name="Rattachement")
    expect(breadcrumb).to_contain_text("Direction des ressources humaines")
    axe_check(page)

    breadcrumb.get_by_role("link", name="Bureau d'études et de la formation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bureau d'études et de la formation")
    expect(page.locator(".cards")).to_contain_text("Fatou N'Diaye")
    axe_check(page)


def test_wrong_directory_password_shows_the_generic_message(directory, page, sign_in):
    sign_in(page, "fndiaye", "not-her-password")
    expect(page).to_have_url("/accounts/login/")
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.context.cookies() == [] or all(
        c["name"] != "sessionid" for c in page.context.cookies()
    )
