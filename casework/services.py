"""Writes to cases. Status changes happen only in case_transition, through the state machine."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.models import REFERENCE_PREFIX, Case, CaseEvent, CaseEventKind, CaseKind, CaseReferenceSequence
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
def case_create(*, kind: CaseKind, complainant=None, summary: str = "", system_reason: str = "case_create") -> Case:
    """Create a case in `submitted` with its first event."""
    now = timezone.now()
    case = Case.objects.create(
        reference=case_reference_next(kind=kind),
        kind=kind,
        complainant=complainant,
        summary=summary,
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
    return case


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
