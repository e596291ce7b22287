"""Retraining the volume forecasts from the reporting store (a beat task calls this)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from insight import forecasting
from insight.forecasting import THEME_SERIES_PREFIX
from insight.models import (
    CaseFact,
    CaseFactCode,
    CodeAxis,
    ForecastFrequency,
    SeriesForecast,
    WeeklyCodeCount,
    WeeklyCount,
)

# (season, horizon, backtest test length, most history used) per frequency.
SETTINGS = {
    ForecastFrequency.WEEK: (52, 52, 13, 156),
    ForecastFrequency.MONTH: (12, 12, 3, 60),
}
# Fewer periods than this give a forecast nobody should plan staff on.
MIN_HISTORY = 8


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _weekly_history(last: date, periods: int) -> dict[str, dict[date, int]]:
    rows = (
        WeeklyCount.objects.filter(
            week_start__gt=last - timedelta(weeks=periods), week_start__lte=last
        )
        .values("week_start", "sector")
        .annotate(n=Sum("received"))
        .order_by()
    )
    series: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        series["all"][row["week_start"]] += row["n"]
        if row["sector"]:
            series[row["sector"]][row["week_start"]] += row["n"]
    # Themes from the refresh's weekly counts of confirmed codes: a few hundred rows, no facts.
    themes = WeeklyCodeCount.objects.filter(
        axis=CodeAxis.THEME, week_start__gt=last - timedelta(weeks=periods), week_start__lte=last
    ).values_list("code", "week_start", "received")
    for code, week, n in themes:
        series[f"{THEME_SERIES_PREFIX}{code}"][week] += n
    return series


def _monthly_history(last: date, periods: int) -> dict[str, dict[date, int]]:
    rows = (
        CaseFact.objects.filter(
            received_on__gte=_add_months(last, -(periods - 1)),
            received_on__lt=_add_months(last, 1),
        )
        .annotate(month=TruncMonth("received_on"))
        .values("month", "sector")
        .annotate(n=Count("id"))
        .order_by()
    )
    series: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        series["all"][row["month"]] += row["n"]
        if row["sector"]:
            series[row["sector"]][row["month"]] += row["n"]
    themes = (
        CaseFactCode.objects.filter(
            axis=CodeAxis.THEME,
            case_fact__received_on__gte=_add_months(last, -(periods - 1)),
            case_fact__received_on__lt=_add_months(last, 1),
        )
        .annotate(month=TruncMonth("case_fact__received_on"))
        .values("month", "code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in themes:
        series[f"{THEME_SERIES_PREFIX}{row['code']}"][row["month"]] += row["n"]
    return series


@transaction.atomic
def forecasts_train(*, today: date) -> int:
    """Fit every series on complete periods up to today and replace the stored forecasts."""
    last_week = today - timedelta(days=today.weekday()) - timedelta(weeks=1)
    last_month = _add_months(today.replace(day=1), -1)
    built = []
    for frequency, (season, horizon, test_length, most) in SETTINGS.items():
        if frequency == ForecastFrequency.WEEK:
            by_series, last = _weekly_history(last_week, most), last_week

            def step(period, n):
                return period + timedelta(weeks=n)
        else:
            by_series, last = _monthly_history(last_month, most), last_month

            def step(period, n):
                return _add_months(period, n)

        for name, counts in by_series.items():
            first = min(counts)
            periods, period = [], first
            while period <= last:
                periods.append(period)
                period = step(period, 1)
            history = [counts.get(p, 0) for p in periods]
            if len(history) < MIN_HISTORY:
                continue
            result = forecasting.forecast(
                history, season=season, horizon=horizon, test_length=test_length
            )
            built.append(
                SeriesForecast(
                    series=name,
                    frequency=frequency,
                    method=result.method,
                    backtest=result.backtest,
                    history=[[p.isoformat(), v] for p, v in zip(periods, history, strict=True)],
                    points=[
                        [step(last, i + 1).isoformat(), *point]
                        for i, point in enumerate(result.points)
                    ],
                )
            )
    SeriesForecast.objects.all().delete()
    SeriesForecast.objects.bulk_create(built)
    return len(built)
