"""Status changes from the case page: stale forms, forbidden actions, missing data, permissions,
stage target dates and the complainant's notification."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.models import Case, CaseEventKind
from casework.services import (
    CaseIncomplete,
    case_assign,
    case_demographics_record,
    case_organisation_confirm,
    case_target_date,
    case_transition,
)
from casework.state import CaseAction, CaseStatus
from complaints.models import EqualityMonitoring
from phso.clock import add_working_days
from tests.casework.backoffice_support import make_case, organisation, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def transition_url(case):
    return reverse("casework:case_transition", kwargs={"reference": case.reference})


def post_action(client, case, action, reason="", version=None):
    version = case.status_changed_at.isoformat() if version is None else version
    return client.post(
        transition_url(case), {"action": action, "reason": reason, "version": version}
    )


def ready_for_investigation(case, caseworker):
    """Everything start_investigation asks for, done the way staff do it."""
    case_assign(case=case, assignee=caseworker, actor=caseworker)
    case_demographics_record(case=case, actor=caseworker, declined=True)
    for link in case.case_organisations.all():
        case_organisation_confirm(case_organisation_id=link.pk, actor=caseworker)


@pytest.fixture
def case(complainant):
    return make_case(
        complainant=complainant, organisations=[organisation("Bradford Teaching Hospitals")]
    )


class TestTransitionForm:
    def test_the_case_page_form_starts_an_assessment(self, client, case):
        client, caseworker = signed_in(client)
        page = client.get(reverse("casework:case_detail", kwargs={"reference": case.reference}))
        assert case.status_changed_at.isoformat() in page.content.decode()
        response = post_action(client, case, "start_assessment", "New complaint")
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSMENT
        event = case.events.filter(kind=CaseEventKind.STATUS_CHANGED).get()
        assert (event.actor, event.reason) == (caseworker, "New complaint")
        followed = client.get(response["Location"]).content.decode()
        assert "Start assessment: the case is now being assessed." in followed

    def test_a_stale_form_is_refused_with_what_changed(self, client, case, caseworker):
        client, _ = signed_in(client)
        seen = case.status_changed_at.isoformat()
        case_transition(case_id=case.pk, action=CaseAction.START_ASSESSMENT, actor=caseworker)
        response = post_action(client, case, "mark_premature", "Too early", version=seen)
        assert response.status_code == 409
        body = response.content.decode()
        assert "There is a problem" in body
        assert "The case changed while you were looking at it: it is now being assessed" in body
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSMENT

    @pytest.mark.parametrize("version", ["", "yesterday", "2026-01-01T10:00:00"])
    def test_a_form_without_a_good_version_is_refused(self, client, case, version):
        client, _ = signed_in(client)
        response = client.post(
            transition_url(case), {"action": "start_assessment", "version": version}
        )
        assert response.status_code == 409
        assert "This form is out of date" in response.content.decode()
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED

    def test_a_crafted_forbidden_action_is_explained_not_an_error(self, client, case):
        client, _ = signed_in(client)
        response = post_action(client, case, "close")
        assert response.status_code == 409
        body = response.content.decode()
        assert "You cannot close case while the case is submitted." in body
        assert "This is only possible when the case is: final decision issued." in body
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED

    def test_an_unknown_action_is_a_bad_request(self, client, case):
        client, _ = signed_in(client)
        response = post_action(client, case, "delete_everything")
        assert response.status_code == 400
        assert "Choose what to do with the case" in response.content.decode()

    def test_an_early_exit_needs_a_reason(self, client, case):
        client, _ = signed_in(client)
        response = post_action(client, case, "mark_premature")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'href="#id_reason"' in body
        assert "Enter why the complaint is premature" in body
        response = post_action(client, case, "mark_premature", "Complain to the trust first")
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.PREMATURE
        assert case.target_date is None

    def test_the_action_page_can_be_opened_directly(self, client, case):
        client, _ = signed_in(client)
        response = client.get(transition_url(case) + "?action=mark_out_of_remit")
        assert response.status_code == 200
        assert "Close as out of remit" in response.content.decode()
        assert client.get(transition_url(case)).status_code == 302

    def test_a_case_nobody_may_see_is_not_found(self, client):
        client, _ = signed_in(client)
        url = reverse("casework:case_transition", kwargs={"reference": "PC-2026-000999"})
        assert client.post(url, {"action": "withdraw"}).status_code == 404

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.FOI_OFFICER])
    def test_staff_who_work_no_cases_are_refused(self, client, case, role):
        client, _ = signed_in(client, role)
        assert post_action(client, case, "start_assessment").status_code == 403
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED

    def test_the_complainant_cannot_use_the_staff_form(self, client, case):
        client.force_login(case.complainant)
        assert post_action(client, case, "withdraw", "Sorted").status_code == 403
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED


class TestMandatoryData:
    def test_starting_an_investigation_names_everything_missing(self, client, case):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ASSESSMENT)
        case.refresh_from_db()
        client, _ = signed_in(client)
        response = post_action(client, case, "start_investigation")
        assert response.status_code == 200
        body = response.content.decode()
        assert "There is a problem" in body
        assert "Assign the case to a caseworker" in body
        assert "Record the complainant&#x27;s equality information, or that they declined" in body
        assert "Confirm the organisation Bradford Teaching Hospitals" in body
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSMENT

    def test_the_case_page_says_what_is_missing_before_anyone_tries(self, client, case):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ASSESSMENT)
        client, _ = signed_in(client)
        body = client.get(reverse("casework:case_detail", kwargs={"reference": case.reference}))
        assert "Confirm the organisation Bradford Teaching Hospitals" in body.content.decode()

    def test_with_everything_in_place_the_investigation_starts(self, client, case):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ASSESSMENT)
        case.refresh_from_db()
        client, caseworker = signed_in(client)
        ready_for_investigation(case, caseworker)
        response = post_action(client, case, "start_investigation")
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.INVESTIGATION
        assert case.target_date == add_working_days(timezone.localdate(), 65)

    def test_answers_given_with_the_complaint_form_count(self, case, caseworker):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ASSESSMENT)
        case_assign(case=case, assignee=caseworker, actor=caseworker)
        case_organisation_confirm(
            case_organisation_id=case.case_organisations.get().pk, actor=caseworker
        )
        with pytest.raises(CaseIncomplete) as refused:
            case_transition(case_id=case.pk, action="start_investigation", actor=caseworker)
        assert len(refused.value.missing) == 1
        EqualityMonitoring.objects.create(case=case)
        case_transition(case_id=case.pk, action="start_investigation", actor=caseworker)

    def test_a_case_with_no_organisation_cannot_be_investigated(self, caseworker):
        case = make_case(status=CaseStatus.ASSESSMENT)
        ready_for_investigation(case, caseworker)
        with pytest.raises(CaseIncomplete) as refused:
            case_transition(case_id=case.pk, action="start_investigation", actor=caseworker)
        assert refused.value.missing == ["Add the organisation the complaint is about"]

    def test_a_task_acting_for_a_named_reason_needs_no_typed_reason(self):
        case = make_case()
        case_transition(case_id=case.pk, action="withdraw", system_reason="complainant_withdrew")
        assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN


class TestReopen:
    def test_a_caseworker_may_not_reopen(self, client, case):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
        case.refresh_from_db()
        client, _ = signed_in(client)
        page = client.get(reverse("casework:case_detail", kwargs={"reference": case.reference}))
        assert "Reopen" not in page.content.decode()
        assert post_action(client, case, "reopen", "Mistake").status_code == 403
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED

    def test_a_manager_reopens_with_a_reason(self, client, case):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.WITHDRAWN, target_date=None)
        case.refresh_from_db()
        client, manager = signed_in(client, Role.MANAGER)
        response = post_action(client, case, "reopen")
        assert "Enter why the case is being reopened" in response.content.decode()
        response = post_action(client, case, "reopen", "Withdrawn by mistake")
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSMENT
        assert case.target_date == add_working_days(timezone.localdate(), 20)


class TestWithdrawPermission:
    def test_the_complainant_may_withdraw_their_own_case_only(self, case):
        stranger = UserFactory(roles=[Role.COMPLAINANT])
        with pytest.raises(PermissionDenied):
            case_transition(case_id=case.pk, action="withdraw", actor=stranger, reason="x")
        case_transition(
            case_id=case.pk, action="withdraw", actor=case.complainant, reason="Resolved"
        )
        assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN

    def test_a_complainant_may_not_take_any_other_action(self, case):
        with pytest.raises(PermissionDenied):
            case_transition(case_id=case.pk, action="start_assessment", actor=case.complainant)


class TestComplainantNotification:
    def test_a_status_change_emails_the_reference_and_a_link_only(
        self, client, case, django_capture_on_commit_callbacks
    ):
        client, _ = signed_in(client)
        with django_capture_on_commit_callbacks(execute=True):
            post_action(client, case, "mark_out_of_remit", "SECRET-REASON about the GP")
        [email] = mail.outbox
        assert email.to == [case.complainant.email]
        assert case.reference in email.body
        assert f"/complaints/cases/{case.reference}" in email.body
        assert "SECRET-REASON" not in email.subject + email.body
        assert "remit" not in email.subject + email.body

    def test_nothing_is_sent_when_the_change_fails(
        self, client, case, django_capture_on_commit_callbacks
    ):
        client, _ = signed_in(client)
        with django_capture_on_commit_callbacks(execute=True):
            post_action(client, case, "close")
        assert mail.outbox == []

    def test_a_name_unfit_for_a_message_is_left_out(
        self, case, caseworker, django_capture_on_commit_callbacks
    ):
        case.complainant.full_name = "Visit www.example.com"
        case.complainant.save()
        with django_capture_on_commit_callbacks(execute=True):
            case_transition(case_id=case.pk, action="start_assessment", actor=caseworker)
        [email] = mail.outbox
        assert "Dear there" in email.body
        assert "www.example.com" not in email.body


class TestStageTargets:
    @time_machine.travel("2026-03-02 10:00 +0000", tick=False)
    def test_a_new_case_is_due_for_assessment_in_20_working_days(self):
        case = make_case()
        case = Case.objects.get(pk=case.pk)
        received = timezone.localdate(case.received_at)
        assert case.target_date == add_working_days(received, 20)

    @pytest.mark.parametrize(
        ("status", "action", "days"),
        [
            (CaseStatus.ASSESSMENT, None, 20),
            (CaseStatus.AWAITING_INFORMATION, None, 20),
            (CaseStatus.INVESTIGATION, None, 65),
            (CaseStatus.PROVISIONAL_DECISION, None, 20),
            (CaseStatus.FINAL_DECISION, None, 10),
            (CaseStatus.ASSESSMENT, CaseAction.RESUME_ASSESSMENT, 10),
            (CaseStatus.ASSESSMENT, CaseAction.REOPEN, 20),
            (CaseStatus.CLOSED, None, None),
        ],
    )
    def test_each_stage(self, status, action, days):
        received = timezone.now() - timedelta(days=100)
        started = timezone.now()
        target = case_target_date(
            status=status, received_at=received, stage_started_at=started, action=action
        )
        if days is None:
            assert target is None
        elif status == CaseStatus.ASSESSMENT and action is None:
            assert target == add_working_days(timezone.localdate(received), days)
        else:
            assert target == add_working_days(timezone.localdate(started), days)

    def test_asking_for_information_resets_the_target(self, caseworker):
        case = make_case(status=CaseStatus.ASSESSMENT, received_days_ago=30)
        case_transition(
            case_id=case.pk, action="request_information", actor=caseworker, reason="GP records"
        )
        case.refresh_from_db()
        assert case.target_date == add_working_days(timezone.localdate(), 20)
