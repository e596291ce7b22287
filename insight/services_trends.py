"""Trend detection over the weekly counts, and the systemic reviews managers open from it."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum

from casework.models import Case
from insight import spc
from insight.models import CaseFact, SystemicReview, TrendAlert, WeeklyCount

WINDOW_WEEKS = 52
# Limits from fewer weeks than this are too unsteady to call anything special cause.
MIN_WEEKS = 12
# Only signals that end this recently are news; older ones were there to be seen before.
RECENT_WEEKS = 4


class ReviewAlreadyOpen(Exception):
    """A trend alert has one systemic review."""


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def trend_alerts_detect(*, today: date) -> int:
    """Check each organisation's weekly complaints for special cause variation; returns how
    many new alerts were raised. Detecting again for the same weeks raises nothing new."""
    last_week = _week_start(today) - timedelta(weeks=1)  # the last complete week
    weeks = [last_week - timedelta(weeks=n) for n in range(WINDOW_WEEKS - 1, -1, -1)]
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    names = {}
    rows = (
        WeeklyCount.objects.filter(
            week_start__gte=weeks[0], week_start__lte=last_week, organisation_id__isnull=False
        )
        .values("organisation_id", "week_start")
        .annotate(n=Sum("received"))
        .order_by()
    )
    for row in rows:
        counts[row["organisation_id"]][row["week_start"]] = row["n"]
    if counts:
        names = dict(
            CaseFact.objects.filter(organisation_id__in=list(counts))
            .values_list("organisation_id", "organisation_name")
            .distinct()
        )
    raised = 0
    for organisation_id, by_week in counts.items():
        first = min(by_week)
        series_weeks = [w for w in weeks if w >= first]
        if len(series_weeks) < MIN_WEEKS:
            continue
        values = [by_week.get(w, 0) for w in series_weeks]
        limits = spc.xmr_limits(values)
        for signal in spc.signals(values, limits):
            if signal.last < len(values) - RECENT_WEEKS:
                continue
            _, created = TrendAlert.objects.get_or_create(
                organisation_id=organisation_id,
                rule=signal.rule,
                week_start=series_weeks[signal.last],
                defaults={
                    "organisation_name": names.get(organisation_id, ""),
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
    """The cases behind an alert: that organisation's cases received in the signal's weeks."""
    return CaseFact.objects.filter(
        organisation_id=alert.organisation_id,
        received_on__gte=alert.first_week,
        received_on__lt=alert.week_start + timedelta(weeks=1),
    ).order_by("received_on", "reference")


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
