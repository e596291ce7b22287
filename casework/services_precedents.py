"""Writes for precedent checks: suggestions for a case, a caseworker's feedback, the snapshot."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from casework.models import AuditEntry, Case, PrecedentSuggestion
from phso.lazy import lazy_module

# scikit-learn loads when this is first used, not when a web process starts (phso/lazy.py).
precedents = lazy_module("casework.precedents")


class PrecedentFeedbackRefused(Exception):
    """The feedback cannot be recorded as asked; the message says why."""


@transaction.atomic
def precedents_find(*, case: Case, limit: int = 5, actor=None) -> list[PrecedentSuggestion]:
    """Offer the decided cases most like `case` as precedents, replacing the unreviewed ones.

    Suggestions a caseworker has already marked useful or not are kept with their feedback (and
    re-ranked when they match again), so that running the check again never loses a judgement.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    matches = precedents.precedents_match(case=case, limit=limit)
    PrecedentSuggestion.objects.filter(case=case, useful__isnull=True).delete()
    reviewed = {s.precedent_id: s for s in PrecedentSuggestion.objects.filter(case=case)}
    now = timezone.now()
    suggestions = []
    for rank, match in enumerate(matches, start=1):
        suggestion = reviewed.get(match.case_id)
        if suggestion is None:
            suggestion = PrecedentSuggestion(case=case, precedent_id=match.case_id, created_at=now)
        suggestion.rank = rank
        suggestion.score = round(match.score, 4)
        suggestion.reasons = match.reasons
        suggestion.save()
        suggestions.append(suggestion)
    AuditEntry.objects.create(
        user=actor,
        action="precedents.find",
        case=case,
        object_type=case._meta.label_lower,
        object_id=str(case.pk),
        detail={"found": [m.case_id for m in matches], "by": "person" if actor else "system"},
    )
    return suggestions


@transaction.atomic
def precedent_feedback_record(
    *, suggestion: PrecedentSuggestion, user, useful: bool
) -> PrecedentSuggestion:
    """A caseworker says whether a suggested precedent helped; a later answer replaces theirs."""
    suggestion = PrecedentSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.useful = bool(useful)
    suggestion.feedback_by = user
    suggestion.feedback_at = timezone.now()
    suggestion.save(update_fields=["useful", "feedback_by", "feedback_at"])
    AuditEntry.objects.create(
        user=user,
        action="precedents.feedback",
        case_id=suggestion.case_id,
        object_type=suggestion._meta.label_lower,
        object_id=str(suggestion.pk),
        detail={"precedent_id": suggestion.precedent_id, "useful": suggestion.useful},
    )
    return suggestion


def precedent_index_build() -> dict:
    """Rebuild the snapshot of decided cases on disk; returns what was indexed.

    Not atomic on purpose: it only reads, for minutes at scale, and the file is replaced in one
    rename, so queries meanwhile use the old snapshot plus the delta.
    """
    started = timezone.now()
    index = precedents.snapshot_build(built_at=started)
    path = index.save(precedents.index_directory())
    return {
        "cases": len(index),
        "bytes": index.nbytes,
        "path": path.name,
        "seconds": round((timezone.now() - started).total_seconds(), 1),
    }
