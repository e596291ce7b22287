"""Writes to cases. Status changes happen only in case_transition, through the state machine."""

import hashlib
import logging
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import ContactPreferences
from accounts.otp import client_ip
from accounts.roles import STAFF_ROLES
from casework import tasks
from casework.documents import document_bytes_delete, document_bytes_store
from casework.evidence.screening import (
    MESSAGE_UNCHECKED,
    ScreeningResult,
    format_size,
    screen_upload,
)
from casework.integrations.pds import normalise_nhs_number
from casework.models import (
    REFERENCE_PREFIX,
    AuditEntry,
    Case,
    CaseDemographics,
    CaseEvent,
    CaseEventKind,
    CaseKind,
    CaseLink,
    CaseLinkKind,
    CaseNote,
    CaseOrganisation,
    CaseReferenceSequence,
    Document,
    DocumentStatus,
    Message,
    MessageParty,
    PdsMatch,
    PdsMatchStatus,
    PersonMerge,
    Sensitivity,
    UploaderRole,
    document_storage_key,
)
from casework.selectors import case_missing_for
from casework.services_coding import document_coding_delete
from casework.state import CaseAction, CaseStateMachine, CaseStatus
from foi.models import InformationRequest
from phso.clock import add_working_days
from phso.services import notification_send

logger = logging.getLogger(__name__)

# The permission each action needs (accounts/rules.py). Reopening undoes a decision, so it is for
# managers; a complainant may withdraw their own complaint; everything else is casework.
_ACTION_PERMISSIONS = {
    **{action: "casework.work_case" for action in CaseAction},
    CaseAction.REOPEN: "casework.reopen_case",
    CaseAction.WITHDRAW: "casework.withdraw_case",
}

# Stage targets in UK working days. Assessment runs from the day the complaint was received; every
# later stage from the day it started. Resuming an assessment after information arrives gives a
# shorter target, because the assessment was already under way.
_TARGET_FROM_RECEIPT = {CaseStatus.SUBMITTED: 20, CaseStatus.ASSESSMENT: 20}
_TARGET_FROM_STAGE_START = {
    CaseStatus.AWAITING_INFORMATION: 20,
    CaseStatus.INVESTIGATION: 65,
    # The time the parties have to comment on a provisional decision.
    CaseStatus.PROVISIONAL_DECISION: 20,
    CaseStatus.FINAL_DECISION: 10,
}
_TARGET_AFTER_ACTION = {CaseAction.RESUME_ASSESSMENT: 10, CaseAction.REOPEN: 20}


@transaction.atomic
def case_reference_next(*, kind: CaseKind, year: int | None = None) -> str:
    """Issue the next reference, e.g. HC-2026-000123, under a row lock so that concurrent
    submissions never clash."""
    prefix = REFERENCE_PREFIX[CaseKind(kind)]
    year = year or timezone.localdate().year
    CaseReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
    CaseReferenceSequence.objects.filter(prefix=prefix, year=year).update(
        last_number=F("last_number") + 1
    )
    number = (
        CaseReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year).last_number
    )
    return f"{prefix}-{year}-{number:06d}"


@transaction.atomic
def case_create(
    *,
    kind: CaseKind,
    complainant=None,
    summary: str = "",
    patient_nhs_number: str = "",
    organisations=(),
    referring_mp=None,
    constituency=None,
    local_authority_code: str = "",
    system_reason: str = "case_create",
) -> Case:
    """Create a case in `submitted` with its first event, and queue its enrichment after commit."""
    now = timezone.now()
    case = Case.objects.create(
        reference=case_reference_next(kind=kind),
        kind=kind,
        complainant=complainant,
        summary=summary,
        referring_mp=referring_mp,
        constituency=constituency,
        local_authority_code=local_authority_code,
        patient_nhs_number=normalise_nhs_number(patient_nhs_number) if patient_nhs_number else "",
        received_at=now,
        status_changed_at=now,
        target_date=case_target_date(
            status=CaseStatus.SUBMITTED, received_at=now, stage_started_at=now
        ),
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.RECEIVED,
        actor=None,
        system_reason=system_reason,
        to_status=case.status,
        created_at=now,
    )
    for organisation in organisations:
        CaseOrganisation.objects.create(case=case, organisation=organisation)
    case_pds_enrichment_request(case=case)
    case_id = case.pk
    # robust: with the broker down the complaint is still received; coding can be asked again.
    transaction.on_commit(lambda: tasks.code_case_narrative.delay(case_id), robust=True)
    # Ready before anyone opens the new case; asked again (same model, same answer) at assessment.
    transaction.on_commit(lambda: tasks.suggest_triage.delay(case_id), robust=True)
    return case


def case_pds_enrichment_request(*, case: Case) -> None:
    """Queue a PDS lookup for a health case with an NHS number, once the case is committed.

    robust: if the broker is down the case is still received; the lookup can be asked for again.
    """
    if case.kind == CaseKind.HEALTH and case.patient_nhs_number:
        case_id = case.pk
        transaction.on_commit(lambda: tasks.enrich_case_from_pds.delay(case_id), robust=True)


class StaleDecision(Exception):
    """Someone else decided first; the message says who and what."""


@transaction.atomic
def pds_match_decide(*, match_id: int, actor, confirm: bool, reason: str = "") -> PdsMatch:
    """A caseworker confirms or rejects the PDS record found for a case; the case records who."""
    match = (
        PdsMatch.objects.select_for_update(of=("self",))
        .select_related("decided_by")
        .get(pk=match_id)
    )
    if match.status != PdsMatchStatus.PENDING:
        raise StaleDecision(
            f"This record was already {match.get_status_display().lower()} "
            f"({match.decided_by} on {timezone.localtime(match.decided_at):%d %B %Y at %H:%M})."
        )
    match.status = PdsMatchStatus.CONFIRMED if confirm else PdsMatchStatus.REJECTED
    match.decided_by = actor
    match.decided_at = timezone.now()
    match.decision_reason = reason
    match.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    CaseEvent.objects.create(
        case_id=match.case_id,
        kind=CaseEventKind.PDS_MATCH_CONFIRMED if confirm else CaseEventKind.PDS_MATCH_REJECTED,
        actor=actor,
        reason=reason,
        payload={"match_id": match.pk},
    )
    return match


def case_target_date(*, status, received_at, stage_started_at, action=None) -> date | None:
    """When the stage a case is entering should be finished; None once the case has ended."""
    status = CaseStatus(status)
    if action is not None and CaseAction(action) in _TARGET_AFTER_ACTION:
        start, days = stage_started_at, _TARGET_AFTER_ACTION[CaseAction(action)]
    elif status in _TARGET_FROM_RECEIPT:
        start, days = received_at, _TARGET_FROM_RECEIPT[status]
    elif status in _TARGET_FROM_STAGE_START:
        start, days = stage_started_at, _TARGET_FROM_STAGE_START[status]
    else:
        return None
    return add_working_days(timezone.localdate(start), days)


class StaleCase(Exception):
    """The case's status changed after the person acting loaded it; the message says how."""


class CaseIncomplete(Exception):
    """Something a stage needs is missing; `missing` names each thing, fit to show to staff."""

    def __init__(self, missing: list[str]):
        self.missing = list(missing)
        super().__init__("; ".join(self.missing))


@transaction.atomic
def case_transition(
    *,
    case_id: int,
    action: CaseAction,
    actor=None,
    system_reason: str = "",
    reason: str = "",
    payload=None,
    seen_status_changed_at=None,
) -> Case:
    """Apply one state-machine action under a row lock and record it.

    Raises PermissionDenied when the actor may not take the action, StaleCase when
    `seen_status_changed_at` is given and the status has changed since, IllegalTransition (with a
    plain-English reason) when the action is not allowed from the current status, and
    CaseIncomplete when the stage needs something the case does not have yet. The complainant is
    told after commit that there is an update, never what it is.
    """
    action = CaseAction(action)
    if actor is None and not system_reason:
        raise ValueError("A transition needs an actor or a system reason")
    case = Case.objects.select_for_update().get(pk=case_id)
    if actor is not None and not actor.has_perm(_ACTION_PERMISSIONS[action], case):
        raise PermissionDenied(f"You do not have permission to {action.label.lower()} a case.")
    if seen_status_changed_at is not None and case.status_changed_at != seen_status_changed_at:
        raise StaleCase(
            f"The case changed while you were looking at it: it is now "
            f"{case.get_status_display().lower()} (since "
            f"{timezone.localtime(case.status_changed_at):%-d %B %Y at %H:%M}). "
            "Check the case again before you change its status."
        )
    machine = CaseStateMachine(case.status)
    from_status = machine.status
    to_status = machine.apply(action)
    missing = case_missing_for(case=case, action=action, reason=reason, by_person=actor is not None)
    if missing:
        raise CaseIncomplete(missing)
    now = timezone.now()
    case.status = to_status
    case.status_changed_at = now
    case.target_date = case_target_date(
        status=to_status, received_at=case.received_at, stage_started_at=now, action=action
    )
    case.save(update_fields=["status", "status_changed_at", "target_date", "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.STATUS_CHANGED,
        actor=actor,
        system_reason=system_reason,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload={"action": action.value, **(payload or {})},
        created_at=now,
    )
    _status_change_notify(case=case, event=event)
    if to_status == CaseStatus.ASSESSMENT:
        _assessment_suggestions_request(case=case)
    return case


def _assessment_suggestions_request(*, case: Case) -> None:
    """Queue precedent checks and a triage suggestion for the assessor, after commit.

    robust: they are suggestions; a broker outage must never stop a case entering assessment.
    """
    case_id = case.pk
    transaction.on_commit(lambda: tasks.find_precedents.delay(case_id), robust=True)
    transaction.on_commit(lambda: tasks.suggest_triage.delay(case_id), robust=True)


def _status_change_notify(*, case: Case, event: CaseEvent) -> None:
    """Tell the complainant their case has an update. Every status is one they see on their own
    case page, so every change is worth telling; the email has the reference and a link only."""
    complainant = case.complainant
    if complainant is None or not complainant.email:
        return
    notification_send(
        channel="email",
        to=complainant.email,
        template="case_status_changed",
        personalisation={
            "name": complainant.full_name,
            "reference": case.reference,
            "link": f"{settings.SITE_URL}/complaints/cases/{case.reference}",
        },
        reference=f"case-status-{event.pk}",
    )


class UploadRefused(Exception):
    """The whole upload was refused and nothing was kept; the message is for the uploader."""


MESSAGE_NO_FILES = "Select a file to upload"
MESSAGE_TOO_MANY_FILES = "You can only select up to {limit} files at the same time"
MESSAGE_QUOTA = (
    "This file was not uploaded because you can send up to {quota} of files in total "
    "and you have {left} left. Contact your caseworker if you need to send more"
)


def document_upload(
    *,
    case: Case,
    uploaded_by,
    uploader_role: UploaderRole,
    files,
    sensitivity: Sensitivity = Sensitivity.NORMAL,
    internal: bool = False,
) -> list[Document]:
    """Screen and keep each uploaded file, and queue the accepted ones for a virus scan.

    Every file gets a Document in the order given, so the uploader sees each outcome: accepted
    files are stored and pending; refused ones (screening, quota) are rejected with the reason and
    their bytes are never stored. One bad file never costs the others. Raises UploadRefused, with
    nothing kept, when there are no files or more than EVIDENCE_MAX_FILES_PER_UPLOAD.

    Screening parses every file and is the slow part, so it runs before the transaction that
    takes the uploader's row lock.
    """
    files = list(files)
    limit = settings.EVIDENCE_MAX_FILES_PER_UPLOAD
    if not files:
        raise UploadRefused(MESSAGE_NO_FILES)
    if len(files) > limit:
        raise UploadRefused(MESSAGE_TOO_MANY_FILES.format(limit=limit))
    screened = [(upload, screen_upload(upload.name, upload)) for upload in files]
    stored_keys: list[str] = []
    try:
        return _documents_record(
            case=case,
            uploaded_by=uploaded_by,
            uploader_role=UploaderRole(uploader_role),
            screened=screened,
            sensitivity=Sensitivity(sensitivity),
            internal=internal,
            stored_keys=stored_keys,
        )
    except BaseException:
        # The rows were rolled back: bytes written for them would be unreachable orphans.
        for key in stored_keys:
            document_bytes_delete(key=key)
        raise


def _quota_left(*, uploaded_by, uploader_role) -> int | None:
    """Bytes this uploader may still store, or None for no limit (staff upload for many cases).

    Someone without an account has no running total to count against; each upload is still held
    to the per-file size limit by screening.
    """
    if uploader_role == UploaderRole.STAFF or uploaded_by is None:
        return None
    used = (
        Document.objects.filter(uploaded_by=uploaded_by, deleted_at__isnull=True)
        .holding_bytes()
        .aggregate(total=Sum("size"))["total"]
        or 0
    )
    return max(settings.EVIDENCE_USER_QUOTA_BYTES - used, 0)


@transaction.atomic
def _documents_record(
    *, case, uploaded_by, uploader_role, screened, sensitivity, internal, stored_keys
) -> list[Document]:
    # One upload at a time per person, so that two at once cannot both fit under the quota.
    if uploaded_by is not None:
        get_user_model().objects.select_for_update().filter(pk=uploaded_by.pk).first()
    left = _quota_left(uploaded_by=uploaded_by, uploader_role=uploader_role)
    documents = []
    for upload, result in screened:
        document = Document(
            case=case,
            uploaded_by=uploaded_by,
            uploader_role=uploader_role,
            original_filename=result.display_name,
            storage_key=document_storage_key(),
            size=result.size,
            content_type=result.content_type,
            sha256=result.sha256,
            sensitivity=sensitivity,
            internal=internal,
        )
        reason = result.reason if not result.accepted else ""
        if not reason and left is not None and result.size > left:
            reason = MESSAGE_QUOTA.format(
                quota=format_size(settings.EVIDENCE_USER_QUOTA_BYTES), left=format_size(left)
            )
        if not reason:
            reason = _document_bytes_keep(document, upload, result, stored_keys)
        if reason:
            document.status = DocumentStatus.REJECTED
            document.rejection_reason = reason
        elif left is not None:
            left -= document.size
        document.save()
        documents.append(document)
    accepted = [d.pk for d in documents if d.status == DocumentStatus.PENDING]
    if case is not None:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.EVIDENCE_UPLOADED,
            actor=uploaded_by,
            payload={
                "document_ids": [d.pk for d in documents],
                "accepted": len(accepted),
                "rejected": len(documents) - len(accepted),
            },
        )
    for document_id in accepted:
        # robust: with the broker down the upload is still kept; the document waits, pending.
        transaction.on_commit(
            lambda document_id=document_id: tasks.scan_document.delay(document_id), robust=True
        )
    return documents


def _document_bytes_keep(document, upload, result: ScreeningResult, stored_keys) -> str:
    """Store an accepted file's bytes (images as re-encoded); "" or the reason it failed."""
    if result.reencoded is not None:
        content = result.reencoded
        document.size = len(content)
        document.sha256 = hashlib.sha256(content).hexdigest()
    else:
        content = upload
    try:
        document.storage_key = document_bytes_store(key=document.storage_key, content=content)
    except OSError:
        logger.exception("Evidence storage failed for a document of case %s", document.case_id)
        return MESSAGE_UNCHECKED
    stored_keys.append(document.storage_key)
    return ""


@transaction.atomic
def document_delete(*, document: Document, actor) -> Document:
    """Soft-delete a document: hidden at once, bytes and text purged after the retention period."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.deleted_at is not None:
        return document
    now = timezone.now()
    document.deleted_at = now
    document.deleted_by = actor
    document.purge_after = now + timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    document.save(update_fields=["deleted_at", "deleted_by", "purge_after"])
    # Codes found in a deleted document go with it, reviewed or not.
    document_coding_delete(document_id=document.pk)
    if document.case_id:
        CaseEvent.objects.create(
            case_id=document.case_id,
            kind=CaseEventKind.EVIDENCE_DELETED,
            actor=actor,
            payload={"document_id": document.pk, "purge_after": document.purge_after.isoformat()},
            created_at=now,
        )
    return document


@transaction.atomic
def audit_record(
    *, request, action: str, case: Case | None = None, obj=None, detail=None
) -> AuditEntry:
    """Record that the requesting user read or did something, from which address, on what."""
    user = request.user if request.user.is_authenticated else None
    ip = client_ip(request)
    return AuditEntry.objects.create(
        user=user,
        ip=ip if ip and ip != "-" else None,
        action=action,
        case=case,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )


@transaction.atomic
def message_send(
    *, case: Case, author, party: MessageParty, body: str, from_ombudsman: bool, organisation=None
) -> Message:
    """Post a message in the case's thread with `party`, record it on the timeline, and tell the
    recipient after commit that a message is waiting (never what it says)."""
    body = body.strip()
    if not body:
        raise ValueError("A message needs some text")
    if len(body) > Message.MAX_LENGTH:
        raise ValueError(f"A message must be {Message.MAX_LENGTH:,} characters or fewer")
    message = Message.objects.create(
        case=case,
        party=MessageParty(party),
        organisation=organisation,
        from_ombudsman=from_ombudsman,
        author=author,
        body=body,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.MESSAGE_SENT,
        actor=author,
        payload={
            "message_id": message.pk,
            "party": message.party,
            "from_ombudsman": from_ombudsman,
        },
    )
    recipient = case.complainant if from_ombudsman and party == MessageParty.COMPLAINANT else None
    if recipient is not None and recipient.email:
        notification_send(
            channel="email",
            to=recipient.email,
            template="new_message",
            personalisation={
                "name": recipient.full_name,
                "reference": case.reference,
                "link": f"{settings.SITE_URL}/complaints/cases/{case.reference}/messages",
            },
            reference=f"message-{message.pk}",
        )
    return message


@transaction.atomic
def messages_mark_read(
    *, case: Case, party: MessageParty, reader_is_ombudsman: bool, organisation=None
) -> int:
    """Mark the other side's messages in a thread as read by whoever is reading now."""
    return (
        Message.objects.thread(case=case, party=party, organisation=organisation)
        .filter(from_ombudsman=not reader_is_ombudsman, read_at__isnull=True)
        .update(read_at=timezone.now())
    )


# The back office: assignment, organisations, equality information, notes and linked cases.


class AssignmentRefused(Exception):
    """The assignment cannot be made as asked; the message says why, fit to show to staff."""


class ReassignReasonMissing(AssignmentRefused):
    """A case is being taken from someone else without saying why."""


def _may_be_assigned(user) -> bool:
    return user.is_active and user.has_perm("casework.view_case_queue")


@transaction.atomic
def cases_assign(*, case_ids, assignee, actor, reason: str = "", team=None) -> list[Case]:
    """Give cases to a caseworker, and to a team when one is given, with one event per case.

    Managers may assign anything to anyone. Other caseworkers may only take unassigned cases for
    themselves. Taking a case from someone else needs a reason, which goes on the timeline.
    The rows are locked in id order, so that two bulk assignments at once cannot deadlock.
    """
    if not _may_be_assigned(assignee):
        raise AssignmentRefused(f"{assignee} cannot be given cases.")
    allocator = actor.has_perm("casework.allocate_cases")
    if not allocator and assignee != actor:
        raise PermissionDenied("Only managers can assign cases to someone else.")
    if team is not None and not team.members.filter(pk=assignee.pk).exists():
        raise AssignmentRefused(f"{assignee} is not in the team {team}.")
    reason = reason.strip()
    cases = list(
        Case.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("assignee")
        .filter(pk__in=list(case_ids))
        .order_by("pk")
    )
    if not cases:
        raise AssignmentRefused("Select the cases to assign.")
    for case in cases:
        if case.assignee_id not in (None, assignee.pk) and not allocator:
            raise PermissionDenied(
                f"{case.reference} is already assigned to {case.assignee}. "
                "Ask a manager to reassign it."
            )
        if case.assignee_id not in (None, assignee.pk) and not reason:
            raise ReassignReasonMissing(
                f"Enter why you are reassigning {case.reference} from {case.assignee}"
            )
    # A case with no team joins the assignee's team when they are in exactly one.
    own_teams = list(assignee.teams.all()[:2]) if team is None else []
    default_team = own_teams[0] if len(own_teams) == 1 else None
    now = timezone.now()
    events = []
    for case in cases:
        previous = case.assignee_id
        case.assignee = assignee
        case.updated_at = now
        if team is not None:
            case.team = team
        elif case.team_id is None and default_team is not None:
            case.team = default_team
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEventKind.ASSIGNED,
                actor=actor,
                reason=reason,
                payload={
                    "from_assignee_id": previous,
                    "to_assignee_id": assignee.pk,
                    "team_id": case.team_id,
                },
                created_at=now,
            )
        )
    Case.objects.bulk_update(cases, ["assignee", "team", "updated_at"])
    CaseEvent.objects.bulk_create(events)
    return cases


def case_assign(*, case: Case, assignee, actor, reason: str = "", team=None) -> Case:
    """Give one case to a caseworker: the same rules and records as a bulk assignment."""
    [case] = cases_assign(
        case_ids=[case.pk], assignee=assignee, actor=actor, reason=reason, team=team
    )
    return case


@transaction.atomic
def case_organisation_confirm(*, case_organisation_id: int, actor) -> CaseOrganisation:
    """A caseworker confirms that the complaint is about this organisation (once; later calls keep
    the first confirmation)."""
    link = (
        CaseOrganisation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=case_organisation_id)
    )
    if link.confirmed_at is not None:
        return link
    link.confirmed_at = timezone.now()
    link.confirmed_by = actor
    link.save(update_fields=["confirmed_at", "confirmed_by"])
    CaseEvent.objects.create(
        case_id=link.case_id,
        kind=CaseEventKind.ORGANISATION_CONFIRMED,
        actor=actor,
        payload={"organisation_id": link.organisation_id},
        created_at=link.confirmed_at,
    )
    return link


@transaction.atomic
def case_demographics_record(
    *,
    case: Case,
    actor,
    declined: bool,
    age_band: str = "",
    sex: str = "",
    ethnic_group: str = "",
    disability: str = "",
) -> CaseDemographics:
    """Record the complainant's equality information, or that they declined to give it.

    Recording again replaces the answers (people correct them); the timeline keeps that it
    happened, but never the answers themselves: they are special category data.
    """
    answers = {
        "age_band": age_band,
        "sex": sex,
        "ethnic_group": ethnic_group,
        "disability": disability,
    }
    if declined:
        answers = dict.fromkeys(answers, "")
    elif not all(answers.values()):
        raise ValueError("Every question needs an answer (which may be 'Prefer not to say')")
    demographics, _ = CaseDemographics.objects.update_or_create(
        case=case,
        defaults={
            "declined": declined,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
            **answers,
        },
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.DEMOGRAPHICS_RECORDED,
        actor=actor,
        payload={"declined": declined},
    )
    return demographics


@transaction.atomic
def case_note_add(*, case: Case, author, body: str) -> CaseNote:
    """Add an internal note: staff only, and its text never goes on the timeline's payload."""
    body = body.strip()
    if not body:
        raise ValueError("Enter the note")
    if len(body) > CaseNote.MAX_LENGTH:
        raise ValueError(f"The note must be {CaseNote.MAX_LENGTH:,} characters or fewer")
    note = CaseNote.objects.create(case=case, author=author, body=body)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.NOTE_ADDED,
        actor=author,
        payload={"note_id": note.pk},
        created_at=note.created_at,
    )
    return note


class LinkRefused(Exception):
    """The cases cannot be linked as asked; the message says why."""


@transaction.atomic
def case_link(*, case: Case, other: Case, kind: CaseLinkKind, reason: str, actor) -> CaseLink:
    """Link two cases both ways (duplicate or related), with an event on each case's timeline."""
    reason = reason.strip()
    if other.pk == case.pk:
        raise LinkRefused("A case cannot be linked to itself")
    if not reason:
        raise LinkRefused("Enter why these cases are linked")
    # Both rows locked in id order, so linking A to B and B to A at once cannot deadlock.
    list(Case.objects.select_for_update().filter(pk__in=[case.pk, other.pk]).order_by("pk"))
    if CaseLink.objects.filter(case=case, other=other).exists():
        raise LinkRefused(f"{case.reference} is already linked to {other.reference}")
    now = timezone.now()
    kind = CaseLinkKind(kind)
    link = CaseLink.objects.create(
        case=case, other=other, kind=kind, reason=reason, created_by=actor, created_at=now
    )
    CaseLink.objects.create(
        case=other, other=case, kind=kind, reason=reason, created_by=actor, created_at=now
    )
    for this, that in ((case, other), (other, case)):
        CaseEvent.objects.create(
            case=this,
            kind=CaseEventKind.CASE_LINKED,
            actor=actor,
            reason=reason,
            payload={
                "other_case_id": that.pk,
                "other_reference": that.reference,
                "link": kind.value,
            },
            created_at=now,
        )
    return link


def case_actions_available(*, case: Case, user) -> list[CaseAction]:
    """The actions the state machine allows from the case's status that this user may take."""
    return [
        action
        for action in CaseStateMachine(case.status).allowed_actions()
        if user.has_perm(_ACTION_PERMISSIONS[action], case)
    ]


@transaction.atomic
def case_page_view_record(*, request, case: Case) -> AuditEntry:
    """A member of staff opened the case page: audit the read, and mark the complainant's
    messages shown on it as read by the ombudsman."""
    if case.complainant_id is not None:
        messages_mark_read(case=case, party=MessageParty.COMPLAINANT, reader_is_ombudsman=True)
    return audit_record(request=request, action="case.view", case=case, obj=case)


class MergeRefused(Exception):
    """A merge or its reversal that must not happen; the message says why, for staff."""


# Each row that says "this person did or owns this", as (model, field). Staff-side fields (assignee,
# decided_by, ...) are not here: only complainants' records are merged.
_PERSON_ROWS = (
    (Case, "complainant"),
    (Case, "representative"),
    (Message, "author"),
    (Document, "uploaded_by"),
    (InformationRequest, "user"),
)
_MODELS_BY_LABEL = {model._meta.label_lower: model for model, _ in _PERSON_ROWS} | {
    ContactPreferences._meta.label_lower: ContactPreferences
}


def _is_staff_account(user) -> bool:
    return user.is_staff or user.is_superuser or user.has_role(*STAFF_ROLES)


def _people_lock(*users):
    """Lock both accounts in id order, so that two merges touching one account run one at a time."""
    ids = sorted(u.pk for u in users)
    accounts = get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {account.pk: account for account in accounts}


def _person_merge_case_events(*, case_ids, kind, actor, reason, merge) -> None:
    payload = {"person_merge_id": merge.pk, "kept_id": merge.kept_id, "merged_id": merge.merged_id}
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=case_id, kind=kind, actor=actor, reason=reason, payload=payload)
        for case_id in sorted(case_ids)
    )


@transaction.atomic
def person_merge(*, keep, merge, actor, reason: str) -> PersonMerge:
    """Make `merge` part of `keep`: move its complaints, messages, documents and information
    requests, and its contact preferences if `keep` has none; `merge` can no longer sign in."""
    reason = reason.strip()
    if not reason:
        raise MergeRefused("Enter why these records are the same person")
    if keep.pk == merge.pk:
        raise MergeRefused("A record cannot be merged with itself")
    locked = _people_lock(keep, merge)
    keep, merge = locked[keep.pk], locked[merge.pk]
    if _is_staff_account(keep) or _is_staff_account(merge):
        raise MergeRefused("Staff accounts cannot be merged")
    in_force = PersonMerge.objects.in_force()
    if in_force.filter(merged=merge).exists():
        raise MergeRefused(f"{merge.email} has already been merged into another record")
    if in_force.filter(merged=keep).exists():
        raise MergeRefused(f"{keep.email} has been merged into another record: merge into that one")

    moved = []
    case_ids = set()
    for model, field in _PERSON_ROWS:
        rows = model.objects.filter(**{field: merge})
        pks = sorted(rows.values_list("pk", flat=True))
        if not pks:
            continue
        model.objects.filter(pk__in=pks).update(**{field: keep})
        moved += [{"model": model._meta.label_lower, "pk": pk, "field": field} for pk in pks]
        if model is Case:
            case_ids.update(pks)
    if not ContactPreferences.objects.filter(user=keep).exists():
        preferences = ContactPreferences.objects.filter(user=merge).first()
        if preferences is not None:
            ContactPreferences.objects.filter(pk=preferences.pk).update(user=keep)
            label = ContactPreferences._meta.label_lower
            moved.append({"model": label, "pk": preferences.pk, "field": "user"})

    record = PersonMerge.objects.create(
        kept=keep,
        merged=merge,
        by=actor,
        reason=reason,
        moved=moved,
        merged_was_active=merge.is_active,
    )
    merge.is_active = False
    merge.save(update_fields=["is_active"])
    _person_merge_case_events(
        case_ids=case_ids,
        kind=CaseEventKind.PERSON_MERGED,
        actor=actor,
        reason=reason,
        merge=record,
    )
    AuditEntry.objects.create(
        user=actor,
        action="person.merge",
        object_type=record._meta.label_lower,
        object_id=str(record.pk),
        detail={
            "kept_id": keep.pk,
            "merged_id": merge.pk,
            "rows_moved": len(moved),
            "reason": reason,
        },
    )
    return record


@transaction.atomic
def person_merge_reverse(*, merge: PersonMerge, actor, reason: str) -> PersonMerge:
    """Undo a merge: the rows it moved go back to the merged account, which can sign in again.

    Only rows still with the kept account move back: one moved on since (say by a later merge)
    stays where it is, and is counted in the audit entry.
    """
    reason = reason.strip()
    if not reason:
        raise MergeRefused("Enter why this merge is being reversed")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_reversed:
        raise MergeRefused("This merge has already been reversed")
    locked = _people_lock(merge.kept, merge.merged)
    kept, merged = locked[merge.kept_id], locked[merge.merged_id]

    wanted: dict[tuple[str, str], list[int]] = {}
    for row in merge.moved:
        wanted.setdefault((row["model"], row["field"]), []).append(row["pk"])
    restored = 0
    case_ids = set()
    for (label, field), pks in sorted(wanted.items()):
        model = _MODELS_BY_LABEL[label]
        rows = model.objects.filter(pk__in=pks, **{field: kept})
        back = list(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=back).update(**{field: merged})
        restored += len(back)
        if model is Case:
            case_ids.update(back)

    merge.reversed_at = timezone.now()
    merge.reversed_by = actor
    merge.reversal_reason = reason
    merge.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    merged.is_active = merge.merged_was_active
    merged.save(update_fields=["is_active"])
    _person_merge_case_events(
        case_ids=case_ids,
        kind=CaseEventKind.PERSON_MERGE_REVERSED,
        actor=actor,
        reason=reason,
        merge=merge,
    )
    AuditEntry.objects.create(
        user=actor,
        action="person.merge.reverse",
        object_type=merge._meta.label_lower,
        object_id=str(merge.pk),
        detail={
            "kept_id": kept.pk,
            "merged_id": merged.pk,
            "rows_restored": restored,
            "rows_not_restored": len(merge.moved) - restored,
            "reason": reason,
        },
    )
    return merge
