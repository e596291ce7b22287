"""Trend detection over the weekly counts, and the systemic reviews managers open from it."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum

from casework.models import Case
from insight import spc
from insight.models import (
    CaseFact,
    CaseFactCode,
    SystemicReview,
    TrendAlert,
    TrendDimension,
    WeeklyCodeCount,
    WeeklyCount,
)

WINDOW_WEEKS = 52
# Limits from fewer weeks than this are too unsteady to call anything special cause.
MIN_WEEKS = 12
# Only signals that end this recently are news; older ones were there to be seen before.
RECENT_WEEKS = 4


class ReviewAlreadyOpen(Exception):
    """A trend alert has one systemic review."""


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _organisation_series(first: date, last: date) -> dict[tuple, dict[date, int]]:
    counts: dict[tuple, dict[date, int]] = defaultdict(dict)
    rows = (
        WeeklyCount.objects.filter(
            week_start__gte=first, week_start__lte=last, organisation_id__isnull=False
        )
        .values("organisation_id", "week_start")
        .annotate(n=Sum("received"))
        .order_by()
    )
    for row in rows:
        counts[(row["organisation_id"],)][row["week_start"]] = row["n"]
    return counts


def _code_series(first: date, last: date) -> tuple[dict[tuple, dict[date, int]], dict]:
    """Weekly cases with each confirmed theme or clinical code, and each code's description
    (the refresh counts only confirmed codes, so a suggestion or a rejected code never raises
    an alert)."""
    counts: dict[tuple, dict[date, int]] = defaultdict(dict)
    descriptions = {}
    rows = WeeklyCodeCount.objects.filter(week_start__gte=first, week_start__lte=last).values_list(
        "axis", "system", "code", "description", "week_start", "received"
    )
    for axis, system, code, description, week, n in rows:
        counts[(axis, system, code)][week] = n
        descriptions[(axis, system, code)] = description
    return counts, descriptions


def _series_identity(key: tuple) -> dict:
    """The TrendAlert fields that say which series an alert is about."""
    if len(key) == 1:
        return {"dimension": TrendDimension.ORGANISATION, "organisation_id": key[0]}
    axis, system, code = key
    return {"dimension": axis, "code_system": system, "code": code}


@transaction.atomic
def trend_alerts_detect(*, today: date) -> int:
    """Check each organisation's, confirmed theme's and confirmed clinical code's weekly
    complaints for special cause variation; returns how many new alerts were raised. Detecting
    again for the same weeks raises nothing new."""
    last_week = _week_start(today) - timedelta(weeks=1)  # the last complete week
    weeks = [last_week - timedelta(weeks=n) for n in range(WINDOW_WEEKS - 1, -1, -1)]
    organisations = _organisation_series(weeks[0], last_week)
    names = {}
    if organisations:
        names = dict(
            CaseFact.objects.filter(organisation_id__in=[k[0] for k in organisations])
            .values_list("organisation_id", "organisation_name")
            .distinct()
        )
    codes, descriptions = _code_series(weeks[0], last_week)
    raised = 0
    for key, by_week in [*organisations.items(), *codes.items()]:
        first = min(by_week)
        series_weeks = [w for w in weeks if w >= first]
        if len(series_weeks) < MIN_WEEKS:
            continue
        values = [by_week.get(w, 0) for w in series_weeks]
        limits = spc.xmr_limits(values)
        identity = _series_identity(key)
        for signal in spc.signals(values, limits):
            if signal.last < len(values) - RECENT_WEEKS:
                continue
            _, created = TrendAlert.objects.get_or_create(
                **identity,
                rule=signal.rule,
                week_start=series_weeks[signal.last],
                defaults={
                    "organisation_name": names.get(key[0], "") if len(key) == 1 else "",
                    "code_description": descriptions.get(key, ""),
                    "direction": signal.direction,
                    "first_week": series_weeks[signal.first],
                    "mean": limits.mean,
                    "lower_limit": limits.lower,
                    "upper_limit": limits.upper,
                    "series": [
                        [w.isoformat(), v] for w, v in zip(series_weeks, values, strict=True)
                    ],
                },
            )
            raised += created
    return raised


def alert_cases(alert: TrendAlert):
    """The cases behind an alert: the series' cases received in the signal's weeks."""
    facts = CaseFact.objects.filter(
        received_on__gte=alert.first_week,
        received_on__lt=alert.week_start + timedelta(weeks=1),
    )
    if alert.dimension == TrendDimension.ORGANISATION:
        facts = facts.filter(organisation_id=alert.organisation_id)
    else:
        facts = facts.filter(
            Exists(
                CaseFactCode.objects.filter(
                    case_fact=OuterRef("pk"),
                    axis=alert.dimension,
                    system=alert.code_system,
                    code=alert.code,
                )
            )
        )
    return facts.order_by("received_on", "reference")


@transaction.atomic
def systemic_review_open(*, alert: TrendAlert, actor, title: str) -> SystemicReview:
    """Open a review of the alert's cases; the cases are linked as they stand today."""
    alert = TrendAlert.objects.select_for_update().get(pk=alert.pk)
    if SystemicReview.objects.filter(alert=alert).exists():
        raise ReviewAlreadyOpen("A systemic review is already open for this alert")
    review = SystemicReview.objects.create(alert=alert, title=title.strip(), opened_by=actor)
    case_ids = alert_cases(alert).values_list("case_id", flat=True)
    review.cases.set(Case.objects.filter(pk__in=list(case_ids)))
    return review
