"""A caseworker works a case in the staff back office, from the queue to an investigation.

Signs in with a password and a real TOTP code, takes an unassigned case from the queue, starts the
assessment, records equality information, confirms the organisation, starts the investigation,
adds a note and sees it on the timeline. axe-core checks the queue, the case page and a manager's
audit log; screenshots go to test-results/.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Organisation, OrganisationKind, Sector
from accounts.roles import Role
from casework.models import AuditEntry, CaseKind
from casework.services import case_create
from casework.state import CaseStatus
from tests.conftest import otp_verified_client
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def unassigned_case(transactional_db):
    trust = Organisation.objects.create(
        name="Leeds Teaching Hospitals NHS Trust",
        ods_code="RR8",
        kind=OrganisationKind.NHS_TRUST,
        sector=Sector.HEALTH,
    )
    complainant = UserFactory(roles=[Role.COMPLAINANT], full_name="Aisha Rahman")
    for number in range(3):
        case_create(kind=CaseKind.HEALTH, summary=f"Another complaint {number}")
    return case_create(
        kind=CaseKind.HEALTH,
        complainant=complainant,
        organisations=[trust],
        summary="My father was discharged without his medication and was readmitted.",
    )


def current_code(device) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def sign_in_with_security_code(page, user, device):
    page.goto("/staff/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff-security-code**")
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/")


def open_action(page, name):
    """Open the action's disclosure on the case page and press its button."""
    actions = page.locator("details.app-action", has_text=name)
    actions.locator("summary").click()
    actions.get_by_role("button", name=name).click()


class TestBackOffice:
    def test_a_caseworker_takes_a_case_through_to_investigation(
        self, page, live_server, axe, console_errors, screenshot, unassigned_case
    ):
        case = unassigned_case
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        device = TOTPDevice.objects.create(user=caseworker, name="Phone", confirmed=True)

        sign_in_with_security_code(page, caseworker, device)
        expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
        screenshot("backoffice-01-home")

        page.get_by_role("navigation", name="Staff area").get_by_role(
            "link", name="Unassigned"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Unassigned cases")
        expect(page.locator("main")).to_contain_text("Showing 1 to 4 of 4 cases")
        screenshot("backoffice-02-queue")
        assert_no_violations(axe, page)

        # Filter to the trust, then take the case.
        page.get_by_label("Organisation", exact=True).fill("RR8")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator("main")).to_contain_text(
            "Showing 1 to 1 of 1 case matching your filters"
        )
        page.get_by_label(f"Select {case.reference}").check()
        page.get_by_label("Assign the selected cases to").select_option(label="Casey Worker")
        screenshot("backoffice-03-queue-filtered-and-ticked")
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "1 case assigned to you."
        )
        assert_no_violations(axe, page)

        page.get_by_role("navigation", name="Staff area").get_by_role(
            "link", name="My cases"
        ).click()
        page.get_by_role("link", name=case.reference).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")
        expect(page.locator(".app-identity-bar")).to_contain_text("Assigned to Casey Worker (you)")
        screenshot("backoffice-04-case")
        assert_no_violations(axe, page)

        open_action(page, "Start assessment")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Start assessment: the case is now being assessed."
        )

        # Investigation is refused until the missing pieces are done, and says which.
        investigation = page.locator("details.app-action", has_text="Start investigation")
        investigation.locator("summary").click()
        missing = investigation.inner_text()
        assert "Confirm the organisation Leeds Teaching Hospitals NHS Trust" in missing
        assert "equality information" in missing
        screenshot("backoffice-05-before-investigation")

        page.get_by_role("link", name="Record equality information").click()
        page.get_by_label("No, they declined to give it").check()
        screenshot("backoffice-06-equality")
        assert_no_violations(axe, page)
        page.get_by_role("button", name="Save equality information").click()
        expect(page.locator("main")).to_contain_text("declined to give their equality information")

        page.get_by_role("button", name="Confirm Leeds Teaching Hospitals NHS Trust").click()
        expect(page.locator("#organisations ~ table").first).to_contain_text("Confirmed")

        open_action(page, "Start investigation")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "the case is now being investigated"
        )

        page.get_by_label("Add an internal note").fill("Asked the trust for the discharge summary.")
        page.get_by_role("button", name="Add note").click()
        page.wait_for_load_state()
        timeline = page.locator(".app-timeline").inner_text()
        assert "Internal note added" in timeline
        assert "Asked the trust for the discharge summary." in timeline
        assert "Status changed to being investigated" in timeline
        assert "Assigned to Casey Worker" in timeline
        screenshot("backoffice-07-case-investigating")
        assert_no_violations(axe, page)

        case.refresh_from_db()
        assert case.status == CaseStatus.INVESTIGATION
        assert case.assignee == caseworker
        assert AuditEntry.objects.filter(action="case.view", user=caseworker).exists()
        assert console_errors == []

    def test_a_manager_reads_the_audit_log(
        self, page, live_server, axe, console_errors, screenshot, unassigned_case
    ):
        case = unassigned_case
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        otp_verified_client(Client(), caseworker).get(f"/staff/cases/{case.reference}")
        manager = UserFactory(roles=[Role.MANAGER], full_name="Morgan Manager")
        client = otp_verified_client(Client(), manager)
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page.goto(f"/staff/cases/{case.reference}")
        page.get_by_role("link", name="Audit log").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
        page.wait_for_load_state()
        table = page.locator(".app-audit-table").inner_text()
        assert "Casey Worker" in table and "case.view" in table
        screenshot("backoffice-08-audit")
        assert_no_violations(axe, page)

        page.get_by_role("link", name="Casey Worker").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Activity of Casey Worker")
        screenshot("backoffice-09-activity")
        assert_no_violations(axe, page)

        page.goto(f"/staff/people/{case.complainant.pk}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Aisha Rahman")
        screenshot("backoffice-10-person")
        assert_no_violations(axe, page)
        assert console_errors == []
