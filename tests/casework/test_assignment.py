"""Assignment: who may give a case to whom, reasons for reassigning, teams and workload."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.models import CaseEventKind
from casework.services import AssignmentRefused, ReassignReasonMissing, case_assign, cases_assign
from casework.state import CaseStatus
from tests.casework.backoffice_support import make_case, signed_in, team_with
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assign_url(case):
    return reverse("casework:case_assign", kwargs={"reference": case.reference})


class TestCasesAssign:
    def test_every_case_gets_an_event(self, manager, caseworker):
        cases = [make_case(), make_case(), make_case()]
        cases_assign(case_ids=[c.pk for c in cases], assignee=caseworker, actor=manager)
        for case in cases:
            event = case.events.get(kind=CaseEventKind.ASSIGNED)
            assert (event.actor, event.payload["to_assignee_id"]) == (manager, caseworker.pk)
            assert event.payload["from_assignee_id"] is None

    def test_a_caseworker_cannot_give_cases_to_someone_else(self, caseworker):
        other = UserFactory(roles=[Role.CASEWORKER])
        case = make_case()
        with pytest.raises(PermissionDenied):
            case_assign(case=case, assignee=other, actor=caseworker)

    def test_a_caseworker_cannot_take_someone_elses_case(self, caseworker):
        case = make_case(assignee=UserFactory(roles=[Role.CASEWORKER]))
        with pytest.raises(PermissionDenied, match="Ask a manager to reassign it"):
            case_assign(case=case, assignee=caseworker, actor=caseworker, reason="Mine now")

    def test_reassigning_needs_a_reason_that_goes_on_the_timeline(self, manager, caseworker):
        first = UserFactory(roles=[Role.CASEWORKER])
        case = make_case(assignee=first)
        with pytest.raises(ReassignReasonMissing):
            case_assign(case=case, assignee=caseworker, actor=manager)
        case_assign(case=case, assignee=caseworker, actor=manager, reason="Long-term leave")
        event = case.events.get(kind=CaseEventKind.ASSIGNED)
        assert event.reason == "Long-term leave"
        assert event.payload["from_assignee_id"] == first.pk

    def test_only_caseworkers_and_managers_can_be_given_cases(self, manager):
        analyst = UserFactory(roles=[Role.ANALYST])
        with pytest.raises(AssignmentRefused):
            case_assign(case=make_case(), assignee=analyst, actor=manager)

    def test_a_case_joins_the_assignees_only_team(self, manager, caseworker):
        team = team_with(caseworker)
        case = case_assign(case=make_case(), assignee=caseworker, actor=manager)
        assert case.team == team

    def test_with_two_teams_the_team_is_left_to_choose(self, manager, caseworker):
        team_with(caseworker)
        team_with(caseworker)
        assert case_assign(case=make_case(), assignee=caseworker, actor=manager).team is None

    def test_the_team_must_be_one_the_assignee_is_in(self, manager, caseworker):
        elsewhere = team_with(UserFactory(roles=[Role.CASEWORKER]))
        with pytest.raises(AssignmentRefused, match="is not in the team"):
            case_assign(case=make_case(), assignee=caseworker, actor=manager, team=elsewhere)

    def test_cases_nobody_may_see_are_not_assigned(self, manager):
        with pytest.raises(AssignmentRefused, match="Select the cases"):
            cases_assign(case_ids=[987654], assignee=manager, actor=manager)


class TestAssignPage:
    def test_assign_to_me_from_the_case_page(self, client):
        client, me = signed_in(client)
        case = make_case()
        response = client.post(assign_url(case), {"assignee": me.pk})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.assignee == me
        followed = client.get(response["Location"]).content.decode()
        assert f"{case.reference} is assigned to you." in followed

    def test_a_manager_reassigns_with_a_team_and_reason(self, client, caseworker):
        client, manager = signed_in(client, Role.MANAGER)
        team = team_with(caseworker, name="Health team 2")
        case = make_case(assignee=UserFactory(roles=[Role.CASEWORKER]))
        page = client.get(assign_url(case)).content.decode()
        assert "Health team 2" in page
        response = client.post(assign_url(case), {"assignee": caseworker.pk, "team": team.pk})
        assert response.status_code == 200
        assert "Enter why you are reassigning" in response.content.decode()
        response = client.post(
            assign_url(case), {"assignee": caseworker.pk, "team": team.pk, "reason": "Workload"}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.assignee, case.team) == (caseworker, team)

    def test_a_caseworker_taking_an_assigned_case_is_told_why_not(self, client, caseworker):
        client, me = signed_in(client)
        case = make_case(assignee=caseworker)
        response = client.post(assign_url(case), {"assignee": me.pk, "reason": "Please"})
        assert "Ask a manager to reassign it" in response.content.decode()
        case.refresh_from_db()
        assert case.assignee == caseworker

    def test_nobody_chosen_is_an_error(self, client):
        client, _ = signed_in(client, Role.MANAGER)
        response = client.post(assign_url(make_case()), {})
        assert "Select who to assign the case to" in response.content.decode()

    def test_analysts_are_refused(self, client):
        client, _ = signed_in(client, Role.ANALYST)
        assert client.get(assign_url(make_case())).status_code == 403


class TestTeamPages:
    def test_workload_counts_open_and_overdue_cases_per_member(self, client, caseworker):
        client, me = signed_in(client)
        team = team_with(me, caseworker, name="Parliamentary team")
        yesterday = timezone.localdate() - timedelta(days=1)
        make_case(assignee=caseworker, team=team, target_date=yesterday)
        make_case(assignee=caseworker, target_date=timezone.localdate() + timedelta(days=9))
        make_case(assignee=caseworker, status=CaseStatus.CLOSED, target_date=yesterday)
        make_case(team=team)
        response = client.get(reverse("casework:team", kwargs={"team_id": team.pk}))
        members = {m: (m.open_cases, m.overdue_cases) for m in response.context["members"]}
        assert members == {me: (0, 0), caseworker: (2, 1)}
        body = response.content.decode()
        assert "1 open case of this team is not assigned to anyone." in body

    def test_the_teams_list(self, client, caseworker):
        client, me = signed_in(client)
        team = team_with(me, caseworker, name="Health team 1")
        make_case(team=team)
        make_case(team=team, status=CaseStatus.WITHDRAWN)
        response = client.get(reverse("casework:teams"))
        [listed] = response.context["teams"]
        assert (listed.member_count, listed.open_cases) == (2, 1)

    @pytest.mark.parametrize("size", [1, 8])
    def test_query_counts_do_not_grow_with_teams_members_or_cases(  # 5 and 7 at any size
        self, client, django_assert_max_num_queries, size
    ):
        client, me = signed_in(client)
        teams = [team_with(me, *(UserFactory(roles=[Role.CASEWORKER]) for _ in range(size)))]
        teams += [team_with(UserFactory(roles=[Role.CASEWORKER])) for _ in range(size - 1)]
        for member in teams[0].members.all():
            make_case(assignee=member, team=teams[0])
        with django_assert_max_num_queries(5):
            listed = client.get(reverse("casework:teams")).context["teams"]
        assert len(listed) == size
        with django_assert_max_num_queries(7):
            page = client.get(reverse("casework:team", kwargs={"team_id": teams[0].pk}))
        assert len(page.context["members"]) == size + 1

    @pytest.mark.parametrize("size", [1, 8])
    def test_the_staff_home_makes_the_same_queries_however_big_the_team(
        self, client, django_assert_max_num_queries, size
    ):
        client, me = signed_in(client)
        team = team_with(me, *(UserFactory(roles=[Role.CASEWORKER]) for _ in range(size)))
        for member in team.members.all():
            make_case(assignee=member, team=team)
        with django_assert_max_num_queries(14):  # 14 at either size
            assert client.get(reverse("casework:home")).status_code == 200

    def test_an_unknown_team_is_not_found(self, client):
        client, _ = signed_in(client)
        assert client.get(reverse("casework:team", kwargs={"team_id": 999})).status_code == 404

    def test_analysts_are_refused(self, client, caseworker):
        client, _ = signed_in(client, Role.ANALYST)
        team = team_with(caseworker)
        assert client.get(reverse("casework:teams")).status_code == 403
        assert client.get(reverse("casework:team", kwargs={"team_id": team.pk})).status_code == 403

    def test_the_staff_home_shows_the_workload(self, client, caseworker):
        client, me = signed_in(client)
        team_with(me, name="North team")
        make_case(assignee=me, target_date=timezone.localdate() - timedelta(days=2))
        make_case()
        body = client.get(reverse("casework:home")).content.decode()
        assert "Unassigned cases" in body
        assert "1 of your cases is overdue" in body
        assert "North team" in body

    def test_staff_who_work_no_cases_see_no_queues_at_home(self, client):
        client, _ = signed_in(client, Role.ANALYST)
        body = client.get(reverse("casework:home")).content.decode()
        assert "Unassigned cases" not in body
        assert "<li>Analyst</li>" in body
