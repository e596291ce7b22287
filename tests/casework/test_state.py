"""The full transition table, checked without a database."""

import pytest

from casework.state import CaseAction, CaseStateMachine, CaseStatus, IllegalTransition

A, S = CaseAction, CaseStatus

# Written out by hand from the workflow: (action, from status) -> resulting status. Every pair not
# listed here must be refused.
EXPECTED = {
    (A.START_ASSESSMENT, S.SUBMITTED): S.ASSESSMENT,
    (A.REQUEST_INFORMATION, S.ASSESSMENT): S.AWAITING_INFORMATION,
    (A.REQUEST_INFORMATION, S.INVESTIGATION): S.AWAITING_INFORMATION,
    (A.RESUME_ASSESSMENT, S.AWAITING_INFORMATION): S.ASSESSMENT,
    (A.START_INVESTIGATION, S.ASSESSMENT): S.INVESTIGATION,
    (A.START_INVESTIGATION, S.AWAITING_INFORMATION): S.INVESTIGATION,
    (A.ISSUE_PROVISIONAL_DECISION, S.INVESTIGATION): S.PROVISIONAL_DECISION,
    (A.ISSUE_FINAL_DECISION, S.INVESTIGATION): S.FINAL_DECISION,
    (A.ISSUE_FINAL_DECISION, S.PROVISIONAL_DECISION): S.FINAL_DECISION,
    (A.CLOSE, S.FINAL_DECISION): S.CLOSED,
    (A.MARK_PREMATURE, S.SUBMITTED): S.PREMATURE,
    (A.MARK_PREMATURE, S.ASSESSMENT): S.PREMATURE,
    (A.MARK_PREMATURE, S.AWAITING_INFORMATION): S.PREMATURE,
    (A.MARK_OUT_OF_REMIT, S.SUBMITTED): S.OUT_OF_REMIT,
    (A.MARK_OUT_OF_REMIT, S.ASSESSMENT): S.OUT_OF_REMIT,
    (A.MARK_OUT_OF_REMIT, S.AWAITING_INFORMATION): S.OUT_OF_REMIT,
    (A.WITHDRAW, S.SUBMITTED): S.WITHDRAWN,
    (A.WITHDRAW, S.ASSESSMENT): S.WITHDRAWN,
    (A.WITHDRAW, S.AWAITING_INFORMATION): S.WITHDRAWN,
    (A.WITHDRAW, S.INVESTIGATION): S.WITHDRAWN,
    (A.WITHDRAW, S.PROVISIONAL_DECISION): S.WITHDRAWN,
    (A.REOPEN, S.CLOSED): S.ASSESSMENT,
    (A.REOPEN, S.PREMATURE): S.ASSESSMENT,
    (A.REOPEN, S.OUT_OF_REMIT): S.ASSESSMENT,
    (A.REOPEN, S.WITHDRAWN): S.ASSESSMENT,
}

ALL_PAIRS = [(action, status) for action in CaseAction for status in CaseStatus]


class TestCaseStateMachine:
    @pytest.mark.parametrize(
        ("action", "status"), ALL_PAIRS, ids=[f"{a.value}-from-{s.value}" for a, s in ALL_PAIRS]
    )
    def test_every_action_from_every_status(self, action, status):
        machine = CaseStateMachine(status)
        expected = EXPECTED.get((action, status))
        assert machine.can(action) is (expected is not None)
        if expected is None:
            with pytest.raises(IllegalTransition):
                machine.apply(action)
            assert machine.status == status
        else:
            assert machine.apply(action) == expected
            assert machine.status == expected

    def test_table_has_110_pairs_and_25_allowed(self):
        assert len(ALL_PAIRS) == 110
        assert len(EXPECTED) == 25

    def test_illegal_transition_explains_itself(self):
        with pytest.raises(IllegalTransition) as excinfo:
            CaseStateMachine(S.SUBMITTED).apply(A.CLOSE)
        message = str(excinfo.value)
        assert "You cannot close case while the case is submitted" in message
        assert "final decision issued" in message

    def test_allowed_actions_lists_what_can_be_done(self):
        assert set(CaseStateMachine(S.SUBMITTED).allowed_actions()) == {
            A.START_ASSESSMENT,
            A.MARK_PREMATURE,
            A.MARK_OUT_OF_REMIT,
            A.WITHDRAW,
        }
        assert CaseStateMachine(S.CLOSED).allowed_actions() == [A.REOPEN]

    def test_happy_path_to_closed(self):
        machine = CaseStateMachine(S.SUBMITTED)
        for action in (
            A.START_ASSESSMENT,
            A.REQUEST_INFORMATION,
            A.START_INVESTIGATION,
            A.ISSUE_PROVISIONAL_DECISION,
            A.ISSUE_FINAL_DECISION,
            A.CLOSE,
        ):
            machine.apply(action)
        assert machine.status == S.CLOSED

    def test_unknown_status_is_refused(self):
        with pytest.raises(ValueError):
            CaseStateMachine("lost")
