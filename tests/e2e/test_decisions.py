"""A caseworker asks an organisation for evidence, records its late answer, issues a provisional
decision with its report, records comments, writes the decision and publishes a redacted summary.
axe-core checks every page on the way."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from casework.models import Decision, EvidenceRequest, EvidenceRequestStatus
from casework.services_decisions import _evidence_rule
from casework.state import CaseStatus
from phso.clock import StatutoryClock
from tests.casework.decisions_support import case_with_organisation, organisation
from tests.conftest import otp_verified_client
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _staff_session(page, live_server, user):
    """A staff session with its second factor already checked, handed to the browser."""
    client = otp_verified_client(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _backdate(evidence_request, days):
    """Test set-up: the request was sent `days` ago, so that today's answer is late."""
    sent = timezone.localdate() - timedelta(days=days)
    clock = StatutoryClock(received=sent, rule=_evidence_rule(20))
    EvidenceRequest.objects.filter(pk=evidence_request.pk).update(
        requested_on=sent, due_date=clock.due_date, clock=clock.to_dict()
    )


def _check(page, axe, screenshot, name, console_errors):
    screenshot(name)
    assert_no_violations(axe, page)
    assert console_errors == []


class TestDecisionJourney:
    def test_evidence_request_to_published_decision(
        self, page, live_server, axe, console_errors, screenshot, transactional_db
    ):
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        complainant = UserFactory(roles=[Role.COMPLAINANT], full_name="Priya Raman")
        trust = organisation("Northfield Hospitals NHS Trust")
        case, _ = case_with_organisation(actor=caseworker, complainant=complainant, org=trust)
        _staff_session(page, live_server, caseworker)

        # Raise an evidence request.
        page.goto(f"/staff/cases/{case.reference}")
        page.get_by_role("link", name="Evidence requests").click()
        _check(page, axe, screenshot, "decisions-01-requests-empty", console_errors)
        page.get_by_role("button", name="Request evidence").click()
        page.get_by_role("button", name="Send request").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        _check(page, axe, screenshot, "decisions-02-request-errors", console_errors)
        page.get_by_label("Northfield Hospitals NHS Trust").check()
        page.get_by_label("What evidence do you need?").fill("Clinical records for May 2025")
        page.get_by_label("Email address to send the request to (optional)").fill(
            "complaints@northfield.example.org"
        )
        page.get_by_role("button", name="Send request").click()
        expect(page.locator("main")).to_contain_text(
            "Evidence requested from Northfield Hospitals NHS Trust"
        )
        _check(page, axe, screenshot, "decisions-03-requests", console_errors)

        # The trust answers a month later, after the due date.
        evidence_request = EvidenceRequest.objects.get(case=case)
        _backdate(evidence_request, 40)
        page.reload()
        page.get_by_role("link", name="Record response from Northfield Hospitals NHS Trust").click()
        _check(page, axe, screenshot, "decisions-04-response", console_errors)
        today = timezone.localdate()
        page.get_by_label("Date the evidence was received").fill(
            f"{today.day}/{today.month}/{today.year}"
        )
        page.get_by_role("button", name="Record response").click()
        expect(page.locator("main")).to_contain_text("Response recorded: met late.")
        assert (
            EvidenceRequest.objects.get(pk=evidence_request.pk).status
            == EvidenceRequestStatus.MET_LATE
        )

        page.get_by_role("link", name="Northfield Hospitals NHS Trust").click()
        expect(page.locator("main")).to_contain_text("Answered late")
        _check(page, axe, screenshot, "decisions-05-organisation", console_errors)

        # Share the provisional report, then issue the provisional decision on the case page.
        page.goto(f"/staff/cases/{case.reference}/decision")
        _check(page, axe, screenshot, "decisions-06-decision-empty", console_errors)
        page.get_by_role("link", name="Write and share the provisional report").click()
        page.get_by_label("Provisional report", exact=True).fill(
            "Priya Raman's test results were not acted on for six weeks."
        )
        _check(page, axe, screenshot, "decisions-07-provisional-report", console_errors)
        page.get_by_role("button", name="Share for comments").click()
        page.goto(f"/staff/cases/{case.reference}")
        page.locator("summary", has_text="Issue provisional decision").click()
        page.get_by_role("button", name="Issue provisional decision").click()
        expect(page.locator("main")).to_contain_text("the case is now provisional decision issued")

        # Comments from the complainant.
        page.get_by_role("link", name="Decision").click()
        page.get_by_role("link", name="Record comments").click()
        page.get_by_label("The complainant").check()
        page.get_by_label("Comments", exact=True).fill("I agree with the findings.")
        page.get_by_label("Date the comments were received").fill(
            f"{today.day}/{today.month}/{today.year}"
        )
        _check(page, axe, screenshot, "decisions-08-comments", console_errors)
        page.get_by_role("button", name="Record comments").click()
        expect(page.locator("main")).to_contain_text("I agree with the findings.")

        # The decision itself, then the final decision through the transition form.
        page.get_by_label("Partly upheld").check()
        page.get_by_label("What we found").fill("Test results were not followed up.")
        page.get_by_label("Reasons for the decision").fill(
            "The trust did not follow its own policy."
        )
        page.get_by_role("button", name="Save decision").click()
        _check(page, axe, screenshot, "decisions-09-decision", console_errors)
        page.goto(f"/staff/cases/{case.reference}")
        page.locator("summary", has_text="Issue final decision").click()
        page.get_by_role("button", name="Issue final decision").click()
        expect(page.locator("main")).to_contain_text("the case is now final decision issued")

        # The public summary: redacted, checked, confirmed, published.
        page.get_by_role("link", name="Decision").click()
        page.get_by_role("button", name="Publish decision").click()
        assert (
            "Confirm the redacted public summary before publishing"
            in page.locator(".govuk-error-summary").inner_text()
        )
        _check(page, axe, screenshot, "decisions-10-publish-refused", console_errors)
        page.get_by_role("link", name="Write the public summary").click()
        page.get_by_label("Public summary", exact=True).fill(
            "PRIYA RAMAN (NHS number 943 476 5919, 12 Acacia Avenue, LS1 4AP) complained that "
            "her test results were not followed up. Casey Worker investigated."
        )
        page.get_by_role("button", name="Check redaction").click()
        redacted = (
            "[name] (NHS number [NHS number], [address], [postcode]) complained that "
            "her test results were not followed up. [name] investigated."
        )
        assert page.get_by_label("Redacted summary to publish").input_value() == redacted
        _check(page, axe, screenshot, "decisions-11-redaction", console_errors)
        page.get_by_label("I have read the summary and it identifies nobody").check()
        page.get_by_role("button", name="Confirm redacted summary").click()
        page.get_by_role("button", name="Publish decision").click()
        expect(page.locator("main")).to_contain_text("Decision published.")
        _check(page, axe, screenshot, "decisions-12-published", console_errors)

        decision = Decision.objects.published().get()
        assert decision.redacted_summary == redacted
        assert decision.outcome == "partly_upheld"
        case.refresh_from_db()
        assert case.status == CaseStatus.FINAL_DECISION

    def test_letters_page(
        self, page, live_server, axe, console_errors, screenshot, transactional_db
    ):
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        case, _ = case_with_organisation(
            actor=caseworker, complainant=UserFactory(roles=[Role.COMPLAINANT])
        )
        _staff_session(page, live_server, caseworker)
        page.goto(f"/staff/cases/{case.reference}/letters")
        page.get_by_label("Acknowledgement").check()
        page.get_by_role("button", name="Generate and file").click()
        expect(page.locator("main")).to_contain_text("Acknowledgement letter filed on the case")
        _check(page, axe, screenshot, "decisions-13-letters", console_errors)

    def test_extension_withdrawal_recommendation_and_compliance_pages(
        self, page, live_server, axe, console_errors, screenshot, transactional_db
    ):
        from casework.services_decisions import evidence_request_create, letter_generate

        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        trust = organisation("Southfield Community NHS Trust")
        case, _ = case_with_organisation(actor=caseworker, org=trust)
        for _ in range(2):
            evidence_request_create(
                case=case, organisation=trust, description="Rota for March", actor=caseworker
            )
        letter_generate(case=case, kind="acknowledgement", actor=caseworker)
        _staff_session(page, live_server, caseworker)

        page.goto(f"/staff/cases/{case.reference}/evidence-requests")
        page.get_by_role("link", name="Agree more time for Southfield").first.click()
        page.get_by_role("button", name="Agree more time").click()
        _check(page, axe, screenshot, "decisions-14-extension-errors", console_errors)
        page.get_by_label("How many more working days have you agreed?").fill("10")
        page.get_by_label("Why did the organisation ask for more time?").fill("Staff off sick")
        page.get_by_role("button", name="Agree more time").click()
        expect(page.locator("main")).to_contain_text("Extension agreed")

        page.get_by_role("link", name="Withdraw the request to Southfield").first.click()
        _check(page, axe, screenshot, "decisions-15-withdraw", console_errors)
        page.get_by_label("Why is the request being withdrawn?").fill("Found in our own files")
        page.get_by_role("button", name="Withdraw request").click()
        expect(page.locator("main")).to_contain_text("Withdrawn")

        page.goto(f"/staff/cases/{case.reference}/decision")
        page.get_by_role("link", name="Add a recommendation").click()
        page.get_by_role("button", name="Add recommendation").click()
        _check(page, axe, screenshot, "decisions-16-recommendation-errors", console_errors)
        page.get_by_label("Southfield Community NHS Trust").check()
        page.get_by_label("Recommendation", exact=True).fill("Apologise in writing")
        page.get_by_label("Date it is due").fill("30/6/2099")
        page.get_by_role("button", name="Add recommendation").click()
        page.get_by_role("link", name="Record compliance").click()
        page.get_by_label("Yes, it complied").check()
        page.get_by_role("button", name="Record compliance").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Select the documents that show"
        )
        _check(page, axe, screenshot, "decisions-17-compliance-errors", console_errors)
        page.locator(".govuk-checkboxes__input").first.check()
        page.get_by_role("button", name="Record compliance").click()
        expect(page.locator("main")).to_contain_text("Complied")
        _check(page, axe, screenshot, "decisions-18-recommendations", console_errors)

        page.get_by_role("link", name="Write the public summary").click()
        page.get_by_role("button", name="Check redaction").click()
        _check(page, axe, screenshot, "decisions-19-summary-errors", console_errors)


class TestLetterJourney:
    def test_caseworker_files_and_sends_a_letter_and_the_complainant_reads_it(
        self, page, live_server, axe, console_errors, screenshot, transactional_db
    ):
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        complainant = UserFactory(roles=[Role.COMPLAINANT], full_name="Priya Raman")
        case, _ = case_with_organisation(
            actor=caseworker, complainant=complainant, org=organisation("Northfield NHS Trust")
        )
        _staff_session(page, live_server, caseworker)

        page.goto(f"/staff/cases/{case.reference}/letters")
        page.get_by_label("Acknowledgement").check()
        page.get_by_role("button", name="Generate and file").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("letter filed")
        _check(page, axe, screenshot, "letters-01-filed", console_errors)
        page.get_by_role("button", name="to the complainant").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("emailed to say so")
        expect(page.locator(".app-letters")).to_contain_text("Sent")
        _check(page, axe, screenshot, "letters-02-sent", console_errors)

        page.context.clear_cookies()
        client = Client()
        client.force_login(complainant)
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page.goto(f"/complaints/cases/{case.reference}")
        expect(page.get_by_text("We sent you a letter")).to_be_visible()
        page.get_by_role("link", name="Read our letters").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Letters and files from us")
        letters = page.locator("main table")
        expect(letters).to_contain_text("acknowledgement letter")
        _check(page, axe, screenshot, "letters-03-complainant-reads", console_errors)
        with page.expect_download() as download:
            letters.get_by_role("link").first.click()
        assert download.value.suggested_filename.endswith(".pdf")
