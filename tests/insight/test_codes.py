"""Confirmed clinical codes and complaint themes in insight: only what a caseworker confirmed is
kept, filtered, counted, charted, forecast or alerted on; a later rejection takes it out again."""

import csv
import io
from datetime import date, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.models import ClinicalCode, CodeReview
from insight import services_reporting
from insight.models import (
    CaseFact,
    CaseFactCode,
    DashboardCount,
    RefreshState,
    TrendAlert,
    WeeklyCodeCount,
)
from insight.services_reporting import insight_refresh
from insight.services_trends import alert_cases, trend_alerts_detect
from tests.conftest import otp_verified_client
from tests.factories import UserFactory
from tests.insight.builders import clinical_code as code
from tests.insight.builders import constituency, decided_case, organisation

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday
LAST_WEEK = date(2026, 11, 16)
STEADY = [10, 12, 9, 11, 10, 13, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11, 10, 9, 11, 10]


def later(hours=1):
    return timezone.now() + timedelta(hours=hours)


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def coded():
    """Three published decisions: one with a confirmed theme and condition, one whose theme was
    only suggested, one whose theme was rejected."""
    north, south = organisation(name="North Trust"), organisation(name="South Trust")
    upton = constituency(name="Upton")
    confirmed = decided_case(org=north, place=upton, summary="Confirmed diagnosis summary.")
    suggested = decided_case(org=south, summary="Suggested only summary.")
    rejected = decided_case(org=south, summary="Rejected theme summary.")
    code(confirmed)
    code(confirmed, axis="condition", system="ICD-10", value="K35", description="Appendicitis")
    code(suggested, value="medication", description="Medication", review=CodeReview.SUGGESTED)
    code(rejected, value="consent", description="Consent", review=CodeReview.REJECTED)
    insight_refresh()
    return confirmed, suggested, rejected, north, upton


class TestReportingStore:
    def test_only_confirmed_codes_are_kept_once_each(self, coded):
        confirmed, *_ = coded
        # The same theme confirmed again in a second document is still one theme of the case.
        code(confirmed)
        insight_refresh(now=later())
        rows = set(CaseFactCode.objects.values_list("case_fact__case_id", "axis", "code"))
        assert rows == {(confirmed.pk, "theme", "diagnosis"), (confirmed.pk, "condition", "K35")}

    def test_rejecting_a_confirmed_code_removes_it_at_the_next_refresh(self, coded):
        confirmed, *_ = coded
        ClinicalCode.objects.filter(case=confirmed, code="diagnosis").update(
            review=CodeReview.REJECTED, reviewed_at=timezone.now()
        )
        insight_refresh(now=later())
        assert not CaseFactCode.objects.filter(code="diagnosis").exists()
        assert not DashboardCount.objects.filter(dimension="theme").exists()
        assert not WeeklyCodeCount.objects.filter(code="diagnosis").exists()

    def test_a_code_put_back_to_suggested_without_a_review_time_is_still_removed(self, coded):
        ClinicalCode.objects.filter(code="K35").update(review=CodeReview.SUGGESTED)
        insight_refresh(now=later())
        assert not CaseFactCode.objects.filter(code="K35").exists()

    def test_confirming_later_adds_the_code_at_the_next_refresh(self, coded):
        _, suggested, *_ = coded
        ClinicalCode.objects.filter(case=suggested).update(
            review=CodeReview.CONFIRMED, reviewed_at=timezone.now()
        )
        insight_refresh(now=later())
        assert CaseFactCode.objects.filter(case_fact__case_id=suggested.pk, code="medication")

    def test_generation_moves_only_when_something_changed(self, coded):
        insight_refresh(now=later(1))  # past the overlap with the cases' creation
        first = RefreshState.objects.get().generation
        insight_refresh(now=later(2))
        assert RefreshState.objects.get().generation == first
        # Reviewed again to the same answer: the case is read again, but no figure moves.
        ClinicalCode.objects.filter(code="K35").update(reviewed_at=later(2))
        insight_refresh(now=later(3))
        assert RefreshState.objects.get().generation == first
        ClinicalCode.objects.filter(code="K35").update(
            review=CodeReview.REJECTED, reviewed_at=later(4)
        )
        insight_refresh(now=later(5))
        assert RefreshState.objects.get().generation == first + 1

    def test_failure_part_way_leaves_codes_and_summaries_as_they_were(self, coded):
        ClinicalCode.objects.filter(code="diagnosis").update(
            review=CodeReview.REJECTED, reviewed_at=timezone.now()
        )
        with mock.patch.object(
            services_reporting, "_dashboard_counts_rebuild", side_effect=RuntimeError("disk full")
        ):
            with pytest.raises(RuntimeError):
                insight_refresh(now=later())
        assert CaseFactCode.objects.filter(code="diagnosis").exists()
        assert WeeklyCodeCount.objects.filter(code="diagnosis").exists()
        assert DashboardCount.objects.filter(dimension="theme", key="diagnosis", n=1).exists()


class TestPublishedDecisionsByTheme:
    def test_page_filters_by_theme_and_offers_only_confirmed_themes(self, client, coded):
        response = client.get(reverse("insight:decisions"), {"theme": "diagnosis"})
        content = response.content.decode()
        assert "1 decision" in content
        assert "Confirmed diagnosis summary." in content
        assert "Suggested only summary." not in content
        assert '<option value="diagnosis" selected>Diagnosis and assessment</option>' in content
        assert 'value="medication"' not in content
        assert 'value="consent"' not in content

    def test_decision_page_names_confirmed_themes_only(self, client, coded):
        confirmed, suggested, rejected, *_ = coded
        page = client.get(reverse("insight:decision", args=[confirmed.reference]))
        assert "Diagnosis and assessment" in page.content.decode()
        for case in (suggested, rejected):
            content = client.get(reverse("insight:decision", args=[case.reference])).content
            assert b"Complaint themes" not in content

    def test_csv_filters_by_theme(self, client, coded):
        rows = csv_rows(client.get(reverse("insight:decisions_csv"), {"theme": "diagnosis"}))
        assert [r["summary"] for r in rows] == ["Confirmed diagnosis summary."]
        rows = csv_rows(client.get(reverse("insight:decisions_csv"), {"theme": "consent"}))
        assert len(rows) == 3  # an unknown theme is left out, as on the page

    def test_api_filters_by_theme_and_lists_confirmed_themes(self, client, coded):
        body = client.get(reverse("api:decision-list"), {"theme": "diagnosis"}).json()
        assert [r["summary"] for r in body["results"]] == ["Confirmed diagnosis summary."]
        assert body["results"][0]["themes"] == ["diagnosis"]
        everything = client.get(reverse("api:decision-list")).json()["results"]
        assert sorted(t for r in everything for t in r["themes"]) == ["diagnosis"]

    def test_counts_by_theme_hold_confirmed_themes_only(self, client, coded):
        body = client.get(reverse("api:counts", args=["theme"])).json()
        assert [(r["key"], r["received"]) for r in body] == [("diagnosis", None)]
        rows = csv_rows(client.get(reverse("insight:counts_csv", args=["theme"])))
        assert [(r["theme"], r["received"]) for r in rows] == [("diagnosis", "fewer than 5")]

    @pytest.mark.parametrize(
        "theme", ["no-such-theme", "consent", "' OR 1=1 --", "<script>alert(1)</script>"]
    )
    def test_unknown_theme_is_a_clear_error_never_a_crash(self, client, coded, theme):
        response = client.get(reverse("insight:decisions"), {"theme": theme, "page": "999999"})
        assert response.status_code == 200
        assert b"There is a problem with a filter" in response.content
        assert b"<script>alert(1)</script>" not in response.content
        assert client.get(reverse("api:decision-list"), {"theme": theme}).status_code == 200

    def test_filter_choices_follow_the_next_refresh(self, client, coded):
        confirmed, *_ = coded
        client.get(reverse("insight:decisions"))  # caches the choices
        ClinicalCode.objects.filter(case=confirmed, code="diagnosis").update(
            review=CodeReview.REJECTED, reviewed_at=timezone.now()
        )
        assert b'value="diagnosis"' in client.get(reverse("insight:decisions")).content
        insight_refresh(now=later())
        assert b'value="diagnosis"' not in client.get(reverse("insight:decisions")).content

    def test_constituency_organisation_and_theme_together(self, client, coded):
        _, _, _, north, upton = coded
        params = {"organisation": north.pk, "constituency": upton.code, "theme": "diagnosis"}
        rows = csv_rows(client.get(reverse("insight:decisions_csv"), params))
        assert [r["organisation"] for r in rows] == ["North Trust"]


class TestDashboardByTheme:
    def test_volumes_by_confirmed_theme_and_code(self, client, coded):
        analyst = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        content = analyst.get(reverse("insight_staff:dashboard")).content.decode()
        assert "Cases by complaint theme" in content
        assert "Diagnosis and assessment" in content
        assert "Appendicitis (ICD-10 K35)" in content
        assert "Medication" not in content
        assert "Consent" not in content
        rows = csv_rows(analyst.get(reverse("insight_staff:chart_csv", args=["themes"])))
        assert rows == [{"label": "Diagnosis and assessment", "cases": "1"}]

    @pytest.mark.parametrize("extra", [1, 20])
    def test_dashboard_queries_do_not_grow(self, client, django_assert_max_num_queries, extra):
        analyst = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        org = organisation()
        for _ in range(extra):
            code(decided_case(org=org, published=False))
        insight_refresh()
        with django_assert_max_num_queries(30):
            assert analyst.get(reverse("insight_staff:dashboard")).status_code == 200


def weekly_codes(values, *, axis="theme", system="theme", value="diagnosis"):
    WeeklyCodeCount.objects.bulk_create(
        WeeklyCodeCount(
            week_start=LAST_WEEK - timedelta(weeks=len(values) - 1 - i),
            axis=axis,
            system=system,
            code=value,
            description="Diagnosis and assessment" if axis == "theme" else "Appendicitis",
            received=v,
        )
        for i, v in enumerate(values)
    )


class TestTrendsByCode:
    def test_spike_in_a_theme_and_a_code_raises_an_alert_each(self):
        weekly_codes(STEADY + [40])
        weekly_codes(STEADY + [40], axis="condition", system="ICD-10", value="K35")
        assert trend_alerts_detect(today=TODAY) == 2
        theme = TrendAlert.objects.get(dimension="theme")
        assert theme.subject == "Theme: Diagnosis and assessment"
        assert TrendAlert.objects.get(dimension="condition").subject == "ICD-10 K35: Appendicitis"
        assert trend_alerts_detect(today=TODAY) == 0

    def test_rejected_and_suggested_codes_never_raise_alerts(self):
        org = organisation()
        for weeks_ago in range(0, 24, 2):
            received = timezone.now() - timedelta(weeks=weeks_ago)
            case = decided_case(org=org, received_at=received, published=False)
            code(case, value="consent", review=CodeReview.REJECTED)
            code(case, value="medication", review=CodeReview.SUGGESTED)
        insight_refresh()
        assert not WeeklyCodeCount.objects.exists()
        trend_alerts_detect(today=timezone.localdate())
        assert not TrendAlert.objects.exclude(dimension="organisation").exists()

    def test_alert_page_lists_the_cases_with_the_theme(self, client, coded):
        confirmed, suggested, *_ = coded
        fact = CaseFact.objects.get(case_id=confirmed.pk)
        week = fact.received_on - timedelta(days=fact.received_on.weekday())
        alert = TrendAlert.objects.create(
            dimension="theme",
            code_system="theme",
            code="diagnosis",
            code_description="Diagnosis and assessment",
            rule="outside_limits",
            direction="up",
            first_week=week,
            week_start=week,
            mean=1,
            lower_limit=0,
            upper_limit=2,
            series=[[week.isoformat(), 3]],
        )
        assert [f.case_id for f in alert_cases(alert)] == [confirmed.pk]
        manager = otp_verified_client(client, UserFactory(roles=[Role.MANAGER]))
        listing = manager.get(reverse("insight_staff:alerts")).content.decode()
        assert "Theme: Diagnosis and assessment" in listing
        page = manager.get(reverse("insight_staff:alert", args=[alert.pk])).content.decode()
        assert confirmed.reference in page
        assert suggested.reference not in page

    def test_caseworker_cannot_open_a_theme_alert(self, staff_client, coded):
        alert = TrendAlert.objects.create(
            dimension="theme",
            code_system="theme",
            code="diagnosis",
            rule="shift",
            direction="up",
            first_week=LAST_WEEK,
            week_start=LAST_WEEK,
            mean=1,
            lower_limit=0,
            upper_limit=2,
        )
        assert staff_client.get(reverse("insight_staff:alert", args=[alert.pk])).status_code == 403


class TestEmptyDatabase:
    def test_theme_filter_and_counts_on_an_empty_store(self, client):
        response = client.get(reverse("insight:decisions"), {"theme": "diagnosis"})
        assert response.status_code == 200
        assert b"There is a problem with a filter" in response.content
        assert client.get(reverse("api:counts", args=["theme"])).json() == []
        assert csv_rows(client.get(reverse("insight:decisions_csv"), {"theme": "x"})) == []

    def test_place_figures_follow_the_next_refresh(self, client, coded):
        _, _, _, north, _ = coded
        url = reverse("insight:organisation", args=[north.pk])
        assert b"fewer than 5" in client.get(url).content
        for _ in range(5):
            decided_case(org=north)
        insight_refresh(now=later())
        assert client.get(url).context["figures"].received == 6
