"""Staff queues: what each holds, filters, sorting, pages, bulk assignment and query counts."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MemberOfParliament
from accounts.roles import Role
from casework.models import Case, CaseEvent, CaseEventKind, MessageParty
from casework.selectors import QUEUES
from casework.services import message_send
from casework.state import CaseStatus
from phso.clock import add_working_days
from tests.casework.backoffice_support import (
    constituency,
    make_case,
    organisation,
    signed_in,
    team_with,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def queue_url(slug, **params):
    url = reverse("casework:queue", kwargs={"queue": slug})
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def references(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


@pytest.fixture
def today():
    return timezone.localdate()


class TestQueues:
    def test_unassigned_holds_open_cases_nobody_has(self, client, caseworker):
        client, me = signed_in(client)
        waiting = make_case()
        make_case(assignee=caseworker)
        make_case(status=CaseStatus.CLOSED)
        assert references(client.get(queue_url("unassigned"))) == [waiting.reference]

    def test_mine_holds_my_open_cases(self, client, caseworker):
        client, me = signed_in(client)
        mine = make_case(assignee=me, status=CaseStatus.INVESTIGATION)
        make_case(assignee=me, status=CaseStatus.WITHDRAWN)
        make_case(assignee=caseworker)
        assert references(client.get(queue_url("mine"))) == [mine.reference]

    def test_team_holds_open_cases_of_my_teams(self, client, caseworker):
        client, me = signed_in(client)
        ours = team_with(me, caseworker)
        theirs = team_with(UserFactory(roles=[Role.CASEWORKER]))
        ours_case = make_case(team=ours, assignee=caseworker)
        make_case(team=theirs)
        assert references(client.get(queue_url("team"))) == [ours_case.reference]

    def test_awaiting_information(self, client):
        client, _ = signed_in(client)
        paused = make_case(status=CaseStatus.AWAITING_INFORMATION)
        make_case(status=CaseStatus.ASSESSMENT)
        assert references(client.get(queue_url("awaiting-information"))) == [paused.reference]

    def test_overdue_and_due_this_week(self, client, today):
        client, _ = signed_in(client)
        late = make_case(target_date=today - timedelta(days=1))
        due_today = make_case(target_date=today)
        due_soon = make_case(target_date=add_working_days(today, 5))
        make_case(target_date=add_working_days(today, 6))
        make_case(target_date=today - timedelta(days=3), status=CaseStatus.CLOSED)
        assert references(client.get(queue_url("overdue"))) == [late.reference]
        assert references(client.get(queue_url("due-this-week"))) == [
            due_today.reference,
            due_soon.reference,
        ]

    def test_overdue_cases_are_tagged(self, client, today):
        client, _ = signed_in(client)
        make_case(target_date=today - timedelta(days=1))
        assert "Overdue</strong>" in client.get(queue_url("unassigned")).content.decode()

    def test_an_unknown_queue_is_not_found(self, client):
        client, _ = signed_in(client)
        assert client.get(queue_url("everything")).status_code == 404

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.FOI_OFFICER])
    def test_staff_who_work_no_cases_are_refused(self, client, role):
        client, _ = signed_in(client, role)
        make_case()
        for slug in QUEUES:
            assert client.get(queue_url(slug)).status_code == 403

    def test_complainants_are_refused(self, client, complainant):
        client.force_login(complainant)
        assert client.get(queue_url("unassigned")).status_code == 403

    def test_an_empty_queue_says_so(self, client):
        client, _ = signed_in(client)
        assert "You have no open cases." in client.get(queue_url("mine")).content.decode()

    @pytest.mark.parametrize("slug", list(QUEUES))
    def test_queries_do_not_grow_with_the_rows(
        self, client, slug, caseworker, today, django_assert_max_num_queries
    ):
        client, me = signed_in(client)
        team = team_with(me, caseworker)
        trust, board = organisation(), organisation()
        place = constituency()

        def add_case():
            case = make_case(
                complainant=UserFactory(),
                organisations=[trust, board],
                assignee=me if slug in {"mine", "team"} else None,
                team=team,
                status=CaseStatus.AWAITING_INFORMATION,
                target_date=today - timedelta(days=1) if slug == "overdue" else today,
                constituency=place,
            )
            message_send(
                case=case,
                author=case.complainant,
                party=MessageParty.COMPLAINANT,
                body="Hello",
                from_ombudsman=False,
            )

        add_case()
        client.get(queue_url(slug))
        with django_assert_max_num_queries(20) as one_row:
            response = client.get(queue_url(slug))
        assert len(references(response)) == 1
        for _ in range(29):
            add_case()
        with django_assert_max_num_queries(len(one_row.captured_queries)):
            response = client.get(queue_url(slug, flags=["unread_messages"], sort="-reference"))
        assert len(references(response)) == 25
        assert response.context["page"].paginator.count == 30


class TestFilters:
    def test_status_and_kind(self, client):
        client, _ = signed_in(client)
        health = make_case(status=CaseStatus.ASSESSMENT)
        make_case(status=CaseStatus.SUBMITTED)
        parliamentary = make_case(status=CaseStatus.ASSESSMENT, kind="parliamentary")
        response = client.get(queue_url("unassigned", status=["assessment"]))
        assert set(references(response)) == {health.reference, parliamentary.reference}
        response = client.get(
            queue_url("unassigned", status=["assessment"], kind=["parliamentary"])
        )
        assert references(response) == [parliamentary.reference]

    def test_organisation_by_name_or_ods_code(self, client):
        client, _ = signed_in(client)
        leeds = organisation("Leeds Teaching Hospitals NHS Trust", ods_code="RR8")
        about_leeds = make_case(organisations=[leeds, organisation()])
        make_case(organisations=[organisation()])
        assert references(client.get(queue_url("unassigned", organisation="leeds teaching"))) == [
            about_leeds.reference
        ]
        assert references(client.get(queue_url("unassigned", organisation="rr8"))) == [
            about_leeds.reference
        ]

    def test_caseworker(self, client, caseworker):
        client, _ = signed_in(client, Role.MANAGER)
        theirs = make_case(assignee=caseworker, target_date=timezone.localdate())
        make_case(target_date=timezone.localdate())
        response = client.get(queue_url("due-this-week", caseworker=caseworker.pk))
        assert references(response) == [theirs.reference]

    def test_received_date_range_covers_whole_days(self, client, today):
        client, _ = signed_in(client)
        old = make_case(received_days_ago=40)
        recent = make_case(received_days_ago=10)
        make_case(received_days_ago=0)
        start = (today - timedelta(days=10)).strftime("%d/%m/%Y")
        end = (today - timedelta(days=10)).strftime("%-d/%-m/%Y")
        response = client.get(queue_url("unassigned", received_from=start, received_to=end))
        assert references(response) == [recent.reference]
        response = client.get(
            queue_url("unassigned", received_to=(today - timedelta(days=30)).isoformat())
        )
        assert references(response) == [old.reference]

    def test_a_date_range_the_wrong_way_round_is_an_error(self, client):
        client, _ = signed_in(client)
        make_case()
        response = client.get(
            queue_url("unassigned", received_from="10/5/2026", received_to="1/5/2026")
        )
        body = response.content.decode()
        assert "There is a problem" in body
        assert "Received on or before must be the same as or after the first date" in body
        assert body.startswith("<!DOCTYPE html>")
        assert "<title>Error: " in body

    def test_an_impossible_date_is_an_error(self, client):
        client, _ = signed_in(client)
        response = client.get(queue_url("unassigned", received_from="31/2/2026"))
        assert (
            "Received on or after must be a real date, like 27/3/2026" in response.content.decode()
        )

    def test_constituency(self, client):
        client, _ = signed_in(client)
        here = constituency("Leeds Central and Headingley")
        local = make_case(constituency=here)
        make_case(constituency=constituency("Bath"))
        assert references(client.get(queue_url("unassigned", constituency="headingley"))) == [
            local.reference
        ]
        assert references(client.get(queue_url("unassigned", constituency=here.code))) == [
            local.reference
        ]

    def test_flags(self, client, complainant, mp_member):
        client, _ = signed_in(client)
        referred = make_case(referring_mp=mp_member)
        written = make_case(complainant=complainant)
        message_send(
            case=written,
            author=complainant,
            party=MessageParty.COMPLAINANT,
            body="Any update?",
            from_ombudsman=False,
        )
        unconfirmed = make_case(organisations=[organisation()])
        assert references(client.get(queue_url("unassigned", flags=["mp_referred"]))) == [
            referred.reference
        ]
        assert references(client.get(queue_url("unassigned", flags=["unread_messages"]))) == [
            written.reference
        ]
        assert references(
            client.get(queue_url("unassigned", flags=["organisations_unconfirmed"]))
        ) == [unconfirmed.reference]

    def test_clear_filters_link_only_when_filtering(self, client):
        client, _ = signed_in(client)
        make_case()
        assert "Clear filters" not in client.get(queue_url("unassigned")).content.decode()
        body = client.get(queue_url("unassigned", kind=["health"])).content.decode()
        assert "Clear filters" in body


@pytest.fixture
def mp_member(db):
    return MemberOfParliament.objects.create(
        parliament_id=4514,
        name="Keir Starmer",
        constituency=constituency(),
        start_date=timezone.localdate() - timedelta(days=3000),
    )


class TestSorting:
    def test_default_orders(self, client, caseworker, today):
        client, me = signed_in(client)
        older = make_case(received_days_ago=5, target_date=today + timedelta(days=9))
        newer = make_case(received_days_ago=1, target_date=today + timedelta(days=2))
        # Unassigned: oldest received first, so nothing waits for ever.
        assert references(client.get(queue_url("unassigned"))) == [older.reference, newer.reference]
        # Due this week: soonest target first.
        Case.objects.update(target_date=today)
        Case.objects.filter(pk=older.pk).update(target_date=today + timedelta(days=1))
        assert references(client.get(queue_url("due-this-week"))) == [
            newer.reference,
            older.reference,
        ]

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("received", [0, 1, 2]),
            ("-received", [2, 1, 0]),
            ("target", [2, 0, 1]),
            ("-target", [1, 0, 2]),
            ("reference", [0, 1, 2]),
            ("-reference", [2, 1, 0]),
        ],
    )
    def test_each_sort(self, client, today, sort, expected):
        client, _ = signed_in(client)
        cases = [
            make_case(received_days_ago=9, target_date=today + timedelta(days=5)),
            make_case(received_days_ago=5, target_date=today + timedelta(days=9)),
            make_case(received_days_ago=1, target_date=today + timedelta(days=1)),
        ]
        response = client.get(queue_url("unassigned", sort=sort))
        assert references(response) == [cases[i].reference for i in expected]
        body = response.content.decode()
        column = {"received": "Received", "target": "Target date", "reference": "Reference"}
        direction = "descending" if sort.startswith("-") else "ascending"
        assert f'aria-sort="{direction}"' in body
        assert f"sorted by {column[sort.lstrip('-')].lower()}, {direction}" in body

    def test_an_unknown_sort_falls_back_to_the_default(self, client):
        client, _ = signed_in(client)
        make_case()
        assert client.get(queue_url("unassigned", sort="summary")).status_code == 200

    def test_header_links_keep_the_filters_and_drop_the_page(self, client):
        client, _ = signed_in(client)
        make_case()
        body = client.get(queue_url("unassigned", kind="health", page="1")).content.decode()
        assert "?kind=health&amp;sort=-received" in body


class TestPagination:
    def test_pages_of_25_with_govuk_pagination(self, client):
        client, _ = signed_in(client)
        for _ in range(27):
            make_case()
        first = client.get(queue_url("unassigned"))
        assert len(references(first)) == 25
        body = first.content.decode()
        assert 'class="govuk-pagination"' in body
        assert 'aria-current="page"' in body
        assert "Showing 1 to 25 of 27 cases" in body
        second = client.get(queue_url("unassigned", page=2))
        assert len(references(second)) == 2
        assert not set(references(first)) & set(references(second))

    def test_a_page_past_the_end_shows_the_last(self, client):
        client, _ = signed_in(client)
        make_case()
        assert len(references(client.get(queue_url("unassigned", page=9)))) == 1


class TestBulkAssign:
    def test_a_manager_assigns_many_cases_at_once(self, client, caseworker):
        client, manager = signed_in(client, Role.MANAGER)
        chosen = [make_case(), make_case()]
        left = make_case()
        response = client.post(
            queue_url("unassigned", kind="health"),
            {"cases": [c.pk for c in chosen], "assignee": caseworker.pk},
        )
        assert response.status_code == 302
        assert response["Location"] == queue_url("unassigned", kind="health")
        for case in chosen:
            case.refresh_from_db()
            assert case.assignee == caseworker
            event = case.events.get(kind=CaseEventKind.ASSIGNED)
            assert event.actor == manager
            assert event.payload["to_assignee_id"] == caseworker.pk
        left.refresh_from_db()
        assert left.assignee is None
        page = client.get(response["Location"]).content.decode()
        assert f"2 cases assigned to {caseworker}" in page

    def test_a_caseworker_takes_cases_for_themself(self, client):
        client, me = signed_in(client)
        case = make_case()
        response = client.post(queue_url("unassigned"), {"cases": [case.pk], "assignee": me.pk})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.assignee == me

    def test_a_caseworker_may_only_choose_themself(self, client, caseworker):
        client, me = signed_in(client)
        case = make_case()
        choices = client.get(queue_url("unassigned")).context["assign_form"]["assignee"]
        assert [str(choice.choice_label) for choice in choices][1:] == [str(me)]
        response = client.post(
            queue_url("unassigned"), {"cases": [case.pk], "assignee": caseworker.pk}
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        case.refresh_from_db()
        assert case.assignee is None

    def test_nothing_ticked_is_an_error(self, client):
        client, me = signed_in(client)
        make_case()
        response = client.post(queue_url("unassigned"), {"assignee": me.pk})
        assert response.status_code == 400
        body = response.content.decode()
        assert "There is a problem" in body
        assert 'href="#id_cases"' in body
        assert "Select the cases to assign" in body

    def test_reassigning_needs_a_reason(self, client, caseworker):
        client, manager = signed_in(client, Role.MANAGER)
        taken = make_case(assignee=caseworker)
        other = UserFactory(roles=[Role.CASEWORKER])
        response = client.post(queue_url("mine"), {"cases": [taken.pk], "assignee": other.pk})
        assert response.status_code == 400
        assert f"Enter why you are reassigning {taken.reference}" in response.content.decode()
        response = client.post(
            queue_url("mine"),
            {"cases": [taken.pk], "assignee": other.pk, "reason": "Covering leave"},
        )
        assert response.status_code == 302
        taken.refresh_from_db()
        assert taken.assignee == other
        assert taken.events.get(kind=CaseEventKind.ASSIGNED).reason == "Covering leave"

    def test_a_failed_assignment_changes_nothing(self, client, caseworker):
        client, me = signed_in(client)
        free = make_case()
        taken = make_case(assignee=caseworker)
        response = client.post(
            queue_url("unassigned"), {"cases": [free.pk, taken.pk], "assignee": me.pk}
        )
        assert response.status_code == 400
        assert "Ask a manager to reassign it" in response.content.decode()
        free.refresh_from_db()
        assert free.assignee is None
        assert not CaseEvent.objects.filter(kind=CaseEventKind.ASSIGNED).exists()

    def test_analysts_cannot_assign(self, client):
        client, analyst = signed_in(client, Role.ANALYST)
        case = make_case()
        response = client.post(
            queue_url("unassigned"), {"cases": [case.pk], "assignee": analyst.pk}
        )
        assert response.status_code == 403
