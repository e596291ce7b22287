from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.models import Constituency, Organisation
from casework.models import DecisionOutcome
from insight import selectors
from insight.csv import csv_response, shown
from insight.forms import DecisionFilterForm
from insight.models import CaseFact, YouSaidWeDid

DECISIONS_PAGE_SIZE = 20


@require_safe
def index(request):
    return render(request, "insight/index.html")


@require_safe
def you_said_we_did(request):
    entries = YouSaidWeDid.objects.published()
    return render(request, "insight/you_said_we_did.html", {"entries": entries})


def _decision_filters(request) -> tuple[DecisionFilterForm, dict]:
    form = DecisionFilterForm(request.GET or None, options=selectors.decision_filter_options())
    return form, form.filters() if request.GET else {}


@require_safe
def decisions(request):
    form, filters = _decision_filters(request)
    page = Paginator(selectors.published_decisions(filters), DECISIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insight/decisions.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "outcomes": dict(DecisionOutcome.choices),
        },
    )


DECISION_CSV_HEADER = [
    "reference",
    "published_on",
    "organisation",
    "organisation_kind",
    "sector",
    "region",
    "constituency_code",
    "constituency",
    "local_authority_code",
    "outcome",
    "summary",
]


@require_safe
def decisions_csv(request):
    _, filters = _decision_filters(request)
    rows = selectors.published_decisions(filters).values_list(
        "reference",
        "published_on",
        "organisation_name",
        "organisation_kind",
        "sector",
        "region",
        "constituency_code",
        "constituency_name",
        "local_authority_code",
        "outcome",
        "published_summary",
    )
    return csv_response(
        filename="published-decisions.csv",
        header=DECISION_CSV_HEADER,
        rows=rows.iterator(chunk_size=2000),
    )


@require_safe
def decision(request, reference):
    fact = get_object_or_404(
        CaseFact.objects.published().prefetch_related(selectors.THEMES_PREFETCH),
        reference=reference,
    )
    outcome = dict(DecisionOutcome.choices).get(fact.outcome, "")
    return render(request, "insight/decision.html", {"decision": fact, "outcome": outcome})


@require_safe
def counts_csv(request, by):
    if by not in selectors.DIMENSIONS:
        raise Http404("No such breakdown")
    rows = selectors.case_counts(by=by)
    return csv_response(
        filename=f"cases-by-{by.replace('_', '-')}.csv",
        header=[by, "name", "received", "decided"],
        rows=([r["key"], r["label"], shown(r["received"]), shown(r["decided"])] for r in rows),
    )


@require_safe
def organisation(request, pk):
    org = get_object_or_404(Organisation.objects.active(), pk=pk)
    recent = selectors.published_decisions({"organisation": org.pk})[:10]
    return render(
        request,
        "insight/organisation.html",
        {
            "organisation": org,
            "figures": selectors.place_figures(organisation_id=org.pk),
            "recent": recent,
            "outcomes": dict(DecisionOutcome.choices),
        },
    )


@require_safe
def constituency(request, code):
    place = get_object_or_404(Constituency, code=code.upper())
    recent = selectors.published_decisions({"constituency": place.code})[:10]
    return render(
        request,
        "insight/constituency.html",
        {
            "constituency": place,
            "figures": selectors.place_figures(constituency_code=place.code),
            "recent": recent,
            "outcomes": dict(DecisionOutcome.choices),
        },
    )


PERFORMANCE_COLUMNS = [
    ("month", "Month"),
    ("assessed", "Cases assessed"),
    ("median_days_to_assess", "Median days to assess"),
    ("decided", "Cases decided"),
    ("median_days_to_decide", "Median days to decide"),
    ("foi_answered", "FOI requests answered"),
    ("foi_on_time_percent", "FOI answered on time (%)"),
    ("feedback_count", "Feedback responses"),
    ("satisfied_percent", "Satisfied with our service (%)"),
]


@require_safe
def performance(request):
    months = [selectors.performance_row(m) for m in selectors.monthly_performance()[:24]]
    return render(
        request, "insight/performance.html", {"months": months, "columns": PERFORMANCE_COLUMNS}
    )


@require_safe
def performance_csv(request):
    rows = (
        [shown(value) if key != "month" else f"{value:%Y-%m}" for key, value in row.items()]
        for row in map(selectors.performance_row, selectors.monthly_performance())
    )
    return csv_response(
        filename="performance.csv", header=[key for key, _ in PERFORMANCE_COLUMNS], rows=rows
    )
