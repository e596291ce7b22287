"""One case, one caseworker, the whole way: from the unassigned queue to a published decision.

The caseworker signs in with a real TOTP code, takes the case from the queue, assesses it (equality
information, organisation confirmed), asks the trust for evidence and records its late answer,
investigates, issues a provisional decision with its report, records comments, writes and issues
the final decision, confirms the redacted public summary and publishes. The case's timeline must
show each step; axe-core checks the case page at the end.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from casework.models import Decision, EvidenceRequest, EvidenceRequestStatus
from casework.state import CaseStatus
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_backoffice import open_action, sign_in_with_security_code, unassigned_case
from tests.e2e.test_decisions import _backdate
from tests.factories import UserFactory

__all__ = ["unassigned_case"]  # a fixture, used by name

TRUST = "Leeds Teaching Hospitals NHS Trust"


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _banner(page):
    page.wait_for_load_state()  # the page a click went to, whole, not the moment it began
    return page.locator(".govuk-notification-banner").inner_text()


@pytest.mark.e2e
def test_a_caseworker_takes_one_case_from_the_queue_to_a_published_decision(
    page, live_server, axe, console_errors, screenshot, unassigned_case
):
    case = unassigned_case
    caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
    device = TOTPDevice.objects.create(user=caseworker, name="Phone", confirmed=True)
    today = timezone.localdate()
    today_entered = f"{today.day}/{today.month}/{today.year}"

    # Assign to self from the unassigned queue.
    sign_in_with_security_code(page, caseworker, device)
    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Unassigned").click()
    page.get_by_label(f"Select {case.reference}").check()
    page.get_by_label("Assign the selected cases to").select_option(label="Casey Worker")
    page.get_by_role("button", name="Assign", exact=True).click()
    assert "1 case assigned to you." in _banner(page)

    # Assess: start, record equality information, confirm the organisation.
    page.goto(f"/staff/cases/{case.reference}")
    expect(page.locator(".app-identity-bar")).to_contain_text("Assigned to Casey Worker (you)")
    open_action(page, "Start assessment")
    assert "Start assessment: the case is now being assessed." in _banner(page)
    page.get_by_role("link", name="Record equality information").click()
    page.get_by_label("No, they declined to give it").check()
    page.get_by_role("button", name="Save equality information").click()
    expect(page.locator("main")).to_contain_text("declined to give their equality information")
    page.get_by_role("button", name=f"Confirm {TRUST}").click()
    expect(page.locator("#organisations ~ table").first).to_contain_text("Confirmed")

    # Ask the trust for evidence; it answers after the due date.
    page.get_by_role("link", name="Evidence requests").click()
    page.get_by_role("button", name="Request evidence").click()
    page.get_by_label(TRUST).check()
    page.get_by_label("What evidence do you need?").fill("Discharge summary and drug chart")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("main")).to_contain_text(f"Evidence requested from {TRUST}")
    evidence_request = EvidenceRequest.objects.get(case=case)
    _backdate(evidence_request, 40)
    page.reload()
    page.get_by_role("link", name=f"Record response from {TRUST}").click()
    page.get_by_label("Date the evidence was received").fill(today_entered)
    page.get_by_role("button", name="Record response").click()
    expect(page.locator("main")).to_contain_text("Response recorded: met late.")
    evidence_request.refresh_from_db()
    assert evidence_request.status == EvidenceRequestStatus.MET_LATE

    # Investigate.
    page.goto(f"/staff/cases/{case.reference}")
    open_action(page, "Start investigation")
    assert "the case is now being investigated" in _banner(page)

    # Provisional decision with its report, then comments.
    page.goto(f"/staff/cases/{case.reference}/decision")
    page.get_by_role("link", name="Write and share the provisional report").click()
    page.get_by_label("Provisional report", exact=True).fill(
        "The trust discharged the patient without his medication."
    )
    page.get_by_role("button", name="Share for comments").click()
    page.goto(f"/staff/cases/{case.reference}")
    open_action(page, "Issue provisional decision")
    expect(page.locator("main")).to_contain_text("the case is now provisional decision issued")
    page.get_by_role("link", name="Decision").click()
    page.get_by_role("link", name="Record comments").click()
    page.get_by_label("The complainant").check()
    page.get_by_label("Comments", exact=True).fill("The report is accurate.")
    page.get_by_label("Date the comments were received").fill(today_entered)
    page.get_by_role("button", name="Record comments").click()
    expect(page.locator("main")).to_contain_text("The report is accurate.")

    # The final decision: outcome and reasons, then issued.
    page.get_by_label("Upheld", exact=True).check()
    page.get_by_label("What we found").fill("The patient left hospital without his medication.")
    page.get_by_label("Reasons for the decision").fill("The trust did not follow its policy.")
    page.get_by_role("button", name="Save decision").click()
    page.goto(f"/staff/cases/{case.reference}")
    open_action(page, "Issue final decision")
    expect(page.locator("main")).to_contain_text("the case is now final decision issued")

    # Confirm the redacted public summary and publish.
    page.get_by_role("link", name="Decision").click()
    page.get_by_role("link", name="Write the public summary").click()
    page.get_by_label("Public summary", exact=True).fill(
        "Aisha Rahman complained that her father was discharged without his medication."
    )
    page.get_by_role("button", name="Check redaction").click()
    redacted = page.get_by_label("Redacted summary to publish").input_value()
    assert "Aisha" not in redacted and "Rahman" not in redacted
    page.get_by_label("I have read the summary and it identifies nobody").check()
    page.get_by_role("button", name="Confirm redacted summary").click()
    page.get_by_role("button", name="Publish decision").click()
    expect(page.locator("main")).to_contain_text("Decision published.")

    # The case page's timeline tells the story, and the page passes axe-core.
    page.goto(f"/staff/cases/{case.reference}")  # goto waits for the page's load event
    timeline = page.locator(".app-timeline").inner_text()
    steps = [  # oldest first; the timeline lists newest first
        "Assigned to Casey Worker",
        "Status changed to being assessed",
        "Complainant declined to give equality information",
        f"Organisation confirmed: {TRUST}",
        "Evidence requested from an organisation",
        "Evidence request answered",
        "Status changed to being investigated",
        "Provisional report shared for comments",
        "Status changed to provisional decision issued",
        "Comments on the provisional report received",
        "Decision recorded",
        "Status changed to final decision issued",
        "Decision published",
    ]
    positions = [timeline.find(step) for step in steps]
    assert -1 not in positions, [step for step in steps if step not in timeline]
    assert positions == sorted(positions, reverse=True), timeline
    screenshot("journey-case-published")
    assert_no_violations(axe, page)

    decision = Decision.objects.published().get()
    assert decision.case_id == case.pk
    assert decision.redacted_summary == redacted
    assert decision.outcome == "upheld"
    case.refresh_from_db()
    assert case.status == CaseStatus.FINAL_DECISION
    assert case.assignee == caseworker
    assert console_errors == []
