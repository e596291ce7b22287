"""Builders for the insight tests: cases with events and decisions, as casework leaves them."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Constituency, Organisation, OrganisationKind, Sector
from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseKind,
    ClinicalCode,
    CodeReview,
    CodingRun,
    CodingSource,
    Decision,
    DecisionOutcome,
)
from casework.services import case_create
from casework.state import CaseStatus
from foi.models import DisclosureEntry, InformationRequest, Kind
from tests.factories import UserFactory

_numbers = itertools.count(1)


def organisation(name=None, **kwargs) -> Organisation:
    n = next(_numbers)
    values = {
        "name": name or f"Riverside NHS Trust {n}",
        "ods_code": f"RX{n:04d}",
        "kind": OrganisationKind.NHS_TRUST,
        "sector": Sector.HEALTH,
        "region": "North West",
        "town": "Riverton",
    }
    values.update(kwargs)
    return Organisation.objects.create(**values)


def constituency(name=None, code=None) -> Constituency:
    n = next(_numbers)
    return Constituency.objects.create(code=code or f"E1400{n:04d}", name=name or f"Riverton {n}")


def decided_case(
    *,
    org=None,
    place=None,
    local_authority_code="E08000001",
    outcome=DecisionOutcome.UPHELD,
    summary="The trust did not follow up abnormal blood test results.",
    published=True,
    received_at=None,
    assessed_after=timedelta(days=10),
    decided_after=timedelta(days=40),
    actor=None,
) -> Case:
    """A case received, assessed, decided and (optionally) published, with its events."""
    actor = actor or UserFactory()
    org = org or organisation()
    case = case_create(
        kind=CaseKind.HEALTH,
        organisations=[org],
        constituency=place,
        local_authority_code=local_authority_code,
    )
    received_at = received_at or timezone.now() - timedelta(days=60)
    Case.objects.filter(pk=case.pk).update(received_at=received_at, status=CaseStatus.CLOSED)
    for after, to_status in (
        (assessed_after, CaseStatus.INVESTIGATION),
        (decided_after, CaseStatus.FINAL_DECISION),
    ):
        if after is not None:
            CaseEvent.objects.create(
                case=case,
                kind=CaseEventKind.STATUS_CHANGED,
                system_reason="test",
                to_status=to_status,
                created_at=received_at + after,
            )
    now = timezone.now()
    Decision.objects.create(
        case=case,
        outcome=outcome,
        public_summary=summary,
        redacted_summary=summary,
        redaction_confirmed_at=now if published else None,
        redaction_confirmed_by=actor if published else None,
        published_at=now if published else None,
        published_by=actor if published else None,
        updated_by=actor,
    )
    case.refresh_from_db()
    return case


def disclosure_entry(*, title="Complaints about hospital discharge", text="We hold 12 records."):
    n = next(_numbers)
    confirmed_by = UserFactory()
    request = InformationRequest.objects.create(
        reference=f"FOI-2026-{n:05d}",
        kind=Kind.FOI,
        requester_name="A Requester",
        requester_email=f"requester{n}@example.org",
        text="Please tell me",
        received_on=date(2026, 3, 2),
    )
    return DisclosureEntry.objects.create(
        request=request,
        reference=request.reference,
        title=title,
        topic="Health",
        response_text=text,
        published_on=date(2026, 3, 20),
        confirmed_by=confirmed_by,
    )


def clinical_code(
    case,
    *,
    axis="theme",
    system="theme",
    value="diagnosis",
    review=CodeReview.CONFIRMED,
    description="Diagnosis and assessment",
) -> ClinicalCode:
    """A code on the case's narrative as coding leaves it, reviewed as given."""
    run, _ = CodingRun.objects.get_or_create(
        case=case, document=None, defaults={"source": CodingSource.NARRATIVE}
    )
    return ClinicalCode.objects.create(
        case=case,
        run=run,
        axis=axis,
        system=system,
        code=value,
        description=description,
        start=0,
        end=5,
        text="words",
        review=review,
        reviewed_at=timezone.now() if review != CodeReview.SUGGESTED else None,
    )
