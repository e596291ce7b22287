"""Writes to insight."""

from django.db import transaction

from casework.models import Case
from casework.state import ENDED_STATUSES
from insight.models import CaseFeedback


class FeedbackNotOpen(Exception):
    """Feedback is asked for once a case has ended, and taken only once."""


@transaction.atomic
def case_feedback_submit(
    *, case: Case, ease_of_use: int, kept_informed: int, improvements: str = ""
) -> CaseFeedback:
    """Keep a complainant's survey answers for their ended case; a case's feedback is final."""
    # The row lock makes a second submission (a double click, two tabs) wait, then be refused.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in ENDED_STATUSES:
        raise FeedbackNotOpen("You can tell us what you think once your complaint has ended")
    if CaseFeedback.objects.filter(case=case).exists():
        raise FeedbackNotOpen("You have already told us what you think about this complaint")
    feedback = CaseFeedback(
        case=case,
        case_status=case.status,
        ease_of_use=ease_of_use,
        kept_informed=kept_informed,
        improvements=improvements.strip(),
    )
    feedback.full_clean(exclude=["case"])
    feedback.save()
    return feedback
