"""Statutory clocks: UK working days and the deadlines the service must meet.

One engine for every deadline (complaints, evidence requests, FOI, EIR and SAR). Pure Python with no
database: a model keeps a clock in a JSONField through `to_dict()` / `from_dict()`.

Dates are calendar dates in the UK. Callers convert a received timestamp to its Europe/London date
before asking for a deadline, so a datetime is refused rather than silently truncated.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import holidays

# FOIA s.10(6): a working day is any day other than a Saturday, a Sunday, Christmas Day, Good Friday
# or a bank holiday "in any part of the United Kingdom", so a deadline skips the bank holidays of
# every nation, not only the requester's.
UK_NATIONS = ("ENG", "WLS", "SCT", "NIR")

WORKING_DAYS = "working_days"
CALENDAR_MONTHS = "calendar_months"
UNITS = (WORKING_DAYS, CALENDAR_MONTHS)

# FOIA s.10(1) and EIR reg. 5(2): twenty working days following the date of receipt.
FOI_WORKING_DAYS = 20
# EIR reg. 7(1): extendable to forty working days for complex and voluminous requests.
EIR_EXTENDED_WORKING_DAYS = 40
# UK GDPR Art. 12(3): one month, extendable "by two further months".
SAR_MONTHS = 1
SAR_MAX_EXTENSION_MONTHS = 2

SERIAL_VERSION = 1


class ClockError(ValueError):
    """A change the statutory clock does not allow; the message is fit to show to staff."""


def _as_date(value: date, name: str = "date") -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (convert timestamps to a UK date first)")
    return value


@functools.lru_cache(maxsize=256)
def _bank_holidays_in(year: int) -> frozenset[date]:
    days: set[date] = set()
    for nation in UK_NATIONS:
        days.update(holidays.country_holidays("GB", subdiv=nation, years=year).keys())
    return frozenset(days)


def uk_bank_holidays(years: int | Iterable[int]) -> frozenset[date]:
    """Bank holidays of any UK nation in the given year or years (cached per year)."""
    if isinstance(years, int):
        years = (years,)
    result: set[date] = set()
    for year in years:
        result |= _bank_holidays_in(int(year))
    return frozenset(result)


def is_working_day(day: date) -> bool:
    day = _as_date(day, "day")
    return day.weekday() < 5 and day not in _bank_holidays_in(day.year)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, otherwise the first working day after it."""
    day = _as_date(day, "day")
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The nth working day after start; start itself is day 0 (the day of receipt never counts)."""
    start = _as_date(start, "start")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an integer number of working days")
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _working_days_after(a: date, b: date) -> int:
    """Working days d with a < d <= b, for a <= b, without walking every day of a long span."""
    weeks, extra = divmod((b - a).days, 7)
    count = weeks * 5
    first_weekday = a.weekday()
    count += sum(1 for i in range(1, extra + 1) if (first_weekday + i) % 7 < 5)
    for year in range(a.year, b.year + 1):
        count -= sum(1 for h in _bank_holidays_in(year) if a < h <= b and h.weekday() < 5)
    return count


def working_days_between(a: date, b: date) -> int:
    """Working days after a up to and including b; negative when b is before a.

    The inverse of add_working_days: working_days_between(a, add_working_days(a, n)) == n.
    """
    a, b = _as_date(a, "a"), _as_date(b, "b")
    if b >= a:
        return _working_days_after(a, b)
    return -_working_days_after(b, a)


def add_calendar_months(day: date, months: int) -> date:
    """The corresponding date `months` later, or the last day of that month when there is none.

    ICO guidance on UK GDPR Art. 12(3): a request received on 31 January is due on the last day of
    February.
    """
    day = _as_date(day, "day")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def foi_due_date(received: date) -> date:
    """FOIA s.10(1), and EIR reg. 5(2) alike: the twentieth working day following receipt."""
    return add_working_days(received, FOI_WORKING_DAYS)


def eir_extended_due_date(received: date) -> date:
    """EIR reg. 7(1): the fortieth working day following receipt."""
    return add_working_days(received, EIR_EXTENDED_WORKING_DAYS)


def sar_due_date(received: date) -> date:
    """UK GDPR Art. 12(3): one calendar month, moved to the next working day if it falls on none."""
    return next_working_day(add_calendar_months(received, SAR_MONTHS))


def sar_extended_due_date(received: date, months: int = SAR_MAX_EXTENSION_MONTHS) -> date:
    """UK GDPR Art. 12(3): extended by up to two further months, counted from receipt."""
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError("months must be an integer")
    if not 1 <= months <= SAR_MAX_EXTENSION_MONTHS:
        raise ValueError(f"a SAR may be extended by 1 to {SAR_MAX_EXTENSION_MONTHS} months")
    return next_working_day(add_calendar_months(received, SAR_MONTHS + months))


@dataclass(frozen=True)
class ClockRule:
    """How a kind of deadline runs: its unit, length, ceiling on extension and pause behaviour.

    restart_on_resume: when a pause ends, start a fresh full period from that day (FOIA s.10(6)(b)
    and EIR reg. 9(4): clarification received counts as a new date of receipt). Otherwise the clock
    resumes with the time it had left (the ICO's "stop the clock" for SAR clarification).
    """

    name: str
    unit: str
    amount: int
    restart_on_resume: bool = False
    max_amount: int | None = None

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError("amount must be a positive integer")
        if self.max_amount is None:
            object.__setattr__(self, "max_amount", self.amount)
        elif self.max_amount < self.amount:
            raise ValueError("max_amount must not be less than amount")

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "amount": self.amount,
            "restart_on_resume": self.restart_on_resume,
            "max_amount": self.max_amount,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ClockRule:
        return cls(
            name=data["name"],
            unit=data["unit"],
            amount=data["amount"],
            restart_on_resume=data.get("restart_on_resume", False),
            max_amount=data.get("max_amount"),
        )


# FOIA s.10(3) public interest extensions must be "reasonable"; the ICO's guidance is no more than a
# further twenty working days, the same ceiling EIR reg. 7(1) sets.
FOI_RULE = ClockRule("foi", WORKING_DAYS, FOI_WORKING_DAYS, restart_on_resume=True, max_amount=40)
EIR_RULE = ClockRule(
    "eir",
    WORKING_DAYS,
    FOI_WORKING_DAYS,
    restart_on_resume=True,
    max_amount=EIR_EXTENDED_WORKING_DAYS,
)
SAR_RULE = ClockRule(
    "sar",
    CALENDAR_MONTHS,
    SAR_MONTHS,
    restart_on_resume=False,
    max_amount=SAR_MONTHS + SAR_MAX_EXTENSION_MONTHS,
)

RECEIVED, PAUSE, RESUME, EXTEND, STOP = "received", "pause", "resume", "extend", "stop"
EVENT_KINDS = (RECEIVED, PAUSE, RESUME, EXTEND, STOP)


@dataclass(frozen=True)
class ClockEvent:
    """One entry in a clock's history; `amount` is the new total length for an extension."""

    kind: str
    on: date
    reason: str = ""
    amount: int | None = None

    def to_dict(self) -> dict:
        data = {"kind": self.kind, "on": self.on.isoformat(), "reason": self.reason}
        if self.amount is not None:
            data["amount"] = self.amount
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ClockEvent:
        return cls(
            kind=data["kind"],
            on=date.fromisoformat(data["on"]),
            reason=data.get("reason", ""),
            amount=data.get("amount"),
        )


@dataclass(frozen=True)
class _State:
    start: date
    amount: int
    # Working days (or calendar days, for month rules) added back for pauses that did not restart.
    paused_units: int = 0
    paused_on: date | None = None
    stopped_on: date | None = None
    last_on: date | None = None


@dataclass(frozen=True)
class StatutoryClock:
    """A deadline from a date of receipt under a rule, with pauses, extensions and a stop.

    Immutable: pause, resume, extend and stop return a new clock with the event appended, so a
    refused change (ClockError) leaves the stored clock as it was. Questions take an `as_of` date
    and answer from the events recorded up to and including that day.
    """

    received: date
    rule: ClockRule
    events: tuple[ClockEvent, ...] = field(default=())

    def __post_init__(self):
        _as_date(self.received, "received")
        object.__setattr__(self, "events", tuple(self.events))
        state = self._initial_state()
        for event in self.events:
            state = self._apply(state, event)

    # Changes -----------------------------------------------------------------------------------

    def pause(self, on: date, reason: str) -> StatutoryClock:
        """Stop the clock while the requester is asked for clarification (or identity, or a fee)."""
        return self._append(ClockEvent(PAUSE, _as_date(on, "on"), _require_reason(reason)))

    def resume(self, on: date, reason: str = "clarification received") -> StatutoryClock:
        return self._append(ClockEvent(RESUME, _as_date(on, "on"), reason))

    def extend(
        self,
        on: date,
        *,
        reason: str,
        to_working_days: int | None = None,
        by_months: int | None = None,
    ) -> StatutoryClock:
        """Lengthen the period: to a total of working days, or by further calendar months."""
        state = self._state_at(None)
        if self.rule.unit == WORKING_DAYS:
            if by_months is not None or to_working_days is None:
                raise ClockError("a working-day clock is extended with to_working_days")
            amount = to_working_days
        else:
            if to_working_days is not None or by_months is None:
                raise ClockError("a calendar-month clock is extended with by_months")
            if by_months < 1:
                raise ClockError("an extension must add at least one month")
            amount = state.amount + by_months
        event = ClockEvent(EXTEND, _as_date(on, "on"), _require_reason(reason), amount=amount)
        return self._append(event)

    def stop(self, on: date, reason: str) -> StatutoryClock:
        """The clock ends: the response was sent, or the request was withdrawn or closed."""
        return self._append(ClockEvent(STOP, _as_date(on, "on"), _require_reason(reason)))

    # Questions ---------------------------------------------------------------------------------

    @property
    def due_date(self) -> date | None:
        """The current due date; None while paused, because it depends on when the pause ends."""
        return self.due_date_on(None)

    def due_date_on(self, as_of: date | None) -> date | None:
        """The due date as it stood on as_of (None while paused on that day)."""
        state = self._state_at(as_of)
        return None if state.paused_on else self._running_due(state)

    @property
    def is_paused(self) -> bool:
        return self._state_at(None).paused_on is not None

    @property
    def is_stopped(self) -> bool:
        return self._state_at(None).stopped_on is not None

    @property
    def stopped_late(self) -> bool:
        """The clock was stopped (a response sent) after its due date."""
        state = self._state_at(None)
        return (
            state.stopped_on is not None
            and state.paused_on is None
            and state.stopped_on > self._running_due(state)
        )

    def days_remaining(self, as_of: date) -> int:
        """Days left on as_of, negative once overdue: working days or calendar days by rule.

        On the due date itself this is 0. While paused it holds the value at the pause; once
        stopped, the value at the stop. Overdue counts the working days late, at least one, so a
        weekend straight after a Friday deadline already reads -1.
        """
        as_of = _as_date(as_of, "as_of")
        state = self._state_at(as_of)
        due = self._running_due(state)
        reference = state.paused_on or state.stopped_on or as_of
        if self.rule.unit == CALENDAR_MONTHS:
            return (due - reference).days
        if reference <= due:
            return working_days_between(reference, due)
        return -max(1, working_days_between(due, reference))

    def is_overdue(self, as_of: date) -> bool:
        """A running clock past its due date; a paused or stopped clock is never overdue."""
        as_of = _as_date(as_of, "as_of")
        state = self._state_at(as_of)
        if state.paused_on or state.stopped_on:
            return False
        return as_of > self._running_due(state)

    @property
    def history(self) -> list[ClockEvent]:
        """Every event with its reason, starting with receipt."""
        return [ClockEvent(RECEIVED, self.received, f"received ({self.rule.name})"), *self.events]

    # Storage -----------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """A JSON-safe form for a JSONField; from_dict rebuilds and re-validates it."""
        return {
            "version": SERIAL_VERSION,
            "rule": self.rule.to_dict(),
            "received": self.received.isoformat(),
            "events": [event.to_dict() for event in self.events],
        }

    @classmethod
    def from_dict(cls, data: dict) -> StatutoryClock:
        if data.get("version") != SERIAL_VERSION:
            raise ValueError(f"unsupported clock version {data.get('version')!r}")
        return cls(
            received=date.fromisoformat(data["received"]),
            rule=ClockRule.from_dict(data["rule"]),
            events=tuple(ClockEvent.from_dict(e) for e in data.get("events", ())),
        )

    # Internals ---------------------------------------------------------------------------------

    def _initial_state(self) -> _State:
        return _State(start=self.received, amount=self.rule.amount, last_on=self.received)

    def _append(self, event: ClockEvent) -> StatutoryClock:
        self._apply(self._state_at(None), event)
        return replace(self, events=(*self.events, event))

    def _state_at(self, as_of: date | None) -> _State:
        state = self._initial_state()
        for event in self.events:
            if as_of is not None and event.on > as_of:
                break
            state = self._apply(state, event)
        return state

    def _running_due(self, state: _State) -> date:
        if self.rule.unit == WORKING_DAYS:
            return add_working_days(state.start, state.amount + state.paused_units)
        nominal = add_calendar_months(state.start, state.amount)
        return next_working_day(nominal + timedelta(days=state.paused_units))

    def _apply(self, state: _State, event: ClockEvent) -> _State:
        """The state after event, or ClockError when the event is not allowed in state."""
        if event.kind not in EVENT_KINDS or event.kind == RECEIVED:
            raise ClockError(f"unknown clock event {event.kind!r}")
        if event.on < state.last_on:
            raise ClockError("clock events must be recorded in date order, on or after receipt")
        if state.stopped_on:
            raise ClockError("the clock has stopped")
        state = replace(state, last_on=event.on)

        if event.kind == STOP:
            return replace(state, stopped_on=event.on)

        if event.kind == PAUSE:
            if state.paused_on:
                raise ClockError("the clock is already paused")
            # A pause cannot cure a breach: clarification must be sought before the deadline.
            if event.on > self._running_due(state):
                raise ClockError("an overdue clock cannot be paused")
            return replace(state, paused_on=event.on)

        if event.kind == RESUME:
            if not state.paused_on:
                raise ClockError("the clock is not paused")
            if self.rule.restart_on_resume:
                # FOIA s.10(6)(b) / EIR reg. 9(4): the day clarification arrives is the new date
                # of receipt, and a fresh standard period runs from it.
                return replace(
                    state, start=event.on, amount=self.rule.amount, paused_units=0, paused_on=None
                )
            if self.rule.unit == WORKING_DAYS:
                gap = working_days_between(state.paused_on, event.on)
            else:
                gap = (event.on - state.paused_on).days
            return replace(state, paused_units=state.paused_units + gap, paused_on=None)

        # EXTEND
        if state.paused_on:
            raise ClockError("a paused clock cannot be extended")
        if event.on > self._running_due(state):
            # UK GDPR Art. 12(3) and EIR reg. 7(2): the requester is told of an extension within
            # the original period, so it cannot be granted once the deadline has passed.
            raise ClockError("an extension must be made on or before the due date")
        amount = event.amount
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= state.amount:
            raise ClockError("an extension must lengthen the period")
        if amount > self.rule.max_amount:
            raise ClockError(
                f"{self.rule.name} allows at most {self.rule.max_amount} "
                f"{self.rule.unit.replace('_', ' ')} in total"
            )
        return replace(state, amount=amount)


def _require_reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ClockError("a reason is required")
    return reason.strip()
