"""Reads for the staff dashboards: each chart is labelled rows of numbers, drawn as an SVG bar
chart beside a table of the same figures, and downloadable as CSV."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count

from accounts.models import OrganisationKind, Sector
from casework.models import DecisionOutcome, EvidenceRequest
from casework.state import CaseStatus
from complaints.models import CheckerResult, EqualityMonitoring
from insight.models import CodeAxis, DashboardCount, SearchClick, SearchLog
from insight.selectors import suppressed

# Service standards the timeliness chart is read against: the ombudsman's published aims of
# assessing a complaint within 30 days and deciding an investigated one within 12 months.
ASSESS_TARGET_DAYS = 30
DECIDE_TARGET_DAYS = 365
AGE_BANDS = [(0, 30), (31, 90), (91, 180), (181, 365), (366, None)]
TOP = 15
# The bar charts' drawing, in SVG units: about the width of the half column the chart sits in,
# so that its 16-unit text is drawn at about 16 pixels.
CHART_WIDTH = 480
BAR_X = 170
BAR_MAX = 230


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
        bars = []
        for i, (label, value) in enumerate(self.rows):
            width = round(BAR_MAX * (value or 0) / largest) if largest else 0
            bars.append(
                {
                    "label": label,
                    "value": value,
                    "width": width,
                    "value_x": BAR_X + width + 6,
                    "y": 8 + 32 * i,
                }
            )
        return bars

    width = CHART_WIDTH
    bar_x = BAR_X

    @property
    def height(self) -> int:
        return 16 + 32 * max(len(self.rows), 1)


def grouped(queryset, column: str, labels: dict | None = None, limit=None) -> list:
    rows = queryset.values(column).annotate(n=Count("id")).order_by("-n", column)
    if limit:
        rows = rows[:limit]
    return [((labels or {}).get(r[column], r[column]) or "Not known", r["n"]) for r in rows]


def _counts(dimension: str) -> dict[str, int]:
    return dict(DashboardCount.objects.filter(dimension=dimension).values_list("key", "n"))


def _ranked(counts: dict, labels: dict | None = None, limit=None) -> list:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [((labels or {}).get(key, key) or "Not known", n) for key, n in rows]


# The charts below read the counts each refresh leaves in DashboardCount, never the million
# case facts: figures are as fresh as the last refresh, like every other insight page.


def _status_chart() -> Chart:
    return Chart(
        "status", "Cases by status", "Cases", _ranked(_counts("status"), dict(CaseStatus.choices))
    )


def _sector_chart() -> Chart:
    return Chart(
        "sector", "Cases by sector", "Cases", _ranked(_counts("sector"), dict(Sector.choices))
    )


def _organisation_chart() -> Chart:
    top = (
        DashboardCount.objects.filter(dimension="organisation")
        .order_by("-n", "key")
        .values_list("key", "n")[:TOP]
    )
    rows = [(name or "Not known", n) for name, n in top]
    return Chart("organisations", f"The {TOP} organisations with most cases", "Cases", rows)


def _organisation_kind_chart() -> Chart:
    labels = dict(OrganisationKind.choices)
    rows = _ranked(_counts("organisation_kind"), labels)
    return Chart("organisation-kinds", "Cases by type of organisation", "Cases", rows)


def _ageing_chart(today: date) -> Chart:
    # Open cases counted by the day they were received, so the bands move on with today
    # between refreshes.
    by_day = [(date.fromisoformat(k), n) for k, n in _counts("open_received_on").items()]
    rows = []
    for low, high in AGE_BANDS:
        label = f"{low} to {high} days" if high else f"Over {low - 1} days"
        newest, oldest = today - timedelta(days=low), None
        if high is not None:
            oldest = today - timedelta(days=high)
        total = sum(n for day, n in by_day if day <= newest and (oldest is None or day >= oldest))
        rows.append((label, total))
    return Chart("ageing", "Open cases by age since received", "Open cases", rows)


def _timeliness_chart() -> Chart:
    totals = defaultdict(int, _counts("timeliness"))

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
    counts = {k: n for k, n in _counts("outcome").items() if k}
    rows = _ranked(counts, dict(DecisionOutcome.choices))
    return Chart("outcomes", "Decisions by outcome", "Decisions", rows)


def _mp_chart() -> Chart:
    totals = _counts("referred_by_mp")
    return Chart(
        "mp-referrals",
        "Cases referred by an MP",
        "Cases",
        [
            ("Referred by an MP", totals.get("yes", 0)),
            ("Came to us directly", totals.get("no", 0)),
        ],
    )


def _code_chart(axis: str, slug: str, title: str) -> Chart:
    top = (
        DashboardCount.objects.filter(dimension=axis)
        .order_by("-n", "key")
        .values_list("label", "key", "n")[:TOP]
    )
    return Chart(
        slug,
        title,
        "Cases",
        [(f"{label} ({key})" if axis == CodeAxis.CONDITION else label, n) for label, key, n in top],
        note="Only codes a caseworker has confirmed are counted; a case can have several.",
    )


def _theme_chart() -> Chart:
    return _code_chart(CodeAxis.THEME, "themes", "Cases by complaint theme")


def _condition_chart() -> Chart:
    return _code_chart(CodeAxis.CONDITION, "conditions", f"The {TOP} clinical codes on most cases")


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


def _builders(user, today: date) -> dict:
    """Each chart's slug and how to build it (the equality charts come as one group)."""
    return {
        "status": lambda: [_status_chart()],
        "ageing": lambda: [_ageing_chart(today)],
        "timeliness": lambda: [_timeliness_chart()],
        "sector": lambda: [_sector_chart()],
        "organisation-kinds": lambda: [_organisation_kind_chart()],
        "organisations": lambda: [_organisation_chart()],
        "outcomes": lambda: [_outcome_chart()],
        "themes": lambda: [_theme_chart()],
        "conditions": lambda: [_condition_chart()],
        "mp-referrals": lambda: [_mp_chart()],
        "responsiveness": lambda: [_responsiveness_chart()],
        "checker": lambda: [_checker_chart()],
        "equality": lambda: _equality_charts(user),
    }


def dashboard_charts(*, user, today: date) -> list[Chart]:
    return [chart for build in _builders(user, today).values() for chart in build()]


def dashboard_chart(*, slug: str, user, today: date) -> Chart | None:
    """One chart, for its CSV download, without working out the others."""
    group = "equality" if slug.startswith("equality-") else slug
    build = _builders(user, today).get(group)
    return next((c for c in build() if c.slug == slug), None) if build else None


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
