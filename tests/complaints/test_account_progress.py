"""Plain-language status, service standards and the public timeline (complaints/account.py)."""

import datetime
from types import SimpleNamespace

import pytest

from casework.models import CaseEvent, CaseEventKind
from casework.state import ENDED_STATUSES, OPEN_STATUSES, CaseAction, CaseStatus
from complaints import account

LONDON = datetime.timezone(datetime.timedelta(hours=1))


def case_in(status, changed=datetime.datetime(2026, 6, 1, 23, 30, tzinfo=LONDON)):
    return SimpleNamespace(status=status, status_changed_at=changed, target_date=None)


class TestPublicStatus:
    @pytest.mark.parametrize("status", list(CaseStatus))
    def test_every_status_has_public_words(self, status):
        public = account.PUBLIC_STATUS[status]
        assert public.tag and public.explanation.endswith(".")
        assert public.colour in {"", "grey", "green", "turquoise", "yellow", "purple", "orange"}

    def test_assessment_says_what_we_are_doing(self):
        assert account.public_status(case_in(CaseStatus.ASSESSMENT)).explanation == (
            "We are checking whether we can look into your complaint."
        )


class TestNextStep:
    @pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
    def test_every_open_status_has_a_next_step_and_a_date(self, status):
        step = account.next_step(case_in(status), today=datetime.date(2026, 6, 2))
        assert step.text and step.standard and step.due > datetime.date(2026, 6, 1)

    @pytest.mark.parametrize("status", sorted(ENDED_STATUSES))
    def test_ended_cases_have_none(self, status):
        assert account.next_step(case_in(status)) is None

    @pytest.mark.parametrize(
        ("status", "due"),
        [
            # Working days from the London date of the change; 15 June 2026 is a bank holiday.
            (CaseStatus.SUBMITTED, datetime.date(2026, 6, 30)),
            (CaseStatus.ASSESSMENT, datetime.date(2026, 6, 30)),
            (CaseStatus.AWAITING_INFORMATION, datetime.date(2026, 6, 30)),
            (CaseStatus.PROVISIONAL_DECISION, datetime.date(2026, 6, 30)),
            (CaseStatus.FINAL_DECISION, datetime.date(2026, 6, 16)),
        ],
    )
    def test_due_date_counts_working_days_from_the_status_change(self, status, due):
        assert account.next_step(case_in(status), today=datetime.date(2026, 6, 2)).due == due

    @pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
    def test_the_date_is_the_target_the_caseworker_works_to(self, status):
        case = case_in(status)
        case.target_date = datetime.date(2026, 7, 3)
        assert account.next_step(case, today=datetime.date(2026, 6, 2)).due == case.target_date

    def test_a_late_date_of_ours_is_overdue(self):
        late = account.next_step(case_in(CaseStatus.ASSESSMENT), today=datetime.date(2026, 7, 1))
        assert late.overdue

    def test_a_date_we_ask_of_the_complainant_is_never_called_late(self):
        step = account.next_step(
            case_in(CaseStatus.AWAITING_INFORMATION), today=datetime.date(2026, 9, 1)
        )
        assert not step.overdue
        assert step.due_label == "If we asked you for something, please send it by"


def event(kind, **kwargs):
    return CaseEvent(kind=kind, created_at=datetime.datetime(2026, 6, 1, tzinfo=LONDON), **kwargs)


class TestTimelineEntry:
    @pytest.mark.parametrize("action", list(CaseAction))
    def test_every_status_change_has_public_words(self, action):
        entry = account.timeline_entry(
            event(
                CaseEventKind.STATUS_CHANGED,
                to_status=CaseStatus.ASSESSMENT,
                payload={"action": action.value},
                reason="Internal staff note",
            ),
            complainant_id=1,
        )
        assert entry.title and "Internal" not in entry.title + entry.detail

    def test_an_unknown_action_falls_back_to_the_public_status(self):
        entry = account.timeline_entry(
            event(CaseEventKind.STATUS_CHANGED, to_status=CaseStatus.INVESTIGATION, payload={}),
            complainant_id=1,
        )
        assert entry.title == "Your complaint is now: being investigated"

    def test_their_own_withdrawal_shows_their_reason(self):
        withdrawal = event(
            CaseEventKind.STATUS_CHANGED,
            to_status=CaseStatus.WITHDRAWN,
            actor_id=7,
            reason="Sorted out",
            payload={"action": "withdraw"},
        )
        entry = account.timeline_entry(withdrawal, complainant_id=7)
        assert entry.title == "You withdrew your complaint"
        assert entry.detail == "Your reason: Sorted out"
        by_staff = account.timeline_entry(withdrawal, complainant_id=8)
        assert (by_staff.title, by_staff.detail) == ("Your complaint was withdrawn", "")

    @pytest.mark.parametrize(
        ("accepted", "rejected", "title", "detail"),
        [
            (2, 0, "You sent us 2 files", ""),
            (1, 1, "You sent us 1 file", "We could not accept 1 file."),
            (0, 3, "You tried to send us 3 files", "We could not accept them."),
        ],
    )
    def test_evidence(self, accepted, rejected, title, detail):
        entry = account.timeline_entry(
            event(
                CaseEventKind.EVIDENCE_UPLOADED,
                payload={"accepted": accepted, "rejected": rejected},
            ),
            complainant_id=1,
        )
        assert (entry.title, entry.detail, entry.link) == (title, detail, "evidence")
