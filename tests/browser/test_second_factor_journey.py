"""Browser journey: a staff member required to use a second factor enrols an
authenticator app by keyboard (the QR code drawn by the site, the key in text), keeps
the recovery codes, signs out, and signs in again with a recovery code. Each page is
checked with axe."""

import base64
import re

from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from tests.logscan import secret_used


def totp_now(secret_text: str) -> str:
    from django_otp.oath import TOTP

    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_load_state()


def test_staff_enrol_then_sign_in_with_a_recovery_code(
    transactional_db, settings, new_page, axe_check
):
    settings.TRANSVERSE_STAFF_REQUIRE_OTP = True
    UserFactory(username="chef", is_staff=True, is_superuser=True)
    page = new_page(locale="en-GB")
    sign_in(page, "chef")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/enrol/$"))
    expect(page.locator("figure.otp-qr svg")).to_be_visible()
    axe_check(page)

    secret = page.locator("#otp-secret").inner_text()
    secret_used(secret.replace(" ", ""))
    page.goto("/people/")  # nothing else opens before the second factor
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/enrol/$"))
    code = page.get_by_label("Code")
    code.focus()
    page.keyboard.type(totp_now(secret))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").locator("code")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text()
    axe_check(page)

    page.locator(".account-menu summary").click()  # sign-out is in the account menu
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()
    sign_in(page, "chef")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/$"))
    axe_check(page)
    page.get_by_label("Code").fill(recovery)
    page.get_by_label("Code").press("Enter")
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/people/$"))
