"""Enriching cases from external systems.

Called by Celery tasks; never blocks a complaint being received.
"""

import logging

from django.db import transaction
from django.utils import timezone

from casework.integrations.pds import InvalidNhsNumber, PatientNotFound, PdsClient
from casework.models import Case, CaseEvent, CaseEventKind, PdsMatch

logger = logging.getLogger(__name__)


def case_pds_enrich(*, case_id: int) -> PdsMatch | None:
    """Look the case's patient up in PDS and keep the record found for a caseworker to confirm.

    Idempotent: a number already looked up for this case is not looked up again. PdsUnavailable
    propagates so that the task retries later. The HTTP call is made outside any transaction.
    """
    case = Case.objects.get(pk=case_id)
    number = case.patient_nhs_number
    if not number:
        return None
    existing = PdsMatch.objects.filter(case=case, requested_nhs_number=number).first()
    if existing is not None:
        return existing
    if case.events.filter(kind=CaseEventKind.PDS_NOT_FOUND, payload__nhs_number=number).exists():
        return None
    try:
        record = PdsClient.from_settings().get_patient(number)
    except (PatientNotFound, InvalidNhsNumber) as exc:
        _record_not_found(case_id=case.pk, number=number, why=type(exc).__name__)
        return None
    return _record_match(case_id=case.pk, number=number, record=record)


@transaction.atomic
def _record_not_found(*, case_id, number, why):
    case = Case.objects.select_for_update().get(pk=case_id)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.PDS_NOT_FOUND,
        system_reason="pds_enrichment",
        payload={"nhs_number": number, "outcome": why},
    )


@transaction.atomic
def _record_match(*, case_id, number, record) -> PdsMatch:
    case = Case.objects.select_for_update().get(pk=case_id)
    match, created = PdsMatch.objects.get_or_create(
        case=case,
        requested_nhs_number=number,
        defaults={
            "nhs_number": record.nhs_number,
            "given_names": " ".join(record.given_names),
            "family_name": record.family_name or "",
            "birth_date": record.birth_date,
            "gender": record.gender or "",
            "address_lines": [] if record.restricted else list(record.address_lines),
            "postcode": "" if record.restricted else (record.postcode or ""),
            "gp_ods_code": "" if record.restricted else (record.gp_ods_code or ""),
            "restricted": record.restricted,
            "deceased": bool(record.deceased),
            "superseded": record.superseded,
            "found_at": timezone.now(),
        },
    )
    if created:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.PDS_MATCH_FOUND,
            system_reason="pds_enrichment",
            payload={
                "match_id": match.pk,
                "superseded": record.superseded,
                "restricted": record.restricted,
            },
        )
    return match
