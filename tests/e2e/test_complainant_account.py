"""A complainant follows their complaint from their account: progress, messages, their needs,
withdrawal, and the survey once a complaint has ended. axe-core checks every page on the way."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from accounts.models import ContactPreferences, Organisation, OrganisationKind, Sector
from accounts.roles import Role
from casework.models import CaseKind, Message, MessageParty
from casework.services import case_create, case_transition, message_send
from casework.state import CaseAction, CaseStatus
from insight.models import CaseFeedback, YouSaidWeDid
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def people(transactional_db):
    complainant = UserFactory(roles=[Role.COMPLAINANT], full_name="Sam Patel")
    caseworker = UserFactory(roles=[Role.CASEWORKER])
    return complainant, caseworker


@pytest.fixture
def trust(transactional_db):
    return Organisation.objects.create(
        name="Leeds Teaching Hospitals NHS Trust",
        kind=OrganisationKind.NHS_TRUST,
        sector=Sector.HEALTH,
    )


def sign_in(page, user):
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/your-account/**")


def check(page, axe, screenshot, name, heading):
    """Every page on the journey: its one h1 (waited for, as links load the next page), no
    axe-core violations, and a screenshot to look at."""
    expect(page.locator("h1")).to_have_text(heading)
    screenshot(f"account-{name}")
    assert_no_violations(axe, page)


class TestComplainantAccount:
    def test_follow_message_adjust_and_withdraw(
        self, page, axe, console_errors, screenshot, people, trust
    ):
        complainant, caseworker = people
        case = case_create(
            kind=CaseKind.HEALTH,
            complainant=complainant,
            summary="My father was sent home from A&E without an X-ray.",
            organisations=[trust],
        )
        case_transition(case_id=case.pk, action=CaseAction.START_ASSESSMENT, actor=caseworker)

        sign_in(page, complainant)
        check(page, axe, screenshot, "01-your-account", "Your account")
        page.get_by_role("link", name="Your complaints").click()
        card = page.locator(".govuk-summary-card", has_text=case.reference)
        expect(card).to_contain_text("Leeds Teaching Hospitals NHS Trust")
        expect(card).to_contain_text("Being checked")
        check(page, axe, screenshot, "02-your-complaints", "Your complaints")

        page.get_by_role("link", name=case.reference).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(case.reference)
        main = page.locator("main")
        expect(main).to_contain_text("We are checking whether we can look into your complaint.")
        expect(main).to_contain_text("We aim to do this by")
        expect(page.locator(".app-progress")).to_contain_text("We started checking your complaint")
        expect(page.locator(".app-progress")).to_contain_text("We received your complaint")
        check(page, axe, screenshot, "03-case", case.reference)

        # A message to the caseworker: an empty one is an error first.
        page.get_by_role("link", name="Messages with your caseworker").click()
        expect(page.get_by_text("There are no messages about this complaint yet")).to_be_visible()
        page.get_by_role("button", name="Send message").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your message")
        check(page, axe, screenshot, "04-messages-error", "Messages")
        box = page.get_by_label("Send a message to your caseworker")
        box.fill("The discharge letter is dated 3 May.\nI can send it today.")
        expect(page.locator(".govuk-character-count__status")).to_contain_text(
            "characters remaining"
        )
        page.get_by_role("button", name="Send message").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your message has been sent"
        )
        expect(page.locator(".app-messages")).to_contain_text("I can send it today.")
        check(page, axe, screenshot, "05-message-sent", "Messages")

        # The caseworker replies; the email says only that a message is waiting, with a link.
        mail.outbox.clear()
        message_send(
            case=case,
            author=caseworker,
            party=MessageParty.COMPLAINANT,
            body="Thank you. Please upload the letter as evidence.",
            from_ombudsman=True,
        )
        [email] = [m for m in mail.outbox if "message" in m.subject.lower()]
        assert email.to == [complainant.email]
        assert "upload the letter" not in email.subject + email.body
        link = re.search(r"https?://\S+", email.body).group(0)
        page.goto(re.sub(r"^https?://[^/]+", "", link))
        reply = page.locator(".app-message--from-us")
        expect(reply).to_contain_text("Please upload the letter as evidence.")
        expect(reply.locator(".govuk-tag")).to_have_text("New")
        check(page, axe, screenshot, "06-reply", "Messages")
        assert Message.objects.get(from_ombudsman=True).read_at is not None

        # Reasonable adjustments, which the case page then says staff will see.
        page.get_by_role("link", name="Back to your complaint").click()
        page.get_by_role("link", name="Change your contact details or the changes you need").click()
        check(page, axe, screenshot, "07-your-details", "Your contact details and needs")
        page.get_by_role("link", name="Add phone number").click()
        check(page, axe, screenshot, "08-phone", "What is your phone number?")
        page.get_by_label("What is your phone number?").fill("0113 496 0000")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("link", name="Add address").click()
        page.get_by_label("Town or city").fill("Leeds")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter address line 1")
        check(page, axe, screenshot, "09-address-error", "What is your address?")
        page.get_by_label("Address line 1").fill("1 Park Row")
        page.get_by_label("Postcode").fill("ls1 5ab")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("link", name="Change how we contact you").click()
        check(page, axe, screenshot, "10-contact-method", "How should we contact you?")
        page.get_by_label("Phone").check()
        page.get_by_role("button", name="Save").click()
        page.get_by_role("link", name="Change the changes you need").click()
        page.get_by_label("Large print").check()
        page.get_by_label("Another language").check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter the language you need us to use"
        )
        check(
            page,
            axe,
            screenshot,
            "11-adjustments-error",
            "Do you need us to change how we communicate with you?",
        )
        page.get_by_label("Which language?").fill("Welsh")
        page.get_by_role("button", name="Save").click()
        summary = page.locator(".govuk-summary-list")
        expect(summary).to_contain_text("0113 496 0000")
        expect(summary).to_contain_text("LS1 5AB")
        expect(summary).to_contain_text("Information in Welsh")
        check(page, axe, screenshot, "12-your-details-saved", "Your contact details and needs")
        preferences = ContactPreferences.objects.get(user=complainant)
        assert preferences.contact_method == "phone" and preferences.large_print

        page.goto(f"/complaints/cases/{case.reference}")
        staff_see = page.locator("main")
        expect(staff_see).to_contain_text("Large print")
        expect(staff_see).to_contain_text("Information in Welsh")

        # Withdrawal, confirmed, with a reason.
        page.get_by_role("link", name="Withdraw your complaint").click()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Select yes if you want to withdraw your complaint"
        )
        page.get_by_label("Yes, withdraw my complaint").check()
        page.get_by_label("Why are you withdrawing your complaint? (optional)").fill(
            "The trust has apologised and changed its process."
        )
        withdraw_question = "Are you sure you want to withdraw your complaint?"
        check(page, axe, screenshot, "13-withdraw", withdraw_question)
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "You have withdrawn your complaint"
        )
        expect(page.locator("main .govuk-tag").first).to_have_text("Withdrawn")
        expect(page.locator(".app-progress")).to_contain_text("You withdrew your complaint")
        check(page, axe, screenshot, "14-withdrawn", case.reference)
        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN

        # Once withdrawn, the withdraw page explains why it cannot be done again.
        page.goto(f"/complaints/cases/{case.reference}/withdraw")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You cannot withdraw this complaint"
        )
        check(page, axe, screenshot, "15-withdraw-refused", "You cannot withdraw this complaint")

        # On a phone the list and the case page reflow rather than scroll sideways.
        page.set_viewport_size({"width": 375, "height": 812})
        for path, name, heading in (
            ("/complaints/cases/", "20-phone-your-complaints", "Your complaints"),
            (f"/complaints/cases/{case.reference}", "21-phone-case", case.reference),
        ):
            page.goto(path)
            check(page, axe, screenshot, name, heading)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert console_errors == []

    def test_survey_when_a_complaint_has_ended(
        self, page, axe, console_errors, screenshot, people, trust
    ):
        complainant, caseworker = people
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant, organisations=[trust])
        case_transition(case_id=case.pk, action=CaseAction.START_ASSESSMENT, actor=caseworker)
        case_transition(
            case_id=case.pk,
            action=CaseAction.MARK_OUT_OF_REMIT,
            actor=caseworker,
            reason="About a private clinic",
        )
        YouSaidWeDid.objects.create(
            you_said="You did not know how long each stage would take.",
            we_did="Each complaint's page now shows the next step and when we aim to finish it.",
            date=datetime.date(2026, 5, 1),
            published=True,
        )

        sign_in(page, complainant)
        page.goto(f"/complaints/cases/{case.reference}")
        expect(page.locator("main")).to_contain_text("Closed: not something we can look at")
        check(page, axe, screenshot, "16-ended-case", case.reference)
        page.get_by_role("link", name="Tell us what you think of our service").click()
        page.get_by_role("button", name="Send feedback").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Select how satisfied you were with how easy our service was to use"
        )
        check(page, axe, screenshot, "17-feedback-error", "Tell us what you think of our service")
        page.get_by_role("group", name=re.compile("easy our service was to use")).get_by_label(
            "Satisfied", exact=True
        ).check()
        page.get_by_role("group", name=re.compile("kept you informed")).get_by_label(
            "Very dissatisfied"
        ).check()
        page.get_by_label("What could we do better? (optional)").fill("Explain sooner.")
        page.get_by_role("button", name="Send feedback").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
        check(page, axe, screenshot, "18-feedback-thanks", "Thank you for your feedback")
        feedback = CaseFeedback.objects.get(case=case)
        assert (feedback.ease_of_use, feedback.kept_informed) == (4, 1)

        page.get_by_role("link", name="what we changed because of people’s feedback").click()
        expect(page.locator("main")).to_contain_text("shows the next step")
        check(page, axe, screenshot, "19-you-said-we-did", "You said, we did")
        assert console_errors == []
