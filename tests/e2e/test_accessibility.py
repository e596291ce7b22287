"""axe-core finds no WCAG 2.2 AA problem on public pages; no page logs an error (CSP included)."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
PAGES = [
    "/",
    "/account/signup/",
    "/account/login/",
    "/account/password/reset/",
    "/accessibility",
    "/privacy",
    "/cookies",
    "/contact",
    "/complaints/",
    "/information-requests/",
    "/data/",
    "/no-such-page",
]


@pytest.fixture(scope="module")
def axe():
    return Axe()


def assert_no_violations(axe, page):
    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}"
        for v in violations
    )
    assert not violations, f"{page.url}\n{report}"


class TestAxe:
    @pytest.mark.parametrize("path", PAGES)
    def test_page_has_no_violations_or_console_errors(
        self, page, axe, console_errors, screenshot, path
    ):
        page.goto(path)
        screenshot("page" + (path.rstrip("/").replace("/", "-") or "-home"))
        assert page.locator("h1").count() == 1
        assert_no_violations(axe, page)
        assert console_errors == []

    def test_sign_up_with_errors_has_no_violations(self, page, axe, console_errors, screenshot):
        page.goto("/account/signup/")
        page.get_by_role("button", name="Create account").click()
        assert page.title().startswith("Error: ")
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        screenshot("signup-errors")
        assert_no_violations(axe, page)
        assert console_errors == []

    def test_error_summary_is_focused_and_links_to_the_field(self, page, console_errors):
        page.goto("/account/signup/")
        page.get_by_role("button", name="Create account").click()
        # GOV.UK Frontend moves focus to the summary so that screen readers announce it.
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Enter your email address"
        ).click()
        expect(page.locator("#id_email")).to_be_focused()
        assert console_errors == []


class TestAxeSignedIn:
    def test_account_management_pages_have_no_violations(
        self, page, axe, console_errors, screenshot
    ):
        user = UserFactory()
        page.goto("/account/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        # Setting up an authenticator asks for the password again first.
        page.goto("/account/2fa/totp/activate/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
        screenshot("manage-reauthenticate")
        assert_no_violations(axe, page)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
        screenshot("manage-totp-activate")
        assert_no_violations(axe, page)
        page.get_by_role("button", name="Turn on two-step sign in").click()
        assert page.title().startswith("Error: ")
        screenshot("manage-totp-activate-error")
        assert_no_violations(axe, page)

        for path in [
            "/account/email/",
            "/account/password/change/",
            "/account/2fa/",
            "/account/logout/",
        ]:
            page.goto(path)
            screenshot("manage" + path.rstrip("/").replace("/", "-"))
            assert_no_violations(axe, page)
        assert console_errors == []

    def test_two_step_sign_in_pages_have_no_violations(self, page, axe, console_errors, screenshot):
        user = UserFactory()
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
        page.goto("/account/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
        page.get_by_role("button", name="Continue").click()
        assert page.title().startswith("Error: ")
        screenshot("mfa-authenticate-error")
        assert_no_violations(axe, page)

        counters = list(yield_hotp_counters_from_time())
        code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
        page.get_by_label("Security code").fill(code)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

        page.goto("/account/reauthenticate/?next=/account/2fa/recovery-codes/")
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Continue").click()
        for path in [
            "/account/2fa/",
            "/account/2fa/recovery-codes/",
            "/account/2fa/recovery-codes/generate/",
            "/account/2fa/totp/deactivate/",
        ]:
            page.goto(path)
            assert page.locator("h1").count() == 1
            screenshot("mfa" + path.rstrip("/").replace("/account/2fa", "").replace("/", "-"))
            assert_no_violations(axe, page)
        assert console_errors == []
