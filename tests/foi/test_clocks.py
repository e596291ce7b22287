"""Deadlines on requests, each expected date counted by hand on a calendar.

Working days skip weekends and the bank holidays of every UK nation (FOIA s.10(6)); day 0 is the day
of receipt.
"""

from datetime import date

import pytest
import time_machine
from django.core import mail

from foi.models import Kind
from foi.services import (
    RequestRefused,
    request_clarification_ask,
    request_clarification_receive,
    request_extend,
)


@pytest.mark.django_db
class TestRequestClocks:
    def test_foi_received_on_a_saturday(self, make_request):
        # Sat 10 Oct 2026: counting starts Mon 12 Oct; four clear weeks end Fri 6 Nov.
        info = make_request(received_on=date(2026, 10, 10))
        assert info.due_on == date(2026, 11, 6)

    def test_foi_received_before_a_bank_holiday(self, make_request):
        # Fri 28 Aug 2026; Mon 31 Aug is the late summer bank holiday (England, Wales, NI).
        # Sep 1-4 = 4, 7-11 = 9, 14-18 = 14, 21-25 = 19, Mon 28 Sep = 20.
        info = make_request(received_on=date(2026, 8, 28))
        assert info.due_on == date(2026, 9, 28)

    def test_foi_over_christmas_and_new_year(self, make_request):
        # Mon 14 Dec 2026: 15-18 = 4, 21-24 = 8, then Christmas (Fri 25), Boxing Day substitute
        # (Mon 28); 29-31 = 11; New Year's Day (Fri 1 Jan) and Scotland's 2 January substitute
        # (Mon 4 Jan) skipped; 5-8 Jan = 15, 11-15 Jan = 20.
        info = make_request(received_on=date(2026, 12, 14))
        assert info.due_on == date(2027, 1, 15)

    def test_eir_over_easter(self, make_request):
        # Thu 2 Apr 2026: Good Friday 3 Apr and Easter Monday 6 Apr skipped; 7-10 = 4,
        # 13-17 = 9, 20-24 = 14, 27-30 = 18, Fri 1 May = 19, early May bank holiday Mon 4 May
        # skipped, Tue 5 May = 20.
        info = make_request(kind=Kind.EIR, received_on=date(2026, 4, 2))
        assert info.due_on == date(2026, 5, 5)

    def test_sar_received_31_january_is_due_at_the_end_of_february(self, make_request, complainant):
        # One month from 31 Jan is 28 Feb 2026 (no 31st), a Saturday: due Monday 2 March.
        info = make_request(kind=Kind.SAR, user=complainant, received_on=date(2026, 1, 31))
        assert info.due_on == date(2026, 3, 2)

    def test_sar_received_31_march_is_due_30_april(self, make_request, complainant):
        info = make_request(kind=Kind.SAR, user=complainant, received_on=date(2026, 3, 31))
        assert info.due_on == date(2026, 4, 30)

    def test_foi_clarification_restarts_twenty_days_from_the_reply(self, make_request, foi_officer):
        info = make_request(received_on=date(2026, 11, 2))
        info = request_clarification_ask(
            request=info, actor=foi_officer, reason="Which years?", on=date(2026, 11, 4)
        )
        assert info.due_on is None
        info = request_clarification_receive(request=info, actor=foi_officer, on=date(2026, 11, 9))
        # From Mon 9 Nov: 10-13 = 4, 16-20 = 9, 23-27 = 14, St Andrew's Day (Mon 30 Nov,
        # Scotland) skipped, 1-4 Dec = 18, 7 Dec = 19, Tue 8 Dec = 20.
        assert info.due_on == date(2026, 12, 8)

    def test_sar_clarification_resumes_with_the_days_left(
        self, make_request, foi_officer, complainant
    ):
        info = make_request(kind=Kind.SAR, user=complainant, received_on=date(2026, 3, 2))
        assert info.due_on == date(2026, 4, 2)
        info = request_clarification_ask(
            request=info, actor=foi_officer, reason="Which case?", on=date(2026, 3, 10)
        )
        info = request_clarification_receive(request=info, actor=foi_officer, on=date(2026, 3, 15))
        # Paused five calendar days: 2 Apr + 5 = Tue 7 Apr (after Easter Monday).
        assert info.due_on == date(2026, 4, 7)

    def test_foi_public_interest_extension_records_new_date_and_reason(
        self, make_request, foi_officer, django_capture_on_commit_callbacks
    ):
        info = make_request(received_on=date(2026, 10, 10))
        with django_capture_on_commit_callbacks(execute=True):
            info = request_extend(
                request=info,
                actor=foi_officer,
                reason="Public interest test for s.36",
                to_working_days=30,
                on=date(2026, 10, 20),
            )
        # Ten more working days after Fri 6 Nov: 9-13 = 5, 16-20 = 10.
        assert info.due_on == date(2026, 11, 20)
        assert "20 November 2026" in mail.outbox[-1].body
        event = info.events.get(kind="clock_extended")
        assert event.note == "Public interest test for s.36"
        assert event.payload["to"] == "2026-11-20"

    def test_eir_extension_is_to_forty_working_days(self, make_request, foi_officer):
        info = make_request(kind=Kind.EIR, received_on=date(2026, 10, 10))
        info = request_extend(
            request=info, actor=foi_officer, reason="Complex and voluminous", on=date(2026, 10, 12)
        )
        # Twenty more after Fri 6 Nov: 9-13, 16-20, 23-27 = 15, 30 Nov St Andrew's skipped,
        # 1-4 Dec = 19, Mon 7 Dec = 20.
        assert info.due_on == date(2026, 12, 7)

    def test_foi_extension_beyond_forty_days_is_refused(self, make_request, foi_officer):
        info = make_request(received_on=date(2026, 10, 10))
        with pytest.raises(RequestRefused, match="at most 40"):
            request_extend(
                request=info,
                actor=foi_officer,
                reason="More",
                to_working_days=60,
                on=date(2026, 10, 12),
            )

    def test_sar_extension_by_two_months_records_when_the_requester_was_told(
        self, make_request, foi_officer, complainant
    ):
        info = make_request(kind=Kind.SAR, user=complainant, received_on=date(2026, 1, 31))
        info = request_extend(
            request=info,
            actor=foi_officer,
            reason="Complex: many cases",
            by_months=2,
            on=date(2026, 2, 20),
            notified_on=date(2026, 2, 20),
        )
        assert info.due_on == date(2026, 4, 30)
        assert info.extension_notified_on == date(2026, 2, 20)

    def test_sar_extension_told_after_the_first_month_is_refused(
        self, make_request, foi_officer, complainant
    ):
        info = make_request(kind=Kind.SAR, user=complainant, received_on=date(2026, 1, 31))
        with pytest.raises(RequestRefused, match="within the first month"):
            request_extend(
                request=info,
                actor=foi_officer,
                reason="Complex",
                by_months=1,
                on=date(2026, 2, 20),
                notified_on=date(2026, 3, 3),
            )

    def test_clock_is_stored_as_the_engine_serialises_it(self, make_request):
        with time_machine.travel(date(2026, 10, 12)):
            info = make_request()
        assert info.clock["rule"]["name"] == "foi"
        assert info.statutory_clock.due_date == info.due_on == date(2026, 11, 9)
