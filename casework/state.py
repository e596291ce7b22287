"""The case state machine: the one place that decides which status changes are allowed.

Pure Python: no database, no permissions. casework.services.case_transition applies it under a row
lock, checks who may act, records the CaseEvent and sends notifications after commit.
"""

from dataclasses import dataclass

from django.db import models


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ASSESSMENT = "assessment", "Being assessed"
    AWAITING_INFORMATION = "awaiting_information", "Waiting for information"
    INVESTIGATION = "investigation", "Being investigated"
    PROVISIONAL_DECISION = "provisional_decision", "Provisional decision issued"
    FINAL_DECISION = "final_decision", "Final decision issued"
    CLOSED = "closed", "Closed"
    PREMATURE = "premature", "Closed: complain to the organisation first"
    OUT_OF_REMIT = "out_of_remit", "Closed: not something we can look at"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CaseAction(models.TextChoices):
    START_ASSESSMENT = "start_assessment", "Start assessment"
    REQUEST_INFORMATION = "request_information", "Ask for more information"
    RESUME_ASSESSMENT = "resume_assessment", "Return to assessment"
    START_INVESTIGATION = "start_investigation", "Start investigation"
    ISSUE_PROVISIONAL_DECISION = "issue_provisional_decision", "Issue provisional decision"
    ISSUE_FINAL_DECISION = "issue_final_decision", "Issue final decision"
    CLOSE = "close", "Close case"
    MARK_PREMATURE = "mark_premature", "Close as premature"
    MARK_OUT_OF_REMIT = "mark_out_of_remit", "Close as out of remit"
    WITHDRAW = "withdraw", "Withdraw"
    REOPEN = "reopen", "Reopen"


S = CaseStatus
OPEN_STATUSES = frozenset(
    {
        S.SUBMITTED,
        S.ASSESSMENT,
        S.AWAITING_INFORMATION,
        S.INVESTIGATION,
        S.PROVISIONAL_DECISION,
        S.FINAL_DECISION,
    }
)
ENDED_STATUSES = frozenset({S.CLOSED, S.PREMATURE, S.OUT_OF_REMIT, S.WITHDRAWN})
_BEFORE_INVESTIGATION = frozenset({S.SUBMITTED, S.ASSESSMENT, S.AWAITING_INFORMATION})


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    target: CaseStatus


RULES: dict[CaseAction, Rule] = {
    CaseAction.START_ASSESSMENT: Rule(frozenset({S.SUBMITTED}), S.ASSESSMENT),
    CaseAction.REQUEST_INFORMATION: Rule(
        frozenset({S.ASSESSMENT, S.INVESTIGATION}), S.AWAITING_INFORMATION
    ),
    CaseAction.RESUME_ASSESSMENT: Rule(frozenset({S.AWAITING_INFORMATION}), S.ASSESSMENT),
    CaseAction.START_INVESTIGATION: Rule(
        frozenset({S.ASSESSMENT, S.AWAITING_INFORMATION}), S.INVESTIGATION
    ),
    CaseAction.ISSUE_PROVISIONAL_DECISION: Rule(
        frozenset({S.INVESTIGATION}), S.PROVISIONAL_DECISION
    ),
    # A final decision may follow the provisional one, or come straight from investigation when
    # nothing needs comment (e.g. a case resolved by agreement).
    CaseAction.ISSUE_FINAL_DECISION: Rule(
        frozenset({S.INVESTIGATION, S.PROVISIONAL_DECISION}), S.FINAL_DECISION
    ),
    CaseAction.CLOSE: Rule(frozenset({S.FINAL_DECISION}), S.CLOSED),
    # Early exits are decided at assessment, before any investigation starts.
    CaseAction.MARK_PREMATURE: Rule(_BEFORE_INVESTIGATION, S.PREMATURE),
    CaseAction.MARK_OUT_OF_REMIT: Rule(_BEFORE_INVESTIGATION, S.OUT_OF_REMIT),
    # A complainant may withdraw at any point until the final decision is issued.
    CaseAction.WITHDRAW: Rule(OPEN_STATUSES - {S.FINAL_DECISION}, S.WITHDRAWN),
    CaseAction.REOPEN: Rule(ENDED_STATUSES, S.ASSESSMENT),
}


class IllegalTransition(Exception):
    """The action is not allowed from the case's current status; the message says why in plain
    English."""

    def __init__(self, status: CaseStatus, action: CaseAction):
        self.status = CaseStatus(status)
        self.action = CaseAction(action)
        allowed_from = ", ".join(
            CaseStatus(s).label.lower() for s in sorted(RULES[self.action].sources)
        )
        super().__init__(
            f"You cannot {self.action.label.lower()} while the case is "
            f"{self.status.label.lower()}. This is only possible when the case is: {allowed_from}."
        )


class CaseStateMachine:
    def __init__(self, status: str):
        self.status = CaseStatus(status)

    def can(self, action: str) -> bool:
        return self.status in RULES[CaseAction(action)].sources

    def allowed_actions(self) -> list[CaseAction]:
        return [action for action, rule in RULES.items() if self.status in rule.sources]

    def apply(self, action: str) -> CaseStatus:
        """Return the status after `action`, or raise IllegalTransition."""
        action = CaseAction(action)
        if not self.can(action):
            raise IllegalTransition(self.status, action)
        self.status = RULES[action].target
        return self.status
