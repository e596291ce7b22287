"""Writes for the portals: invitations and memberships (every change audited), MP referrals with
the constituent's consent, and what organisations send back (evidence, more time, compliance).

Case writes go through casework's own services; this module adds only what they lack.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create, user_grant_role
from casework.models import (
    OPEN_STATUS_VALUES,
    AuditEntry,
    Case,
    CaseKind,
    DocumentStatus,
    Message,
    MessageParty,
    Sensitivity,
    UploaderRole,
)
from casework.services import case_create, document_upload, message_send
from casework.services_decisions import evidence_request_extend, evidence_request_respond
from phso.services import notification_send
from portals.models import (
    CaseShare,
    ComplianceSubmission,
    ConsentMethod,
    ExtensionRequest,
    ExtensionRequestStatus,
    Invitation,
    InvitationRole,
    MpOffice,
    MpOfficeMembership,
    OfficeRole,
    OrganisationMembership,
    Referral,
)

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7
CONSENT_DAYS = 14

_OFFICE_ROLES = {
    InvitationRole.OFFICE_MANAGER: OfficeRole.MANAGER,
    InvitationRole.OFFICE_CASEWORKER: OfficeRole.CASEWORKER,
}


class PortalRefused(Exception):
    """The change cannot be made as asked; the message says why, fit to show the person."""


class LinkInvalid(Exception):
    """An invitation or consent link that cannot be used. `reason` is unknown, used or expired."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def portal_audit(*, actor, action: str, obj=None, case=None, detail=None) -> AuditEntry:
    """Record a portal change or refusal in the same transaction as the change.

    Written directly because casework's audit_record takes the request, and these writes happen
    in services that must not depend on one; views record the reads they make with audit_record.
    """
    return AuditEntry.objects.create(
        user=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        case=case,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )


# Invitations and memberships --------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, inviter, email: str, role: InvitationRole, office: MpOffice | None = None, organisation=None
) -> Invitation:
    """Invite someone by email to an office or an organisation, with a single-use link that
    expires after INVITATION_DAYS. The email carries the link only."""
    email = email.strip().lower()
    role = InvitationRole(role)
    if (office is None) == (organisation is None):
        raise ValueError("An invitation is to one office or one organisation")
    if office is not None and role not in _OFFICE_ROLES:
        raise PortalRefused("Select a role in the office")
    if organisation is not None and role in _OFFICE_ROLES:
        raise PortalRefused("Select a role in the organisation")
    already = (
        MpOfficeMembership.objects.active().filter(office=office, user__email__iexact=email)
        if office is not None
        else OrganisationMembership.objects.active().filter(
            organisation=organisation, user__email__iexact=email
        )
    )
    if already.exists():
        raise PortalRefused(f"{email} already has access")
    token, hashed = _new_token()
    invitation = Invitation.objects.create(
        email=email,
        office=office,
        organisation=organisation,
        role=role,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        invited_by=inviter,
    )
    portal_audit(
        actor=inviter,
        action="portal.invitation.create",
        obj=invitation,
        detail={"email": email, "role": role.value},
    )
    prefix = "/mp" if office is not None else "/organisation"
    notification_send(
        channel="email",
        to=email,
        template="portal_invitation",
        personalisation={"link": _link(f"{prefix}/invitation/{token}")},
        reference=f"portal-invitation-{invitation.pk}",
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link is for, or LinkInvalid saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("office__mp", "organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None or invitation.cancelled_at is not None:
        raise LinkInvalid("unknown")
    if invitation.used_at is not None:
        raise LinkInvalid("used")
    if invitation.expires_at <= timezone.now():
        raise LinkInvalid("expired")
    return invitation


@transaction.atomic
def link_refusal_record(*, actor, reason: str, kind: str, obj=None) -> None:
    """A replayed, expired or unknown link was opened: logged for security monitoring."""
    logger.warning("Refused %s link: %s", kind, reason)
    portal_audit(actor=actor, action=f"portal.{kind}.refused", obj=obj, detail={"reason": reason})


@transaction.atomic
def invitation_accept(*, token: str, user=None, full_name: str = "", password: str = ""):
    """Use an invitation: with a signed-in user whose email it was sent to, or by creating that
    person's account (the link proves they hold the address). Returns the membership."""
    hashed = token_hash(token)
    invitation = Invitation.objects.select_for_update().filter(token_hash=hashed).first()
    if invitation is None:
        raise LinkInvalid("unknown")
    # Checked again under the lock: two clicks at once accept it once.
    invitation = invitation_for_token(token)
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise PortalRefused("Sign in to accept this invitation")
        validate_password(password)
        user = user_create(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            email_verified=True,
        )
    elif user.email.lower() != invitation.email.lower():
        raise PortalRefused(
            f"This invitation was sent to {invitation.email}. "
            "Sign in with that email address to accept it"
        )
    now = timezone.now()
    if invitation.office_id is not None:
        if invitation.office.ended_at is not None:
            raise LinkInvalid("expired")
        if MpOfficeMembership.objects.active().filter(user=user).exists():
            raise PortalRefused("You already work for an MP's office on this service")
        role = _OFFICE_ROLES[InvitationRole(invitation.role)]
        membership = MpOfficeMembership.objects.create(
            user=user, office=invitation.office, role=role, invited_by=invitation.invited_by
        )
        user_grant_role(user=user, role=Role.MP_OFFICE_STAFF)
    else:
        membership = OrganisationMembership.objects.create(
            user=user,
            organisation=invitation.organisation,
            is_admin=invitation.role == InvitationRole.ORGANISATION_ADMIN,
            invited_by=invitation.invited_by,
        )
        user_grant_role(user=user, role=Role.ORGANISATION_USER)
    invitation.used_at = now
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    portal_audit(
        actor=user,
        action="portal.membership.add",
        obj=membership,
        detail={"invitation_id": invitation.pk, "role": invitation.role},
    )
    return membership


@transaction.atomic
def office_membership_role_set(
    *, membership: MpOfficeMembership, role: OfficeRole, actor
) -> MpOfficeMembership:
    membership = MpOfficeMembership.objects.select_for_update().get(pk=membership.pk, active=True)
    role = OfficeRole(role)
    if membership.role == role:
        return membership
    if role != OfficeRole.MANAGER and _last_manager(membership):
        raise PortalRefused("An office needs at least one manager")
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    portal_audit(
        actor=actor,
        action="portal.membership.role",
        obj=membership,
        detail={"from": previous, "to": role.value},
    )
    return membership


def _last_manager(membership: MpOfficeMembership) -> bool:
    others = (
        MpOfficeMembership.objects.active()
        .filter(office_id=membership.office_id, role=OfficeRole.MANAGER)
        .exclude(pk=membership.pk)
    )
    return membership.role == OfficeRole.MANAGER and not others.exists()


@transaction.atomic
def office_membership_remove(*, membership: MpOfficeMembership, actor) -> MpOfficeMembership:
    """Take someone out of an office: they lose access on their next request."""
    membership = MpOfficeMembership.objects.select_for_update().get(pk=membership.pk, active=True)
    if _last_manager(membership):
        raise PortalRefused("An office needs at least one manager")
    membership.active = False
    membership.removed_at = timezone.now()
    membership.removed_by = actor
    membership.save(update_fields=["active", "removed_at", "removed_by"])
    portal_audit(actor=actor, action="portal.membership.remove", obj=membership)
    return membership


@transaction.atomic
def organisation_membership_remove(
    *, membership: OrganisationMembership, actor
) -> OrganisationMembership:
    membership = OrganisationMembership.objects.select_for_update().get(
        pk=membership.pk, active=True
    )
    others = (
        OrganisationMembership.objects.active()
        .filter(organisation_id=membership.organisation_id, is_admin=True)
        .exclude(pk=membership.pk)
    )
    if membership.is_admin and not others.exists():
        raise PortalRefused("An organisation needs at least one administrator")
    membership.active = False
    membership.removed_at = timezone.now()
    membership.removed_by = actor
    membership.save(update_fields=["active", "removed_at", "removed_by"])
    portal_audit(actor=actor, action="portal.membership.remove", obj=membership)
    return membership


@transaction.atomic
def office_handover(*, old_office: MpOffice, new_mp, actor) -> MpOffice:
    """After an election, the new MP's office takes over the constituency's open referrals and
    the old office's access ends. Closed referrals stay with the office that made them."""
    old_office = MpOffice.objects.select_for_update().get(pk=old_office.pk)
    if old_office.ended_at is not None:
        raise PortalRefused("This office has already been handed over")
    if new_mp.pk == old_office.mp_id:
        raise PortalRefused("Select the new Member of Parliament")
    if new_mp.constituency_id != old_office.mp.constituency_id:
        raise PortalRefused("The new MP must represent the same constituency")
    new_office, _ = MpOffice.objects.get_or_create(mp=new_mp)
    # Referrals still waiting for consent are open too: the constituent may yet confirm.
    still_open = Q(case__isnull=True) | Q(case__status__in=OPEN_STATUS_VALUES)
    moved = list(
        Referral.objects.filter(office=old_office).filter(still_open).values_list("pk", flat=True)
    )
    Referral.objects.filter(pk__in=moved).update(office=new_office)
    now = timezone.now()
    old_office.ended_at = now
    old_office.save(update_fields=["ended_at"])
    MpOfficeMembership.objects.active().filter(office=old_office).update(
        active=False, removed_at=now, removed_by=actor
    )
    portal_audit(
        actor=actor,
        action="portal.office.handover",
        obj=old_office,
        detail={"to_office_id": new_office.pk, "referral_ids": moved},
    )
    return new_office


# MP referrals -----------------------------------------------------------------------------------


@transaction.atomic
def referral_submit(
    *,
    office: MpOffice,
    actor,
    kind: str,
    organisation,
    summary: str,
    constituent_name: str,
    constituent_email: str,
    constituent_phone: str,
    constituent_postcode: str,
    consent_method: ConsentMethod,
    consent_files=(),
) -> Referral:
    """Refer a constituent's complaint. With a signed consent form the case is created now; with
    email consent the constituent is sent a single-use link and the case waits for them.

    An uploaded form must pass screening: a file refused at upload is not consent.
    """
    consent_method = ConsentMethod(consent_method)
    kind = CaseKind(kind)
    if (
        kind == CaseKind.PARLIAMENTARY
        and office.mp.end_date
        and office.mp.end_date <= timezone.localdate()
    ):
        raise PortalRefused("Only a sitting MP can refer a parliamentary complaint")
    referral = Referral(
        office=office,
        kind=kind,
        organisation=organisation,
        summary=summary.strip(),
        constituent_name=constituent_name.strip(),
        constituent_email=constituent_email.strip().lower(),
        constituent_phone=constituent_phone.strip(),
        constituent_postcode=constituent_postcode.strip().upper(),
        consent_method=consent_method,
        referred_by=actor,
    )
    token = ""
    if consent_method == ConsentMethod.EMAIL:
        if not referral.constituent_email:
            raise PortalRefused(
                "Enter the constituent's email address to send them the consent link"
            )
        token, referral.consent_token_hash = _new_token()
        referral.consent_expires_at = timezone.now() + timedelta(days=CONSENT_DAYS)
        referral.save()
        notification_send(
            channel="email",
            to=referral.constituent_email,
            template="referral_consent",
            personalisation={"link": _link(f"/mp/consent/{token}")},
            reference=f"referral-consent-{referral.pk}",
        )
    else:
        referral.save()
        referral.case = _referral_case_create(referral, system_reason="mp_referral")
        documents = document_upload(
            case=referral.case,
            uploaded_by=actor,
            uploader_role=UploaderRole.MP_OFFICE,
            files=consent_files,
            sensitivity=Sensitivity.SENSITIVE,
            internal=True,
        )
        accepted = [d for d in documents if d.status != DocumentStatus.REJECTED]
        if not accepted:
            raise PortalRefused(
                f"The consent form could not be accepted: {documents[0].rejection_reason}"
            )
        referral.consent_document = accepted[0]
        referral.consent_confirmed_at = timezone.now()
        referral.save(update_fields=["case", "consent_document", "consent_confirmed_at"])
    portal_audit(
        actor=actor,
        action="portal.referral.submit",
        obj=referral,
        case=referral.case,
        detail={"consent_method": consent_method.value},
    )
    return referral


def _referral_case_create(referral: Referral, *, system_reason: str):
    office = referral.office
    return case_create(
        kind=CaseKind(referral.kind),
        summary=referral.summary,
        organisations=[referral.organisation],
        referring_mp=office.mp,
        constituency=office.mp.constituency,
        system_reason=system_reason,
    )


def referral_for_consent_token(token: str) -> Referral:
    referral = (
        Referral.objects.select_related("office__mp", "organisation")
        .filter(consent_token_hash=token_hash(token))
        .exclude(consent_token_hash="")
        .first()
    )
    if referral is None:
        raise LinkInvalid("unknown")
    if referral.consent_confirmed_at is not None:
        raise LinkInvalid("used")
    if referral.consent_expires_at <= timezone.now():
        raise LinkInvalid("expired")
    return referral


@transaction.atomic
def referral_consent_confirm(*, token: str) -> Referral:
    """The constituent confirms their consent through the emailed link: the case is created."""
    referral = (
        Referral.objects.select_for_update().filter(consent_token_hash=token_hash(token)).first()
    )
    if referral is None:
        raise LinkInvalid("unknown")
    referral = referral_for_consent_token(token)
    referral.consent_confirmed_at = timezone.now()
    referral.case = _referral_case_create(referral, system_reason="constituent_consent")
    referral.save(update_fields=["consent_confirmed_at", "case"])
    portal_audit(actor=None, action="portal.referral.consent", obj=referral, case=referral.case)
    return referral


# Organisations ----------------------------------------------------------------------------------


def evidence_request_answer(*, evidence_request, actor, files, note: str):
    """Send the evidence asked for, with a covering note. Returns the documents.

    The upload is its own transaction (screening is slow and runs outside it); the request is
    then marked answered only if at least one file was accepted, because files refused at
    screening never reach the case as usable evidence.
    """
    documents = document_upload(
        case=evidence_request.case,
        uploaded_by=actor,
        uploader_role=UploaderRole.ORGANISATION,
        files=files,
        # An organisation's records hold other people's data: staff decide what to share.
        internal=True,
    )
    if all(d.status == DocumentStatus.REJECTED for d in documents):
        return documents
    _evidence_request_answered(
        evidence_request=evidence_request, actor=actor, note=note, documents=documents
    )
    return documents


@transaction.atomic
def _evidence_request_answered(*, evidence_request, actor, note, documents):
    accepted = [d.pk for d in documents if d.status != DocumentStatus.REJECTED]
    body = note.strip()
    evidence_request_respond(
        evidence_request_id=evidence_request.pk,
        received_on=timezone.localdate(),
        actor=actor,
        note=body,
    )
    portal_audit(
        actor=actor,
        action="portal.evidence_request.answer",
        obj=evidence_request,
        case=evidence_request.case,
        detail={"document_ids": accepted},
    )


@transaction.atomic
def extension_request_create(
    *, evidence_request, actor, extra_working_days: int, reason: str
) -> ExtensionRequest:
    """An organisation asks for more time; a caseworker agrees or refuses it."""
    reason = reason.strip()
    if not reason:
        raise PortalRefused("Enter why you need more time")
    if evidence_request.status != "open":
        raise PortalRefused("This request has already been answered")
    if ExtensionRequest.objects.filter(
        evidence_request=evidence_request, status=ExtensionRequestStatus.REQUESTED
    ).exists():
        raise PortalRefused("You have already asked for more time. We will tell you our answer")
    extension = ExtensionRequest.objects.create(
        evidence_request=evidence_request,
        requested_by=actor,
        extra_working_days=extra_working_days,
        reason=reason,
    )
    portal_audit(
        actor=actor,
        action="portal.extension.request",
        obj=extension,
        case=evidence_request.case,
        detail={"extra_working_days": extra_working_days},
    )
    return extension


@transaction.atomic
def extension_request_decide(
    *, extension: ExtensionRequest, actor, agree: bool, note: str = ""
) -> ExtensionRequest:
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionRequestStatus.REQUESTED:
        raise PortalRefused(f"This request was already {extension.get_status_display().lower()}")
    if not agree and not note.strip():
        raise PortalRefused("Enter why you are refusing more time")
    if agree:
        evidence_request_extend(
            evidence_request_id=extension.evidence_request_id,
            extra_working_days=extension.extra_working_days,
            reason=extension.reason,
            actor=actor,
        )
    extension.status = ExtensionRequestStatus.AGREED if agree else ExtensionRequestStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    portal_audit(
        actor=actor, action="portal.extension.decide", obj=extension, detail={"agreed": agree}
    )
    return extension


def compliance_submit(*, recommendation, actor, files, note: str):
    """Send evidence that a recommendation was complied with. Returns the documents; a
    submission is kept only when at least one file was accepted."""
    case = recommendation.decision.case
    documents = document_upload(
        case=case,
        uploaded_by=actor,
        uploader_role=UploaderRole.ORGANISATION,
        files=files,
        internal=True,
    )
    accepted = [d for d in documents if d.status != DocumentStatus.REJECTED]
    if accepted:
        _compliance_record(
            recommendation=recommendation, actor=actor, note=note, documents=accepted
        )
    return documents


@transaction.atomic
def _compliance_record(*, recommendation, actor, note, documents):
    submission = ComplianceSubmission.objects.create(
        recommendation=recommendation, note=note.strip(), submitted_by=actor
    )
    submission.documents.set(documents)
    portal_audit(
        actor=actor,
        action="portal.compliance.submit",
        obj=submission,
        case=recommendation.decision.case,
        detail={"document_ids": [d.pk for d in documents]},
    )
    return submission


# Complaints made directly, shared with the MP's office by their complainant ---------------------


@transaction.atomic
def case_share_request(*, office: MpOffice, actor, reference: str) -> None:
    """Ask the complainant of `reference` to let the office follow it.

    Only a case from the MP's constituency with a complainant who has an email address is asked
    about; for any other reference nothing happens, and the office is told the same either way,
    so that the form cannot be used to learn which references exist.
    """
    case = (
        Case.objects.filter(
            reference=reference.strip().upper(),
            constituency_id=office.mp.constituency_id,
            complainant__isnull=False,
        )
        .select_related("complainant")
        .first()
    )
    already = case is not None and CaseShare.objects.confirmed().filter(office=office, case=case)
    if case is None or not case.complainant.email or already.exists():
        portal_audit(actor=actor, action="portal.share.request_ignored", obj=office)
        return
    token, hashed = _new_token()
    share = CaseShare.objects.create(
        office=office,
        case=case,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(days=CONSENT_DAYS),
        requested_by=actor,
    )
    portal_audit(actor=actor, action="portal.share.request", obj=share, case=case)
    notification_send(
        channel="email",
        to=case.complainant.email,
        template="case_share_request",
        personalisation={"reference": case.reference, "link": _link(f"/mp/share/{token}")},
        reference=f"case-share-{share.pk}",
    )


def case_share_for_token(token: str, *, user) -> CaseShare:
    """The request a link is for, if `user` is its complaint's complainant (LinkInvalid
    "unknown" otherwise, so that nobody else learns anything from the link)."""
    share = (
        CaseShare.objects.select_related("case", "office__mp")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if share is None or share.case.complainant_id != getattr(user, "pk", None):
        raise LinkInvalid("unknown")
    if share.confirmed_at is not None:
        raise LinkInvalid("used")
    if share.expires_at <= timezone.now():
        raise LinkInvalid("expired")
    return share


@transaction.atomic
def case_share_confirm(*, token: str, user) -> CaseShare:
    share = CaseShare.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if share is None:
        raise LinkInvalid("unknown")
    share = case_share_for_token(token, user=user)
    if CaseShare.objects.confirmed().filter(office=share.office, case=share.case).exists():
        raise LinkInvalid("used")
    share.confirmed_at = timezone.now()
    share.save(update_fields=["confirmed_at"])
    portal_audit(actor=user, action="portal.share.confirm", obj=share, case=share.case)
    return share


@transaction.atomic
def portal_reply_send(*, case, author, party, body: str, organisation=None) -> Message:
    """Staff reply on an MP office or organisation thread; every active member of that office or
    organisation is told a message is waiting (never what it says)."""
    message = message_send(
        case=case,
        author=author,
        party=party,
        body=body,
        from_ombudsman=True,
        organisation=organisation,
    )
    if party == MessageParty.ORGANISATION:
        members = OrganisationMembership.objects.active().filter(organisation=organisation)
        path = f"/organisation/{organisation.pk}/cases/{case.reference}/messages"
    else:
        offices = MpOffice.objects.current().filter(
            Q(referrals__case=case) | Q(shares__case=case, shares__confirmed_at__isnull=False)
        )
        members = MpOfficeMembership.objects.active().filter(office__in=offices)
        path = f"/mp/cases/{case.reference}/messages"
    for user_id, email, name in members.values_list(
        "user_id", "user__email", "user__full_name"
    ).distinct():
        notification_send(
            channel="email",
            to=email,
            template="new_message",
            personalisation={
                "name": name,
                "reference": case.reference,
                "link": _link(path),
            },
            reference=f"message-{message.pk}-user-{user_id}",
        )
    return message
