"""axe-core finds no WCAG 2.2 AA problem on public pages; no page logs an error (CSP included)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

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
    def test_page_has_no_violations_or_console_errors(self, page, axe, console_errors, path):
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert_no_violations(axe, page)
        assert console_errors == []

    def test_sign_up_with_errors_has_no_violations(self, page, axe, console_errors, screenshot):
        page.goto("/account/signup/")
        page.get_by_role("button", name="Create account").click()
        assert page.title().startswith("Error: ")
        assert page.locator(".govuk-error-summary").is_visible()
        screenshot("signup-errors")
        assert_no_violations(axe, page)
        assert console_errors == []

    def test_error_summary_is_focused_and_links_to_the_field(self, page, console_errors):
        page.goto("/account/signup/")
        page.get_by_role("button", name="Create account").click()
        # GOV.UK Frontend moves focus to the summary so that screen readers announce it.
        assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Enter your email address"
        ).click()
        assert page.evaluate("document.activeElement.id") == "id_email"
        assert console_errors == []
