"""The complaint form in headless Chromium: a new person goes from the checker to a sent complaint.

Every page on the way is looked at as a person would: one h1, a screenshot, and no axe-core
violations (WCAG 2.2 AA) or console errors, including Content Security Policy reports.
"""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from casework.models import Case
from complaints.models import ComplaintDetails
from phso.management.commands.seed_demo import seed_directories, seed_postcodes
from tests.e2e.conftest import RESULTS_DIR
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
TODAY = datetime.date.today()
PASSWORD = "river-cloud-pencil-42"
EMAIL = "amira.khan@example.org"
WHAT_HAPPENED = (
    "My mother was not given her heart medicine for two days on ward 4. قالت الممرضة إنها ستعود 💊"
)


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
    """One h1 (with this text, if given), a screenshot, no axe violations and no console errors."""
    seen = []

    def run(name, heading=None):
        h1 = page.get_by_role("heading", level=1)
        expect(h1).to_have_count(1)
        if heading:
            expect(h1).to_have_text(re.compile(re.escape(heading)))
        seen.append(name)
        screenshot(f"complaint-form-{len(seen):02d}-{name}")
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in violations
        )
        assert not violations, f"{page.url}\n{report}"
        assert console_errors == []

    return run


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()


def choose(page, label, *, exact=True):
    page.get_by_label(label, exact=exact).check()
    save_and_continue(page)


def fill(page, label, value):
    page.get_by_label(label, exact=True).fill(value)
    save_and_continue(page)


def enter_date(page, day):
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    save_and_continue(page)


def open_task(page, name):
    page.get_by_role("link", name=name, exact=True).click()


def status_of(page, name):
    item = page.locator(".govuk-task-list__item", has_text=name)
    return item.locator(".govuk-task-list__status").inner_text().strip()


class TestComplaintJourney:
    def test_a_new_person_sends_a_complaint_from_the_checker(self, page, check, demo_directory):
        # The checker: an NHS complaint with a final response, found out about recently.
        page.goto("/complaints/")
        page.get_by_role("button", name="Start now").click()
        page.get_by_label("The NHS in England", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Name, town or ODS code of the organisation").fill("leeds")
        page.get_by_role("button", name="Search").click()
        page.get_by_label("Leeds Teaching Hospitals NHS Trust", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Yes, and I have had its final response", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        recent = TODAY - datetime.timedelta(days=90)
        page.get_by_label("Day").fill(str(recent.day))
        page.get_by_label("Month").fill(str(recent.month))
        page.get_by_label("Year").fill(str(recent.year))
        page.get_by_role("button", name="Continue").click()
        check("checker-ready", "You can complain to us")
        page.get_by_role("button", name="Start your complaint").click()

        check("start", "Make your complaint online")
        expect(page.get_by_text("We have kept your answers about the organisation")).to_be_visible()
        page.get_by_role("button", name="Start your complaint").click()

        check("task-list-new", "Make your complaint")
        assert status_of(page, "What your complaint is about") == "Completed"
        assert status_of(page, "About you") == "Incomplete"
        assert status_of(page, "Check your answers and send your complaint") == "Cannot start yet"

        # About you, with one mistake put right on the way.
        open_task(page, "About you")
        check("name", "What is your full name?")
        save_and_continue(page)
        assert page.title().startswith("Error: ")
        check("name-error")
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Enter your full name"
        ).click()
        expect(page.locator("#id_full_name")).to_be_focused()
        fill(page, "What is your full name?", "Amira Khan")
        check("email", "What is your email address?")
        fill(page, "What is your email address?", EMAIL)
        check("phone", "What is your phone number? (optional)")
        fill(page, "What is your phone number? (optional)", "07700 900 982")
        check("postcode", "What is your postcode?")
        fill(page, "What is your postcode?", "gu14 7ju")
        check("address", "What is your address?")
        expect(page.get_by_text("GU14 7JU", exact=True)).to_be_visible()
        page.get_by_label("Address line 1").fill("1 Queens Road")
        page.get_by_label("Town or city").fill("Farnborough")
        save_and_continue(page)
        check("date-of-birth", "What is your date of birth?")
        enter_date(page, datetime.date(1978, 11, 3))

        check("task-list-about-you-done")
        assert status_of(page, "About you") == "Completed"

        # Who the complaint is about: the person's mother.
        open_task(page, "Who the complaint is about")
        check("for-someone-else", "Are you complaining for someone else?")
        choose(page, "Yes")
        check("their-name", "What is the full name of the person you are complaining for?")
        fill(page, "What is the full name of the person you are complaining for?", "Rose Khan")
        check("relationship", "What is your relationship to Rose Khan?")
        fill(page, "What is your relationship to Rose Khan?", "Daughter")
        check("authority", "Do you have Rose Khan’s consent")
        choose(page, "Yes, they have agreed to me complaining for them")
        check("nhs-number", "What is Rose Khan’s NHS number? (optional)")
        fill(page, "What is Rose Khan’s NHS number? (optional)", "943 476 5919")

        # Organisations: the checker's choice is kept; add another through the directory search.
        open_task(page, "The organisations you are complaining about")
        check("organisations", "Which organisations are you complaining about?")
        expect(page.get_by_role("term")).to_have_text(["Leeds Teaching Hospitals NHS Trust"])
        page.get_by_role("button", name="Search for an organisation").click()
        check("directory-search", "Find the organisation")
        page.get_by_label("Name, town or ODS code of the organisation").fill("Densham")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("button", name="Choose The Densham Surgery").click()
        check("organisations-picked")
        page.get_by_role("button", name="Add The Densham Surgery").click()
        check("organisations-two")
        expect(page.locator(".govuk-summary-list__row")).to_have_count(2)
        save_and_continue(page)

        # What happened.
        open_task(page, "What happened")
        check("what-happened", "What happened?")
        fill(page, "What happened?", WHAT_HAPPENED)
        check("when", "When did it happen?")
        enter_date(page, TODAY - datetime.timedelta(days=120))
        check("where", "Where did it happen?")
        fill(page, "Where did it happen?", "Ward 4, St James’s University Hospital")

        open_task(page, "How it affected you and what you want")
        check("impact", "How has this affected Rose Khan or you?")
        fill(page, "How has this affected Rose Khan or you?", "She was in pain and frightened.")
        check("remedy", "What would you like to happen to put things right?")
        fill(
            page,
            "What would you like to happen to put things right?",
            "An apology and better checks.",
        )

        open_task(page, "Your complaint to the organisation")
        check("complained-on", "When did you complain to the organisation?")
        enter_date(page, TODAY - datetime.timedelta(days=100))
        check("final-response", "Have you had a final response from the organisation?")
        choose(page, "Yes")
        check("final-response-date", "When did you get the final response?")
        enter_date(page, TODAY - datetime.timedelta(days=30))

        open_task(page, "Documents and photos")
        check("evidence", "Documents and photos")
        choose(page, "Yes")

        open_task(page, "How we contact you")
        check("contact", "How would you like us to contact you?")
        choose(page, "Email")
        check("adjustments", "Do you need us to make any changes to how we contact you?")
        page.get_by_label("Another language", exact=True).check()
        page.get_by_label("Which language?").fill("Urdu")
        save_and_continue(page)

        open_task(page, "Equality monitoring questions")
        check("age", "What is your age?")
        page.get_by_role("group").get_by_text("Why we ask this question").click()
        choose(page, "45 to 54")
        check("sex", "What is your sex?")
        choose(page, "Prefer not to say")
        check("ethnic-group", "What is your ethnic group?")
        choose(page, "Asian or Asian British")
        check("disability", "Do you have any physical or mental health conditions")
        save_and_continue(page)  # optional: continue without answering

        check("task-list-complete", "Make your complaint")
        expect(page.get_by_text("You have completed every section")).to_be_visible()
        open_task(page, "Check your answers and send your complaint")

        check("check-answers", "Check your answers before sending your complaint")
        expect(page.get_by_text(WHAT_HAPPENED)).to_be_visible()
        page.get_by_role("link", name="Change phone number").click()
        check("change-phone", "What is your phone number? (optional)")
        page.get_by_label("What is your phone number? (optional)").fill("01632 960 001")
        page.get_by_role("button", name="Save and go back to check your answers").click()
        expect(page.get_by_text("01632 960 001")).to_be_visible()

        # Sending needs an account: create one, confirm the email, sign in, come back.
        page.get_by_role("button", name="Create an account").click()
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Create a password").fill(PASSWORD)
        page.get_by_label("Confirm your password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        [confirmation] = [m for m in mail.outbox if m.to == [EMAIL]]
        link = re.search(r"https?://\S+/account/confirm-email/\S+", confirmation.body).group(0)
        page.goto(link)
        page.get_by_role("button", name="Confirm email address").click()
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        if "check-your-answers" not in page.url:
            # Confirming an email address does not carry the way back, so the person finds
            # their draft from the complaints page; it joins their account when they open it.
            page.get_by_role("navigation", name="Menu").get_by_role(
                "link", name="Make a complaint"
            ).click()
            page.get_by_role("link", name="your draft complaints").click()
            check("drafts", "Your draft complaints")
            page.get_by_role("link", name=re.compile("^Continue")).click()

        check("check-answers-signed-in", "Check your answers before sending your complaint")
        page.get_by_role("button", name="Send complaint").click()

        check("sent", "Complaint sent")
        case = Case.objects.get()
        expect(page.locator(".govuk-panel__body")).to_contain_text(case.reference)
        expect(page.get_by_text("a consent form signed by Rose Khan")).to_be_visible()
        assert case.complainant.email == EMAIL
        assert case.summary == WHAT_HAPPENED
        assert case.organisations.count() == 2
        assert case.constituency.code == "E14001063"
        details = ComplaintDetails.objects.get(case=case)
        assert (details.phone, details.adjustment_language) == ("01632 960 001", "Urdu")
        acknowledgement = [m for m in mail.outbox if case.reference in m.subject]
        assert len(acknowledgement) == 1
        assert "medicine" not in acknowledgement[0].body


class TestSaveAndReturn:
    def test_someone_not_signed_in_saves_and_comes_back_by_email(
        self, browser, live_server, page, check, demo_directory
    ):
        page.goto("/complain/")
        page.get_by_role("button", name="Start your complaint").click()
        check("kind", "What is your complaint about?")
        choose(page, "A UK government department or public body")
        check("mp-referral", "An MP needs to send us your complaint")
        expect(page.get_by_role("button", name="Find your MP and get a letter")).to_be_visible()
        page.get_by_role("link", name="change what your complaint is about").click()
        choose(page, "The NHS in England")

        open_task(page, "The organisations you are complaining about")
        page.get_by_role("button", name="Save and continue").click()
        check("organisations-error")
        page.get_by_role("link", name="I cannot find the organisation").click()
        check("not-listed", "What is the name of the organisation?")
        page.get_by_label("What is the name of the organisation?").fill("Kendal Walk-in Centre")
        page.get_by_role("button", name="Add organisation").click()
        expect(page.get_by_role("term")).to_have_text(["Kendal Walk-in Centre"])
        page.get_by_role("button", name="Save and come back later").click()

        check("save", "Save your complaint and come back later")
        page.get_by_label("Email address").fill("not an email")
        page.get_by_role("button", name="Send me a link").click()
        check("save-error")
        page.get_by_label("Email address").fill("amira@example.org")
        page.get_by_role("button", name="Send me a link").click()
        check("save-sent", "Check your email")
        [message] = [m for m in mail.outbox if m.to == ["amira@example.org"]]
        # The email links to SITE_URL; the same path on the test server.
        link = re.search(r"https?://[^/\s]+(/complain/return/\S+)", message.body).group(1)

        # Another browser: the link asks first, then opens the draft where it was left.
        other = browser.new_context(base_url=live_server.url)
        elsewhere = other.new_page()
        elsewhere.goto(link)
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Continue your complaint")
        page.goto(link)
        check("return", "Continue your complaint")
        elsewhere.get_by_role("button", name="Continue your complaint").click()
        # Back at the same point: the organisations page, with the organisation named there.
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text(
            "Which organisations are you complaining about?"
        )
        expect(elsewhere.get_by_role("term")).to_have_text(["Kendal Walk-in Centre"])
        other.close()

        page.get_by_role("button", name="Continue your complaint").click()
        check("return-used", "This link has already been used")
        page.goto("/complain/return/not-a-token")
        check("return-unknown", "This link does not work")

    def test_a_signed_in_person_is_told_the_draft_is_in_their_account(
        self, page, check, demo_directory
    ):
        user = UserFactory(email="saved@example.org")
        page.goto("/account/login/?next=/complain/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Start your complaint").click()
        choose(page, "The NHS in England")
        open_task(page, "About you")
        page.get_by_role("button", name="Save and come back later").click()
        check("saved-signed-in", "Your complaint has been saved")
        page.get_by_role("link", name="your draft complaints").click()
        check("drafts-signed-in", "Your draft complaints")


class TestWithoutJavaScript:
    def test_questions_and_revealed_fields_work(
        self, browser, live_server, screenshot, demo_directory
    ):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        page = context.new_page()
        page.goto("/complain/")
        page.get_by_role("button", name="Start your complaint").click()
        choose(page, "The NHS in England")
        assert page.url.endswith("/")  # the task list
        page.goto(page.url + "adjustments")
        page.get_by_label("Another language", exact=True).check()
        # Without JavaScript the revealed field is always shown.
        page.get_by_label("Which language?").fill("Cymraeg")
        page.get_by_label("Large print", exact=True).check()
        save_and_continue(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Make your complaint")
        expect(
            page.locator(".govuk-task-list__item", has_text="How we contact you")
        ).to_contain_text("Incomplete")
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS_DIR / "complaint-form-no-js-task-list.png", full_page=True)
        context.close()
