"""Trend detection: XmR limits and the Making Data Count rules, alerts raised from weekly counts,
and systemic reviews opened by managers from an alert."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from insight import spc
from insight.models import CaseFact, SystemicReview, TrendAlert, WeeklyCount
from insight.services_trends import trend_alerts_detect
from insight.tasks import trend_alerts_detect as trend_alerts_detect_task
from tests.conftest import otp_verified_client
from tests.factories import UserFactory
from tests.insight.builders import decided_case, organisation

TODAY = date(2026, 11, 25)  # a Wednesday
LAST_WEEK = date(2026, 11, 16)
STEADY = [10, 12, 9, 11, 10, 13, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11, 10, 9, 11, 10]


def rules(values):
    return {(s.rule, s.direction) for s in spc.signals(values, spc.xmr_limits(values))}


class TestXmrRules:
    def test_steady_series_has_no_signal(self):
        assert rules(STEADY) == set()

    def test_limits_from_the_average_moving_range(self):
        limits = spc.xmr_limits([10, 12, 10, 12])
        assert limits.mean == 11
        assert limits.upper == pytest.approx(11 + 3 * 2 / 1.128)
        assert limits.lower == pytest.approx(11 - 3 * 2 / 1.128)

    def test_point_outside_the_limits(self):
        assert ("outside_limits", "up") in rules(STEADY + [40])

    def test_shift_of_seven_on_one_side(self):
        assert ("shift", "up") in rules([5, 7] * 8 + [12] * 7)
        assert ("shift", "up") not in rules([5, 7] * 8 + [12] * 6 + [5])

    def test_trend_of_six(self):
        assert ("trend", "up") in rules(STEADY + [6, 7, 8, 9, 10, 11])
        assert ("trend", "down") in rules(STEADY + [16, 15, 14, 13, 12, 11])
        assert ("trend", "up") not in rules(STEADY + [6, 7, 8, 9, 10])

    def test_two_of_three_beyond_two_sigma(self):
        limits = spc.xmr_limits(STEADY)
        high = round(limits.mean + 2.5 * limits.sigma)
        assert high < limits.upper
        # Limits from a baseline period, as Making Data Count does once a process is steady.
        found = spc.signals(STEADY + [high, 10, high], limits)
        assert ("two_of_three", "up") in {(s.rule, s.direction) for s in found}
        assert not any(s.rule == "outside_limits" for s in found)


def weekly(org, values):
    WeeklyCount.objects.bulk_create(
        WeeklyCount(
            week_start=LAST_WEEK - timedelta(weeks=len(values) - 1 - i),
            sector="health",
            organisation_id=org.pk,
            received=v,
        )
        for i, v in enumerate(values)
    )


@pytest.mark.django_db
class TestTrendAlertsDetect:
    def test_recent_spike_raises_one_alert_once(self):
        org = organisation(name="Spiky Trust")
        CaseFact.objects.create(
            case_id=1,
            reference="HC-1",
            kind="health",
            status="submitted",
            organisation_id=org.pk,
            organisation_name=org.name,
            received_on=LAST_WEEK,
        )
        weekly(org, STEADY + [40])
        assert trend_alerts_detect(today=TODAY) == 1
        alert = TrendAlert.objects.get()
        assert (alert.rule, alert.direction, alert.week_start) == (
            "outside_limits",
            "up",
            LAST_WEEK,
        )
        assert alert.organisation_name == "Spiky Trust"
        assert trend_alerts_detect(today=TODAY) == 0

    def test_steady_short_and_old_series_raise_nothing(self):
        weekly(organisation(), STEADY)
        weekly(organisation(), [1, 9, 1, 30])
        weekly(organisation(), STEADY[:10] + [40] + STEADY[:9])
        assert trend_alerts_detect(today=TODAY) == 0

    def test_empty_database(self, db):
        assert trend_alerts_detect(today=TODAY) == 0

    def test_task(self):
        weekly(organisation(), STEADY + [40])
        assert trend_alerts_detect_task.delay(TODAY.isoformat()).get() == 1


@pytest.fixture
def alert_with_cases(db):
    org = organisation(name="Spiky Trust")
    cases = [decided_case(org=org) for _ in range(2)]
    from insight.services_reporting import insight_refresh

    insight_refresh()
    received = CaseFact.objects.first().received_on
    alert = TrendAlert.objects.create(
        organisation_id=org.pk,
        organisation_name=org.name,
        rule="outside_limits",
        direction="up",
        first_week=received - timedelta(days=received.weekday()),
        week_start=received - timedelta(days=received.weekday()),
        mean=10,
        lower_limit=2,
        upper_limit=18,
        series=[[LAST_WEEK.isoformat(), 40]],
    )
    return alert, cases


@pytest.mark.django_db
class TestAlertPages:
    def test_analyst_sees_alerts_and_cases_but_cannot_open_review(self, client, alert_with_cases):
        alert, cases = alert_with_cases
        client = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        assert b"Spiky Trust" in client.get(reverse("insight_staff:alerts")).content
        content = client.get(reverse("insight_staff:alert", args=[alert.pk])).content.decode()
        assert cases[0].reference in content and "<svg" in content and "style=" not in content
        response = client.post(reverse("insight_staff:alert", args=[alert.pk]), {"title": "X"})
        assert response.status_code == 403
        assert not SystemicReview.objects.exists()

    def test_the_chart_names_its_lines_and_weeks_and_managers_can_open_the_cases(
        self, client, manager, alert_with_cases
    ):
        alert, cases = alert_with_cases
        alert.series = [
            [(LAST_WEEK - timedelta(weeks=3 - i)).isoformat(), n]
            for i, n in enumerate([9, 11, 10, 40])
        ]
        alert.save()
        url = reverse("insight_staff:alert", args=[alert.pk])
        content = otp_verified_client(client, manager).get(url).content.decode()
        assert ">Upper limit 18.0</text>" in content and ">Mean 10.0</text>" in content
        assert ">Lower limit 2.0</text>" in content
        assert f">Week of {LAST_WEEK:%-d %b %Y}</text>" in content
        case_page = reverse("casework:case_detail", args=[cases[0].reference])
        assert f'href="{case_page}"' in content
        assert "Final decision" in content or "Closed" in content  # a label, not a stored value

        analyst = otp_verified_client(Client(), UserFactory(roles=[Role.ANALYST]))
        assert case_page not in analyst.get(url).content.decode()  # they cannot open cases

    def test_manager_opens_a_systemic_review_linking_the_cases(
        self, client, manager, alert_with_cases
    ):
        alert, cases = alert_with_cases
        client = otp_verified_client(client, manager)
        url = reverse("insight_staff:alert", args=[alert.pk])
        assert client.post(url, {"title": ""}).status_code == 200
        response = client.post(url, {"title": "Discharge letters at Spiky Trust"})
        assert response.status_code == 302
        review = SystemicReview.objects.get()
        assert set(review.cases.all()) == set(cases)
        assert review.opened_by == manager
        client.post(url, {"title": "Again"})
        assert SystemicReview.objects.count() == 1

    def test_caseworker_is_refused(self, staff_client, alert_with_cases):
        assert staff_client.get(reverse("insight_staff:alerts")).status_code == 403

    def test_empty_list(self, client, db):
        client = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        assert b"No trend alerts" in client.get(reverse("insight_staff:alerts")).content

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(self, client, db, django_assert_max_num_queries, rows):
        client = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        TrendAlert.objects.bulk_create(
            TrendAlert(
                organisation_id=i,
                organisation_name=f"Trust {i}",
                rule="shift",
                direction="up",
                first_week=LAST_WEEK,
                week_start=LAST_WEEK,
                mean=1,
                lower_limit=0,
                upper_limit=3,
            )
            for i in range(rows)
        )
        with django_assert_max_num_queries(8):
            assert client.get(reverse("insight_staff:alerts")).status_code == 200
