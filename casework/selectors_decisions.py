"""Reads for evidence requests and decisions: what a decision stage still needs, whose names a
public summary must not carry, and an organisation's responsiveness."""

from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    Decision,
    Document,
    EvidenceRequest,
    PdsMatchStatus,
)
from casework.state import CaseAction


def decision_missing_for(*, case: Case, action) -> list[str]:
    """What the decision needs before a provisional or final decision is issued; [] when nothing."""
    action = CaseAction(action)
    if action not in (CaseAction.ISSUE_PROVISIONAL_DECISION, CaseAction.ISSUE_FINAL_DECISION):
        return []
    decision = Decision.objects.filter(case=case).first()
    missing = []
    if action == CaseAction.ISSUE_PROVISIONAL_DECISION:
        if decision is None or decision.provisional_shared_at is None:
            missing.append("Share the provisional report with the parties for their comments")
        return missing
    if decision is None or not decision.outcome:
        missing.append("Record the outcome of the decision")
    if decision is None or not decision.reasons.strip():
        missing.append("Record the reasons for the decision")
    return missing


def case_known_names(case: Case) -> list[str]:
    """Names a public summary of this case must not carry: its complainant, representative,
    patient (from a PDS record a caseworker confirmed) and the staff who worked it."""
    names = []
    for person in (case.complainant, case.representative, case.assignee):
        if person is not None:
            names.append(person.full_name)
    actors = (
        CaseEvent.objects.filter(case=case, actor__isnull=False)
        .values_list("actor__full_name", flat=True)
        .distinct()
    )
    names.extend(actors)
    for given, family in case.pds_matches.filter(status=PdsMatchStatus.CONFIRMED).values_list(
        "given_names", "family_name"
    ):
        names.append(f"{given} {family}")
    return [name for name in dict.fromkeys(names) if name and name.strip()]


def organisation_evidence_requests(organisation):
    """The organisation's evidence requests, newest first, with their cases, for one page."""
    return EvidenceRequest.objects.filter(organisation=organisation).select_related("case")


def case_letters(case: Case):
    """The letters generated for a case and not deleted, oldest first."""
    payloads = case.events.filter(kind=CaseEventKind.LETTER_GENERATED).values_list(
        "payload", flat=True
    )
    ids = [payload.get("document_id") for payload in payloads]
    return Document.objects.filter(case=case, pk__in=ids).not_deleted().order_by("created_at", "pk")
