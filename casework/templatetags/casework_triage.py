"""The triage suggestion panel on the case page."""

from django import template

from casework.coding.themes import THEME_LABELS
from casework.models import TriageSuggestion
from casework.state import CaseStatus
from casework.triage_outcomes import OUTCOME_LABELS

register = template.Library()

# Triage is about how assessment ends: once it has, the suggestion is history, not help.
_BEING_ASSESSED = {CaseStatus.SUBMITTED, CaseStatus.ASSESSMENT, CaseStatus.AWAITING_INFORMATION}


def _humanise(slug: str) -> str:
    return slug.replace("_", " ").replace("-", " ").capitalize()


@register.simple_tag
def triage_suggestion_for(case):
    """The newest triage suggestion for a case being assessed, ready to show; None otherwise."""
    if case.status not in _BEING_ASSESSED:
        return None
    suggestion = (
        TriageSuggestion.objects.filter(case=case)
        .select_related("model")
        .defer("model__artifact", "model__report")
        .first()
    )
    if suggestion is None:
        return None
    return {
        "outcome": suggestion.outcome,
        "outcome_label": OUTCOME_LABELS.get(suggestion.outcome, _humanise(suggestion.outcome)),
        "outcome_percent": round(100 * suggestion.outcome_probability),
        "theme": suggestion.theme,
        "theme_label": THEME_LABELS.get(suggestion.theme) or _humanise(suggestion.theme),
        "theme_percent": round(100 * (suggestion.theme_probability or 0)),
        "words": [item["word"] for item in suggestion.top_words],
        "version": suggestion.model.version,
    }
