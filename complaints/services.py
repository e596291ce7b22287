"""Writes to complaints."""

import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from complaints.checker import Answers, Decision, Question, aware_months_bucket
from complaints.models import CheckerResult


@transaction.atomic
def checker_result_record(
    *, token: uuid.UUID, answers: Answers, decision: Decision, today: date
) -> CheckerResult:
    """Keep the anonymous result of a finished check: one row per check, however often it ends.

    Only answers on the route taken are kept, and never the late reason's text or a postcode.
    """
    if not decision.complete:
        raise ValueError("Only a finished check has a result to record")
    asked = set(decision.path)

    def kept(question, value, empty=""):
        return value if question in asked and value is not None else empty

    values = {
        "organisation_type": answers.organisation_type,
        "nation": kept(Question.NATION, answers.nation),
        "organisation_id": kept(Question.ORGANISATION, answers.organisation_id, None),
        "complained": kept(Question.COMPLAINED, answers.complained),
        "waited_over_six_months": kept(Question.WAITED, answers.waited_over_six_months, None),
        "aware_months": aware_months_bucket(
            kept(Question.AWARE, answers.aware_on, None), today=today
        ),
        "late_reason_given": Question.LATE_REASON in asked and bool(answers.late_reason),
        "outcome": decision.outcome,
        "signpost": decision.signpost or "",
        "constituency_code": kept(Question.MP, answers.constituency_code),
    }
    result, created = CheckerResult.objects.select_for_update().get_or_create(
        token=token,
        defaults={
            **values,
            "created_at": timezone.now().replace(minute=0, second=0, microsecond=0),
        },
    )
    changed = [name for name, value in values.items() if getattr(result, name) != value]
    if not created and changed:
        for name in changed:
            setattr(result, name, values[name])
        result.save(update_fields=changed)
    return result
