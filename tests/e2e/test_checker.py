"""The checker in headless Chromium: every outcome walked, axe-core on every page it shows."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from phso.management.commands.seed_demo import seed_directories, seed_postcodes

pytestmark = pytest.mark.e2e

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
TODAY = datetime.date.today()
RECENT = TODAY - datetime.timedelta(days=60)
LATE = TODAY - datetime.timedelta(days=900)


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def demo_directory(transactional_db):
    """The sample organisations, constituencies, MPs and postcodes that `make run` loads."""
    seed_directories()
    seed_postcodes()


@pytest.fixture
def check(page, axe, screenshot, console_errors):
    """Look at the page as a person would: one h1, a screenshot, no axe violations or errors."""

    def run(name, heading=None):
        h1 = page.get_by_role("heading", level=1)
        expect(h1).to_have_count(1)
        if heading:
            expect(h1).to_have_text(heading)
        screenshot(f"checker-{name}")
        results = axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}"
            for v in violations
        )
        assert not violations, f"{page.url}\n{report}"
        assert console_errors == []

    return run


def choose(page, label):
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Continue").click()


def enter_date(page, day):
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Continue").click()


def start(page):
    page.goto("/complaints/")
    page.get_by_role("button", name="Start now").click()


class TestCheckerJourneys:
    def test_nhs_ready_with_errors_on_the_way(self, page, check, demo_directory):
        start(page)
        check("organisation-type", "What do you want to complain about?")
        page.get_by_role("button", name="Continue").click()
        assert page.title().startswith("Error: ")
        # GOV.UK Frontend focuses the summary, and its link takes you to the first radio.
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        check("organisation-type-error")
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Select what you want to complain about"
        ).click()
        expect(page.locator("#id_organisation_type_0")).to_be_focused()
        choose(page, "The NHS in England")

        check("organisation", "Which organisation do you want to complain about?")
        page.get_by_label("Name, town or ODS code of the organisation").fill("leeds")
        page.get_by_role("button", name="Search").click()
        check("organisation-results")
        choose(page, "Leeds Teaching Hospitals NHS Trust")

        check("complained", "Have you complained to Leeds Teaching Hospitals NHS Trust?")
        choose(page, "Yes, and I have had its final response")

        check("aware", "When did you first find out about the problem?")
        enter_date(page, TODAY + datetime.timedelta(days=3))
        expect(page.locator(".govuk-error-summary")).to_contain_text("must be today or in the past")
        check("aware-error-future")
        page.get_by_label("Day").fill("31")
        page.get_by_label("Month").fill("2")
        page.get_by_label("Year").fill("2024")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
        enter_date(page, RECENT)

        check("outcome-ready", "You can complain to us")
        expect(page.get_by_role("button", name="Create an account")).to_be_visible()
        page.get_by_role("link", name="Back").click()
        expect(page.get_by_label("Day")).to_have_value(str(RECENT.day))

    def test_nhs_late_after_six_months_without_a_response(self, page, check, demo_directory):
        start(page)
        choose(page, "The NHS in England")
        page.get_by_role("button", name="Skip this question").click()
        check("complained-unnamed", "Have you complained to the organisation?")
        choose(page, "Yes, but I have not had its final response")
        check("waited", "Did you complain more than 6 months ago?")
        page.get_by_role("button", name="Continue").click()
        check("waited-error")
        choose(page, "Yes")
        enter_date(page, LATE)

        check("late-reason", "Why did it take more than 12 months to complain?")
        reason = page.get_by_label("Why did it take more than 12 months to complain?")
        reason.fill("x" * 1001)
        # With JavaScript, the character count says how far over the limit the text is.
        expect(page.locator(".govuk-character-count__status")).to_contain_text(
            "1 character too many"
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Reason must be 1,000 characters or fewer"
        )
        check("late-reason-error")
        reason.fill("I was waiting for the hospital to reply, and then I was unwell.")
        page.get_by_role("button", name="Continue").click()

        check("outcome-ready-late", "You may be able to complain to us")
        expect(page.locator(".govuk-warning-text")).to_contain_text("more than 12 months ago")

    def test_complain_to_the_organisation_first_with_a_letter(self, page, check, demo_directory):
        start(page)
        choose(page, "The NHS in England")
        page.get_by_role("button", name="Skip this question").click()
        choose(page, "No")

        check("outcome-complain-first", "Complain to the organisation first")
        expect(page.locator(".app-letter")).to_contain_text("NHS complaints procedure")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the letter as plain text (.txt)").click()
        assert download.value.suggested_filename == "complaint-letter.txt"
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the letter as a Word document (.docx)").click()
        assert download.value.suggested_filename == "complaint-letter.docx"
        # On a phone the letter wraps inside its box rather than running off the screen.
        page.set_viewport_size({"width": 375, "height": 800})
        check("outcome-complain-first-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

    def test_government_body_must_finish_its_process(self, page, check, demo_directory):
        start(page)
        choose(page, "A UK government department or public body")
        page.get_by_label("Name of the department or public body").fill("HMRC")
        page.get_by_role("button", name="Search").click()
        choose(page, "HM Revenue and Customs")
        choose(page, "Yes, but I have not had its final response")

        check("outcome-finish-complaint", "Get a final response from HM Revenue and Customs first")
        expect(page.get_by_role("link", name="Adjudicator’s Office").first).to_be_visible()

    @pytest.mark.parametrize(
        ("organisation_type", "nation", "heading"),
        [
            (
                "A council or adult social care",
                None,
                "The Local Government and Social Care Ombudsman can help",
            ),
            (
                "The NHS in Scotland, Wales or Northern Ireland",
                "Scotland",
                "The Scottish Public Services Ombudsman can help",
            ),
            (
                "The NHS in Scotland, Wales or Northern Ireland",
                "Wales",
                "The Public Services Ombudsman for Wales can help",
            ),
            (
                "The NHS in Scotland, Wales or Northern Ireland",
                "Northern Ireland",
                "The Northern Ireland Public Services Ombudsman can help",
            ),
            ("The police", None, "Complain to the police force"),
            ("A court or tribunal", None, "Complain to HM Courts & Tribunals Service"),
            (
                "Private healthcare you paid for yourself",
                None,
                "Complain to the healthcare provider",
            ),
            ("Something else", None, "Citizens Advice can tell you who can help"),
        ],
    )
    def test_another_body_can_help(self, page, check, organisation_type, nation, heading):
        start(page)
        choose(page, organisation_type)
        if nation:
            check("nation", "Where is the NHS service you want to complain about?")
            choose(page, nation)
        slug = re.sub(r"[^a-z]+", "-", heading.lower()).strip("-")
        check(f"outcome-other-{slug}", heading)

    def test_ask_your_mp_found_by_postcode(self, page, check, demo_directory):
        start(page)
        choose(page, "A UK government department or public body")
        page.get_by_role("button", name="Skip this question").click()
        choose(page, "Yes, and I have had its final response")
        enter_date(page, RECENT)

        check("postcode", "An MP needs to send us your complaint")
        page.get_by_label("Your postcode").fill("SW1A-1AA")
        page.get_by_role("button", name="Find my MP").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real postcode")
        check("postcode-error")
        page.get_by_label("Your postcode").fill("pr7 1dp")
        page.get_by_role("button", name="Find my MP").click()

        check("outcome-ask-mp", "Ask your MP to send your complaint to us")
        expect(page.locator(".govuk-summary-list")).to_contain_text("Sir Lindsay Hoyle")
        expect(page.locator(".app-letter")).to_contain_text("Dear Sir Lindsay Hoyle,")

    def test_ask_your_mp_chosen_from_the_constituencies(self, page, check, demo_directory):
        start(page)
        choose(page, "A UK government department or public body")
        page.get_by_role("button", name="Skip this question").click()
        choose(page, "Yes, and I have had its final response")
        enter_date(page, RECENT)
        page.get_by_label("Your postcode").fill("B33 8TH")
        page.get_by_role("button", name="Find my MP").click()

        check("constituency", "Choose your constituency")
        expect(page.locator(".govuk-inset-text")).to_contain_text("could not find the constituency")
        page.get_by_label("Name of your constituency").fill("b")
        page.get_by_role("button", name="Search").click()
        check("constituency-error")
        page.get_by_label("Name of your constituency").fill("belfast")
        page.get_by_role("button", name="Search").click()
        check("constituency-results")
        choose(page, "Belfast East")

        check("outcome-ask-mp-chosen", "Ask your MP to send your complaint to us")
        expect(page.locator(".govuk-summary-list")).to_contain_text("Gavin Robinson")

    def test_start_again(self, page, check):
        start(page)
        choose(page, "The police")
        page.get_by_role("button", name="Start again").click()

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "What do you want to complain about?"
        )
        expect(page.get_by_label("The police", exact=True)).not_to_be_checked()


class TestWithoutJavaScript:
    def test_a_whole_check_works(self, browser, live_server, demo_directory):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        page = context.new_page()
        try:
            start(page)
            choose(page, "The NHS in England")
            page.get_by_label("Name, town or ODS code of the organisation").fill("RR8")
            page.get_by_role("button", name="Search").click()
            choose(page, "Leeds Teaching Hospitals NHS Trust")
            choose(page, "Yes, and I have had its final response")
            enter_date(page, LATE)
            page.get_by_label("Why did it take more than 12 months to complain?").fill("Unwell")
            page.get_by_role("button", name="Continue").click()

            expect(page.get_by_role("heading", level=1)).to_have_text(
                "You may be able to complain to us"
            )
        finally:
            context.close()
