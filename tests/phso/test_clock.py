"""Statutory clock tests. Every expected date was counted by hand on a printed calendar, using the
published bank holidays of all four UK nations; the counting is written next to each case."""

import json
from datetime import date, datetime

import pytest

from phso.clock import (
    FOI_RULE,
    SAR_RULE,
    WORKING_DAYS,
    ClockError,
    ClockRule,
    StatutoryClock,
    add_working_days,
    eir_extended_due_date,
    foi_due_date,
    is_working_day,
    sar_due_date,
    sar_extended_due_date,
    uk_bank_holidays,
    working_days_between,
)


class TestUkBankHolidays:
    def test_union_of_all_four_nations(self):
        days = uk_bank_holidays(2026)
        assert date(2026, 4, 6) in days  # Easter Monday: England, Wales, Northern Ireland
        assert date(2026, 1, 2) in days  # 2 January: Scotland only
        assert date(2026, 8, 3) in days  # Summer bank holiday: Scotland only
        assert date(2026, 11, 30) in days  # St Andrew's Day: Scotland only
        assert date(2026, 3, 17) in days  # St Patrick's Day: Northern Ireland only
        assert date(2026, 7, 13) in days  # Battle of the Boyne (12 July is a Sunday)
        assert date(2026, 12, 28) in days  # Boxing Day substitute (26 December is a Saturday)
        assert date(2026, 3, 18) not in days

    def test_accepts_several_years(self):
        days = uk_bank_holidays([2025, 2027])
        assert date(2025, 12, 25) in days
        assert date(2027, 3, 26) in days  # Good Friday 2027
        assert date(2026, 12, 25) not in days


class TestIsWorkingDay:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 1, 10),  # Saturday
            date(2026, 1, 11),  # Sunday
            date(2026, 1, 2),  # Scotland's 2 January
            date(2026, 11, 30),  # St Andrew's Day, a Monday
            date(2026, 3, 17),  # St Patrick's Day, Northern Ireland
            date(2027, 7, 12),  # Battle of the Boyne, a Monday, Northern Ireland
            date(2026, 4, 3),  # Good Friday
            date(2026, 4, 6),  # Easter Monday (not a Scottish holiday, still excluded)
        ],
    )
    def test_weekends_and_any_nations_holidays_are_not_working_days(self, day):
        assert is_working_day(day) is False

    def test_ordinary_weekday_is_a_working_day(self):
        assert is_working_day(date(2026, 1, 14)) is True

    def test_datetime_is_refused(self):
        with pytest.raises(TypeError):
            is_working_day(datetime(2026, 1, 14, 9, 0))


class TestAddWorkingDays:
    def test_zero_returns_start_even_on_a_weekend(self):
        assert add_working_days(date(2026, 1, 10), 0) == date(2026, 1, 10)

    def test_negative_is_refused(self):
        with pytest.raises(ValueError):
            add_working_days(date(2026, 1, 9), -1)

    def test_one_from_friday_is_monday(self):
        assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)

    def test_scottish_st_andrews_day_is_skipped(self):
        # Fri 27 Nov 2026; Mon 30 Nov is St Andrew's Day, so day 1 is Tue 1 Dec.
        assert add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)

    def test_northern_irish_holidays_are_skipped(self):
        # Mon 16 Mar 2026; Tue 17 Mar is St Patrick's Day, so day 1 is Wed 18 Mar.
        assert add_working_days(date(2026, 3, 16), 1) == date(2026, 3, 18)
        # Fri 9 Jul 2027; Mon 12 Jul is the Battle of the Boyne, so day 1 is Tue 13 Jul.
        assert add_working_days(date(2027, 7, 9), 1) == date(2027, 7, 13)


class TestWorkingDaysBetween:
    def test_counts_days_after_a_up_to_b(self):
        # 22 Dec 2025 to 22 Jan 2026 as counted in TestFoiDueDate: twenty working days.
        assert working_days_between(date(2025, 12, 19), date(2026, 1, 22)) == 20

    def test_reversed_is_negative(self):
        assert working_days_between(date(2026, 1, 22), date(2025, 12, 19)) == -20

    def test_same_day_and_weekend_are_zero(self):
        assert working_days_between(date(2026, 1, 9), date(2026, 1, 9)) == 0
        assert working_days_between(date(2026, 1, 9), date(2026, 1, 11)) == 0

    def test_quarter_of_a_year(self):
        # Weekdays: January 2026 has 22, February 20, March 22 = 64; less 1 Jan, 2 Jan (Scotland)
        # and 17 Mar (Northern Ireland) = 61.
        assert working_days_between(date(2025, 12, 31), date(2026, 3, 31)) == 61


class TestFoiDueDate:
    def test_received_on_a_friday(self):
        # Fri 9 Jan 2026: 12-16 Jan (5), 19-23 (10), 26-30 (15), 2-6 Feb (20).
        assert foi_due_date(date(2026, 1, 9)) == date(2026, 2, 6)

    def test_received_on_a_saturday_or_sunday_counts_from_monday(self):
        # Monday 12 Jan is day 1 either way, as for a Friday receipt.
        assert foi_due_date(date(2026, 1, 10)) == date(2026, 2, 6)
        assert foi_due_date(date(2026, 1, 11)) == date(2026, 2, 6)

    def test_received_on_a_monday(self):
        # Mon 12 Jan 2026: 13-16 (4), 19-23 (9), 26-30 (14), 2-6 Feb (19), 9 Feb (20).
        assert foi_due_date(date(2026, 1, 12)) == date(2026, 2, 9)

    def test_received_on_a_bank_holiday(self):
        # Mon 4 May 2026 (Early May): 5-8 (4), 11-15 (9), 18-22 (14), 25 May holiday,
        # 26-29 (18), 1 Jun (19), 2 Jun (20).
        assert foi_due_date(date(2026, 5, 4)) == date(2026, 6, 2)

    def test_over_christmas_2025_and_scottish_new_year(self):
        # Fri 19 Dec 2025: 22, 23, 24 (3); 25, 26 holidays; 29, 30, 31 (6); 1 Jan and Scotland's
        # 2 Jan holidays; 5-9 Jan (11), 12-16 (16), 19-22 (20).
        assert foi_due_date(date(2025, 12, 19)) == date(2026, 1, 22)

    def test_over_christmas_2026_with_substitute_days(self):
        # Fri 18 Dec 2026: 21-24 (4); Fri 25 and Mon 28 (Boxing Day substitute) holidays;
        # 29-31 (7); Fri 1 Jan 2027 and Mon 4 Jan (Scotland's 2 Jan substitute) holidays;
        # 5-8 Jan (11), 11-15 (16), 18-21 (20).
        assert foi_due_date(date(2026, 12, 18)) == date(2027, 1, 21)

    def test_received_on_christmas_eve_2026(self):
        # Thu 24 Dec 2026: 29-31 (3); 5-8 Jan (7), 11-15 (12), 18-22 (17), 25-27 (20).
        assert foi_due_date(date(2026, 12, 24)) == date(2027, 1, 27)

    def test_around_easter_2026(self):
        # Thu 2 Apr 2026: Good Friday 3 and Easter Monday 6 Apr; 7-10 (4), 13-17 (9), 20-24 (14),
        # 27-30 (18), Fri 1 May (19), Mon 4 May holiday, Tue 5 May (20).
        assert foi_due_date(date(2026, 4, 2)) == date(2026, 5, 5)
        # Thu 26 Mar 2026: 27, 30, 31 Mar, 1, 2 Apr (5); 3 and 6 Apr holidays; 7-10 (9),
        # 13-17 (14), 20-24 (19), Mon 27 Apr (20).
        assert foi_due_date(date(2026, 3, 26)) == date(2026, 4, 27)

    def test_around_st_patricks_day_and_easter_2026(self):
        # Fri 13 Mar 2026: 16 (1), 17 holiday, 18-20 (4), 23-27 (9), 30 Mar-2 Apr (13),
        # 3 and 6 Apr holidays, 7-10 (17), 13-15 Apr (20).
        assert foi_due_date(date(2026, 3, 13)) == date(2026, 4, 15)

    def test_around_easter_2027(self):
        # Mon 15 Mar 2027: 16 (1), 17 holiday (NI), 18-19 (3), 22-25 (7), Good Friday 26 and
        # Easter Monday 29 Mar, 30 Mar-2 Apr (11), 5-9 Apr (16), 12-15 Apr (20).
        assert foi_due_date(date(2027, 3, 15)) == date(2027, 4, 15)

    def test_scottish_st_andrews_day_and_christmas(self):
        # Fri 27 Nov 2026: 30 Nov holiday; 1-4 Dec (4), 7-11 (9), 14-18 (14), 21-24 (18),
        # 25 and 28 Dec holidays, 29 (19), 30 Dec (20).
        assert foi_due_date(date(2026, 11, 27)) == date(2026, 12, 30)


class TestEirExtendedDueDate:
    def test_forty_working_days(self):
        # Fri 9 Jan 2026: day 20 is Fri 6 Feb; 9-13 Feb (25), 16-20 (30), 23-27 (35), 2-6 Mar (40).
        assert eir_extended_due_date(date(2026, 1, 9)) == date(2026, 3, 6)


class TestSarDueDate:
    def test_corresponding_date_next_month(self):
        assert sar_due_date(date(2026, 3, 2)) == date(2026, 4, 2)  # Thursday

    def test_31_january_is_due_on_the_last_day_of_february(self):
        assert sar_due_date(date(2025, 1, 31)) == date(2025, 2, 28)  # Friday

    def test_31_january_in_a_leap_year(self):
        assert sar_due_date(date(2028, 1, 31)) == date(2028, 2, 29)  # Tuesday

    def test_last_day_of_february_on_a_saturday_moves_to_monday(self):
        # 28 Feb 2026 is a Saturday.
        assert sar_due_date(date(2026, 1, 31)) == date(2026, 3, 2)

    def test_31_march_and_31_august(self):
        assert sar_due_date(date(2026, 3, 31)) == date(2026, 4, 30)  # Thursday
        # Received on the August bank holiday: still counted from that date.
        assert sar_due_date(date(2026, 8, 31)) == date(2026, 9, 30)  # Wednesday

    def test_weekend_then_bank_holiday_moves_to_the_next_working_day(self):
        # 2 May 2026 is a Saturday and Monday 4 May is the Early May bank holiday.
        assert sar_due_date(date(2026, 4, 2)) == date(2026, 5, 5)


class TestSarExtendedDueDate:
    def test_two_further_months_from_receipt(self):
        assert sar_extended_due_date(date(2026, 3, 2)) == date(2026, 6, 2)  # Tuesday
        # 31 Jan + 3 months: April has no 31st, so Thu 30 Apr.
        assert sar_extended_due_date(date(2026, 1, 31)) == date(2026, 4, 30)

    def test_one_further_month(self):
        assert sar_extended_due_date(date(2026, 1, 31), months=1) == date(2026, 3, 31)  # Tuesday

    def test_more_than_two_further_months_is_refused(self):
        with pytest.raises(ValueError):
            sar_extended_due_date(date(2026, 1, 31), months=3)


@pytest.fixture
def foi_clock():
    # Fri 9 Jan 2026, due Fri 6 Feb 2026 (see TestFoiDueDate).
    return StatutoryClock(received=date(2026, 1, 9), rule=FOI_RULE)


class TestStatutoryClockDaysRemaining:
    def test_working_days_remaining_and_overdue(self, foi_clock):
        assert foi_clock.due_date == date(2026, 2, 6)
        assert foi_clock.days_remaining(date(2026, 1, 9)) == 20
        assert foi_clock.days_remaining(date(2026, 2, 2)) == 4  # 3, 4, 5, 6 Feb
        assert foi_clock.days_remaining(date(2026, 2, 6)) == 0
        assert foi_clock.is_overdue(date(2026, 2, 6)) is False

    def test_weekend_after_the_deadline_is_already_overdue(self, foi_clock):
        assert foi_clock.is_overdue(date(2026, 2, 7)) is True
        assert foi_clock.days_remaining(date(2026, 2, 7)) == -1
        assert foi_clock.days_remaining(date(2026, 2, 9)) == -1
        assert foi_clock.days_remaining(date(2026, 2, 11)) == -3  # 9, 10, 11 Feb

    def test_calendar_days_for_a_month_rule(self):
        clock = StatutoryClock(received=date(2026, 3, 31), rule=SAR_RULE)
        assert clock.due_date == date(2026, 4, 30)
        assert clock.days_remaining(date(2026, 4, 20)) == 10
        assert clock.is_overdue(date(2026, 4, 30)) is False
        assert clock.days_remaining(date(2026, 5, 2)) == -2
        assert clock.is_overdue(date(2026, 5, 2)) is True


class TestStatutoryClockPause:
    def test_foi_clarification_restarts_twenty_working_days(self):
        # Mon 12 Jan 2026, due Mon 9 Feb; clarification sought Wed 14 Jan.
        clock = StatutoryClock(received=date(2026, 1, 12), rule=FOI_RULE)
        clock = clock.pause(date(2026, 1, 14), "clarification sought")

        assert clock.is_paused is True
        assert clock.due_date is None
        assert clock.is_overdue(date(2026, 3, 1)) is False
        # Frozen at the pause: 15-16 Jan (2), 19-23 (7), 26-30 (12), 2-6 Feb (17), 9 Feb (18).
        assert clock.days_remaining(date(2026, 1, 20)) == 18

        # Clarification arrives Mon 2 Feb: 3-6 Feb (4), 9-13 (9), 16-20 (14), 23-27 (19), 2 Mar.
        clock = clock.resume(date(2026, 2, 2))
        assert clock.is_paused is False
        assert clock.due_date == date(2026, 3, 2)
        assert clock.due_date_on(date(2026, 1, 13)) == date(2026, 2, 9)
        assert clock.due_date_on(date(2026, 1, 20)) is None

    def test_sar_clarification_resumes_with_the_days_left(self):
        # Mon 2 Mar 2026, due Thu 2 Apr; paused Tue 10 Mar with 23 calendar days left.
        clock = StatutoryClock(received=date(2026, 3, 2), rule=SAR_RULE)
        clock = clock.pause(date(2026, 3, 10), "identity documents requested")
        assert clock.days_remaining(date(2026, 3, 15)) == 23

        # Resumed Fri 20 Mar after 10 days: 2 Apr + 10 = Sun 12 Apr, so Mon 13 Apr.
        clock = clock.resume(date(2026, 3, 20), "identity confirmed")
        assert clock.due_date == date(2026, 4, 13)
        assert clock.days_remaining(date(2026, 3, 20)) == 24

    def test_working_day_rule_without_restart_keeps_the_days_left(self):
        rule = ClockRule("evidence_request", WORKING_DAYS, 10)
        # Mon 7 Sep 2026, due Mon 21 Sep; paused Thu 10 Sep after 8, 9, 10 Sep (3 used).
        clock = StatutoryClock(received=date(2026, 9, 7), rule=rule)
        assert clock.due_date == date(2026, 9, 21)
        clock = clock.pause(date(2026, 9, 10), "organisation asked for an extension of scope")
        # Resumed Wed 16 Sep with 7 left: 17, 18, 21, 22, 23, 24, 25 Sep.
        clock = clock.resume(date(2026, 9, 16))
        assert clock.due_date == date(2026, 9, 25)

    def test_overdue_clock_cannot_be_paused(self, foi_clock):
        with pytest.raises(ClockError):
            foi_clock.pause(date(2026, 2, 9), "clarification sought")

    def test_pause_needs_a_reason_and_resume_needs_a_pause(self, foi_clock):
        with pytest.raises(ClockError):
            foi_clock.pause(date(2026, 1, 12), "  ")
        with pytest.raises(ClockError):
            foi_clock.resume(date(2026, 1, 12))

    def test_events_must_be_in_date_order(self, foi_clock):
        with pytest.raises(ClockError):
            foi_clock.pause(date(2026, 1, 8), "before receipt")
        paused = foi_clock.pause(date(2026, 1, 14), "clarification sought")
        with pytest.raises(ClockError):
            paused.resume(date(2026, 1, 13))


class TestStatutoryClockExtend:
    def test_foi_public_interest_extension_to_forty_working_days(self, foi_clock):
        clock = foi_clock.extend(
            date(2026, 2, 2), to_working_days=40, reason="public interest test"
        )
        assert clock.due_date == date(2026, 3, 6)  # as TestEirExtendedDueDate
        assert clock.due_date_on(date(2026, 2, 1)) == date(2026, 2, 6)
        assert foi_clock.due_date == date(2026, 2, 6)  # the original is unchanged

    def test_extension_limits(self, foi_clock):
        with pytest.raises(ClockError):
            foi_clock.extend(date(2026, 2, 2), to_working_days=41, reason="too long")
        with pytest.raises(ClockError):
            foi_clock.extend(date(2026, 2, 2), to_working_days=20, reason="not longer")
        with pytest.raises(ClockError):
            foi_clock.extend(date(2026, 2, 9), to_working_days=40, reason="after the deadline")
        with pytest.raises(ClockError):
            foi_clock.extend(date(2026, 2, 2), by_months=1, reason="wrong unit")

    def test_sar_extension_by_two_months(self):
        # 31 Jan 2026: due Mon 2 Mar (28 Feb is a Saturday); extended, Thu 30 Apr.
        clock = StatutoryClock(received=date(2026, 1, 31), rule=SAR_RULE)
        clock = clock.extend(date(2026, 2, 20), by_months=2, reason="complex request")
        assert clock.due_date == date(2026, 4, 30)
        with pytest.raises(ClockError):
            clock.extend(date(2026, 3, 1), by_months=1, reason="a third further month")


class TestStatutoryClockStop:
    def test_stopped_on_time(self, foi_clock):
        clock = foi_clock.stop(date(2026, 2, 4), "response sent")
        assert clock.is_stopped is True
        assert clock.is_overdue(date(2026, 3, 1)) is False
        assert clock.stopped_late is False
        assert clock.days_remaining(date(2026, 3, 1)) == 2  # 5 and 6 Feb were left
        assert clock.is_overdue(date(2026, 2, 3)) is False

    def test_stopped_late(self, foi_clock):
        clock = foi_clock.stop(date(2026, 2, 10), "response sent")
        assert clock.stopped_late is True
        assert clock.days_remaining(date(2026, 3, 1)) == -2  # 9 and 10 Feb late
        assert clock.is_overdue(date(2026, 2, 9)) is True

    def test_nothing_happens_after_a_stop(self, foi_clock):
        clock = foi_clock.stop(date(2026, 2, 4), "withdrawn by requester")
        with pytest.raises(ClockError):
            clock.pause(date(2026, 2, 5), "clarification sought")


class TestStatutoryClockHistory:
    def test_history_lists_events_with_reasons(self, foi_clock):
        clock = (
            foi_clock.pause(date(2026, 1, 14), "clarification sought")
            .resume(date(2026, 1, 21), "clarification received")
            .stop(date(2026, 2, 10), "response sent")
        )
        assert [(e.kind, e.on, e.reason) for e in clock.history] == [
            ("received", date(2026, 1, 9), "received (foi)"),
            ("pause", date(2026, 1, 14), "clarification sought"),
            ("resume", date(2026, 1, 21), "clarification received"),
            ("stop", date(2026, 2, 10), "response sent"),
        ]


class TestStatutoryClockSerialisation:
    def test_round_trip_through_json(self):
        clock = (
            StatutoryClock(received=date(2026, 3, 2), rule=SAR_RULE)
            .pause(date(2026, 3, 10), "identity documents requested")
            .resume(date(2026, 3, 20), "identity confirmed")
            .extend(date(2026, 4, 1), by_months=2, reason="complex request")
        )
        stored = json.loads(json.dumps(clock.to_dict()))

        restored = StatutoryClock.from_dict(stored)

        assert restored == clock
        # 2 Jun 2026 + 10 paused days = Fri 12 Jun.
        assert restored.due_date == date(2026, 6, 12)
        assert restored.history == clock.history

    def test_custom_rule_round_trips(self):
        rule = ClockRule("evidence_request", WORKING_DAYS, 10)
        clock = StatutoryClock(received=date(2026, 9, 7), rule=rule)
        assert StatutoryClock.from_dict(clock.to_dict()).rule == rule

    def test_invalid_stored_history_is_refused(self, foi_clock):
        data = foi_clock.to_dict()
        data["events"] = [{"kind": "resume", "on": "2026-01-12", "reason": "never paused"}]
        with pytest.raises(ClockError):
            StatutoryClock.from_dict(data)

    def test_unknown_version_is_refused(self, foi_clock):
        data = {**foi_clock.to_dict(), "version": 99}
        with pytest.raises(ValueError):
            StatutoryClock.from_dict(data)
