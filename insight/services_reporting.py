"""Writes to the reporting store: the case facts, weekly counts and monthly performance tables.

One refresh runs in one transaction, so a refresh that fails part way leaves every table as the
last good one left it; a row lock on its RefreshState makes a second refresh wait its turn.
"""

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Postcode
from casework.coding.themes import THEME_LABELS
from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOrganisation,
    ClinicalCode,
    CodingRun,
    Decision,
)
from casework.state import OPEN_STATUSES, CaseStatus
from complaints.models import ComplaintDetails
from foi.models import InformationRequest, RequestEvent
from insight.models import (
    CASE_FACTS_REFRESH,
    CaseFact,
    CaseFactCode,
    CaseFeedback,
    CodeAxis,
    DashboardCount,
    MonthlyPerformance,
    RefreshState,
    WeeklyCodeCount,
    WeeklyCount,
)
from insight.selectors import decision_filter_options
from insight.selectors_dashboards import ASSESS_TARGET_DAYS, DECIDE_TARGET_DAYS
from insight.selectors_geography import MAP_CELL_KM

CASE_FACTS = CASE_FACTS_REFRESH
CHUNK = 2000
# A case saved in a transaction that began before a refresh read the clock, but committed after
# it, carries an updated_at older than the watermark; reading back over this overlap catches it.
# Reading a case twice is harmless: its fact is rebuilt from scratch.
WATERMARK_OVERLAP = timedelta(minutes=10)

# Assessment ends when a case is taken on for investigation or closed without one.
_ASSESSMENT_ENDS = [CaseStatus.INVESTIGATION, CaseStatus.PREMATURE, CaseStatus.OUT_OF_REMIT]


@transaction.atomic
def insight_refresh(*, now: datetime | None = None) -> int:
    """Bring the reporting store up to date with casework; returns how many cases were re-read."""
    now = now or timezone.now()
    state, _ = RefreshState.objects.get_or_create(name=CASE_FACTS)
    state = RefreshState.objects.select_for_update().get(pk=state.pk)
    # Generation 0 is a store built before codes and summaries were kept: read every case once.
    incremental = state.watermark is not None and state.generation > 0
    since = state.watermark - WATERMARK_OVERLAP if incremental else None
    changed = _changed_case_ids(since=since)
    # Cases read again only because of the overlap usually come back as they were: the summaries
    # (tens of seconds at a million cases) are rebuilt only when some fact really moved, and
    # always when the whole store is built.
    moved = not incremental
    for start in range(0, len(changed), CHUNK):
        ids = changed[start : start + CHUNK]
        moved |= _case_facts_rebuild(case_ids=ids, now=now, compare=incremental)
    if moved or _requests_or_feedback_since(since):
        _monthly_performance_rebuild()
    if moved:
        # Only what a changed case can move; the summaries are read in place of the facts.
        _weekly_counts_rebuild()
        _weekly_code_counts_rebuild()
        _dashboard_counts_rebuild()
        state.generation += 1
        state.changed_at = now
        # Work out the decisions filters' choices for the new state once it is committed, so no
        # visitor waits for them.
        transaction.on_commit(decision_filter_options)
    state.watermark = now
    state.last_run_at = now
    state.rows_changed = len(changed)
    state.save()
    return len(changed)


def _requests_or_feedback_since(since: datetime) -> bool:
    """Whether the monthly figures' other sources, information requests (every change to one is
    a RequestEvent) and complainants' feedback, have anything new."""
    return (
        RequestEvent.objects.filter(created_at__gte=since).exists()
        or CaseFeedback.objects.filter(submitted_at__gte=since).exists()
    )


def _changed_case_ids(*, since: datetime | None) -> list[int]:
    if since is None:
        return list(Case.objects.order_by("pk").values_list("pk", flat=True))
    ids = set(Case.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids.update(CaseEvent.objects.filter(created_at__gte=since).values_list("case_id", flat=True))
    ids.update(Decision.objects.filter(updated_at__gte=since).values_list("case_id", flat=True))
    # A code confirmed, rejected or put back to suggested is reviewed again; a re-coding replaces
    # a run and its suggestions.
    ids.update(
        ClinicalCode.objects.filter(Q(reviewed_at__gte=since) | Q(created_at__gte=since))
        .values_list("case_id", flat=True)
        .order_by()
    )
    ids.update(
        CodingRun.objects.filter(Q(created_at__gte=since) | Q(finished_at__gte=since))
        .values_list("case_id", flat=True)
        .order_by()
    )
    ids.update(_cases_with_withdrawn_codes())
    return sorted(ids)


def _cases_with_withdrawn_codes():
    """Cases whose stored codes are no longer all confirmed, however that happened (a review
    changed without a time, a document and its codes deleted): a published code must never
    outlive its confirmation by more than one refresh."""
    still_confirmed = ClinicalCode.objects.confirmed().filter(
        case_id=OuterRef("case_fact__case_id"),
        axis=OuterRef("axis"),
        system=OuterRef("system"),
        code=OuterRef("code"),
    )
    return (
        CaseFactCode.objects.filter(~Exists(still_confirmed))
        .values_list("case_fact__case_id", flat=True)
        .distinct()
        .order_by()
    )


def _days(start: datetime, end: datetime | None) -> int | None:
    if end is None:
        return None
    return max((timezone.localdate(end) - timezone.localdate(start)).days, 0)


# What a fact and its codes say: everything but the row's id and when it was rebuilt.
_FACT_FIELDS = tuple(
    f.attname for f in CaseFact._meta.concrete_fields if f.attname not in {"id", "refreshed_at"}
)
_FACT_CODE_FIELDS = ("axis", "system", "code", "description", "published")


def _facts_as_stored(case_ids: list[int]) -> tuple[set, set]:
    facts = set(CaseFact.objects.filter(case_id__in=case_ids).values_list(*_FACT_FIELDS))
    codes = set(
        CaseFactCode.objects.filter(case_fact__case_id__in=case_ids).values_list(
            "case_fact__case_id", *_FACT_CODE_FIELDS
        )
    )
    return facts, codes


def _case_facts_rebuild(*, case_ids: list[int], now: datetime, compare: bool = True) -> bool:
    """Rebuild these cases' facts and codes; True if any of them now says something different
    (always True without `compare`, as when the whole store is built)."""
    before = _facts_as_stored(case_ids) if compare else None
    organisations = CaseOrganisation.objects.select_related("organisation").order_by("id")
    status_changed = Q(events__kind=CaseEventKind.STATUS_CHANGED)
    cases = (
        Case.objects.filter(pk__in=case_ids)
        .select_related("constituency", "decision")
        .prefetch_related(Prefetch("case_organisations", queryset=organisations))
        .annotate(
            assessed_at=Min(
                "events__created_at",
                filter=status_changed & Q(events__to_status__in=_ASSESSMENT_ENDS),
            ),
            decided_at=Min(
                "events__created_at",
                filter=status_changed & Q(events__to_status=CaseStatus.FINAL_DECISION),
            ),
        )
        .order_by()
    )
    grid = _grid_squares(case_ids)
    facts = []
    for case in cases:
        first = next(iter(case.case_organisations.all()), None)
        organisation = first.organisation if first else None
        decision = getattr(case, "decision", None)
        published = bool(decision and decision.published_at and decision.redaction_confirmed_at)
        facts.append(
            CaseFact(
                case_id=case.pk,
                reference=case.reference,
                kind=case.kind,
                status=case.status,
                sector=organisation.sector if organisation else "",
                organisation_id=organisation.pk if organisation else None,
                organisation_name=organisation.name if organisation else "",
                organisation_kind=organisation.kind if organisation else "",
                region=organisation.region if organisation else "",
                constituency_code=case.constituency.code if case.constituency else "",
                constituency_name=case.constituency.name if case.constituency else "",
                local_authority_code=case.local_authority_code,
                referred_by_mp=case.referring_mp_id is not None,
                grid_east_km=grid.get(case.pk, (None, None))[0],
                grid_north_km=grid.get(case.pk, (None, None))[1],
                received_on=timezone.localdate(case.received_at),
                assessed_on=timezone.localdate(case.assessed_at) if case.assessed_at else None,
                decided_on=timezone.localdate(case.decided_at) if case.decided_at else None,
                days_to_assess=_days(case.received_at, case.assessed_at),
                days_to_decide=_days(case.received_at, case.decided_at),
                outcome=decision.outcome if decision else "",
                published=published,
                published_on=timezone.localdate(decision.published_at) if published else None,
                # Only the summary whose redaction a person confirmed is ever copied here.
                published_summary=decision.redacted_summary if published else "",
                refreshed_at=now,
            )
        )
    # Deleted and re-created rather than updated: a case's fact is always built whole, and its
    # codes go with it.
    CaseFact.objects.filter(case_id__in=case_ids).delete()
    created = CaseFact.objects.bulk_create(facts, batch_size=1000)
    _case_fact_codes_build(facts={f.case_id: (f.pk, f.published) for f in created})
    return not compare or _facts_as_stored(case_ids) != before


def _case_fact_codes_build(*, facts: dict[int, tuple[int, bool]]) -> None:
    """The cases' confirmed codes, once each: a code found in two documents is one code."""
    # Only confirmed codes: a suggestion is the machine's guess and a rejection a person's "no";
    # neither may be counted or published.
    confirmed = (
        ClinicalCode.objects.confirmed()
        .filter(case_id__in=list(facts))
        .values_list("case_id", "axis", "system", "code", "description")
        .order_by("case_id", "axis", "system", "code", "id")
    )
    rows = {}
    for case_id, axis, system, code, description in confirmed:
        if axis == CodeAxis.THEME:
            description = THEME_LABELS.get(code, description)
        rows.setdefault((case_id, axis, system, code), description)
    CaseFactCode.objects.bulk_create(
        [
            CaseFactCode(
                case_fact_id=facts[case_id][0],
                axis=axis,
                system=system,
                code=code,
                description=description[:300],
                published=facts[case_id][1],
            )
            for (case_id, axis, system, code), description in rows.items()
        ],
        batch_size=2000,
    )


def _grid_squares(case_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each case's complainant postcode as a 1 km grid square; the postcode itself is not kept."""
    postcodes = dict(
        ComplaintDetails.objects.filter(case_id__in=case_ids, postcode_found=True).values_list(
            "case_id", "postcode"
        )
    )
    places = {
        p: (e // 1000, n // 1000)
        for p, e, n in Postcode.objects.filter(
            postcode__in=set(postcodes.values()), easting__isnull=False, northing__isnull=False
        ).values_list("postcode", "easting", "northing")
    }
    return {case_id: places[p] for case_id, p in postcodes.items() if p in places}


def _week(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _weekly_counts_rebuild() -> None:
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for column, slot in (("received_on", 0), ("decided_on", 1)):
        rows = (
            CaseFact.objects.filter(**{f"{column}__isnull": False})
            .annotate(week=TruncWeek(column))
            .values("week", "sector", "organisation_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[(_week(row["week"]), row["sector"], row["organisation_id"])][slot] += row["n"]
    WeeklyCount.objects.all().delete()
    WeeklyCount.objects.bulk_create(
        [
            WeeklyCount(
                week_start=week, sector=sector, organisation_id=org, received=rec, decided=dec
            )
            for (week, sector, org), (rec, dec) in counts.items()
        ],
        batch_size=2000,
    )


def _month(value) -> date:
    value = _week(value)
    return value.replace(day=1)


def _monthly_performance_rebuild() -> None:
    months: dict[date, dict] = defaultdict(dict)
    for date_column, days_column, name in (
        ("assessed_on", "days_to_assess", "assess"),
        ("decided_on", "days_to_decide", "decide"),
    ):
        by_month = defaultdict(list)
        rows = CaseFact.objects.filter(**{f"{days_column}__isnull": False}).values_list(
            date_column, days_column
        )
        for day, days in rows.iterator(chunk_size=5000):
            by_month[_month(day)].append(days)
        for month, values in by_month.items():
            months[month][f"{name}_count"] = len(values)
            months[month][f"{name}_median"] = round(statistics.median(values))
    foi = (
        InformationRequest.objects.answered()
        .annotate(month=TruncMonth("sent_on"))
        .values("month")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(sent_on__lte=F("due_on"))))
        .order_by()
    )
    for row in foi:
        months[_month(row["month"])].update(foi=row["total"], foi_on_time=row["on_time"])
    feedback = (
        CaseFeedback.objects.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(total=Count("id"), satisfied=Count("id", filter=Q(ease_of_use__gte=4)))
        .order_by()
    )
    for row in feedback:
        months[_month(row["month"])].update(feedback=row["total"], satisfied=row["satisfied"])
    MonthlyPerformance.objects.all().delete()
    MonthlyPerformance.objects.bulk_create(
        MonthlyPerformance(
            month=month,
            assessed=values.get("assess_count", 0),
            median_days_to_assess=values.get("assess_median"),
            decided=values.get("decide_count", 0),
            median_days_to_decide=values.get("decide_median"),
            foi_answered=values.get("foi", 0),
            foi_on_time=values.get("foi_on_time", 0),
            feedback_count=values.get("feedback", 0),
            feedback_satisfied=values.get("satisfied", 0),
        )
        for month, values in months.items()
    )


def _weekly_code_counts_rebuild() -> None:
    rows = (
        CaseFactCode.objects.annotate(week=TruncWeek("case_fact__received_on"))
        .values("week", "axis", "system", "code")
        .annotate(n=Count("id"), description=Min("description"))
        .order_by()
    )
    WeeklyCodeCount.objects.all().delete()
    WeeklyCodeCount.objects.bulk_create(
        (
            WeeklyCodeCount(
                week_start=_week(row["week"]),
                axis=row["axis"],
                system=row["system"],
                code=row["code"],
                description=row["description"],
                received=row["n"],
            )
            for row in rows.iterator(chunk_size=5000)
        ),
        batch_size=2000,
    )


# Dashboard dimensions counted by the refresh (see selectors_dashboards for the charts).
DASHBOARD_GROUPED = ["status", "sector", "organisation_kind", "outcome", "referred_by_mp"]
TIMELINESS_TARGETS = {"assess": ASSESS_TARGET_DAYS, "decide": DECIDE_TARGET_DAYS}


def _dashboard_counts_rebuild() -> None:
    """One pass over the facts grouped by every small dimension at once (a few thousand
    combinations), summed here per dimension; the organisations, areas, map cells, open cases'
    received dates and codes in one more grouped read each."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    combinations = (
        CaseFact.objects.values(*DASHBOARD_GROUPED)
        .annotate(
            n=Count("id"),
            assessed=Count("id", filter=Q(days_to_assess__isnull=False)),
            assessed_on_time=Count(
                "id", filter=Q(days_to_assess__lte=TIMELINESS_TARGETS["assess"])
            ),
            decided=Count("id", filter=Q(days_to_decide__isnull=False)),
            decided_on_time=Count("id", filter=Q(days_to_decide__lte=TIMELINESS_TARGETS["decide"])),
        )
        .order_by()
    )
    for row in combinations:
        for column in DASHBOARD_GROUPED:
            key = row[column]
            key = ("yes" if key else "no") if column == "referred_by_mp" else key
            totals[(column, key)] += row["n"]
        for name in ("assessed", "assessed_on_time", "decided", "decided_on_time"):
            totals[("timeliness", name)] += row[name]
    rows = [DashboardCount(dimension=d, key=k, label="", n=n) for (d, k), n in totals.items()]
    organisations = (
        CaseFact.objects.exclude(organisation_id=None)
        .values("organisation_name")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows += [
        DashboardCount(dimension="organisation", key=r["organisation_name"][:300], n=r["n"])
        for r in organisations
    ]
    for dimension, column in (
        ("local_authority", "local_authority_code"),
        ("constituency", "constituency_name"),
    ):
        by_area = CaseFact.objects.exclude(**{column: ""}).values(column).annotate(n=Count("id"))
        rows += [
            DashboardCount(dimension=dimension, key=r[column], n=r["n"]) for r in by_area.order_by()
        ]
    # The density map's cells: integer division on both databases.
    cells = (
        CaseFact.objects.exclude(grid_east_km=None)
        .exclude(grid_north_km=None)
        .annotate(cx=F("grid_east_km") / MAP_CELL_KM, cy=F("grid_north_km") / MAP_CELL_KM)
        .values("cx", "cy")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows += [
        DashboardCount(dimension="map_cell", key=f"{r['cx']},{r['cy']}", n=r["n"]) for r in cells
    ]
    open_by_day = (
        CaseFact.objects.filter(status__in=sorted(s.value for s in OPEN_STATUSES))
        .values("received_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows += [
        DashboardCount(dimension="open_received_on", key=r["received_on"].isoformat(), n=r["n"])
        for r in open_by_day
    ]
    codes = (
        CaseFactCode.objects.values("axis", "system", "code")
        .annotate(n=Count("id"), description=Min("description"))
        .order_by()
    )
    rows += [
        DashboardCount(
            dimension=r["axis"],
            key=f"{r['system']} {r['code']}" if r["axis"] == CodeAxis.CONDITION else r["code"],
            label=(r["description"] or r["code"])[:300],
            n=r["n"],
        )
        for r in codes
    ]
    DashboardCount.objects.all().delete()
    DashboardCount.objects.bulk_create(rows, batch_size=2000)
