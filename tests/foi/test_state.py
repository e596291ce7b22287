"""The request state machine, without a database."""

import pytest

from foi import state
from foi.models import RequestEvent
from foi.state import IllegalTransition, Status


class TestStateMachine:
    def test_happy_path_from_receipt_to_closure(self):
        status = Status.RECEIVED
        for move in ("start", "submit_draft", "sign_off", "send", "close"):
            status = state.apply(status, move)
        assert status == Status.CLOSED

    def test_sar_waits_for_identity_before_work(self):
        assert not state.can(Status.AWAITING_IDENTITY, "start")
        assert state.apply(Status.AWAITING_IDENTITY, "verify_identity") == Status.RECEIVED

    def test_clarification_pauses_and_resumes_into_work(self):
        status = state.apply(Status.IN_PROGRESS, "ask_clarification")
        assert status == Status.AWAITING_CLARIFICATION
        assert state.apply(status, "receive_clarification") == Status.IN_PROGRESS

    def test_cannot_send_before_sign_off(self):
        with pytest.raises(IllegalTransition, match="not possible while the request is"):
            state.apply(Status.AWAITING_SIGN_OFF, "send")

    def test_returned_draft_goes_back_to_work(self):
        assert state.apply(Status.AWAITING_SIGN_OFF, "return_draft") == Status.IN_PROGRESS

    def test_closed_request_cannot_be_withdrawn(self):
        with pytest.raises(IllegalTransition):
            state.apply(Status.CLOSED, "withdraw")

    def test_any_open_request_can_be_withdrawn(self):
        for status in Status.OPEN:
            assert state.apply(status, "withdraw") == Status.CLOSED

    def test_unknown_action_is_refused(self):
        with pytest.raises(IllegalTransition, match="Unknown action"):
            state.apply(Status.RECEIVED, "publish")

    def test_drafter_cannot_sign_off_own_draft(self):
        with pytest.raises(IllegalTransition, match="second officer"):
            state.check_sign_off(drafted_by_id=7, signer_id=7)
        state.check_sign_off(drafted_by_id=7, signer_id=8)

    def test_sign_off_needs_a_draft(self):
        with pytest.raises(IllegalTransition, match="no draft"):
            state.check_sign_off(drafted_by_id=None, signer_id=8)

    def test_available_lists_moves_from_a_status(self):
        assert set(state.available(Status.SIGNED_OFF)) == {"send", "withdraw"}


class TestRequestEventDescription:
    def test_status_change_is_described_by_its_transition(self):
        assert RequestEvent(kind="status_changed", payload={"action": "sign_off"}).description == (
            "Response signed off"
        )
        assert RequestEvent(kind="assigned").description == "Assigned"
