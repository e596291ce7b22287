"""Forecasting: candidate methods chosen by rolling-origin backtest, stored forecasts with
intervals retrained by a task, and the managers' forecast page."""

import math
import random
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from insight import forecasting
from insight.models import (
    CaseFact,
    ForecastFrequency,
    SeriesForecast,
    WeeklyCodeCount,
    WeeklyCount,
)
from insight.services_forecasts import forecasts_train
from insight.tasks import forecasts_train as forecasts_train_task
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

TODAY = date(2026, 11, 25)


def seasonal(n, season, level=100.0, amplitude=20.0, slope=0.5, noise=3.0, seed=1):
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not security
    return [
        level + amplitude * math.sin(2 * math.pi * i / season) + slope * i + rng.gauss(0, noise)
        for i in range(n)
    ]


class TestForecasting:
    def test_backtest_scores_every_candidate_and_picks_the_lowest(self):
        result = forecasting.forecast(seasonal(48, 12), season=12, horizon=12, test_length=3)
        scores = {k: v for k, v in result.backtest.items() if v is not None}
        assert set(scores) == set(forecasting.METHODS)
        assert result.method == min(scores, key=scores.get)
        assert result.method != forecasting.SEASONAL_NAIVE  # the trend defeats last year's values

    def test_twelve_months_ahead_with_intervals_around_the_forecast(self):
        result = forecasting.forecast(seasonal(48, 12), season=12, horizon=12, test_length=3)
        assert len(result.points) == 12
        assert all(low <= f <= high for f, low, high in result.points)
        assert (
            result.points[-1][2] - result.points[-1][1] >= result.points[0][2] - result.points[0][1]
        )

    def test_short_history_falls_back_to_naive(self):
        result = forecasting.forecast([3, 4], season=12, horizon=12, test_length=3)
        assert result.method == forecasting.SEASONAL_NAIVE
        assert [p[0] for p in result.points] == [4] * 12

    def test_mape(self):
        assert forecasting.mape([100, 200], [110, 180]) == pytest.approx(10.0)
        assert forecasting.mape([0, 0], [1, 2]) is None


@pytest.fixture
def history(db):
    monday = TODAY - timedelta(days=TODAY.weekday())
    counts = seasonal(120, 52, level=30, amplitude=5, slope=0.05, noise=2)
    WeeklyCount.objects.bulk_create(
        WeeklyCount(
            week_start=monday - timedelta(weeks=120 - i),
            sector="health",
            organisation_id=1,
            received=max(0, round(v)),
        )
        for i, v in enumerate(counts)
    )
    facts = []
    for i in range(36):
        month = date(2023 + (10 + i) // 12, (10 + i) % 12 + 1, 3)
        for j in range(20 + i % 12):
            facts.append(
                CaseFact(
                    case_id=i * 100 + j,
                    reference=f"HC-{i}-{j}",
                    kind="health",
                    status="closed",
                    sector="health",
                    received_on=month,
                )
            )
    CaseFact.objects.bulk_create(facts)


@pytest.mark.django_db
class TestForecastsTrain:
    def test_trains_weekly_and_monthly_for_all_and_each_sector(self, history):
        assert forecasts_train(today=TODAY) == 4
        weekly = SeriesForecast.objects.get(series="all", frequency=ForecastFrequency.WEEK)
        assert len(weekly.points) == 52
        assert weekly.points[0][0] == "2026-11-23"
        monthly = SeriesForecast.objects.get(series="health", frequency=ForecastFrequency.MONTH)
        assert len(monthly.points) == 12
        assert monthly.points[0][0] == "2026-11-01"
        assert monthly.history[-1][0] == "2026-10-01"
        assert monthly.method in forecasting.METHODS

    def test_retraining_replaces_and_empty_database_trains_nothing(self, history):
        forecasts_train(today=TODAY)
        forecasts_train(today=TODAY)
        assert SeriesForecast.objects.count() == 4
        CaseFact.objects.all().delete()
        WeeklyCount.objects.all().delete()
        assert forecasts_train(today=TODAY) == 0

    def test_too_short_a_history_is_not_forecast(self, db):
        CaseFact.objects.create(
            case_id=1, reference="HC-1", kind="health", status="closed", received_on=TODAY
        )
        assert forecasts_train(today=TODAY + timedelta(days=60)) == 0

    def test_task(self, history):
        assert forecasts_train_task.delay(TODAY.isoformat()).get() == 4


@pytest.mark.django_db
class TestForecastPage:
    def test_chart_backtest_table_and_staffing(self, client, history):
        forecasts_train(today=TODAY)
        client = otp_verified_client(client, UserFactory(roles=[Role.MANAGER]))
        content = client.get(reverse("insight_staff:forecasts")).content.decode()
        assert "Backtest error by method" in content
        assert "Caseworkers needed" in content
        assert content.count("<svg") >= 4 and "style=" not in content

    def test_charts_have_axes_and_a_key(self, client, history):
        forecasts_train(today=TODAY)
        client = otp_verified_client(client, UserFactory(roles=[Role.MANAGER]))
        content = client.get(reverse("insight_staff:forecasts")).content.decode()
        # Monthly: the first month shown, where the forecast starts, and its last month.
        assert ">Forecast from Nov 2026</text>" in content
        assert ">Oct 2027</text>" in content
        # Weekly: weeks are named by their Monday.
        assert ">Forecast from 23 Nov 2026</text>" in content
        # A count axis from 0 to a round number above the highest point or interval.
        weekly = SeriesForecast.objects.get(series="all", frequency=ForecastFrequency.WEEK)
        highest = max([v for _, v in weekly.history[-52:]] + [p[3] for p in weekly.points])
        tops = [
            int(t.replace(",", ""))
            for t in re.findall(r'text-anchor="end"[^>]*>([\d,]+)<', content)
        ]
        assert 0 in tops and any(highest <= t <= 2 * max(highest, 1) for t in tops)
        assert content.count('aria-label="Key to the chart"') == 4
        assert "95% prediction interval" in content

    def test_query_count_does_not_grow_with_the_series(
        self, client, history, django_assert_max_num_queries
    ):
        client = otp_verified_client(client, UserFactory(roles=[Role.MANAGER]))
        forecasts_train(today=TODAY)
        with django_assert_max_num_queries(20) as four:
            client.get(reverse("insight_staff:forecasts"))
        assert SeriesForecast.objects.count() == 4
        # More series: the same forecasts under other names, as more sectors and themes would be.
        for original in SeriesForecast.objects.all():
            for n in range(3):
                forecast = SeriesForecast.objects.get(pk=original.pk)
                forecast.pk = None
                forecast.series = f"theme:extra{n}-{original.series}"
                forecast.save()
        with django_assert_max_num_queries(len(four.captured_queries)):
            assert client.get(reverse("insight_staff:forecasts")).status_code == 200

    def test_empty(self, client, db):
        client = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        assert b"No forecasts yet" in client.get(reverse("insight_staff:forecasts")).content

    def test_caseworker_is_refused(self, staff_client):
        assert staff_client.get(reverse("insight_staff:forecasts")).status_code == 403


class TestBacktestAgainstSeasonalNaive:
    def test_a_model_beating_seasonal_naive_is_chosen_and_says_so(self):
        history = seasonal(60, 12, slope=1.5, noise=1.0)
        result = forecasting.forecast(history, season=12, horizon=12, test_length=3)
        assert result.method != forecasting.SEASONAL_NAIVE
        assert result.backtest[result.method] < result.backtest[forecasting.SEASONAL_NAIVE]
        note = forecasting.backtest_note(result.backtest, result.method)
        assert note.startswith(forecasting.METHODS[result.method])
        assert "beat seasonal naive" in note

    def test_when_nothing_beats_seasonal_naive_it_is_used_and_the_note_says_why(self):
        # The same lumpy year again and again: last year's figures are exactly right.
        year = [10, 30, 15, 40, 12, 25, 18, 35, 11, 28, 16, 38]
        result = forecasting.forecast(year * 5, season=12, horizon=12, test_length=3)
        assert result.method == forecasting.SEASONAL_NAIVE
        note = forecasting.backtest_note(result.backtest, result.method)
        assert note.startswith("No method")
        assert "same period last year" in note

    def test_too_little_history_is_explained(self):
        result = forecasting.forecast([3, 4], season=12, horizon=12, test_length=3)
        assert "Too little history" in forecasting.backtest_note(result.backtest, result.method)

    def test_naive_best_with_others_worse_names_the_best_other(self):
        note = forecasting.backtest_note(
            {"seasonal_naive": 5.0, "holt_winters": 8.0, "calendar_regression": 9.5},
            "seasonal_naive",
        )
        assert note.startswith("No method beat seasonal naive (5.0% average error")
        assert "exponential smoothing (holt-winters), 8.0%" in note


@pytest.mark.django_db
class TestForecastPageExplains:
    def test_each_table_has_its_note(self, client):
        common = {"frequency": ForecastFrequency.MONTH, "history": [["2026-10-01", 10]]}
        SeriesForecast.objects.create(
            series="all",
            method="seasonal_naive",
            backtest={"seasonal_naive": 5.0, "holt_winters": 8.0, "calendar_regression": 9.5},
            points=[["2026-11-01", 10, 8, 12]],
            **common,
        )
        SeriesForecast.objects.create(
            series="theme:diagnosis",
            method="holt_winters",
            backtest={"seasonal_naive": 12.0, "holt_winters": 4.0, "calendar_regression": 6.0},
            points=[["2026-11-01", 11, 9, 13]],
            **common,
        )
        client = otp_verified_client(client, UserFactory(roles=[Role.MANAGER]))
        content = client.get(reverse("insight_staff:forecasts")).content.decode()
        assert "No method beat seasonal naive (5.0% average error" in content
        assert "Complaint theme Diagnosis and assessment" in content
        assert "beat seasonal naive: 4.0% average error against 12.0%" in content

    def test_trains_a_weekly_forecast_per_confirmed_theme(self):
        monday = TODAY - timedelta(days=TODAY.weekday())
        WeeklyCodeCount.objects.bulk_create(
            WeeklyCodeCount(
                week_start=monday - timedelta(weeks=12 - i),
                axis="theme",
                system="theme",
                code="diagnosis",
                description="Diagnosis and assessment",
                received=5 + i % 3,
            )
            for i in range(12)
        )
        forecasts_train(today=TODAY)
        weekly = SeriesForecast.objects.get(series="theme:diagnosis")
        assert weekly.frequency == ForecastFrequency.WEEK
        assert len(weekly.points) == 52
