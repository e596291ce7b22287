import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from casework.models import (
    AuditEntry,
    Case,
    EvidenceRequestStatus,
    Message,
    MessageParty,
    ProvisionalComment,
)
from casework.services import message_send
from casework.services_decisions import evidence_request_create
from portals.models import (
    ExtensionRequest,
    Invitation,
    InvitationRole,
    MpOffice,
    MpOfficeMembership,
    OrganisationMembership,
    Referral,
)
from portals.services import invitation_create
from tests.casework.documents_support import pdf_bytes, upload
from tests.conftest import otp_verified_client
from tests.factories import UserFactory
from tests.portals import support


def _invitation_token(world, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            inviter=world.a_manager,
            email="newcomer@example.org",
            role=InvitationRole.OFFICE_CASEWORKER,
            office=world.office_a,
        )
    return mail.outbox[-1].body.split("/mp/invitation/")[1].split()[0]


class TestInvitationPage:
    def test_a_new_person_creates_their_account_and_lands_in_the_portal(
        self, client, world, django_capture_on_commit_callbacks
    ):
        token = _invitation_token(world, django_capture_on_commit_callbacks)
        url = reverse("mp_portal:invitation", args=[token])
        response = client.post(url, {"full_name": "", "password": ""})
        assert "Enter your full name" in response.content.decode()
        response = client.post(
            url, {"full_name": "Robin Hale", "password": "a long unrelated passphrase"}
        )
        assert response.status_code == 302
        assert client.get(reverse("mp_portal:home")).status_code == 200

    def test_a_replayed_link_says_so_and_is_logged(
        self, client, world, django_capture_on_commit_callbacks, caplog
    ):
        token = _invitation_token(world, django_capture_on_commit_callbacks)
        url = reverse("mp_portal:invitation", args=[token])
        client.post(url, {"full_name": "Robin Hale", "password": "a long unrelated passphrase"})
        client.logout()
        response = client.get(url)
        assert response.status_code == 410
        assert "This link has already been used" in response.content.decode()
        assert "Refused invitation link: used" in caplog.text
        assert AuditEntry.objects.filter(action="portal.invitation.refused").exists()

    def test_an_expired_link_says_so(self, client, world, django_capture_on_commit_callbacks):
        token = _invitation_token(world, django_capture_on_commit_callbacks)
        Invitation.objects.update(expires_at="2000-01-01T00:00:00Z")
        response = client.get(reverse("mp_portal:invitation", args=[token]))
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()


class TestReferralJourney:
    def test_three_pages_refer_a_complaint(self, client, world):
        client.force_login(world.a_caseworker)
        response = client.post(reverse("mp_portal:refer_constituent"), {})
        assert "Enter the constituent&#x27;s full name" in response.content.decode()
        client.post(
            reverse("mp_portal:refer_constituent"),
            {
                "constituent_name": "Pat Jones",
                "constituent_email": "",
                "constituent_postcode": "LS1 5AB",
            },
        )
        client.post(
            reverse("mp_portal:refer_complaint"),
            {"kind": "health", "organisation": world.org_a.pk, "summary": "Unsafe discharge"},
        )
        response = client.post(reverse("mp_portal:refer_consent"), {"consent_method": "email"})
        assert "enter the constituent&#x27;s email address" in response.content.decode()
        response = client.post(
            reverse("mp_portal:refer_consent"),
            {"consent_method": "upload", "files": upload("consent.pdf", pdf_bytes("I agree"))},
        )
        referral = Referral.objects.get(constituent_name="Pat Jones")
        assert response.url == reverse("mp_portal:case", args=[referral.case.reference])
        page = client.get(response.url).content.decode()
        assert "Complaint received" in page

    def test_a_health_complaint_needs_an_nhs_organisation(self, client, world):
        client.force_login(world.a_caseworker)
        client.post(
            reverse("mp_portal:refer_constituent"),
            {"constituent_name": "Pat", "constituent_postcode": "LS1 5AB"},
        )
        department = support.organisation(sector="parliamentary")
        response = client.post(
            reverse("mp_portal:refer_complaint"),
            {"kind": "health", "organisation": department.pk, "summary": "x"},
        )
        assert "Select an NHS organisation" in response.content.decode()


class TestTracking:
    def test_the_office_sees_only_its_own_thread(self, client, world):
        message_send(
            case=world.case_a,
            author=world.staff,
            party=MessageParty.MP_OFFICE,
            body="We have started.",
            from_ombudsman=True,
        )
        message_send(
            case=world.case_a,
            author=world.staff,
            party=MessageParty.ORGANISATION,
            organisation=world.org_a,
            body="Trust-only text",
            from_ombudsman=True,
        )
        client.force_login(world.a_caseworker)
        page = client.get(reverse("mp_portal:case_messages", args=[world.case_a.reference]))
        text = page.content.decode()
        assert "We have started." in text and "Trust-only text" not in text
        client.post(
            reverse("mp_portal:case_messages", args=[world.case_a.reference]),
            {"body": "Thank you"},
        )
        assert Message.objects.filter(party=MessageParty.MP_OFFICE, from_ombudsman=False).exists()


class TestOrganisationPages:
    def test_the_case_page_never_shows_the_complainant_or_other_threads(self, client, world):
        client.force_login(world.org_a_user)
        page = client.get(
            reverse("org_portal:case", args=[world.org_a.pk, world.org_case_a.reference])
        ).content.decode()
        assert world.complainant.email not in page
        assert world.complainant.full_name not in page
        assert "Missed diagnosis" not in page

    def test_answering_a_request_with_a_pdf(self, client, world):
        client.force_login(world.org_a_user)
        url = reverse("org_portal:evidence_request", args=[world.org_a.pk, world.request_a.pk])
        response = client.post(url, {"note": "Here you are"})
        assert "Select a file to upload" in response.content.decode()
        response = client.post(
            url, {"note": "Here you are", "files": upload("notes.pdf", pdf_bytes("Notes"))}
        )
        assert response.status_code == 302
        world.request_a.refresh_from_db()
        assert world.request_a.status == EvidenceRequestStatus.MET

    def test_asking_for_more_time(self, client, world):
        client.force_login(world.org_a_user)
        url = reverse("org_portal:more_time", args=[world.org_a.pk, world.request_a.pk])
        response = client.post(url, {"extra_working_days": "", "reason": ""})
        assert "Enter how many more working days you need" in response.content.decode()
        client.post(url, {"extra_working_days": "10", "reason": "Records off site"})
        assert ExtensionRequest.objects.filter(evidence_request=world.request_a).exists()

    def test_commenting_on_the_provisional_report(self, client, world):
        client.force_login(world.org_a_user)
        url = reverse(
            "org_portal:provisional_report", args=[world.org_a.pk, world.org_case_a.reference]
        )
        assert "the trust failed to follow up" in client.get(url).content.decode()
        client.post(url, {"body": "We disagree with paragraph 3."})
        comment = ProvisionalComment.objects.get()
        assert comment.organisation == world.org_a and comment.party == "organisation"


class TestInsight:
    def test_small_numbers_are_suppressed_in_the_page_and_csv(self, client, world):
        for _ in range(5):
            support.referred_case(world.office_a, org=world.org_a)
        client.force_login(world.a_caseworker)
        page = client.get(reverse("mp_portal:insight")).content.decode()
        assert "fewer than 5" in page
        rows = list(
            csv.reader(io.StringIO(client.get(reverse("mp_portal:insight_csv")).content.decode()))
        )
        organisation_row = next(r for r in rows if r[1] == world.org_a.name)
        # Six cases from the constituency about org A: shown; other figures below 5 are not.
        assert organisation_row[2] == "6"
        assert any(r[2] == "fewer than 5" for r in rows)

    def test_organisation_figures_compare_with_the_sector(self, client, world):
        client.force_login(world.org_a_user)
        page = client.get(reverse("org_portal:insight", args=[world.org_a.pk])).content.decode()
        assert "Health sector" in page and "Median days to answer" in page

    def test_organisation_outcomes_are_shown_by_quarter_of_the_final_decision(self, client, world):
        from django.utils import timezone

        from casework.models import CaseEvent, CaseEventKind, Decision, DecisionOutcome
        from casework.state import CaseStatus

        Decision.objects.update_or_create(
            case=world.org_case_a,
            defaults={"outcome": DecisionOutcome.UPHELD, "updated_by": world.staff},
        )
        CaseEvent.objects.create(
            case=world.org_case_a,
            kind=CaseEventKind.STATUS_CHANGED,
            system_reason="test",
            to_status=CaseStatus.FINAL_DECISION,
        )
        client.force_login(world.org_a_user)
        page = client.get(reverse("org_portal:insight", args=[world.org_a.pk])).content.decode()
        quarter = timezone.localtime().replace(
            month=((timezone.localtime().month - 1) // 3) * 3 + 1
        )
        assert f"{quarter:%b %Y} quarter" in page
        assert "No final decisions in the last 12 months" not in page
        client.force_login(world.org_b_user)
        other = client.get(reverse("org_portal:insight", args=[world.org_b.pk])).content.decode()
        assert "No final decisions in the last 12 months" in other


@pytest.mark.parametrize("rows", [1, 30])
class TestListQueryCounts:
    """Every portal list runs a fixed number of queries whatever its length."""

    def test_mp_referrals(self, client, world, rows, django_assert_max_num_queries):
        for _ in range(rows):
            support.referred_case(world.office_a, org=world.org_a)
        client.force_login(world.a_manager)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("mp_portal:home")).status_code == 200

    def test_office_users(self, client, world, rows, django_assert_max_num_queries):
        for _ in range(rows):
            support.office_user(world.office_a)
        client.force_login(world.a_manager)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("mp_portal:team")).status_code == 200

    def test_organisation_cases_and_requests(
        self, client, world, rows, django_assert_max_num_queries
    ):
        for _ in range(rows):
            case = Case.objects.create(
                reference=f"HC-2099-{Case.objects.count():06d}", kind="health"
            )
            case.case_organisations.create(organisation=world.org_a)
            evidence_request_create(
                case=case, organisation=world.org_a, description="Notes", actor=world.staff
            )
        client.force_login(world.org_a_user)
        for name in ("home", "evidence_requests", "recommendations"):
            with django_assert_max_num_queries(12):
                response = client.get(reverse(f"org_portal:{name}", args=[world.org_a.pk]))
                assert response.status_code == 200

    def test_organisation_users(self, client, world, rows, django_assert_max_num_queries):
        for _ in range(rows):
            support.org_user(world.org_a)
        client.force_login(world.org_a_admin)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("org_portal:users", args=[world.org_a.pk])).status_code == 200

    def test_staff_lists(self, client, world, manager, rows, django_assert_max_num_queries):
        for _ in range(rows):
            case, request, _ = support.org_case(world.org_a, caseworker=world.staff)
            ExtensionRequest.objects.create(
                evidence_request=request,
                requested_by=world.org_a_user,
                extra_working_days=3,
                reason="x",
            )
            MpOffice.objects.create(mp=support.mp())
            support.referred_case(world.office_a, org=world.org_a)
            message_send(
                case=case,
                author=world.org_a_user,
                party=MessageParty.ORGANISATION,
                organisation=world.org_a,
                body="Question",
                from_ombudsman=False,
            )
        otp_verified_client(client, manager)
        for name in ("extension_requests", "offices", "referrals", "messages"):
            with django_assert_max_num_queries(15):
                assert client.get(reverse(f"portals_staff:{name}")).status_code == 200


class TestNavigation:
    def test_only_managers_and_admins_are_offered_the_users_pages(self, client, world):
        client.force_login(world.a_caseworker)
        assert "Office users" not in client.get(reverse("mp_portal:home")).content.decode()
        client.force_login(world.a_manager)
        assert "Office users" in client.get(reverse("mp_portal:home")).content.decode()
        client.force_login(world.org_a_user)
        page = client.get(reverse("org_portal:home", args=[world.org_a.pk])).content.decode()
        assert ">Users<" not in page


class TestStaffReferralPage:
    def test_staff_see_the_constituent_and_the_read_is_audited(self, client, world):
        otp_verified_client(client, world.staff)
        referral = world.case_a.referral
        page = client.get(reverse("portals_staff:referral", args=[referral.pk])).content.decode()
        assert "Jo Constituent" in page and "LS1 5AB" in page
        assert AuditEntry.objects.filter(
            action="portal.referral.view", object_id=str(referral.pk)
        ).exists()


class TestUsersPages:
    def test_a_manager_changes_a_role_then_removes_the_person(self, client, world):
        membership = MpOfficeMembership.objects.get(user=world.a_caseworker)
        url = reverse("mp_portal:team_member", args=[membership.pk])
        client.force_login(world.a_manager)
        response = client.post(url, {"action": "role"})
        assert "Select a role" in response.content.decode()
        client.post(url, {"action": "role", "role": "manager"})
        membership.refresh_from_db()
        assert membership.role == "manager"
        client.post(url, {"action": "remove"})
        membership.refresh_from_db()
        assert not membership.active

    def test_the_last_manager_is_told_why_they_cannot_leave(self, client, world):
        membership = MpOfficeMembership.objects.get(user=world.a_manager)
        client.force_login(world.a_manager)
        response = client.post(
            reverse("mp_portal:team_member", args=[membership.pk]), {"action": "remove"}
        )
        assert "An office needs at least one manager" in response.content.decode()

    def test_an_organisation_admin_removes_a_user(self, client, world):
        membership = OrganisationMembership.objects.get(user=world.org_a_user)
        client.force_login(world.org_a_admin)
        client.post(reverse("org_portal:users_remove", args=[world.org_a.pk, membership.pk]))
        client.force_login(world.org_a_user)
        assert client.get(reverse("org_portal:home", args=[world.org_a.pk])).status_code == 404

    def test_someone_with_an_account_signs_in_then_accepts(
        self, client, world, django_capture_on_commit_callbacks
    ):
        existing = UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(
                inviter=world.org_a_admin,
                email=existing.email,
                role=InvitationRole.ORGANISATION_USER,
                organisation=world.org_a,
            )
        token = mail.outbox[-1].body.split("/organisation/invitation/")[1].split()[0]
        url = reverse("org_portal:invitation", args=[token])
        assert "Sign in to accept the invitation" in client.get(url).content.decode()
        client.force_login(world.org_b_user)
        assert "You are signed in as" in client.get(url).content.decode()
        client.force_login(existing)
        response = client.post(url)
        assert response.url == reverse("org_portal:home", args=[world.org_a.pk])


class TestStaffThreads:
    def test_a_caseworker_reads_and_answers_an_organisations_message(self, client, world):
        message_send(
            case=world.org_case_a,
            author=world.org_a_user,
            party=MessageParty.ORGANISATION,
            organisation=world.org_a,
            body="Which ward do you mean?",
            from_ombudsman=False,
        )
        otp_verified_client(client, world.staff)
        listing = client.get(reverse("portals_staff:messages")).content.decode()
        assert world.org_case_a.reference in listing
        url = reverse(
            "portals_staff:organisation_thread", args=[world.org_case_a.reference, world.org_a.pk]
        )
        assert "Which ward do you mean?" in client.get(url).content.decode()
        assert not Message.objects.filter(read_at__isnull=True, from_ombudsman=False).exists()
        client.post(url, {"body": "Ward 7, please."})
        client.force_login(world.org_a_user)
        page = client.get(
            reverse("org_portal:case_messages", args=[world.org_a.pk, world.org_case_a.reference])
        ).content.decode()
        assert "Ward 7, please." in page

    def test_an_organisation_not_on_the_case_has_no_thread(self, client, world):
        otp_verified_client(client, world.staff)
        url = reverse(
            "portals_staff:organisation_thread", args=[world.org_case_a.reference, world.org_b.pk]
        )
        assert client.get(url).status_code == 404
