from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from casework.models import AuditEntry, CaseKind, DocumentStatus, EvidenceRequestStatus
from casework.state import CaseStatus
from portals.models import (
    ConsentMethod,
    ExtensionRequestStatus,
    Invitation,
    InvitationRole,
    MpOfficeMembership,
    OfficeRole,
    OrganisationMembership,
    Referral,
)
from portals.services import (
    LinkInvalid,
    PortalRefused,
    compliance_submit,
    evidence_request_answer,
    extension_request_create,
    extension_request_decide,
    invitation_accept,
    invitation_create,
    office_handover,
    office_membership_remove,
    office_membership_role_set,
    organisation_membership_remove,
    referral_consent_confirm,
    referral_submit,
)
from tests.casework.documents_support import EICAR, pdf_bytes, upload
from tests.factories import UserFactory
from tests.portals import support


def _token_from_outbox() -> str:
    body = mail.outbox[-1].body
    return (
        body.split("/invitation/")[1].split()[0]
        if "/invitation/" in body
        else (body.split("/consent/")[1].split()[0])
    )


def _invite(world, django_capture_on_commit_callbacks, **kwargs):
    options = {
        "inviter": world.a_manager,
        "email": "new.caseworker@example.org",
        "role": InvitationRole.OFFICE_CASEWORKER,
        "office": world.office_a,
    }
    options.update(kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(**options)
    return invitation, _token_from_outbox()


class TestInvitation:
    def test_email_carries_only_a_link_and_the_token_is_stored_hashed(
        self, world, django_capture_on_commit_callbacks
    ):
        invitation, token = _invite(world, django_capture_on_commit_callbacks)
        assert mail.outbox[-1].to == ["new.caseworker@example.org"]
        assert token not in invitation.token_hash
        assert AuditEntry.objects.filter(action="portal.invitation.create").exists()

    def test_accepting_creates_the_account_membership_and_role(
        self, world, django_capture_on_commit_callbacks
    ):
        _, token = _invite(world, django_capture_on_commit_callbacks)
        membership = invitation_accept(
            token=token, full_name="Robin Hale", password="a long unrelated passphrase"
        )
        assert membership.office == world.office_a
        assert membership.role == OfficeRole.CASEWORKER
        assert membership.user.has_role(Role.MP_OFFICE_STAFF)
        assert AuditEntry.objects.filter(
            action="portal.membership.add", object_id=str(membership.pk)
        ).exists()

    def test_a_replayed_link_is_refused(self, world, django_capture_on_commit_callbacks):
        _, token = _invite(world, django_capture_on_commit_callbacks)
        invitation_accept(
            token=token, full_name="Robin Hale", password="a long unrelated passphrase"
        )
        with pytest.raises(LinkInvalid) as refused:
            invitation_accept(token=token, full_name="Eve", password="a long unrelated passphrase")
        assert refused.value.reason == "used"

    def test_an_expired_link_is_refused(self, world, django_capture_on_commit_callbacks):
        invitation, token = _invite(world, django_capture_on_commit_callbacks)
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        with pytest.raises(LinkInvalid) as refused:
            invitation_accept(
                token=token, full_name="Robin", password="a long unrelated passphrase"
            )
        assert refused.value.reason == "expired"

    def test_someone_else_signed_in_cannot_use_it(self, world, django_capture_on_commit_callbacks):
        _, token = _invite(world, django_capture_on_commit_callbacks)
        with pytest.raises(PortalRefused):
            invitation_accept(token=token, user=world.b_user)

    def test_a_weak_password_is_refused(self, world, django_capture_on_commit_callbacks):
        _, token = _invite(world, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError):
            invitation_accept(token=token, full_name="Robin", password="password")

    def test_organisation_admin_invites_an_existing_user(
        self, world, django_capture_on_commit_callbacks
    ):
        existing = UserFactory()
        _, token = _invite(
            world,
            django_capture_on_commit_callbacks,
            inviter=world.org_a_admin,
            email=existing.email,
            role=InvitationRole.ORGANISATION_USER,
            office=None,
            organisation=world.org_a,
        )
        membership = invitation_accept(token=token, user=existing)
        assert isinstance(membership, OrganisationMembership)
        assert not membership.is_admin
        assert existing.has_role(Role.ORGANISATION_USER)

    def test_someone_with_access_is_not_invited_again(self, world):
        with pytest.raises(PortalRefused):
            invitation_create(
                inviter=world.a_manager,
                email=world.a_caseworker.email,
                role=InvitationRole.OFFICE_CASEWORKER,
                office=world.office_a,
            )


class TestMemberships:
    def test_removal_and_role_changes_are_audited(self, world):
        membership = MpOfficeMembership.objects.get(user=world.a_caseworker)
        office_membership_role_set(
            membership=membership, role=OfficeRole.MANAGER, actor=world.a_manager
        )
        office_membership_remove(membership=membership, actor=world.a_manager)
        membership.refresh_from_db()
        assert not membership.active and membership.removed_by == world.a_manager
        actions = set(
            AuditEntry.objects.filter(object_id=str(membership.pk)).values_list("action", flat=True)
        )
        assert actions == {"portal.membership.role", "portal.membership.remove"}

    def test_the_last_manager_cannot_be_removed_or_demoted(self, world):
        membership = MpOfficeMembership.objects.get(user=world.a_manager)
        with pytest.raises(PortalRefused):
            office_membership_remove(membership=membership, actor=world.a_manager)
        with pytest.raises(PortalRefused):
            office_membership_role_set(
                membership=membership, role=OfficeRole.CASEWORKER, actor=world.a_manager
            )

    def test_the_last_organisation_admin_stays(self, world):
        membership = OrganisationMembership.objects.get(user=world.org_a_admin)
        with pytest.raises(PortalRefused):
            organisation_membership_remove(membership=membership, actor=world.org_a_admin)
        other = OrganisationMembership.objects.get(user=world.org_a_user)
        organisation_membership_remove(membership=other, actor=world.org_a_admin)
        assert AuditEntry.objects.filter(
            action="portal.membership.remove", object_id=str(other.pk)
        ).exists()


def _refer(world, **kwargs):
    options = {
        "office": world.office_a,
        "actor": world.a_caseworker,
        "kind": CaseKind.HEALTH,
        "organisation": world.org_a,
        "summary": "My mother's discharge was unsafe.",
        "constituent_name": "Pat Jones",
        "constituent_email": "pat@example.org",
        "constituent_phone": "",
        "constituent_postcode": "ls1 5ab",
        "consent_method": ConsentMethod.UPLOAD,
        "consent_files": [upload("consent.pdf", pdf_bytes("I consent"))],
    }
    options.update(kwargs)
    return referral_submit(**options)


class TestReferral:
    def test_a_signed_consent_form_creates_the_case_at_once(self, world):
        referral = _refer(world)
        case = referral.case
        assert case.referring_mp == world.office_a.mp
        assert case.constituency == world.office_a.mp.constituency
        assert case.status == CaseStatus.SUBMITTED
        assert referral.consent_document.internal
        assert referral.constituent_postcode == "LS1 5AB"

    def test_a_consent_form_failing_screening_is_not_consent(self, world):
        with pytest.raises(PortalRefused):
            _refer(world, consent_files=[upload("consent.pdf", b"not a pdf at all")])
        assert not Referral.objects.filter(constituent_name="Pat Jones").exists()

    def test_email_consent_waits_for_the_constituent_then_creates_the_case(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            referral = _refer(world, consent_method=ConsentMethod.EMAIL, consent_files=[])
        assert referral.case is None
        token = _token_from_outbox()
        referral = referral_consent_confirm(token=token)
        assert referral.case.referring_mp == world.office_a.mp
        with pytest.raises(LinkInvalid) as replay:
            referral_consent_confirm(token=token)
        assert replay.value.reason == "used"


class TestHandover:
    def test_open_referrals_move_and_the_old_office_ends(self, world):
        closed = support.referred_case(world.office_a, status=CaseStatus.CLOSED)
        new_mp = support.mp(seat=world.office_a.mp.constituency)
        new_office = office_handover(old_office=world.office_a, new_mp=new_mp, actor=world.staff)
        assert Referral.objects.get(case=world.case_a).office == new_office
        assert Referral.objects.get(case=closed).office == world.office_a
        assert not MpOfficeMembership.objects.active().filter(office=world.office_a).exists()
        world.office_a.refresh_from_db()
        assert world.office_a.ended_at is not None
        assert AuditEntry.objects.filter(action="portal.office.handover").exists()

    def test_a_new_mp_for_another_seat_is_refused(self, world):
        with pytest.raises(PortalRefused):
            office_handover(old_office=world.office_a, new_mp=world.office_b.mp, actor=world.staff)


class TestOrganisationReplies:
    def test_answering_with_a_pdf_meets_the_request(self, world):
        documents = evidence_request_answer(
            evidence_request=world.request_a,
            actor=world.org_a_user,
            files=[upload("notes.pdf", pdf_bytes("Clinical notes"))],
            note="Notes attached",
        )
        world.request_a.refresh_from_db()
        assert world.request_a.status == EvidenceRequestStatus.MET
        assert world.request_a.response_note == "Notes attached"
        assert documents[0].status == DocumentStatus.PENDING
        assert documents[0].internal

    def test_only_refused_files_leave_the_request_open(self, world):
        documents = evidence_request_answer(
            evidence_request=world.request_a,
            actor=world.org_a_user,
            files=[upload("virus.pdf", EICAR)],
            note="",
        )
        world.request_a.refresh_from_db()
        assert world.request_a.status == EvidenceRequestStatus.OPEN
        assert documents[0].status == DocumentStatus.REJECTED

    def test_more_time_is_asked_for_then_agreed(self, world):
        due = world.request_a.due_date
        extension = extension_request_create(
            evidence_request=world.request_a,
            actor=world.org_a_user,
            extra_working_days=5,
            reason="Records are in storage",
        )
        with pytest.raises(PortalRefused):
            extension_request_create(
                evidence_request=world.request_a,
                actor=world.org_a_user,
                extra_working_days=5,
                reason="Again",
            )
        extension_request_decide(extension=extension, actor=world.staff, agree=True)
        world.request_a.refresh_from_db()
        assert world.request_a.due_date > due
        extension.refresh_from_db()
        assert extension.status == ExtensionRequestStatus.AGREED

    def test_refusing_needs_a_reason_and_keeps_the_date(self, world):
        due = world.request_a.due_date
        extension = extension_request_create(
            evidence_request=world.request_a,
            actor=world.org_a_user,
            extra_working_days=5,
            reason="Busy",
        )
        with pytest.raises(PortalRefused):
            extension_request_decide(extension=extension, actor=world.staff, agree=False)
        extension_request_decide(
            extension=extension, actor=world.staff, agree=False, note="The notes are electronic"
        )
        world.request_a.refresh_from_db()
        assert world.request_a.due_date == due

    def test_compliance_evidence_is_kept_with_its_documents(self, world):
        compliance_submit(
            recommendation=world.recommendation_a,
            actor=world.org_a_user,
            files=[upload("apology.pdf", pdf_bytes("We apologise"))],
            note="Letter sent",
        )
        submission = world.recommendation_a.compliance_submissions.get()
        assert submission.documents.count() == 1


class TestPortalReplySend:
    """Staff replies tell the office's or organisation's active members that a message waits."""

    def test_organisation_members_are_told_without_the_text(
        self, world, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        from casework.models import MessageParty
        from portals.services import portal_reply_send

        with django_capture_on_commit_callbacks(execute=True):
            portal_reply_send(
                case=world.org_case_a,
                author=world.staff,
                party=MessageParty.ORGANISATION,
                body="Please send the ward rota for 3 May.",
                organisation=world.org_a,
            )
        recipients = sorted(address for email in mail.outbox for address in email.to)
        assert recipients == sorted([world.org_a_admin.email, world.org_a_user.email])
        for email in mail.outbox:
            assert "ward rota" not in email.body
            assert (
                f"/organisation/{world.org_a.pk}/cases/{world.org_case_a.reference}/messages"
                in email.body
            )

    def test_office_members_are_told_and_removed_members_are_not(
        self, world, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        from casework.models import MessageParty
        from portals.services import portal_reply_send

        with django_capture_on_commit_callbacks(execute=True):
            portal_reply_send(
                case=world.case_a,
                author=world.staff,
                party=MessageParty.MP_OFFICE,
                body="Thank you.",
            )
        recipients = {address for email in mail.outbox for address in email.to}
        assert recipients == {world.a_manager.email, world.a_caseworker.email}
        assert world.removed.email not in recipients and world.b_user.email not in recipients

    def test_a_member_whose_name_is_not_only_a_name_is_still_told(
        self, world, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        from casework.models import MessageParty
        from portals.services import portal_reply_send

        type(world.org_a_user).objects.filter(pk=world.org_a_user.pk).update(
            full_name="Ward 7 (www.example.com)"
        )
        with django_capture_on_commit_callbacks(execute=True):
            portal_reply_send(
                case=world.org_case_a,
                author=world.staff,
                party=MessageParty.ORGANISATION,
                body="Please send the ward rota.",
                organisation=world.org_a,
            )
        [email] = [e for e in mail.outbox if e.to == [world.org_a_user.email]]
        assert "Dear there," in email.body
        assert "www.example.com" not in email.body
