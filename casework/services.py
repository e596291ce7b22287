"""Writes to cases. Status changes happen only in case_transition, through the state machine."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework import tasks
from casework.integrations.pds import normalise_nhs_number
from casework.models import (
    REFERENCE_PREFIX,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseKind,
    CaseReferenceSequence,
    PdsMatch,
    PdsMatchStatus,
)
from casework.state import CaseAction, CaseStateMachine

# Actions that need more than the right to work the case.
_ACTION_PERMISSIONS = {CaseAction.REOPEN: "casework.reopen_case"}


@transaction.atomic
def case_reference_next(*, kind: CaseKind, year: int | None = None) -> str:
    """Issue the next reference, e.g. HC-2026-000123, under a row lock so concurrent submissions never clash."""
    prefix = REFERENCE_PREFIX[CaseKind(kind)]
    year = year or timezone.localdate().year
    CaseReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
    CaseReferenceSequence.objects.filter(prefix=prefix, year=year).update(last_number=F("last_number") + 1)
    number = CaseReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year).last_number
    return f"{prefix}-{year}-{number:06d}"


@transaction.atomic
def case_create(
    *,
    kind: CaseKind,
    complainant=None,
    summary: str = "",
    patient_nhs_number: str = "",
    system_reason: str = "case_create",
) -> Case:
    """Create a case in `submitted` with its first event, and queue its enrichment after commit."""
    now = timezone.now()
    case = Case.objects.create(
        reference=case_reference_next(kind=kind),
        kind=kind,
        complainant=complainant,
        summary=summary,
        patient_nhs_number=normalise_nhs_number(patient_nhs_number) if patient_nhs_number else "",
        received_at=now,
        status_changed_at=now,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.RECEIVED,
        actor=None,
        system_reason=system_reason,
        to_status=case.status,
        created_at=now,
    )
    case_pds_enrichment_request(case=case)
    return case


def case_pds_enrichment_request(*, case: Case) -> None:
    """Queue a PDS lookup for a health case with an NHS number, once the case is committed.

    robust: if the broker is down the case is still received; the lookup can be asked for again.
    """
    if case.kind == CaseKind.HEALTH and case.patient_nhs_number:
        case_id = case.pk
        transaction.on_commit(lambda: tasks.enrich_case_from_pds.delay(case_id), robust=True)


class StaleDecision(Exception):
    """Someone else decided first; the message says who and what."""


@transaction.atomic
def pds_match_decide(*, match_id: int, actor, confirm: bool, reason: str = "") -> PdsMatch:
    """A caseworker confirms or rejects the PDS record found for a case; the case records who."""
    match = PdsMatch.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=match_id)
    if match.status != PdsMatchStatus.PENDING:
        raise StaleDecision(
            f"This record was already {match.get_status_display().lower()} "
            f"({match.decided_by} on {timezone.localtime(match.decided_at):%d %B %Y at %H:%M})."
        )
    match.status = PdsMatchStatus.CONFIRMED if confirm else PdsMatchStatus.REJECTED
    match.decided_by = actor
    match.decided_at = timezone.now()
    match.decision_reason = reason
    match.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    CaseEvent.objects.create(
        case_id=match.case_id,
        kind=CaseEventKind.PDS_MATCH_CONFIRMED if confirm else CaseEventKind.PDS_MATCH_REJECTED,
        actor=actor,
        reason=reason,
        payload={"match_id": match.pk},
    )
    return match


@transaction.atomic
def case_transition(*, case_id: int, action: CaseAction, actor=None, system_reason: str = "", reason: str = "", payload=None) -> Case:
    """Apply one state-machine action under a row lock and record it.

    Raises IllegalTransition (with a plain-English reason) when the action is not allowed from the
    case's current status, and PermissionDenied when the actor may not take it.
    """
    action = CaseAction(action)
    if actor is None and not system_reason:
        raise ValueError("A transition needs an actor or a system reason")
    permission = _ACTION_PERMISSIONS.get(action)
    case = Case.objects.select_for_update().get(pk=case_id)
    if actor is not None and permission and not actor.has_perm(permission, case):
        raise PermissionDenied(f"You do not have permission to {action.label.lower()} a case.")
    machine = CaseStateMachine(case.status)
    from_status = machine.status
    to_status = machine.apply(action)
    now = timezone.now()
    case.status = to_status
    case.status_changed_at = now
    case.save(update_fields=["status", "status_changed_at", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.STATUS_CHANGED,
        actor=actor,
        system_reason=system_reason,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload={"action": action.value, **(payload or {})},
        created_at=now,
    )
    return case
