"""Writes to cases. Status changes happen only in case_transition, through the state machine."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.otp import client_ip

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
    CaseEvent,
    CaseEventKind,
    CaseKind,
    CaseOrganisation,
    CaseReferenceSequence,
    Message,
    MessageParty,
    Document,
    DocumentStatus,
    PdsMatch,
    PdsMatchStatus,
    Sensitivity,
    UploaderRole,
    document_storage_key,
)
from casework.state import CaseAction, CaseStateMachine
from phso.services import notification_send

logger = logging.getLogger(__name__)

# Actions that need more than the right to work the case.
_ACTION_PERMISSIONS = {CaseAction.REOPEN: "casework.reopen_case"}


@transaction.atomic
def case_reference_next(*, kind: CaseKind, year: int | None = None) -> str:
    """Issue the next reference, e.g. HC-2026-000123, under a row lock so concurrent submissions never clash."""
    prefix = REFERENCE_PREFIX[CaseKind(kind)]
    year = year or timezone.localdate().year
    CaseReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
    CaseReferenceSequence.objects.filter(prefix=prefix, year=year).update(last_number=F("last_number") + 1)
    number = CaseReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year).last_number
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
    match = PdsMatch.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=match_id)
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


@transaction.atomic
def case_transition(*, case_id: int, action: CaseAction, actor=None, system_reason: str = "", reason: str = "", payload=None) -> Case:
    """Apply one state-machine action under a row lock and record it.

    Raises IllegalTransition (with a plain-English reason) when the action is not allowed from the
    case's current status, and PermissionDenied when the actor may not take it.
    """
    action = CaseAction(action)
    if actor is None and not system_reason:
        raise ValueError("A transition needs an actor or a system reason")
    permission = _ACTION_PERMISSIONS.get(action)
    case = Case.objects.select_for_update().get(pk=case_id)
    if actor is not None and permission and not actor.has_perm(permission, case):
        raise PermissionDenied(f"You do not have permission to {action.label.lower()} a case.")
    machine = CaseStateMachine(case.status)
    from_status = machine.status
    to_status = machine.apply(action)
    now = timezone.now()
    case.status = to_status
    case.status_changed_at = now
    case.save(update_fields=["status", "status_changed_at", "updated_at"])
    CaseEvent.objects.create(
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
    return case


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
    """Bytes this uploader may still store, or None for no limit (staff upload for many cases)."""
    if uploader_role == UploaderRole.STAFF:
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
def message_send(*, case: Case, author, party: MessageParty, body: str, from_ombudsman: bool, organisation=None) -> Message:
    """Post a message in the case's thread with `party`, record it on the timeline, and tell the
    recipient after commit that a message is waiting (never what it says)."""
    body = body.strip()
    if not body:
        raise ValueError("A message needs some text")
    if len(body) > Message.MAX_LENGTH:
        raise ValueError(f"A message must be {Message.MAX_LENGTH:,} characters or fewer")
    message = Message.objects.create(
        case=case, party=MessageParty(party), organisation=organisation, from_ombudsman=from_ombudsman,
        author=author, body=body,
    )
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.MESSAGE_SENT, actor=author,
        payload={"message_id": message.pk, "party": message.party, "from_ombudsman": from_ombudsman},
    )
    recipient = case.complainant if from_ombudsman and party == MessageParty.COMPLAINANT else None
    if recipient is not None and recipient.email:
        notification_send(
            channel="email",
            to=recipient.email,
            template="new_message",
            personalisation={
                "name": recipient.full_name or "there",
                "reference": case.reference,
                "link": f"{settings.SITE_URL}/complaints/cases/{case.reference}/messages",
            },
            reference=f"message-{message.pk}",
        )
    return message


@transaction.atomic
def messages_mark_read(*, case: Case, party: MessageParty, reader_is_ombudsman: bool, organisation=None) -> int:
    """Mark the other side's messages in a thread as read by whoever is reading now."""
    return (
        Message.objects.thread(case=case, party=party, organisation=organisation)
        .filter(from_ombudsman=not reader_is_ombudsman, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
