"""Builders for the portal tests: two MP offices and two organisations with their people, and
cases that each can see. Case statuses are set directly only as test set-up."""

import itertools
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from accounts.models import Constituency, MemberOfParliament, Organisation, OrganisationKind, Sector
from accounts.roles import Role
from casework.models import Case, CaseKind
from casework.services import case_create
from casework.services_decisions import (
    evidence_request_create,
    provisional_report_share,
    recommendation_add,
)
from casework.state import CaseStatus
from portals.models import (
    MpOffice,
    MpOfficeMembership,
    OfficeRole,
    OrganisationMembership,
    Referral,
)
from tests.factories import UserFactory

_n = itertools.count(1)


def constituency(name=None) -> Constituency:
    n = next(_n)
    return Constituency.objects.create(code=f"E1470{n:04d}", name=name or f"Riverton {n}")


def mp(seat=None, name=None) -> MemberOfParliament:
    n = next(_n)
    return MemberOfParliament.objects.create(
        parliament_id=90000 + n,
        name=name or f"Alex Member {n}",
        constituency=seat or constituency(),
        start_date=date(2024, 7, 4),
    )


def office(member=None) -> MpOffice:
    return MpOffice.objects.create(mp=member or mp())


def office_user(office_, role=OfficeRole.CASEWORKER, **kwargs):
    user = UserFactory(roles=[Role.MP_OFFICE_STAFF], **kwargs)
    MpOfficeMembership.objects.create(user=user, office=office_, role=role)
    return user


def organisation(name=None, sector=Sector.HEALTH) -> Organisation:
    n = next(_n)
    return Organisation.objects.create(
        name=name or f"Northfield NHS Trust {n}",
        ods_code=f"RP{n:04d}",
        kind=OrganisationKind.NHS_TRUST
        if sector == Sector.HEALTH
        else OrganisationKind.GOVERNMENT_DEPARTMENT,
        sector=sector,
    )


def org_user(org, *, admin=False, **kwargs):
    user = UserFactory(roles=[Role.ORGANISATION_USER], **kwargs)
    OrganisationMembership.objects.create(user=user, organisation=org, is_admin=admin)
    return user


def referred_case(office_, *, org=None, constituent_name="Jo Constituent", status=None) -> Case:
    org = org or organisation()
    case = case_create(
        kind=CaseKind.HEALTH,
        summary="Discharged without a care plan",
        organisations=[org],
        referring_mp=office_.mp,
        constituency=office_.mp.constituency,
        system_reason="test",
    )
    Referral.objects.create(
        office=office_,
        case=case,
        kind=CaseKind.HEALTH,
        organisation=org,
        summary=case.summary,
        constituent_name=constituent_name,
        constituent_postcode="LS1 5AB",
        consent_method="upload",
        consent_confirmed_at=timezone.now(),
        referred_by=office_.memberships.first().user,
    )
    if status:
        Case.objects.filter(pk=case.pk).update(status=status)
    return case


def org_case(org, *, caseworker, complainant=None):
    """A case about `org` in investigation with an evidence request, a shared provisional report
    and a recommendation."""
    case = case_create(
        kind=CaseKind.HEALTH,
        complainant=complainant,
        summary="Missed diagnosis",
        organisations=[org],
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.INVESTIGATION)
    case.refresh_from_db()
    request = evidence_request_create(
        case=case, organisation=org, description="The clinical notes for 3 May", actor=caseworker
    )
    provisional_report_share(
        case=case, actor=caseworker, report="We found the trust failed to follow up."
    )
    recommendation = recommendation_add(
        case=case,
        actor=caseworker,
        organisation=org,
        text="Apologise in writing",
        due_date=date(2099, 1, 1),
    )
    return case, request, recommendation


@dataclass
class World:
    office_a: MpOffice
    office_b: MpOffice
    a_manager: object
    a_caseworker: object
    b_user: object
    org_a: Organisation
    org_b: Organisation
    org_a_admin: object
    org_a_user: object
    org_b_user: object
    removed: object
    complainant: object
    staff: object
    case_a: Case
    case_b: Case
    org_case_a: Case
    request_a: object
    recommendation_a: object
    org_case_b: Case
    request_b: object
    recommendation_b: object


def world() -> World:
    office_a, office_b = office(), office()
    a_manager = office_user(office_a, OfficeRole.MANAGER)
    a_caseworker = office_user(office_a)
    b_user = office_user(office_b, OfficeRole.MANAGER)
    org_a, org_b = organisation(), organisation()
    org_a_admin = org_user(org_a, admin=True)
    org_a_user = org_user(org_a)
    org_b_user = org_user(org_b, admin=True)
    removed = office_user(office_a)
    MpOfficeMembership.objects.filter(user=removed).update(active=False, removed_at=timezone.now())
    OrganisationMembership.objects.create(
        user=removed, organisation=org_a, active=False, removed_at=timezone.now()
    )
    complainant = UserFactory(roles=[Role.COMPLAINANT])
    staff = UserFactory(roles=[Role.CASEWORKER])
    case_a = referred_case(office_a, org=org_a)
    case_b = referred_case(office_b, org=org_b)
    org_case_a, request_a, recommendation_a = org_case(
        org_a, caseworker=staff, complainant=complainant
    )
    org_case_b, request_b, recommendation_b = org_case(org_b, caseworker=staff)
    return World(
        office_a,
        office_b,
        a_manager,
        a_caseworker,
        b_user,
        org_a,
        org_b,
        org_a_admin,
        org_a_user,
        org_b_user,
        removed,
        complainant,
        staff,
        case_a,
        case_b,
        org_case_a,
        request_a,
        recommendation_a,
        org_case_b,
        request_b,
        recommendation_b,
    )
