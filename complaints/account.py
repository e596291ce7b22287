"""What a complainant sees of their own case: plain-language status, timeline and next step.

Read-only. Staff wording (status labels, event kinds, reasons typed in the back office) is never
shown as it is: each status and each event the complainant may see has its own public wording
here, and anything not listed here (PDS lookups, staff documents, other parties' messages, audit,
and any event kind added later) stays off their page until someone decides how to show it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.models import Organisation
from casework.models import Case, CaseEvent, CaseEventKind, Document, MessageParty, UploaderRole
from casework.state import ENDED_STATUSES, CaseAction, CaseStatus
from phso.clock import add_working_days

# Recorded as the reason when a complainant withdraws without giving one: giving a reason is up
# to them, and staff reading the timeline see that none was given rather than an empty field.
NO_REASON_GIVEN = "The complainant did not give a reason"


@dataclass(frozen=True)
class PublicStatus:
    tag: str
    colour: str  # a GOV.UK tag colour; "" for the default blue
    explanation: str


S = CaseStatus

PUBLIC_STATUS: dict[CaseStatus, PublicStatus] = {
    S.SUBMITTED: PublicStatus(
        "Received", "", "We have received your complaint and will start checking it soon."
    ),
    S.ASSESSMENT: PublicStatus(
        "Being checked", "turquoise", "We are checking whether we can look into your complaint."
    ),
    S.AWAITING_INFORMATION: PublicStatus(
        "Waiting for information",
        "yellow",
        "We are waiting for information we asked for before we can go on. If we asked you for "
        "something, you will find what we need in your messages.",
    ),
    S.INVESTIGATION: PublicStatus(
        "Being investigated",
        "purple",
        "We are looking into your complaint in detail. We may ask you or the organisation for "
        "more evidence.",
    ),
    S.PROVISIONAL_DECISION: PublicStatus(
        "Provisional decision sent",
        "orange",
        "We have sent you our provisional decision. You can tell us what you think of it before we "
        "make our final decision.",
    ),
    S.FINAL_DECISION: PublicStatus(
        "Final decision made",
        "green",
        "We have made our final decision and sent it to you. It explains what we found and what "
        "the organisation should do.",
    ),
    S.CLOSED: PublicStatus("Closed", "grey", "We have finished our work on your complaint."),
    S.PREMATURE: PublicStatus(
        "Closed: too early for us",
        "grey",
        "We cannot look into your complaint yet, because the organisation has not had the chance "
        "to answer it. Complain to them first. If you are unhappy with their final answer, you "
        "can come back to us.",
    ),
    S.OUT_OF_REMIT: PublicStatus(
        "Closed: not something we can look at",
        "grey",
        "Your complaint is about something the law does not let us look into. We have written to "
        "you to explain why and who may be able to help.",
    ),
    S.WITHDRAWN: PublicStatus(
        "Withdrawn",
        "grey",
        "Your complaint was withdrawn, so we have stopped work on it. Contact us if you want to "
        "complain again.",
    ),
}


@dataclass(frozen=True)
class ServiceStandard:
    """What happens next in a status, and within how many working days of the case entering it."""

    working_days: int
    next_step: str
    standard: str
    # Whose step it is: ours, or the complainant's (a date we ask them to meet, never "late").
    due_label: str = "We aim to do this by"
    ours: bool = True


# Our published service standards, counted in UK working days from the day the case entered the
# status (the day itself is day 0, as for statutory clocks).
SERVICE_STANDARDS: dict[CaseStatus, ServiceStandard] = {
    S.SUBMITTED: ServiceStandard(
        20,
        "We will check your complaint and tell you whether we can look into it.",
        "We decide whether we can look into a complaint within 20 working days of receiving it.",
    ),
    S.ASSESSMENT: ServiceStandard(
        20,
        "We will tell you whether we can look into your complaint.",
        "We decide whether we can look into a complaint within 20 working days of receiving it.",
    ),
    S.AWAITING_INFORMATION: ServiceStandard(
        20,
        "We will carry on as soon as we have the information we need. Check your messages to "
        "see whether we asked you for something.",
        "We ask for information to reach us within 20 working days of our request.",
        "If we asked you for something, please send it by",
        ours=False,
    ),
    S.INVESTIGATION: ServiceStandard(
        65,
        "We will tell you what we have found, usually in a provisional decision you can comment "
        "on.",
        "We aim to finish an investigation within 65 working days (13 weeks) of starting it.",
    ),
    S.PROVISIONAL_DECISION: ServiceStandard(
        20,
        "Tell us what you think of our provisional decision, by message or by sending evidence. "
        "Then we will make our final decision.",
        "We ask for comments on a provisional decision within 20 working days of sending it.",
        "Please send us your comments by",
        ours=False,
    ),
    S.FINAL_DECISION: ServiceStandard(
        10,
        "We will close your complaint. You do not need to do anything.",
        "We close a complaint within 10 working days of our final decision.",
    ),
}


@dataclass(frozen=True)
class NextStep:
    text: str
    standard: str
    due_label: str
    due: date
    overdue: bool


def next_step(case: Case, *, today: date | None = None) -> NextStep | None:
    """The next step for an open case and the date our service standard sets for it.

    The date is the case's own target date, the one its caseworker works to (set by the back
    office as the case changes stage, casework.services.case_target_date), so that the complainant
    and the caseworker never see two different dates; counted from the status change only for a
    case that has none.
    """
    standard = SERVICE_STANDARDS.get(CaseStatus(case.status))
    if standard is None:
        return None
    today = today or timezone.localdate()
    due = case.target_date or add_working_days(
        timezone.localdate(case.status_changed_at), standard.working_days
    )
    return NextStep(
        standard.next_step,
        standard.standard,
        standard.due_label,
        due,
        overdue=standard.ours and due < today,
    )


def public_status(case: Case) -> PublicStatus:
    return PUBLIC_STATUS[CaseStatus(case.status)]


def is_ended(case: Case) -> bool:
    return case.status in ENDED_STATUSES


# The timeline a complainant sees: these events and no others.
_STATUS_CHANGE_TEXT: dict[CaseAction, str] = {
    CaseAction.START_ASSESSMENT: "We started checking your complaint",
    CaseAction.REQUEST_INFORMATION: "We asked for more information",
    CaseAction.RESUME_ASSESSMENT: "We went back to checking your complaint",
    CaseAction.START_INVESTIGATION: "We started investigating your complaint",
    CaseAction.ISSUE_PROVISIONAL_DECISION: "We sent you our provisional decision",
    CaseAction.ISSUE_FINAL_DECISION: "We sent you our final decision",
    CaseAction.CLOSE: "We closed your complaint",
    CaseAction.MARK_PREMATURE: "We decided it is too early for us to look into your complaint",
    CaseAction.MARK_OUT_OF_REMIT: "We decided your complaint is not something we can look at",
    CaseAction.WITHDRAW: "Your complaint was withdrawn",
    CaseAction.REOPEN: "We reopened your complaint",
}


def public_events(case: Case, user):
    """The case's events this complainant may see, newest first.

    Messages only in their own thread (not the organisation's or the MP's), evidence only their
    own uploads (staff documents may be internal), letters once sent to them; staff reasons are
    never shown.
    """
    return (
        CaseEvent.objects.filter(case=case)
        .filter(
            Q(kind__in=[CaseEventKind.RECEIVED, CaseEventKind.STATUS_CHANGED])
            | Q(kind=CaseEventKind.MESSAGE_SENT, payload__party=MessageParty.COMPLAINANT)
            | Q(kind=CaseEventKind.EVIDENCE_UPLOADED, actor=user)
            | Q(kind=CaseEventKind.LETTER_SENT)
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    detail: str = ""
    link: str = ""  # "messages", "evidence" or "letter": the page this entry is about


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def timeline_entry(event: CaseEvent, *, complainant_id: int) -> TimelineEntry:
    payload = event.payload or {}
    if event.kind == CaseEventKind.RECEIVED:
        return TimelineEntry(event.created_at, "We received your complaint")
    if event.kind == CaseEventKind.MESSAGE_SENT:
        if payload.get("from_ombudsman"):
            return TimelineEntry(event.created_at, "We sent you a message", link="messages")
        return TimelineEntry(event.created_at, "You sent us a message", link="messages")
    if event.kind == CaseEventKind.LETTER_SENT:
        return TimelineEntry(event.created_at, "We sent you a letter", link="letter")
    if event.kind == CaseEventKind.EVIDENCE_UPLOADED:
        accepted, rejected = payload.get("accepted", 0), payload.get("rejected", 0)
        if accepted and rejected:
            detail = f"We could not accept {_files(rejected)}."
        elif rejected:
            return TimelineEntry(
                event.created_at,
                f"You tried to send us {_files(rejected)}",
                "We could not accept them.",
                link="evidence",
            )
        else:
            detail = ""
        title = f"You sent us {_files(accepted)}"
        return TimelineEntry(event.created_at, title, detail, "evidence")
    # A status change.
    if event.to_status == S.WITHDRAWN and event.actor_id == complainant_id:
        given = event.reason and event.reason != NO_REASON_GIVEN
        detail = f"Your reason: {event.reason}" if given else ""
        return TimelineEntry(event.created_at, "You withdrew your complaint", detail)
    try:
        title = _STATUS_CHANGE_TEXT[CaseAction(payload.get("action"))]
    except ValueError:
        title = f"Your complaint is now: {PUBLIC_STATUS[CaseStatus(event.to_status)].tag.lower()}"
    return TimelineEntry(event.created_at, title)


def timeline(case: Case, user) -> list[TimelineEntry]:
    return [
        timeline_entry(event, complainant_id=case.complainant_id)
        for event in public_events(case, user)
    ]


def complainant_cases(user):
    """The user's own cases for their list: organisations prefetched, unread messages counted."""
    return (
        Case.objects.for_complainant(user)
        .annotate(
            unread_messages=Count(
                "messages",
                filter=Q(
                    messages__party=MessageParty.COMPLAINANT,
                    messages__from_ombudsman=True,
                    messages__read_at__isnull=True,
                ),
            )
        )
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.order_by("name")))
        .order_by("-received_at", "-id")
    )


def unread_messages(case: Case) -> int:
    return case.messages.filter(party=MessageParty.COMPLAINANT).unread_by_party().count()


def documents_from_us(case: Case, user):
    """What staff shared with the complainant on this case (letters and files), newest first."""
    return (
        Document.objects.for_complainant(user)
        .filter(case=case, uploader_role=UploaderRole.STAFF)
        .not_deleted()
        .order_by("-created_at", "-pk")
    )
