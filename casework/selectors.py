"""Reads for the staff back office: queues, what a stage still needs, duplicates, audit trails,
workload and everything held about one person. Writes are in casework.services."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, F, GenericIPAddressField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import ContactPreferences, Organisation
from accounts.roles import STAFF_ROLES, Role
from casework.models import (
    INTERNAL_EVENT_KINDS,
    OPEN_STATUS_VALUES,
    AuditEntry,
    Case,
    CaseDemographics,
    CaseEvent,
    CaseEventKind,
    CaseLink,
    CaseLinkKind,
    CaseNote,
    ClinicalCode,
    CodingRun,
    Document,
    DocumentStatus,
    Message,
    MessageParty,
    PersonMerge,
    Team,
)
from casework.selectors_decisions import decision_missing_for
from casework.state import CaseAction, CaseStatus
from complaints.models import EqualityMonitoring
from foi.models import InformationRequest
from phso.clock import add_working_days, working_days_between

# "Due this week": due today or within the next five working days, so that on a Friday the queue
# still shows next week's deadlines rather than almost nothing.
DUE_SOON_WORKING_DAYS = 5


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    description: str
    empty: str
    cases: Callable[[QuerySet, object, date], QuerySet]
    default_sort: str


QUEUES = {
    queue.slug: queue
    for queue in [
        Queue(
            "unassigned",
            "Unassigned cases",
            "Open cases nobody has been given yet, oldest first.",
            "There are no unassigned cases.",
            lambda cases, user, today: cases.open().unassigned(),
            "received",
        ),
        Queue(
            "mine",
            "My cases",
            "Open cases assigned to you.",
            "You have no open cases.",
            lambda cases, user, today: cases.open().assigned_to(user),
            "target",
        ),
        Queue(
            "team",
            "My team's cases",
            "Open cases of the teams you are in.",
            "Your teams have no open cases, or you are not in a team.",
            lambda cases, user, today: cases.open().in_teams_of(user),
            "target",
        ),
        Queue(
            "awaiting-information",
            "Waiting for information",
            "Cases paused while we wait for information from the complainant or an organisation.",
            "No cases are waiting for information.",
            lambda cases, user, today: cases.awaiting_information(),
            "target",
        ),
        Queue(
            "overdue",
            "Overdue",
            "Open cases past the target date of their current stage.",
            "No cases are overdue.",
            lambda cases, user, today: cases.overdue(today),
            "target",
        ),
        Queue(
            "due-this-week",
            "Due this week",
            f"Open cases whose current stage is due today or in the next "
            f"{DUE_SOON_WORKING_DAYS} working days.",
            "No cases are due this week.",
            lambda cases, user, today: cases.due_between(
                today, add_working_days(today, DUE_SOON_WORKING_DAYS)
            ),
            "target",
        ),
    ]
}

# Sort keys offered in the queues: (label, ascending order). A leading "-" reverses a key. The id
# breaks ties so that a page never repeats or skips a case.
SORTS = {
    "received": ("Received", ("received_at", "id")),
    "target": ("Target date", ("target_date", "id")),
    "reference": ("Reference", ("reference",)),
}


def sort_order(sort: str) -> tuple[str, ...]:
    descending = sort.startswith("-")
    _, fields = SORTS[sort.removeprefix("-")]
    return tuple(f"-{f}" for f in fields) if descending else fields


def queue_cases(*, queue: Queue, user, today: date, sort: str) -> QuerySet:
    cases = queue.cases(Case.objects.visible_to(user), user, today)
    return cases.order_by(*sort_order(sort))


def queue_counts(*, user, today: date) -> dict[str, int]:
    """How many cases each queue holds for this user (one count query per queue)."""
    cases = Case.objects.visible_to(user)
    return {slug: queue.cases(cases, user, today).count() for slug, queue in QUEUES.items()}


def assignable_staff() -> QuerySet:
    """The people cases can be given to: active caseworkers and managers."""
    # The group ids are looked up first and written into the query: joined by group name,
    # PostgreSQL cannot tell that two staff groups hold a few hundred of several hundred thousand
    # accounts (mostly complainants) and scans every user (254 ms at 400k users against 4 ms).
    staff_groups = list(
        Group.objects.filter(name__in=[Role.CASEWORKER, Role.MANAGER]).values_list("pk", flat=True)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__in=staff_groups)
        .distinct()
        .order_by("full_name", "email")
        .only("pk", "full_name", "email")
    )


# What each action needs before it may be taken by a person (a task acts for a named reason).
REASON_NEEDED = {
    CaseAction.REQUEST_INFORMATION: "Enter what information you are asking for, and from whom",
    CaseAction.MARK_PREMATURE: "Enter why the complaint is premature",
    CaseAction.MARK_OUT_OF_REMIT: "Enter why the complaint is not something we can look at",
    CaseAction.WITHDRAW: "Enter why the complaint is being withdrawn",
    CaseAction.REOPEN: "Enter why the case is being reopened",
}


def case_missing_for(*, case: Case, action, reason: str = "", by_person: bool = True) -> list[str]:
    """What the case still needs before `action`, in words that say what to do; [] when nothing."""
    action = CaseAction(action)
    missing = []
    if by_person and action in REASON_NEEDED and not reason.strip():
        missing.append(REASON_NEEDED[action])
    if action == CaseAction.START_INVESTIGATION:
        if case.assignee_id is None:
            missing.append("Assign the case to a caseworker")
        if case_equality_information(case) is None:
            missing.append(
                "Record the complainant's equality information, or that they declined to give it"
            )
        organisations = list(case.case_organisations.select_related("organisation"))
        if not organisations:
            missing.append("Add the organisation the complaint is about")
        for case_organisation in organisations:
            if case_organisation.confirmed_at is None:
                missing.append(f"Confirm the organisation {case_organisation.organisation.name}")
    missing.extend(decision_missing_for(case=case, action=action))
    return missing


@dataclass(frozen=True)
class EqualityInformation:
    """Whether equality information is held for a case, and how; never the answers themselves."""

    declined: bool
    with_complaint_form: bool
    recorded_by: object = None
    recorded_at: object = None


def case_equality_information(case: Case) -> EqualityInformation | None:
    """A caseworker's record (answers or declined) or, failing that, the answers given with the
    complaint form (held apart by the complaints app, and never shown here); None when neither."""
    recorded = CaseDemographics.objects.filter(case=case).select_related("recorded_by").first()
    if recorded is not None:
        return EqualityInformation(
            declined=recorded.declined,
            with_complaint_form=False,
            recorded_by=recorded.recorded_by,
            recorded_at=recorded.recorded_at,
        )
    if EqualityMonitoring.objects.filter(case=case).exists():
        return EqualityInformation(declined=False, with_complaint_form=True)
    return None


# Same complainant and an organisation in common, received within this long of each other.
DUPLICATE_WINDOW = timedelta(days=365)


def case_likely_duplicates(case: Case) -> QuerySet:
    """Other cases that may be the same complaint again, not already linked to this one."""
    if case.complainant_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(
            complainant_id=case.complainant_id,
            received_at__gte=case.received_at - DUPLICATE_WINDOW,
            received_at__lte=case.received_at + DUPLICATE_WINDOW,
            case_organisations__organisation_id__in=case.case_organisations.values(
                "organisation_id"
            ),
        )
        .exclude(pk=case.pk)
        .exclude(pk__in=CaseLink.objects.filter(case=case).values("other_id"))
        .distinct()
        .order_by("-received_at")
    )


# Audit trails: reads (AuditEntry) and changes (CaseEvent) as one list, newest first.

READ, CHANGE = "read", "change"


def _reads(entries: QuerySet) -> QuerySet:
    return entries.annotate(
        row_at=F("at"),
        row_kind=Value(READ),
        row_user=F("user_id"),
        row_action=F("action"),
        row_status=Value(""),
        row_case=F("case__reference"),
        row_ip=F("ip"),
        row_id=F("id"),
    ).values(
        "row_at", "row_kind", "row_user", "row_action", "row_status", "row_case", "row_ip", "row_id"
    )


def _changes(events: QuerySet) -> QuerySet:
    return events.annotate(
        row_at=F("created_at"),
        row_kind=Value(CHANGE),
        row_user=Cast("actor_id", IntegerField()),
        row_action=F("kind"),
        row_status=F("to_status"),
        row_case=F("case__reference"),
        row_ip=Value(None, output_field=GenericIPAddressField()),
        row_id=F("id"),
    ).values(
        "row_at", "row_kind", "row_user", "row_action", "row_status", "row_case", "row_ip", "row_id"
    )


def case_audit_trail(case: Case) -> QuerySet:
    """Every staff read of the case and every change to it."""
    return (
        _reads(AuditEntry.objects.filter(case=case))
        .union(_changes(CaseEvent.objects.filter(case=case)), all=True)
        .order_by("-row_at", "-row_id")
    )


def user_activity(user) -> QuerySet:
    """Everything a person read in the back office and every change they made to a case."""
    return (
        _reads(AuditEntry.objects.filter(user=user))
        .union(_changes(CaseEvent.objects.filter(actor=user)), all=True)
        .order_by("-row_at", "-row_id")
    )


# What the dotted audit actions mean, for people reading the log; unknown ones show as written.
READ_DESCRIPTIONS = {
    "case.view": "Opened the case",
    "case.audit_log.view": "Read the case's audit log",
    "document.download": "Downloaded a document",
    "document.preview": "Opened a document in the browser",
    "person.view": "Looked at a person's records",
    "user.activity.view": "Read someone's activity",
}


def audit_rows_with_people(rows) -> list[dict]:
    """A page of audit rows with each row's person attached (one query for the whole page) and
    a description in words."""
    rows = list(rows)
    ids = {row["row_user"] for row in rows if row["row_user"] is not None}
    people = get_user_model().objects.in_bulk(ids)
    for row in rows:
        row["person"] = people.get(row["row_user"])
        action = row["row_action"]
        if row["row_kind"] == READ:
            row["description"] = READ_DESCRIPTIONS.get(action, action)
        else:
            kind = CaseEventKind(action).label if action in CaseEventKind.values else action
            status = row["row_status"]
            if status in CaseStatus.values:
                kind = f"{kind}: {CaseStatus(status).label.lower()}"
            row["description"] = kind
    return rows


def team_workload(*, team, today: date) -> QuerySet:
    """The team's members with their open and overdue cases (across all teams: one workload)."""
    open_cases = Q(assigned_cases__status__in=OPEN_STATUS_VALUES)
    return team.members.annotate(
        open_cases=Count("assigned_cases", filter=open_cases),
        overdue_cases=Count(
            "assigned_cases", filter=open_cases & Q(assigned_cases__target_date__lt=today)
        ),
    ).order_by("full_name", "email")


# One view of a person. It takes a list of accounts because one person may come to have several
# (signed up twice, say); merging them is a later piece of work, and the page already reads as
# "everything held about these accounts".

PERSON_LIST_LIMIT = 100


@dataclass
class PersonRecords:
    accounts: list
    cases: list
    messages: list
    message_count: int
    documents: list
    document_count: int


def person_records(*, accounts) -> PersonRecords:
    accounts = list(accounts)
    cases = (
        Case.objects.filter(Q(complainant__in=accounts) | Q(representative__in=accounts))
        .for_queue_list()
        .order_by("-received_at", "-id")
    )
    # Their threads with us both ways, and anything they wrote elsewhere.
    messages = Message.objects.filter(
        Q(author__in=accounts)
        | Q(case__complainant__in=accounts, party=MessageParty.COMPLAINANT)
        | Q(case__representative__in=accounts, party=MessageParty.REPRESENTATIVE)
    ).select_related("case", "author")
    documents = (
        Document.objects.filter(uploaded_by__in=accounts).not_deleted().select_related("case")
    )
    message_list = list(messages.order_by("-created_at", "-id")[:PERSON_LIST_LIMIT])
    document_list = list(documents.order_by("-created_at", "-id")[:PERSON_LIST_LIMIT])
    return PersonRecords(
        accounts=accounts,
        cases=list(cases),
        messages=message_list,
        message_count=len(message_list)
        if len(message_list) < PERSON_LIST_LIMIT
        else messages.count(),
        documents=document_list,
        document_count=len(document_list)
        if len(document_list) < PERSON_LIST_LIMIT
        else documents.count(),
    )


@dataclass(frozen=True)
class CaseClock:
    days_open: int
    target_date: date | None
    # Working days from today to the target: negative once it has passed.
    working_days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0

    @property
    def working_days_overdue(self) -> int:
        return -self.working_days_left if self.overdue else 0


def case_clock(case: Case, today: date) -> CaseClock:
    received_on = timezone.localdate(case.received_at)
    left = None
    if case.target_date is not None and case.status in OPEN_STATUS_VALUES:
        left = working_days_between(today, case.target_date)
    return CaseClock(
        days_open=(today - received_on).days,
        target_date=case.target_date if case.status in OPEN_STATUS_VALUES else None,
        working_days_left=left,
    )


@dataclass
class TimelineItem:
    title: str
    at: object
    actor: object
    system_reason: str
    lines: list = field(default_factory=list)
    note: str = ""
    reason: str = ""
    internal: bool = False


def case_timeline(case: Case) -> list[TimelineItem]:
    """The case's events, newest first, described for staff (people, notes and organisations
    looked up in one query each, whatever the number of events)."""
    events = list(case.events.select_related("actor").order_by("-created_at", "-id"))
    payload_ids = defaultdict(set)
    for event in events:
        for key, kind in (
            ("to_assignee_id", "user"),
            ("note_id", "note"),
            ("organisation_id", "organisation"),
            ("team_id", "team"),
        ):
            if event.payload.get(key) is not None:
                payload_ids[kind].add(event.payload[key])
    users = get_user_model().objects.in_bulk(payload_ids["user"])
    notes = CaseNote.objects.in_bulk(payload_ids["note"])
    organisations = Organisation.objects.in_bulk(payload_ids["organisation"])
    teams = Team.objects.in_bulk(payload_ids["team"])
    return [
        _timeline_item(event, users=users, notes=notes, organisations=organisations, teams=teams)
        for event in events
    ]


def _timeline_item(event, *, users, notes, organisations, teams) -> TimelineItem:
    kind = CaseEventKind(event.kind) if event.kind in CaseEventKind.values else None
    item = TimelineItem(
        title=kind.label if kind else event.kind,
        at=event.created_at,
        actor=event.actor,
        system_reason=event.system_reason,
        reason=event.reason,
        internal=kind in INTERNAL_EVENT_KINDS,
    )
    payload = event.payload
    if kind == CaseEventKind.STATUS_CHANGED:
        item.title = f"Status changed to {CaseStatus(event.to_status).label.lower()}"
        if event.from_status:
            item.lines.append(f"Was {CaseStatus(event.from_status).label.lower()}")
    elif kind == CaseEventKind.ASSIGNED:
        assignee = users.get(payload.get("to_assignee_id"))
        item.title = f"Assigned to {assignee}" if assignee else "Case assigned"
        team = teams.get(payload.get("team_id"))
        if team:
            item.lines.append(f"Team: {team}")
    elif kind == CaseEventKind.ORGANISATION_CONFIRMED:
        organisation = organisations.get(payload.get("organisation_id"))
        if organisation:
            item.title = f"Organisation confirmed: {organisation.name}"
    elif kind == CaseEventKind.DEMOGRAPHICS_RECORDED and payload.get("declined"):
        item.title = "Complainant declined to give equality information"
    elif kind == CaseEventKind.NOTE_ADDED:
        note = notes.get(payload.get("note_id"))
        item.note = note.body if note else ""
    elif kind == CaseEventKind.CASE_LINKED:
        item.title = f"Linked to case {payload.get('other_reference', '')}".strip()
        if payload.get("link"):
            item.lines.append(CaseLinkKind(payload["link"]).label)
    elif kind == CaseEventKind.MESSAGE_SENT:
        sent_by_us = payload.get("from_ombudsman")
        party = payload.get("party", "")
        party_label = MessageParty(party).label.lower() if party in MessageParty.values else party
        item.title = (
            f"Message sent to the {party_label}"
            if sent_by_us
            else (f"Message received from the {party_label}")
        )
    return item


PERSON_MERGE_CANDIDATE_LIMIT = 20


def person_merge_candidates(*, person, email: str):
    """Other people's accounts whose email address contains `email`, to merge into `person`.
    Staff accounts and accounts already merged away are left out: neither can be merged."""
    return (
        get_user_model()
        .objects.filter(email__icontains=email.strip(), is_staff=False, is_superuser=False)
        .exclude(pk=person.pk)
        .exclude(groups__name__in=sorted(STAFF_ROLES))
        .exclude(pk__in=PersonMerge.objects.in_force().values("merged"))
        .order_by("email")[:PERSON_MERGE_CANDIDATE_LIMIT]
    )


@dataclass(frozen=True)
class PersonHoldings:
    """How much each account holds, for a merge's confirmation page."""

    cases: int
    represented_cases: int
    messages: int
    documents: int
    information_requests: int
    has_contact_preferences: bool


def person_holdings(*, person) -> PersonHoldings:
    return PersonHoldings(
        cases=Case.objects.filter(complainant=person).count(),
        represented_cases=Case.objects.filter(representative=person).count(),
        messages=Message.objects.filter(author=person).count(),
        documents=Document.objects.filter(uploaded_by=person).count(),
        information_requests=InformationRequest.objects.filter(user=person).count(),
        has_contact_preferences=ContactPreferences.objects.filter(user=person).exists(),
    )


def person_merges(*, person):
    """Every merge this account took part in, either side, newest first."""
    merges = PersonMerge.objects.involving(person)
    return merges.select_related("kept", "merged", "by", "reversed_by")


# Clinical coding (casework/services_coding.py writes it).


def case_narrative_text(case: Case) -> str:
    """The complaint narrative coding reads: the case summary (what happened, in the complainant's
    words) and, when they used the complaint form, the impact they described. Not the outcome they
    want: "assurance that sepsis is spotted in future" is not a finding about the patient."""
    # None when the case did not come through the complaint form (the missing related object is
    # an AttributeError too).
    details = getattr(case, "complaint_details", None)
    parts = [case.summary.strip(), details.impact.strip() if details is not None else ""]
    return "\n\n".join(part for part in parts if part)


def case_coding(*, case: Case):
    """(runs with their documents, codes, usable documents not coded yet) for the codes page:
    three queries whatever the number of codes."""
    runs = list(
        CodingRun.objects.filter(case=case)
        .filter(Q(document__isnull=True) | Q(document__deleted_at__isnull=True))
        .select_related("document")
        .order_by(F("document_id").asc(nulls_first=True), "pk")
    )
    codes = list(
        ClinicalCode.objects.filter(run__in=[run.pk for run in runs])
        .select_related("reviewed_by")
        .order_by("run_id", "start", "axis", "pk")
    )
    uncoded = list(
        Document.objects.filter(case=case, status=DocumentStatus.CLEAN, deleted_at__isnull=True)
        .exclude(pk__in=[run.document_id for run in runs if run.document_id])
        .only("pk", "original_filename", "text_status", "created_at")
    )
    return runs, codes, uncoded
