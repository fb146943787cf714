# ruff: noqa: F811 (the provider fixtures are imported from tests/proconnect/conftest.py)
"""ProConnect in a browser: the button, the round trip through a real OpenID provider
(tests/proconnect/provider.py, another process), sign-out through it, the refusal page;
axe on the pages ProConnect adds."""

import pytest

from intranet.proconnect.models import Identity
from tests.factories import UserFactory
from tests.proconnect.conftest import provider, provider_process  # noqa: F401 (fixtures)
from tests.proconnect.test_flows import CLAIMS

pytestmark = pytest.mark.browser


@pytest.fixture
def csp_allows_proconnect(settings, provider):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], provider.base]}
    }


def test_sign_in_and_out_through_proconnect(
    new_page,
    live_site,
    provider,
    csp_allows_proconnect,
    axe_check,
):
    agent = UserFactory(username="alice", first_name="Alice", last_name="Lefèvre")
    Identity.objects.create(user=agent, sub=CLAIMS["sub"])
    provider.agent(**CLAIMS)
    page = new_page(locale="en-GB")
    page.goto("/accounts/login/")
    axe_check(page)
    page.get_by_role("link", name="Sign in with ProConnect").click()
    page.wait_for_url(f"{live_site.url}/")
    page.locator(".account-menu summary").click()  # sign-out is in the account menu
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_site.url}/accounts/login/")
    ended = [e for e in provider.log() if e["endpoint"] == "session/end"]
    assert ended and ended[-1]["id_token_hint"]
    assert page.get_by_role("link", name="Sign in with ProConnect").is_visible()


def test_unknown_agent_sees_why(new_page, live_site, provider, axe_check):
    provider.agent(**{**CLAIMS, "sub": "nobody-here"})
    page = new_page(locale="en-GB")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with ProConnect").click()
    page.wait_for_url(f"{live_site.url}/accounts/proconnect/refused/")
    assert page.get_by_role("heading", name="ProConnect sign-in refused").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Back to the sign-in page").click()
    page.wait_for_url(f"{live_site.url}/accounts/login/")
