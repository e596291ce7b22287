"""Reads for the staff dashboards: each chart is labelled rows of numbers, drawn as an SVG bar
chart beside a table of the same figures, and downloadable as CSV."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from accounts.models import OrganisationKind, Sector
from casework.models import DecisionOutcome, EvidenceRequest
from casework.state import OPEN_STATUSES, CaseStatus
from complaints.models import CheckerResult, EqualityMonitoring
from insight.models import CaseFact, SearchClick, SearchLog
from insight.selectors import suppressed

# Service standards the timeliness chart is read against: the ombudsman's published aims of
# assessing a complaint within 30 days and deciding an investigated one within 12 months.
ASSESS_TARGET_DAYS = 30
DECIDE_TARGET_DAYS = 365
AGE_BANDS = [(0, 30), (31, 90), (91, 180), (181, 365), (366, None)]
TOP = 15


@dataclass
class Chart:
    slug: str
    title: str
    value_label: str
    rows: list = field(default_factory=list)  # (label, value or None when suppressed)
    note: str = ""

    @property
    def bars(self) -> list[dict]:
        """Each row with its bar's length as a share of the longest (0–100), for the SVG."""
        largest = max((v for _, v in self.rows if v), default=0)
        return [
            {
                "label": label,
                "value": value,
                "width": round(300 * (value or 0) / largest) if largest else 0,
                "y": 8 + 32 * i,
            }
            for i, (label, value) in enumerate(self.rows)
        ]

    @property
    def height(self) -> int:
        return 16 + 32 * max(len(self.rows), 1)


def grouped(queryset, column: str, labels: dict | None = None, limit=None) -> list:
    rows = queryset.values(column).annotate(n=Count("id")).order_by("-n", column)
    if limit:
        rows = rows[:limit]
    return [((labels or {}).get(r[column], r[column]) or "Not known", r["n"]) for r in rows]


def _status_chart() -> Chart:
    return Chart(
        "status",
        "Cases by status",
        "Cases",
        grouped(CaseFact.objects.all(), "status", dict(CaseStatus.choices)),
    )


def _sector_chart() -> Chart:
    return Chart(
        "sector",
        "Cases by sector",
        "Cases",
        grouped(CaseFact.objects.all(), "sector", dict(Sector.choices)),
    )


def _organisation_chart() -> Chart:
    rows = grouped(CaseFact.objects.exclude(organisation_id=None), "organisation_name", limit=TOP)
    return Chart("organisations", f"The {TOP} organisations with most cases", "Cases", rows)


def _organisation_kind_chart() -> Chart:
    labels = dict(OrganisationKind.choices)
    rows = grouped(CaseFact.objects.all(), "organisation_kind", labels)
    return Chart("organisation-kinds", "Cases by type of organisation", "Cases", rows)


def _ageing_chart(today: date) -> Chart:
    open_facts = CaseFact.objects.filter(status__in=sorted(s.value for s in OPEN_STATUSES))
    bands = {}
    for low, high in AGE_BANDS:
        band = Q(received_on__lte=today - timedelta(days=low))
        if high is not None:
            band &= Q(received_on__gte=today - timedelta(days=high))
        bands[f"{low} to {high} days" if high else f"Over {low - 1} days"] = band
    totals = open_facts.aggregate(
        **{f"b{i}": Count("id", filter=band) for i, band in enumerate(bands.values())}
    )
    rows = [(label, totals[f"b{i}"]) for i, label in enumerate(bands)]
    return Chart("ageing", "Open cases by age since received", "Open cases", rows)


def _timeliness_chart() -> Chart:
    totals = CaseFact.objects.aggregate(
        assessed=Count("id", filter=Q(days_to_assess__isnull=False)),
        assessed_on_time=Count("id", filter=Q(days_to_assess__lte=ASSESS_TARGET_DAYS)),
        decided=Count("id", filter=Q(days_to_decide__isnull=False)),
        decided_on_time=Count("id", filter=Q(days_to_decide__lte=DECIDE_TARGET_DAYS)),
    )

    def percent(part, whole):
        return round(100 * totals[part] / totals[whole]) if totals[whole] else 0

    return Chart(
        "timeliness",
        "Timeliness against our service standards",
        "Per cent on time",
        [
            (f"Assessed within {ASSESS_TARGET_DAYS} days", percent("assessed_on_time", "assessed")),
            (f"Decided within {DECIDE_TARGET_DAYS} days", percent("decided_on_time", "decided")),
        ],
        note=f"Out of {totals['assessed']} cases assessed and {totals['decided']} decided.",
    )


def _outcome_chart() -> Chart:
    rows = grouped(CaseFact.objects.exclude(outcome=""), "outcome", dict(DecisionOutcome.choices))
    return Chart("outcomes", "Decisions by outcome", "Decisions", rows)


def _mp_chart() -> Chart:
    totals = CaseFact.objects.aggregate(
        referred=Count("id", filter=Q(referred_by_mp=True)),
        direct=Count("id", filter=Q(referred_by_mp=False)),
    )
    return Chart(
        "mp-referrals",
        "Cases referred by an MP",
        "Cases",
        [("Referred by an MP", totals["referred"]), ("Came to us directly", totals["direct"])],
    )


def _checker_chart() -> Chart:
    """The eligibility checker's funnel: how many could go ahead and where the others were sent.

    Read from the checker's own anonymous table: it has no cases, so no case facts."""
    outcomes = dict(CheckerResult._meta.get_field("outcome").choices)
    signposts = dict(CheckerResult._meta.get_field("signpost").choices)
    rows = (
        CheckerResult.objects.values("outcome", "signpost")
        .annotate(n=Count("id"))
        .order_by("-n", "outcome", "signpost")
    )
    return Chart(
        "checker",
        "Eligibility checks by outcome and where people were sent",
        "Checks",
        [
            (
                outcomes.get(r["outcome"], r["outcome"])
                + (f": {signposts.get(r['signpost'], r['signpost'])}" if r["signpost"] else ""),
                r["n"],
            )
            for r in rows
        ],
    )


def _equality_charts(user) -> list[Chart]:
    answers = EqualityMonitoring.objects.visible_to(user)
    charts = []
    for name, title in (
        ("age_band", "Age"),
        ("sex", "Sex"),
        ("ethnic_group", "Ethnic group"),
        ("disability", "Disability"),
    ):
        labels = dict(EqualityMonitoring._meta.get_field(name).choices)
        labels[""] = "Not answered"
        rows = [(label, suppressed(n)) for label, n in grouped(answers, name, labels)]
        charts.append(
            Chart(
                f"equality-{name.replace('_', '-')}",
                f"Equality monitoring: {title.lower()}",
                "People",
                rows,
                note="Groups of fewer than 5 people are not shown.",
            )
        )
    return charts


def _responsiveness_chart() -> Chart:
    figures = EvidenceRequest.objects.responsiveness()
    return Chart(
        "responsiveness",
        "Organisations' answers to our requests for evidence",
        "Requests",
        [
            ("Answered on time", figures["met"]),
            ("Answered late", figures["met_late"]),
            ("Open and overdue", figures["overdue"]),
            ("Open, not yet due", figures["open"] - figures["overdue"]),
        ],
        note=(
            f"{figures['on_time_percent']}% answered on time; median {figures['median_days']} days."
            if figures["answered"]
            else "No requests answered yet."
        ),
    )


def dashboard_charts(*, user, today: date) -> list[Chart]:
    return [
        _status_chart(),
        _ageing_chart(today),
        _timeliness_chart(),
        _sector_chart(),
        _organisation_kind_chart(),
        _organisation_chart(),
        _outcome_chart(),
        _mp_chart(),
        _responsiveness_chart(),
        _checker_chart(),
        *_equality_charts(user),
    ]


def search_report(*, since: date) -> dict:
    logs = SearchLog.objects.filter(created_at__date__gte=since)
    top = logs.values("query").annotate(n=Count("id")).order_by("-n", "query")[:20]
    zero = (
        logs.filter(result_count=0)
        .values("query")
        .annotate(n=Count("id"))
        .order_by("-n", "query")[:20]
    )
    clicks = (
        SearchClick.objects.filter(created_at__date__gte=since)
        .values("url")
        .annotate(n=Count("id"))
        .order_by("-n", "url")[:20]
    )
    return {
        "searches": logs.count(),
        "top": [(r["query"], r["n"]) for r in top],
        "zero": [(r["query"], r["n"]) for r in zero],
        "clicks": [(r["url"], r["n"]) for r in clicks],
    }
