"""Evidence bytes in storage, and the background work on them: virus scan, text extraction, purge.

The functions here are called by casework.tasks (and the storage helpers by casework.services),
so nothing here imports tasks: services import tasks, tasks import this module.
Bytes go through Django's storage API (STORAGES["default"]), under keys the server makes.
"""

import logging

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from casework.evidence.clamav import ClamdClient, StreamTooLong
from casework.evidence.extraction import extract_text
from casework.models import CaseEvent, CaseEventKind, Document, DocumentStatus, TextStatus

logger = logging.getLogger(__name__)

MESSAGE_VIRUS = (
    "This file contains a virus, so we have deleted it. "
    "Check your computer or phone with antivirus software, then upload a clean copy"
)
MESSAGE_TOO_LONG_TO_SCAN = (
    "This file is too large to be checked for viruses. "
    "Split it into smaller files and upload them again"
)
MESSAGE_LOST = "This file could not be checked for viruses. Upload it again"


def document_bytes_store(*, key: str, content: bytes | File) -> str:
    """Write new bytes under a fresh key and return the name the storage used.

    The key is a uuid, so nothing is ever overwritten: FileSystemStorage and S3Storage (with
    file_overwrite off) would both pick another name rather than replace an existing file.
    """
    content = ContentFile(content) if isinstance(content, bytes) else content
    if hasattr(content, "seek"):
        content.seek(0)
    return default_storage.save(key, content)


def document_bytes_delete(*, key: str) -> None:
    """Remove stored bytes; a key already gone is not an error (purges are retried)."""
    default_storage.delete(key)


def document_bytes_open(document: Document):
    """The stored file, opened for reading (a Django File; the caller closes it)."""
    return default_storage.open(document.storage_key, "rb")


def document_scan(*, document_id: int) -> Document:
    """Stream a pending document to clamd and record the verdict.

    Idempotent: anything not pending (or deleted) is returned untouched. ScannerUnavailable and
    ScanError propagate so that the task retries: a file is never marked clean without a verdict.
    The scan runs outside any transaction; only the verdict is written under a row lock.
    """
    document = Document.objects.get(pk=document_id)
    if document.status != DocumentStatus.PENDING or document.deleted_at is not None:
        return document
    try:
        with document_bytes_open(document) as stream:
            result = ClamdClient.from_settings().scan(stream)
    except FileNotFoundError:
        logger.error("Document %s has no stored bytes to scan", document_id)
        return _scan_verdict_record(document_id=document_id, reason=MESSAGE_LOST)
    except StreamTooLong:
        return _scan_verdict_record(document_id=document_id, reason=MESSAGE_TOO_LONG_TO_SCAN)
    if result.infected:
        return _scan_verdict_record(
            document_id=document_id, reason=MESSAGE_VIRUS, signature=result.signature
        )
    return _scan_verdict_record(document_id=document_id)


@transaction.atomic
def _scan_verdict_record(*, document_id: int, reason: str = "", signature: str | None = None):
    """Clean when there is no reason; otherwise rejected, with the bytes removed after commit."""
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.status != DocumentStatus.PENDING:
        return document
    document.scanned_at = timezone.now()
    if not reason:
        document.status = DocumentStatus.CLEAN
        document.save(update_fields=["status", "scanned_at"])
        return document
    document.status = DocumentStatus.REJECTED
    document.rejection_reason = reason
    document.save(update_fields=["status", "scanned_at", "rejection_reason"])
    if signature and document.case_id:
        CaseEvent.objects.create(
            case_id=document.case_id,
            kind=CaseEventKind.EVIDENCE_INFECTED,
            system_reason="scan_document",
            payload={"document_id": document.pk, "signature": signature},
        )
    key = document.storage_key
    # Unscanned or infected bytes are never kept; if this delete fails the document is still
    # rejected (never served) and the bytes are only an orphan in storage.
    transaction.on_commit(lambda: document_bytes_delete(key=key), robust=True)
    return document


def document_text_extract(*, document_id: int) -> Document:
    """Read the text of a clean document for caseworkers, search and coding. Idempotent.

    extract_text never raises for bad input; a storage error propagates so that the task retries.
    """
    document = Document.objects.get(pk=document_id)
    if (
        document.status != DocumentStatus.CLEAN
        or document.text_status != TextStatus.PENDING
        or document.deleted_at is not None
    ):
        return document
    with document_bytes_open(document) as stream:
        data = stream.read()
    result = extract_text(data, document.content_type)
    if result.reason.startswith("unreadable"):
        text_status = TextStatus.FAILED
    elif result.no_text:
        text_status = TextStatus.NO_TEXT
    else:
        text_status = TextStatus.EXTRACTED
    return _text_record(
        document_id=document_id,
        text=result.text,
        page_count=result.page_count,
        text_status=text_status,
    )


@transaction.atomic
def _text_record(*, document_id, text, page_count, text_status) -> Document:
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.text_status != TextStatus.PENDING or document.deleted_at is not None:
        return document
    document.extracted_text = text
    document.page_count = page_count
    document.text_status = text_status
    document.save(update_fields=["extracted_text", "page_count", "text_status"])
    return document


def deleted_documents_purge(*, now=None) -> int:
    """Delete the bytes and clear the text of deleted documents past their purge date.

    Idempotent: each document is marked purged after its bytes are gone, and deleting bytes that
    are already gone is not an error, so a run cut short is simply finished by the next one.
    Returns how many documents were purged.
    """
    now = now or timezone.now()
    purged = 0
    due = Document.objects.due_for_purge(now).values_list("pk", "storage_key")
    for document_id, key in due.iterator():
        document_bytes_delete(key=key)
        purged += _purge_record(document_id=document_id, now=now)
    return purged


@transaction.atomic
def _purge_record(*, document_id: int, now) -> int:
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.purged_at is not None:
        return 0
    document.extracted_text = ""
    document.purged_at = now
    document.save(update_fields=["extracted_text", "purged_at"])
    return 1
