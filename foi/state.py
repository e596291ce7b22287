"""The information request state machine: pure Python, no database and no permissions.

A service applies a transition under select_for_update, writes the RequestEvent and adjusts the
statutory clock; this module only says which moves are allowed and refuses the rest plainly.
"""

from __future__ import annotations

from dataclasses import dataclass


class Status:
    AWAITING_IDENTITY = "awaiting_identity"
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    SIGNED_OFF = "signed_off"
    SENT = "sent"
    CLOSED = "closed"

    CHOICES = [
        (AWAITING_IDENTITY, "Identity to be checked"),
        (RECEIVED, "Received"),
        (IN_PROGRESS, "In progress"),
        (AWAITING_CLARIFICATION, "Waiting for clarification"),
        (AWAITING_SIGN_OFF, "Waiting for sign-off"),
        (SIGNED_OFF, "Signed off"),
        (SENT, "Response sent"),
        (CLOSED, "Closed"),
    ]
    OPEN = frozenset(
        {
            AWAITING_IDENTITY,
            RECEIVED,
            IN_PROGRESS,
            AWAITING_CLARIFICATION,
            AWAITING_SIGN_OFF,
            SIGNED_OFF,
        }
    )


class IllegalTransition(Exception):
    """A move the request's status does not allow; the message is fit to show to staff."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (recorded, but not a change)
    label: str


_WORKING = frozenset({Status.RECEIVED, Status.IN_PROGRESS})
TRANSITIONS = {
    t.name: t
    for t in (
        # UK GDPR Art. 12(6): identity is confirmed before a SAR is answered, and the month runs
        # from the day it is.
        Transition(
            "verify_identity",
            frozenset({Status.AWAITING_IDENTITY}),
            Status.RECEIVED,
            "Identity confirmed",
        ),
        Transition("start", _WORKING, Status.IN_PROGRESS, "Work started"),
        # FOIA s.1(3) / EIR reg. 9(2): the authority may ask for what it needs to find it.
        Transition(
            "ask_clarification", _WORKING, Status.AWAITING_CLARIFICATION, "Clarification asked for"
        ),
        Transition(
            "receive_clarification",
            frozenset({Status.AWAITING_CLARIFICATION}),
            Status.IN_PROGRESS,
            "Clarification received",
        ),
        Transition(
            "submit_draft",
            frozenset({Status.IN_PROGRESS, Status.AWAITING_SIGN_OFF}),
            Status.AWAITING_SIGN_OFF,
            "Draft response submitted for sign-off",
        ),
        Transition(
            "return_draft",
            frozenset({Status.AWAITING_SIGN_OFF}),
            Status.IN_PROGRESS,
            "Draft returned to the drafter",
        ),
        Transition(
            "sign_off",
            frozenset({Status.AWAITING_SIGN_OFF}),
            Status.SIGNED_OFF,
            "Response signed off",
        ),
        Transition("send", frozenset({Status.SIGNED_OFF}), Status.SENT, "Response sent"),
        Transition("close", frozenset({Status.SENT}), Status.CLOSED, "Closed"),
        Transition("withdraw", Status.OPEN, Status.CLOSED, "Withdrawn"),
    )
}


def can(status: str, transition: str) -> bool:
    return status in TRANSITIONS[transition].sources


def apply(status: str, transition: str) -> str:
    """The status after `transition`, or IllegalTransition when `status` does not allow it."""
    if transition not in TRANSITIONS:
        raise IllegalTransition(f"Unknown action {transition!r}")
    move = TRANSITIONS[transition]
    if status not in move.sources:
        label = dict(Status.CHOICES).get(status, status)
        raise IllegalTransition(
            f"{move.label}: not possible while the request is “{label.lower()}”"
        )
    return move.target


def check_sign_off(*, drafted_by_id: int | None, signer_id: int) -> None:
    """Four eyes: the officer who signs a response off is never the one who drafted it."""
    if drafted_by_id is None:
        raise IllegalTransition("There is no draft to sign off")
    if drafted_by_id == signer_id:
        raise IllegalTransition("A second officer must sign off the response, not its drafter")


def available(status: str) -> list[str]:
    return [name for name, move in TRANSITIONS.items() if status in move.sources]
