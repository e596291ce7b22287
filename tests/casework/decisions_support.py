"""Builders for the evidence request, letter and decision tests."""

import itertools

from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Sector
from casework.models import Case, CaseKind
from casework.services import case_create, case_organisation_confirm
from casework.state import CaseStatus

_numbers = itertools.count(1)


def organisation(name=None) -> Organisation:
    n = next(_numbers)
    return Organisation.objects.create(
        name=name or f"Northfield NHS Trust {n}",
        ods_code=f"RD{n:04d}",
        kind=OrganisationKind.NHS_TRUST,
        sector=Sector.HEALTH,
    )


def case_with_organisation(*, actor, status=CaseStatus.INVESTIGATION, complainant=None, org=None):
    """A case made the way the service makes one, then moved into place for the test (setting
    the status directly is test set-up only: the application uses case_transition)."""
    org = org or organisation()
    case = case_create(kind=CaseKind.HEALTH, complainant=complainant, organisations=[org])
    case_organisation_confirm(case_organisation_id=case.case_organisations.get().pk, actor=actor)
    Case.objects.filter(pk=case.pk).update(
        status=status, assignee=actor, status_changed_at=timezone.now()
    )
    case.refresh_from_db()
    return case, org
