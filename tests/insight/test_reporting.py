"""The reporting store: case facts, weekly counts and monthly performance from casework."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from casework.models import Decision, DecisionOutcome
from insight import services_reporting
from insight.models import (
    CaseFact,
    CaseFeedback,
    MonthlyPerformance,
    RefreshState,
    WeeklyCount,
)
from insight.services_reporting import insight_refresh
from insight.tasks import insight_refresh as insight_refresh_task
from tests.insight.builders import constituency, decided_case, organisation

pytestmark = pytest.mark.django_db


class TestInsightRefresh:
    def test_empty_database_builds_nothing_and_sets_watermark(self):
        assert insight_refresh() == 0
        assert CaseFact.objects.count() == 0
        assert RefreshState.objects.get(name="case_facts").watermark is not None

    def test_builds_one_fact_per_case_with_dimensions_and_durations(self):
        org = organisation(name="Lakeside GP Practice", kind="gp_practice", region="London")
        place = constituency(name="Lakeside North", code="E14000999")
        case = decided_case(org=org, place=place, local_authority_code="E09000001")

        insight_refresh()

        fact = CaseFact.objects.get()
        assert fact.case_id == case.pk
        assert fact.reference == case.reference
        assert (fact.organisation_id, fact.organisation_name) == (org.pk, "Lakeside GP Practice")
        assert (fact.organisation_kind, fact.sector, fact.region) == (
            "gp_practice",
            "health",
            "London",
        )
        assert (fact.constituency_code, fact.constituency_name) == ("E14000999", "Lakeside North")
        assert fact.local_authority_code == "E09000001"
        assert (fact.days_to_assess, fact.days_to_decide) == (10, 40)
        assert fact.outcome == DecisionOutcome.UPHELD
        assert fact.published is True
        assert fact.published_summary.startswith("The trust did not follow up")

    def test_unpublished_decision_keeps_its_summary_out(self):
        decided_case(published=False, summary="Draft words that must stay private")

        insight_refresh()

        fact = CaseFact.objects.get()
        assert fact.published is False
        assert fact.published_summary == ""

    def test_second_run_rereads_only_cases_changed_since(self):
        first = decided_case()
        decided_case()
        later = timezone.now() + timedelta(hours=1)
        assert insight_refresh(now=later) == 2
        assert insight_refresh(now=later + timedelta(hours=1)) == 0

        Decision.objects.filter(case=first).update(
            outcome=DecisionOutcome.NOT_UPHELD, updated_at=later + timedelta(hours=2)
        )
        assert insight_refresh(now=later + timedelta(hours=3)) == 1
        assert CaseFact.objects.get(case_id=first.pk).outcome == DecisionOutcome.NOT_UPHELD
        assert CaseFact.objects.count() == 2

    def test_cases_read_again_only_for_the_overlap_leave_the_summaries_alone(self):
        case = decided_case()
        start = timezone.now() + timedelta(hours=1)
        insight_refresh(now=start)
        built = RefreshState.objects.get().generation
        # Changed five minutes before the next run, so read by it and, over the overlap, by the
        # run after that too.
        Decision.objects.filter(case=case).update(
            outcome=DecisionOutcome.NOT_UPHELD, updated_at=start + timedelta(minutes=10)
        )
        assert insight_refresh(now=start + timedelta(minutes=15)) == 1
        assert RefreshState.objects.get().generation == built + 1
        assert CaseFact.objects.get().outcome == DecisionOutcome.NOT_UPHELD

        with mock.patch.object(services_reporting, "_dashboard_counts_rebuild") as dashboards:
            assert insight_refresh(now=start + timedelta(minutes=20)) == 1  # read again
        dashboards.assert_not_called()
        state = RefreshState.objects.get()
        assert state.generation == built + 1  # nothing moved, so cached figures stay valid
        assert state.rows_changed == 1

    def test_a_refresh_with_nothing_new_rebuilds_no_summary(self):
        case = decided_case()
        start = timezone.now() + timedelta(hours=1)
        insight_refresh(now=start)
        quiet = start + timedelta(minutes=5)  # the case is read again over the overlap
        with (
            mock.patch.object(services_reporting, "_weekly_counts_rebuild") as weekly,
            mock.patch.object(services_reporting, "_monthly_performance_rebuild") as monthly,
        ):
            insight_refresh(now=quiet)
        weekly.assert_not_called()
        monthly.assert_not_called()

        # Feedback counts in the monthly figures only: those are rebuilt, the weekly ones not.
        CaseFeedback.objects.create(
            case=case, case_status="closed", ease_of_use=5, kept_informed=4, submitted_at=quiet
        )
        with (
            mock.patch.object(services_reporting, "_weekly_counts_rebuild") as weekly,
            mock.patch.object(services_reporting, "_monthly_performance_rebuild") as monthly,
        ):
            insight_refresh(now=quiet + timedelta(minutes=5))
        weekly.assert_not_called()
        monthly.assert_called_once()

    def test_rerun_is_idempotent(self):
        decided_case()
        insight_refresh()
        before = list(CaseFact.objects.values_list("reference", "days_to_decide", "outcome"))
        RefreshState.objects.update(watermark=None)

        insight_refresh()

        after = list(CaseFact.objects.values_list("reference", "days_to_decide", "outcome"))
        assert after == before
        assert WeeklyCount.objects.filter(received__gt=0).count() == 1

    def test_failure_part_way_leaves_previous_figures(self):
        case = decided_case()
        insight_refresh()
        Decision.objects.filter(case=case).update(outcome=DecisionOutcome.RESOLVED)

        with mock.patch.object(
            services_reporting, "_weekly_counts_rebuild", side_effect=RuntimeError("disk full")
        ):
            with pytest.raises(RuntimeError):
                insight_refresh(now=timezone.now() + timedelta(hours=3))

        assert CaseFact.objects.get().outcome == DecisionOutcome.UPHELD
        assert WeeklyCount.objects.exists()

    def test_weekly_counts_and_monthly_performance(self):
        org = organisation()
        received = timezone.now() - timedelta(days=90)
        for _ in range(6):
            decided_case(org=org, received_at=received)

        insight_refresh()

        weekly = WeeklyCount.objects.filter(organisation_id=org.pk)
        assert sum(w.received for w in weekly) == 6
        assert sum(w.decided for w in weekly) == 6
        decided_month = timezone.localdate(received + timedelta(days=40)).replace(day=1)
        month = MonthlyPerformance.objects.get(month=decided_month)
        assert (month.decided, month.median_days_to_decide) == (6, 40)

    def test_task_runs_the_refresh(self):
        decided_case()
        assert insight_refresh_task.delay().get() == 1
        assert CaseFact.objects.count() == 1
