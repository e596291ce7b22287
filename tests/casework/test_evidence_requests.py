from datetime import date

import pytest
import time_machine
from django.core import mail

from casework.models import CaseEvent, CaseEventKind, EvidenceRequest, EvidenceRequestStatus
from casework.services_decisions import (
    EvidenceRequestRefused,
    evidence_request_create,
    evidence_request_extend,
    evidence_request_reminders_send,
    evidence_request_respond,
    evidence_request_withdraw,
)
from casework.tasks import send_evidence_request_reminders
from phso.clock import StatutoryClock
from tests.casework.decisions_support import case_with_organisation, organisation

pytestmark = pytest.mark.django_db

# Monday 2 March 2026: 20 working days later is Tuesday 31 March (17 March is a bank holiday in
# Northern Ireland, and the clock uses every UK nation's bank holidays).
MONDAY = "2026-03-02 10:00:00+00:00"


def _request(caseworker, *, sent_to="", **kwargs):
    case, org = case_with_organisation(actor=caseworker)
    return evidence_request_create(
        case=case,
        organisation=org,
        description="Clinical records for May 2025",
        actor=caseworker,
        sent_to=sent_to,
        **kwargs,
    )


class TestEvidenceRequestCreate:
    @time_machine.travel(MONDAY, tick=False)
    def test_due_in_twenty_working_days_by_default(self, caseworker):
        request = _request(caseworker)
        assert request.due_date == date(2026, 3, 31)
        assert request.status == EvidenceRequestStatus.OPEN
        assert StatutoryClock.from_dict(request.clock).due_date == date(2026, 3, 31)

    @time_machine.travel(MONDAY, tick=False)
    def test_period_is_configurable_per_request(self, caseworker):
        assert _request(caseworker, working_days=5).due_date == date(2026, 3, 9)

    def test_records_an_event_and_emails_the_address_without_details(
        self, caseworker, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            request = _request(caseworker, sent_to="complaints@trust.example.org")
        event = CaseEvent.objects.get(case=request.case, kind=CaseEventKind.EVIDENCE_REQUESTED)
        assert event.payload["evidence_request_id"] == request.pk
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["complaints@trust.example.org"]
        assert request.case.reference in mail.outbox[0].body
        assert "Clinical records" not in mail.outbox[0].body

    def test_refuses_an_organisation_not_on_the_case(self, caseworker):
        case, _ = case_with_organisation(actor=caseworker)
        with pytest.raises(EvidenceRequestRefused, match="not one of this case's organisations"):
            evidence_request_create(
                case=case, organisation=organisation(), description="x", actor=caseworker
            )


class TestEvidenceRequestRespond:
    @time_machine.travel(MONDAY, tick=False)
    def test_received_on_the_due_date_is_met(self, caseworker):
        request = _request(caseworker)
        with time_machine.travel("2026-04-02 09:00:00+00:00", tick=False):
            request = evidence_request_respond(
                evidence_request_id=request.pk, received_on=date(2026, 3, 31), actor=caseworker
            )
        assert request.status == EvidenceRequestStatus.MET

    @time_machine.travel(MONDAY, tick=False)
    def test_received_after_the_due_date_is_met_late(self, caseworker):
        request = _request(caseworker)
        with time_machine.travel("2026-04-02 09:00:00+00:00", tick=False):
            request = evidence_request_respond(
                evidence_request_id=request.pk, received_on=date(2026, 4, 1), actor=caseworker
            )
        assert request.status == EvidenceRequestStatus.MET_LATE
        assert StatutoryClock.from_dict(request.clock).stopped_late

    @time_machine.travel(MONDAY, tick=False)
    def test_refuses_a_second_response_and_a_future_date(self, caseworker):
        request = _request(caseworker)
        with pytest.raises(EvidenceRequestRefused, match="today or in the past"):
            evidence_request_respond(
                evidence_request_id=request.pk, received_on=date(2026, 3, 3), actor=caseworker
            )
        evidence_request_respond(
            evidence_request_id=request.pk, received_on=date(2026, 3, 2), actor=caseworker
        )
        with pytest.raises(EvidenceRequestRefused, match="already met on time"):
            evidence_request_respond(
                evidence_request_id=request.pk, received_on=date(2026, 3, 2), actor=caseworker
            )


class TestEvidenceRequestExtend:
    @time_machine.travel(MONDAY, tick=False)
    def test_extension_moves_the_due_date_and_the_clock_keeps_the_reason(self, caseworker):
        request = _request(caseworker)
        request = evidence_request_extend(
            evidence_request_id=request.pk,
            extra_working_days=10,
            reason="Records held off site",
            actor=caseworker,
        )
        assert request.due_date == date(2026, 4, 16)  # 30 working days, past Easter (3 and 6 April)
        history = StatutoryClock.from_dict(request.clock).history
        assert history[-1].reason == "Records held off site"
        assert CaseEvent.objects.filter(kind=CaseEventKind.EVIDENCE_REQUEST_EXTENDED).count() == 1

    @time_machine.travel(MONDAY, tick=False)
    def test_a_late_response_against_the_extended_date_is_on_time(self, caseworker):
        request = _request(caseworker)
        evidence_request_extend(
            evidence_request_id=request.pk,
            extra_working_days=10,
            reason="Off site",
            actor=caseworker,
        )
        with time_machine.travel("2026-04-10 09:00:00+00:00", tick=False):
            request = evidence_request_respond(
                evidence_request_id=request.pk, received_on=date(2026, 4, 10), actor=caseworker
            )
        assert request.status == EvidenceRequestStatus.MET

    @time_machine.travel(MONDAY, tick=False)
    def test_refused_after_the_due_date_and_beyond_the_ceiling(self, caseworker):
        request = _request(caseworker)
        with pytest.raises(EvidenceRequestRefused, match="at most 60 working days"):
            evidence_request_extend(
                evidence_request_id=request.pk, extra_working_days=41, reason="x", actor=caseworker
            )
        with pytest.raises(EvidenceRequestRefused, match="Enter why"):
            evidence_request_extend(
                evidence_request_id=request.pk, extra_working_days=5, reason=" ", actor=caseworker
            )
        with time_machine.travel("2026-04-01 09:00:00+00:00", tick=False):
            with pytest.raises(EvidenceRequestRefused, match="on or before the due date"):
                evidence_request_extend(
                    evidence_request_id=request.pk,
                    extra_working_days=5,
                    reason="x",
                    actor=caseworker,
                )


class TestEvidenceRequestWithdraw:
    def test_withdrawn_request_needs_a_reason_and_is_no_longer_chased(self, caseworker):
        request = _request(caseworker)
        with pytest.raises(EvidenceRequestRefused, match="Enter why"):
            evidence_request_withdraw(evidence_request_id=request.pk, reason=" ", actor=caseworker)
        request = evidence_request_withdraw(
            evidence_request_id=request.pk, reason="Not needed", actor=caseworker
        )
        assert request.status == EvidenceRequestStatus.WITHDRAWN
        assert StatutoryClock.from_dict(request.clock).is_stopped
        far_later = date(2099, 1, 1)
        assert evidence_request_reminders_send(today=far_later) == {"reminded": 0, "chased": 0}
        with pytest.raises(EvidenceRequestRefused, match="already withdrawn"):
            evidence_request_respond(
                evidence_request_id=request.pk, received_on=date.today(), actor=caseworker
            )


class TestEvidenceRequestReminders:
    @time_machine.travel(MONDAY, tick=False)
    def test_reminder_before_the_due_date_and_chaser_after_each_sent_once(
        self, caseworker, django_capture_on_commit_callbacks
    ):
        request = _request(caseworker, sent_to="complaints@trust.example.org")
        mail.outbox.clear()
        # Six working days before the due date: too early for the five-day reminder.
        with time_machine.travel("2026-03-23 08:00:00+00:00", tick=False):
            assert evidence_request_reminders_send(today=date(2026, 3, 23)) == {
                "reminded": 0,
                "chased": 0,
            }
        with time_machine.travel("2026-03-24 08:00:00+00:00", tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                assert send_evidence_request_reminders() == {"reminded": 1, "chased": 0}
                assert send_evidence_request_reminders() == {"reminded": 0, "chased": 0}
        assert [m.subject for m in mail.outbox] == [
            f"Reminder: evidence due soon for {request.case.reference}"
        ]
        with time_machine.travel("2026-04-01 08:00:00+00:00", tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                assert send_evidence_request_reminders() == {"reminded": 0, "chased": 1}
                assert send_evidence_request_reminders() == {"reminded": 0, "chased": 0}
        assert mail.outbox[-1].subject == f"Overdue: evidence for {request.case.reference}"
        assert len(mail.outbox) == 2
        kinds = list(CaseEvent.objects.filter(case=request.case).values_list("kind", flat=True))
        assert kinds.count(CaseEventKind.EVIDENCE_REQUEST_REMINDED) == 1
        assert kinds.count(CaseEventKind.EVIDENCE_REQUEST_CHASED) == 1

    @time_machine.travel(MONDAY, tick=False)
    def test_answered_requests_are_neither_reminded_nor_chased(self, caseworker):
        request = _request(caseworker)
        evidence_request_respond(
            evidence_request_id=request.pk, received_on=date(2026, 3, 2), actor=caseworker
        )
        with time_machine.travel("2026-04-30 08:00:00+00:00", tick=False):
            assert evidence_request_reminders_send(today=date(2026, 4, 30)) == {
                "reminded": 0,
                "chased": 0,
            }


class TestResponsiveness:
    def test_figures_on_known_requests(self, caseworker):
        org = organisation()
        # Answered after 2, 4, 10 and 12 days; the last two late; one still open, one withdrawn.
        with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False):
            requests = []
            for _ in range(6):
                case, _ = case_with_organisation(actor=caseworker, org=org)
                requests.append(
                    evidence_request_create(
                        case=case,
                        organisation=org,
                        description="Records",
                        actor=caseworker,
                        working_days=5,
                    )
                )
        with time_machine.travel("2026-03-20 10:00:00+00:00", tick=False):
            for request, day in zip(requests, (4, 6, 12, 14), strict=False):
                evidence_request_respond(
                    evidence_request_id=request.pk, received_on=date(2026, 3, day), actor=caseworker
                )
            evidence_request_withdraw(
                evidence_request_id=requests[5].pk, reason="Found in our files", actor=caseworker
            )
            figures = EvidenceRequest.objects.filter(organisation=org).responsiveness()
        assert figures["total"] == 5
        assert figures["withdrawn"] == 1
        assert figures["met"] == 2
        assert figures["met_late"] == 2
        assert figures["open"] == 1
        assert figures["overdue"] == 1
        assert figures["on_time_percent"] == 50
        assert figures["median_days"] == 7

    def test_no_answers_means_no_median_or_percentage(self):
        figures = EvidenceRequest.objects.filter(organisation=organisation()).responsiveness()
        assert figures["total"] == 0
        assert figures["median_days"] is None
        assert figures["on_time_percent"] is None
