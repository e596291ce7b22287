"""Staff pages for precedent checks on a case and the triage models' reports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.models import OrganisationKind
from casework.coding.statuses import ICD10, SNOMED_CT
from casework.coding.themes import THEME_LABELS
from casework.models import CaseOrganisation, ClinicalCode, PrecedentSuggestion, TriageModel
from casework.services import audit_record
from casework.services_precedents import precedent_feedback_record, precedents_find
from casework.triage_outcomes import EQUALITY_DIMENSIONS, OUTCOME_LABELS
from casework.views import case_for_staff, case_to_work

TRIAGE_MODELS_SHOWN = 24
CODE_SYSTEM_NAMES = {ICD10: "ICD-10", SNOMED_CT: "SNOMED CT"}
KIND_LABELS = dict(OrganisationKind.choices)


def _suggestions(case):
    """The case's suggested precedents, best first, with everything the page shows about each
    fetched in a fixed number of queries, and each reason named as a person would name it."""
    organisations = CaseOrganisation.objects.select_related("organisation").order_by("id")
    suggestions = list(
        PrecedentSuggestion.objects.filter(case=case)
        .select_related("precedent__decision", "feedback_by")
        .prefetch_related(Prefetch("precedent__case_organisations", queryset=organisations))
        .order_by("rank", "id")
    )
    descriptions = _code_descriptions(case) if suggestions else {}
    for suggestion in suggestions:
        reasons = suggestion.reasons or {}
        suggestion.kind_labels = [
            KIND_LABELS.get(k, k) for k in reasons.get("organisation_kinds", [])
        ]
        suggestion.theme_labels = [THEME_LABELS.get(t, t) for t in reasons.get("themes", [])]
        suggestion.code_labels = [
            _code_label(key, descriptions) for key in reasons.get("codes", [])
        ]
    return suggestions


def _code_descriptions(case) -> dict[str, str]:
    """A shared code is one of this case's own codes, so its description is stored with them."""
    rows = (
        ClinicalCode.objects.filter(case=case)
        .conditions()
        .values_list("system", "code", "description")
    )
    return {f"{system}:{code}": description for system, code, description in rows}


def _code_label(key: str, descriptions: dict[str, str]) -> str:
    """'ICD-10:A41.9' as 'Sepsis, unspecified (ICD-10 A41.9)'."""
    system, _, code = key.partition(":")
    named = f"{CODE_SYSTEM_NAMES.get(system, system)} {code}"
    description = descriptions.get(key)
    return f"{description} ({named})" if description and description != key else named


@require_safe
def precedents(request, reference):
    """Past decided cases like this one, why they matched, and whether each helped."""
    case = case_for_staff(request, reference)
    audit_record(request=request, action="precedents.view", case=case)
    return render(
        request,
        "casework/precedents.html",
        {
            "case": case,
            "suggestions": _suggestions(case),
            "can_work": request.user.has_perm("casework.work_case", case),
        },
    )


@require_POST
def precedents_find_view(request, reference):
    """Run the precedent check now (it also runs when the case enters assessment)."""
    case = case_to_work(request, reference)
    found = precedents_find(case=case, actor=request.user)
    if found:
        messages.success(
            request,
            f"Found {len(found)} decided case{'s' if len(found) != 1 else ''} like this one.",
        )
    else:
        messages.info(request, "No decided case is like this one yet.")
    return redirect("casework:precedents", reference=case.reference)


@require_POST
def precedent_feedback(request, reference, suggestion_id):
    """A caseworker marks a suggested precedent useful or not useful."""
    case = case_to_work(request, reference)
    suggestion = get_object_or_404(PrecedentSuggestion, pk=suggestion_id, case=case)
    answer = request.POST.get("useful")
    if answer not in {"yes", "no"}:
        messages.error(request, "Select whether the precedent was useful.")
        return redirect("casework:precedents", reference=case.reference)
    suggestion = precedent_feedback_record(
        suggestion=suggestion, user=request.user, useful=answer == "yes"
    )
    messages.success(
        request,
        f"Thank you: {suggestion.precedent.reference} marked as "
        f"{'useful' if suggestion.useful else 'not useful'}.",
    )
    return redirect("casework:precedents", reference=case.reference)


@require_safe
def triage_models(request):
    """Each triage model version: whether it was deployed, and how it did on held-out cases,
    against the majority-class baseline and across equality-monitoring groups."""
    if not request.user.has_perm("casework.view_triage_models"):
        raise PermissionDenied("Only managers and analysts can see the triage models' reports.")
    models = list(TriageModel.objects.defer("artifact").order_by("-version")[:TRIAGE_MODELS_SHOWN])
    return render(
        request,
        "casework/triage_models.html",
        {"models": [{"model": m, **_report_tables(m.report)} for m in models]},
    )


_DIMENSION_LABELS = {
    "age_band": "Age",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
}


def _label(value: str) -> str:
    return OUTCOME_LABELS.get(value) or value.replace("_", " ").replace("-", " ").capitalize()


def _scores_table(target: dict) -> dict:
    """One target's report (outcome or theme) as rows a template can show without lookups."""
    model, baseline = target["model"], target["baseline"]
    return {
        "classes": [
            {"label": _label(name), **scores} for name, scores in model["per_class"].items()
        ],
        "model": model,
        "baseline": baseline,
        "baseline_label": _label(baseline.get("majority_class", "")),
        "beats_baseline": target.get("beats_baseline", False),
    }


def _report_tables(report: dict) -> dict:
    outcome = report.get("outcome")
    theme = report.get("theme") or {}
    equality = []
    classes = outcome["classes"] if outcome else []
    for dimension in EQUALITY_DIMENSIONS:
        rows = (report.get("equality") or {}).get("dimensions", {}).get(dimension, [])
        equality.append(
            {
                "label": _DIMENSION_LABELS[dimension],
                "rows": [
                    {
                        "label": row["label"],
                        "suppressed": row["suppressed"],
                        "cases": row.get("cases"),
                        "rates": [row["rates"][name] for name in classes]
                        if not row["suppressed"]
                        else [],
                    }
                    for row in rows
                ],
            }
        )
    return {
        "outcome": _scores_table(outcome) if outcome else None,
        "theme": _scores_table(theme) if theme and not theme.get("skipped") else None,
        "theme_skipped_reason": theme.get("reason", "") if theme.get("skipped") else "",
        "theme_not_used_reason": theme.get("not_used_reason", ""),
        "class_labels": [_label(name) for name in classes],
        "equality": equality,
        "small_group": (report.get("equality") or {}).get("small_group", 5),
    }
