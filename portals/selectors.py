"""Reads for the portals: what an office or an organisation may see. Every portal page fetches
through these, so that nothing outside a person's own office or organisation is ever found."""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOrganisation,
    EvidenceRequest,
    Message,
    MessageParty,
    Recommendation,
)
from portals.models import (
    CaseShare,
    ExtensionRequest,
    ExtensionRequestStatus,
    MpOfficeMembership,
    OfficeRole,
    OrganisationMembership,
    Referral,
)


def office_membership(user) -> MpOfficeMembership | None:
    """The user's active place in a current office, read afresh on every request."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        MpOfficeMembership.objects.active()
        .filter(user=user, office__ended_at__isnull=True)
        .select_related("office__mp__constituency")
        .first()
    )


def organisation_memberships(user):
    if not user.is_authenticated or not user.is_active:
        return OrganisationMembership.objects.none()
    return (
        OrganisationMembership.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_membership(user, organisation_id) -> OrganisationMembership | None:
    return organisation_memberships(user).filter(organisation_id=organisation_id).first()


def office_is_manager(membership) -> bool:
    return membership is not None and membership.role == OfficeRole.MANAGER


# MP office --------------------------------------------------------------------------------------


def office_cases(office):
    """The cases an office follows: those of its referrals (moved to it by a handover too) and
    those their complainants agreed to share with it."""
    shared = CaseShare.objects.confirmed().filter(office=office, case=OuterRef("pk"))
    return Case.objects.filter(Q(referral__office=office) | Exists(shared))


def office_shares_for_list(office):
    return (
        CaseShare.objects.confirmed()
        .filter(office=office)
        .select_related("case")
        .order_by("-confirmed_at", "-id")
    )


def office_referrals_for_list(office):
    """The office's referrals with their cases, newest first, in a fixed number of queries."""
    unread = Count(
        "case__messages",
        filter=Q(
            case__messages__party=MessageParty.MP_OFFICE,
            case__messages__from_ombudsman=True,
            case__messages__read_at__isnull=True,
        ),
    )
    return (
        Referral.objects.for_office(office)
        .select_related("case", "organisation")
        .annotate(unread_messages=unread)
        .order_by("-created_at", "-id")
    )


def office_case(office, reference) -> Case:
    try:
        return office_cases(office).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No case found") from None


def office_public_events(case):
    """What an MP's office may see of the timeline: receipt, status changes and its own thread."""
    return (
        CaseEvent.objects.filter(case=case)
        .filter(
            Q(kind__in=[CaseEventKind.RECEIVED, CaseEventKind.STATUS_CHANGED])
            | Q(kind=CaseEventKind.MESSAGE_SENT, payload__party=MessageParty.MP_OFFICE)
        )
        .order_by("-created_at", "-id")
    )


# Organisations ----------------------------------------------------------------------------------


def organisation_cases(organisation):
    """Cases the organisation is party to: it sees no other."""
    return Case.objects.filter(
        Exists(CaseOrganisation.objects.filter(case=OuterRef("pk"), organisation=organisation))
    )


def organisation_case(organisation, reference) -> Case:
    try:
        return organisation_cases(organisation).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No case found") from None


def organisation_evidence_requests_for_list(organisation):
    pending = ExtensionRequest.objects.filter(
        evidence_request=OuterRef("pk"), status=ExtensionRequestStatus.REQUESTED
    )
    return (
        EvidenceRequest.objects.filter(organisation=organisation)
        .select_related("case")
        .annotate(extension_pending=Exists(pending))
        .order_by("status", "due_date", "id")
    )


def organisation_evidence_request(organisation, evidence_request_id) -> EvidenceRequest:
    try:
        return (
            EvidenceRequest.objects.filter(organisation=organisation)
            .select_related("case")
            .get(pk=evidence_request_id)
        )
    except EvidenceRequest.DoesNotExist:
        raise Http404("No evidence request found") from None


def organisation_recommendations(organisation):
    return (
        Recommendation.objects.filter(organisation=organisation)
        .select_related("decision__case")
        .prefetch_related("compliance_submissions")
        .order_by("status", "due_date", "id")
    )


def organisation_recommendation(organisation, recommendation_id) -> Recommendation:
    try:
        return organisation_recommendations(organisation).get(pk=recommendation_id)
    except Recommendation.DoesNotExist:
        raise Http404("No recommendation found") from None


def organisation_thread(case, organisation):
    return Message.objects.thread(
        case=case, party=MessageParty.ORGANISATION, organisation=organisation
    )


def organisation_cases_for_list(organisation):
    return (
        organisation_cases(organisation)
        .annotate(
            open_requests=Count(
                "evidence_requests",
                filter=Q(
                    evidence_requests__organisation=organisation, evidence_requests__status="open"
                ),
            )
        )
        .order_by("-received_at", "-id")
    )


def extension_requests_waiting():
    return (
        ExtensionRequest.objects.filter(status=ExtensionRequestStatus.REQUESTED)
        .select_related("evidence_request__case", "evidence_request__organisation", "requested_by")
        .order_by("requested_at", "id")
    )


def office_members_for_list(office):
    return (
        office.memberships.active()
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def organisation_members_for_list(organisation):
    return (
        OrganisationMembership.objects.active()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
