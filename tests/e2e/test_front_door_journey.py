"""One person from the front door to a withdrawn complaint: the checker, the guided form with the
final response letter uploaded on its page, an account, sending, signing out and back in, the
case and its timeline, a message, and withdrawal. axe-core checks each page on the way."""

# ruff: noqa: F811

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from casework.models import Case, Document, DocumentStatus, Message
from casework.state import CaseStatus
from phso.management.commands.seed_demo import seed_directories, seed_postcodes
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    clamd,
    clamd_settings,
    evidence_storage,
    pdf_bytes,
)
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_complaint_form import choose, enter_date, fill, open_task, save_and_continue
from tests.e2e.test_evidence_upload import wait_until_ready

pytestmark = pytest.mark.e2e

TODAY = datetime.date.today()
EMAIL = "joan.price@example.org"
PASSWORD = "harbour-lamp-violet-73"


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def demo_directory(transactional_db):
    seed_directories()
    seed_postcodes()


@pytest.fixture
def letter(tmp_path):
    path = tmp_path / "Final response letter.pdf"
    path.write_bytes(pdf_bytes("Our final response to your complaint about the ward"))
    return path


@pytest.fixture
def check(page, axe, screenshot, console_errors):
    """One h1 with this text, a screenshot, no axe-core violations and no console errors."""
    seen = []

    def run(name, heading):
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(heading)))
        seen.append(name)
        screenshot(f"front-door-{len(seen):02d}-{name}")
        assert_no_violations(axe, page)
        assert console_errors == []

    return run


def sign_in(page):
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


class TestFrontDoorJourney:
    def test_checker_to_form_to_account_to_withdrawal(
        self, page, check, demo_directory, clamd_settings, letter
    ):
        # The checker ends at "You can complain to us".
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
        found_out_on = TODAY - datetime.timedelta(days=60)
        page.get_by_label("Day").fill(str(found_out_on.day))
        page.get_by_label("Month").fill(str(found_out_on.month))
        page.get_by_label("Year").fill(str(found_out_on.year))
        page.get_by_role("button", name="Continue").click()
        check("checker-ready", "You can complain to us")
        page.get_by_role("button", name="Start your complaint").click()
        check("start", "Make your complaint online")
        page.get_by_role("button", name="Start your complaint").click()
        check("task-list", "Make your complaint")

        # Every section of the form.
        open_task(page, "About you")
        fill(page, "What is your full name?", "Joan Price")
        fill(page, "What is your email address?", EMAIL)
        save_and_continue(page)  # phone is optional
        fill(page, "What is your postcode?", "GU14 7JU")
        page.get_by_label("Address line 1").fill("2 Queens Road")
        page.get_by_label("Town or city").fill("Farnborough")
        save_and_continue(page)
        enter_date(page, datetime.date(1961, 2, 14))

        open_task(page, "Who the complaint is about")
        choose(page, "No")
        save_and_continue(page)  # the NHS number is optional

        open_task(page, "The organisations you are complaining about")
        save_and_continue(page)

        open_task(page, "What happened")
        fill(page, "What happened?", "I waited nine hours on a trolley without pain relief.")
        enter_date(page, TODAY - datetime.timedelta(days=150))
        fill(page, "Where did it happen?", "The emergency department at Leeds General Infirmary")

        open_task(page, "How it affected you and what you want")
        fill(page, "How has this affected you?", "I was in pain and could not sleep for days.")
        fill(page, "What would you like to happen to put things right?", "An apology.")

        open_task(page, "Your complaint to the organisation")
        enter_date(page, TODAY - datetime.timedelta(days=120))
        choose(page, "Yes")
        check("final-response-date", "When did you get the final response?")
        expect(page.locator("#files")).to_contain_text("after you sign in")
        enter_date(page, TODAY - datetime.timedelta(days=60))

        open_task(page, "Documents and photos")
        choose(page, "No")

        open_task(page, "How we contact you")
        choose(page, "Email")
        page.get_by_label("No, I do not need any changes").check()
        save_and_continue(page)

        open_task(page, "Equality monitoring questions")
        for _ in range(4):
            choose(page, "Prefer not to say")

        open_task(page, "Check your answers and send your complaint")
        check("check-answers", "Check your answers before sending your complaint")

        # An account, confirmed by email, then signed in.
        page.get_by_role("button", name="Create an account").click()
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Create a password").fill(PASSWORD)
        page.get_by_label("Confirm your password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        [confirmation] = [m for m in mail.outbox if m.to == [EMAIL]]
        link = re.search(r"https?://\S+/account/confirm-email/\S+", confirmation.body).group(0)
        page.goto(link)
        page.get_by_role("button", name="Confirm email address").click()
        sign_in(page)
        if "check-your-answers" not in page.url:
            page.get_by_role("navigation", name="Menu").get_by_role(
                "link", name="Make a complaint"
            ).click()
            page.get_by_role("link", name="your draft complaints").click()
            page.get_by_role("link", name=re.compile("^Continue")).click()
            # Resuming returns to where the person was going next: the task list.
            open_task(page, "Check your answers and send your complaint")
        check("check-answers-signed-in", "Check your answers before sending your complaint")

        # Signed in, the final response letter is uploaded on its own page of the form.
        check_url = page.url
        page.goto(check_url.replace("check-your-answers", "final-response-date?change=1"))
        page.locator("#files input[type=file]").set_input_files(letter)
        page.get_by_role("button", name="Upload files", exact=True).click()
        expect(page.locator("#files")).to_contain_text("Final response letter.pdf")
        wait_until_ready(page, 1)
        check("final-response-uploaded", "When did you get the final response?")
        page.get_by_role("button", name="Save and go back to check your answers").click()
        expect(page.locator("#uploaded-files")).to_contain_text("Final response letter.pdf")
        page.get_by_role("button", name="Send complaint").click()
        check("sent", "Complaint sent")
        case = Case.objects.get()
        document = Document.objects.get()
        assert (document.case_id, document.status) == (case.pk, DocumentStatus.CLEAN)

        # Signed out, then back in: the case, its timeline and the letter are there.
        page.goto("/account/logout/")
        page.locator("main").get_by_role("button", name="Sign out").click()
        page.goto("/account/login/")
        sign_in(page)
        page.wait_for_url("**/your-account/**")
        check("your-account", "Your account")
        page.get_by_role("link", name="Your complaints").click()
        check("your-complaints", "Your complaints")
        page.get_by_role("link", name=case.reference).click()
        expect(page.locator(".app-progress")).to_contain_text("We received your complaint")
        check("case", case.reference)
        page.goto(f"/complaints/cases/{case.reference}/evidence")
        expect(page.get_by_role("link", name="Final response letter.pdf")).to_be_visible()
        check("evidence", "Send evidence")
        page.goto(f"/complaints/cases/{case.reference}")

        # A message to the caseworker.
        page.get_by_role("link", name="Messages with your caseworker").click()
        page.get_by_label("Send a message to your caseworker").fill("I have more letters.")
        page.get_by_role("button", name="Send message").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your message has been sent"
        )
        check("message-sent", "Messages")
        assert Message.objects.filter(case=case).count() == 1

        # Withdrawal, confirmed.
        page.goto(f"/complaints/cases/{case.reference}")
        page.get_by_role("link", name="Withdraw your complaint").click()
        page.get_by_label("Yes, withdraw my complaint").check()
        check("withdraw", "Are you sure you want to withdraw your complaint?")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "You have withdrawn your complaint"
        )
        expect(page.locator("main .govuk-tag").first).to_have_text("Withdrawn")
        check("withdrawn", case.reference)
        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN
