"""The MP office and organisation portals in the browser: an office manager invites a caseworker
who accepts, refers a complaint with a signed consent form and follows it; an organisation user
answers an evidence request with a PDF and comments on a provisional report. axe-core checks
every page on the way; screenshots go to test-results/.

The live server runs Celery tasks eagerly, so consent forms and evidence are virus-scanned by a
real clamd as soon as they are uploaded.
"""

# ruff: noqa: F811 - fixtures imported from documents_support and named as parameters

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import CaseKind, EvidenceRequestStatus, MessageParty, ProvisionalComment
from casework.services import case_create, message_send
from portals.models import (
    CaseShare,
    ExtensionRequest,
    MpOfficeMembership,
    OfficeRole,
    OrganisationMembership,
    Referral,
)
from portals.services import token_hash
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    clamd,
    clamd_settings,
    evidence_storage,
    pdf_bytes,
)
from tests.conftest import otp_verified_client
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.portals import support

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


def sign_in(page, user, password=DEFAULT_PASSWORD):
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/your-account/**")


def check(page, axe, screenshot, name, heading):
    expect(page.locator("h1")).to_have_text(heading)
    screenshot(f"portals-{name}")
    assert_no_violations(axe, page)


class TestMpOfficePortal:
    def test_manager_invites_a_caseworker_who_refers_and_tracks_a_complaint(
        self, page, axe, console_errors, screenshot, transactional_db, clamd_settings, tmp_path
    ):
        office = support.office(support.mp(name="Dana Whitfield"))
        manager = support.office_user(office, OfficeRole.MANAGER, full_name="Morgan Reid")
        trust = support.organisation("Leeds Teaching Hospitals NHS Trust")
        caseworker = UserFactory(roles=[])

        sign_in(page, manager)
        page.goto("/mp/")
        check(page, axe, screenshot, "mp-01-referrals-empty", "Referrals")
        page.get_by_role("link", name="Office users").click()
        check(page, axe, screenshot, "mp-02-office-users", "Office users")
        page.get_by_role("link", name="Invite someone").click()
        page.get_by_role("button", name="Send invitation").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter the email address of the person you are inviting"
        )
        check(page, axe, screenshot, "mp-03-invite-error", "Invite someone to the office")
        page.get_by_label("Email address").fill("sam.office@example.org")
        page.get_by_label("Caseworker: refers and follows complaints").check()
        page.get_by_role("button", name="Send invitation").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
        link = re.search(r"https?://\S+/mp/invitation/\S+", mail.outbox[-1].body).group(0)
        path = re.sub(r"^https?://[^/]+", "", link)
        page.goto("/account/logout/")
        page.get_by_role("button", name="Sign out").click()

        page.goto(path)
        check(page, axe, screenshot, "mp-04-invitation", "Accept your invitation")
        page.get_by_label("Full name").fill("Sam Office")
        page.get_by_label("Create a password").fill("a long unrelated passphrase")
        page.get_by_role("button", name="Create account and accept").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "You have accepted the invitation"
        )
        check(page, axe, screenshot, "mp-05-accepted", "Referrals")
        assert caseworker.email != "sam.office@example.org"

        # The same link again: a clear page, not a second account.
        page.goto(path)
        check(page, axe, screenshot, "mp-06-link-used", "This link has already been used")

        page.goto("/mp/")
        page.get_by_role("link", name="Refer a complaint").first.click()
        check(page, axe, screenshot, "mp-07-constituent", "The constituent")
        page.get_by_label("Constituent's full name").fill("Pat Jones")
        page.get_by_label("Constituent's postcode").fill("LS1 5AB")
        page.get_by_role("button", name="Continue").click()
        check(page, axe, screenshot, "mp-08-complaint", "The complaint")
        page.get_by_label("An NHS service in England").check()
        page.get_by_label("Which organisation is the complaint about?").select_option(
            label=trust.name
        )
        page.get_by_label("What happened").fill("Pat was discharged without a care plan.")
        page.get_by_role("button", name="Continue").click()
        check(page, axe, screenshot, "mp-09-consent", "The constituent's consent")
        consent = tmp_path / "signed consent.pdf"
        consent.write_bytes(pdf_bytes("I consent to my MP referring my complaint"))
        page.get_by_label("Upload a signed consent form").check()
        page.locator("input[type=file]").set_input_files(consent)
        page.get_by_role("button", name="Refer the complaint").click()
        referral = Referral.objects.get(constituent_name="Pat Jones")
        reference = referral.case.reference
        expect(page.locator(".govuk-notification-banner")).to_contain_text(reference)
        check(page, axe, screenshot, "mp-10-case", reference)
        expect(page.locator("main")).to_contain_text("Complaint received")

        message_send(
            case=referral.case,
            author=UserFactory(),
            party=MessageParty.MP_OFFICE,
            body="Thank you. We will be in touch within 5 working days.",
            from_ombudsman=True,
        )
        page.get_by_role("link", name="Messages with the caseworker").click()
        expect(page.locator(".app-messages")).to_contain_text("within 5 working days")
        check(page, axe, screenshot, "mp-11-messages", "Messages")
        page.get_by_label("Send a message to the caseworker").fill("Pat can be reached by phone.")
        page.get_by_role("button", name="Send message").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("sent")

        page.get_by_role("link", name="Referrals").first.click()
        expect(page.locator("table")).to_contain_text(reference)
        check(page, axe, screenshot, "mp-12-referrals", "Referrals")
        page.get_by_role("link", name="Constituency insight").click()
        check(page, axe, screenshot, "mp-13-insight", "Constituency insight")
        expect(page.locator("main")).to_contain_text("fewer than 5")
        assert not console_errors


class TestOrganisationPortal:
    def test_user_answers_a_request_with_a_pdf_and_comments_on_the_report(
        self, page, axe, console_errors, screenshot, transactional_db, clamd_settings, tmp_path
    ):
        trust = support.organisation("Leeds Teaching Hospitals NHS Trust")
        user = support.org_user(trust, full_name="Ravi Shah")
        caseworker = UserFactory()
        case, request, _ = support.org_case(trust, caseworker=caseworker)

        sign_in(page, user)
        page.goto("/organisation/")
        check(page, axe, screenshot, "org-01-cases", "Cases")
        page.get_by_role("link", name="Evidence requests").first.click()
        check(page, axe, screenshot, "org-02-requests", "Evidence requests")
        page.get_by_role("link", name=case.reference).click()
        check(page, axe, screenshot, "org-03-request", "Evidence request")
        expect(page.locator("main")).to_contain_text("The clinical notes for 3 May")

        page.get_by_role("button", name="Send evidence").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select a file to upload")
        check(page, axe, screenshot, "org-04-request-error", "Evidence request")
        notes = tmp_path / "clinical notes.pdf"
        notes.write_bytes(pdf_bytes("Ward notes 3 May"))
        page.locator("input[type=file]").set_input_files(notes)
        page.get_by_label("Covering note (optional)").fill("The ward notes you asked for.")
        page.get_by_role("button", name="Send evidence").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your evidence has been sent"
        )
        check(page, axe, screenshot, "org-05-request-answered", "Evidence request")
        request.refresh_from_db()
        assert request.status == EvidenceRequestStatus.MET

        page.get_by_role("link", name=f"Go to case {case.reference}").click()
        check(page, axe, screenshot, "org-06-case", case.reference)
        page.get_by_role("link", name="Read the provisional report and comment").click()
        check(page, axe, screenshot, "org-07-report", "Provisional report")
        page.get_by_label("Your comments on the provisional report").fill(
            "Paragraph 3 leaves out the follow-up call on 5 May."
        )
        page.get_by_role("button", name="Send comments").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your comments have been sent"
        )
        check(page, axe, screenshot, "org-08-commented", "Provisional report")
        assert ProvisionalComment.objects.get().organisation == trust

        page.get_by_role("link", name="Recommendations").first.click()
        check(page, axe, screenshot, "org-09-recommendations", "Recommendations")
        page.get_by_role("link", name="Your figures").click()
        check(page, axe, screenshot, "org-10-figures", "Your figures")
        assert not console_errors


def _signed_in_as(page, live_server, user, *, staff=False):
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    if staff:
        otp_verified_client(client, user)
    else:
        client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


class TestEveryPortalPage:
    """The pages the journeys above do not pass through, each checked with axe-core."""

    def test_remaining_pages_have_no_violations(
        self, page, axe, console_errors, screenshot, live_server, transactional_db, manager
    ):
        w = support.world()
        caseworker_membership = MpOfficeMembership.objects.get(user=w.a_caseworker)
        user_membership = OrganisationMembership.objects.get(user=w.org_a_user)
        extension = ExtensionRequest.objects.create(
            evidence_request=w.request_a,
            requested_by=w.org_a_user,
            extra_working_days=5,
            reason="Records are off site",
        )
        share_case = case_create(
            kind=CaseKind.HEALTH,
            complainant=w.complainant,
            summary="Waited a year",
            constituency=w.office_a.mp.constituency,
        )
        with_consent_email = Referral.objects.create(
            office=w.office_a,
            kind=CaseKind.HEALTH,
            organisation=w.org_a,
            summary="Unsafe discharge",
            constituent_name="Lee Constituent",
            constituent_email="lee@example.org",
            constituent_postcode="LS1 5AB",
            consent_method="email",
            consent_token_hash=token_hash("consent-token-for-the-test"),
            consent_expires_at=timezone.now() + timedelta(days=1),
            referred_by=w.a_manager,
        )
        CaseShare.objects.create(
            office=w.office_a,
            case=share_case,
            token_hash=token_hash("share-token-for-the-test"),
            expires_at=timezone.now() + timedelta(days=1),
            requested_by=w.a_manager,
        )
        pages = [
            (w.a_manager, f"/mp/team/{caseworker_membership.pk}", "mp-member", False),
            (w.a_manager, "/mp/share/", "mp-share-request", False),
            (w.a_manager, f"/mp/cases/{w.case_a.reference}", "mp-case", False),
            (w.complainant, "/mp/share/share-token-for-the-test", "mp-share-confirm", False),
            (None, "/mp/consent/consent-token-for-the-test", "mp-consent", False),
            (None, "/mp/invitation/forged", "link-invalid", False),
            (w.org_a_admin, f"/organisation/{w.org_a.pk}/users/", "org-users", False),
            (w.org_a_admin, f"/organisation/{w.org_a.pk}/users/invite", "org-invite", False),
            (
                w.org_a_admin,
                f"/organisation/{w.org_a.pk}/users/{user_membership.pk}/remove",
                "org-remove",
                False,
            ),
            (
                w.org_a_user,
                f"/organisation/{w.org_a.pk}/evidence-requests/{w.request_a.pk}/more-time",
                "org-more-time",
                False,
            ),
            (
                w.org_a_user,
                f"/organisation/{w.org_a.pk}/cases/{w.org_case_a.reference}/messages",
                "org-messages",
                False,
            ),
            (
                w.org_a_user,
                f"/organisation/{w.org_a.pk}/recommendations/{w.recommendation_a.pk}",
                "org-recommendation",
                False,
            ),
            (w.staff, "/staff/portals/extension-requests/", "staff-extensions", True),
            (w.staff, f"/staff/portals/extension-requests/{extension.pk}", "staff-extension", True),
            (w.staff, "/staff/portals/referrals/", "staff-referrals", True),
            (w.staff, f"/staff/portals/referrals/{w.case_a.referral.pk}", "staff-referral", True),
            (w.staff, "/staff/portals/messages/", "staff-messages", True),
            (
                w.staff,
                f"/staff/portals/cases/{w.org_case_a.reference}/organisations/{w.org_a.pk}/messages",
                "staff-organisation-thread",
                True,
            ),
            (
                w.staff,
                f"/staff/portals/cases/{w.case_a.reference}/mp-office-messages",
                "staff-office-thread",
                True,
            ),
            (manager, "/staff/portals/offices/", "staff-offices", True),
            (manager, f"/staff/portals/offices/{w.office_a.pk}/handover", "staff-handover", True),
        ]
        assert with_consent_email.case is None
        message_send(
            case=w.case_a,
            author=w.a_caseworker,
            party=MessageParty.MP_OFFICE,
            body="Any news for Jo?",
            from_ombudsman=False,
        )
        for user, path, name, staff in pages:
            _signed_in_as(page, live_server, user, staff=staff)
            page.goto(path)
            assert page.locator("h1").count() == 1, path
            screenshot(f"portals-page-{name}")
            assert_no_violations(axe, page)
        assert not console_errors
