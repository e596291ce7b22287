from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from casework.documents import deleted_documents_purge, document_scan, document_text_extract
from casework.enrichment import case_pds_enrich
from casework.evidence.clamav import ClamdError
from casework.integrations.pds import PdsUnavailable
from casework.models import Case, Document, DocumentStatus, TextStatus
from casework.services_coding import case_narrative_code, document_code
from casework.services_decisions import evidence_request_reminders_send
from casework.services_precedents import precedent_index_build, precedents_find
from casework.services_triage import triage_model_train, triage_suggest
from casework.triage_outcomes import NotEnoughData


@shared_task(
    name="casework.tasks.enrich_case_from_pds",
    acks_late=True,
    autoretry_for=(PdsUnavailable,),
    retry_backoff=settings.PDS_TASK_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=24,
)
def enrich_case_from_pds(case_id: int) -> int | None:
    """Look the case's patient up in PDS; retried with backoff while PDS is unavailable."""
    match = case_pds_enrich(case_id=case_id)
    return match.pk if match else None


@shared_task(
    name="casework.tasks.scan_document",
    acks_late=True,
    # ClamdError: clamd down, slow or erroring; OSError: storage unreachable. Either way the
    # document stays pending (never served) until a scan gives a verdict.
    autoretry_for=(ClamdError, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=48,
)
def scan_document(document_id: int) -> str:
    """Virus-scan one uploaded document, then have its text read if it is clean."""
    document = document_scan(document_id=document_id)
    if document.status == DocumentStatus.CLEAN and document.text_status == TextStatus.PENDING:
        # Chained here rather than in the service, which cannot import this module.
        extract_document_text.delay(document.pk)
    return document.status


@shared_task(
    name="casework.tasks.extract_document_text",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def extract_document_text(document_id: int) -> str:
    """Read the text of one clean document (OCR for scans and photos), then have it coded."""
    document = document_text_extract(document_id=document_id)
    if document.text_status == TextStatus.EXTRACTED and document.deleted_at is None:
        code_document.delay(document.pk)
    return document.text_status


@shared_task(name="casework.tasks.purge_deleted_documents", acks_late=True)
def purge_deleted_documents() -> int:
    """Beat: remove the bytes and text of documents deleted longer ago than the retention period."""
    return deleted_documents_purge()


# Work is queued after commit; if the broker was down at that moment the queue never saw it. This
# sweeper finds work that should have finished by now (CASEWORK_STALLED_AFTER_SECONDS) and queues it
# again (every task is idempotent).


CODING_SWEEP_DAYS = timedelta(days=3)


@shared_task(name="casework.tasks.requeue_stalled_work", acks_late=True)
def requeue_stalled_work() -> dict:
    """Beat: queue again the virus scans, PDS lookups and codings lost on the way to the broker."""
    cutoff = timezone.now() - timedelta(seconds=settings.CASEWORK_STALLED_AFTER_SECONDS)
    scans = list(
        Document.objects.awaiting_scan()
        .filter(created_at__lt=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    for document_id in scans:
        scan_document.delay(document_id)
    lookups = list(
        Case.objects.awaiting_pds_lookup()
        .filter(received_at__lt=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    for case_id in lookups:
        enrich_case_from_pds.delay(case_id)
    # Coding only looks back a few days: older cases without codes (from before coding existed,
    # or loaded in bulk) are coded on demand, not swept up hundreds at a time forever.
    since = cutoff - CODING_SWEEP_DAYS
    narratives = list(
        Case.objects.awaiting_coding()
        .filter(received_at__lt=cutoff, received_at__gte=since)
        .values_list("pk", flat=True)[:500]
    )
    for case_id in narratives:
        code_case_narrative.delay(case_id)
    documents = list(
        Document.objects.awaiting_coding()
        .filter(created_at__lt=cutoff, created_at__gte=since)
        .values_list("pk", flat=True)[:500]
    )
    for document_id in documents:
        code_document.delay(document_id)
    return {
        "scans": len(scans),
        "pds_lookups": len(lookups),
        "narrative_codings": len(narratives),
        "document_codings": len(documents),
    }


@shared_task(name="casework.tasks.send_evidence_request_reminders", acks_late=True)
def send_evidence_request_reminders() -> dict:
    """Beat: remind organisations of evidence due soon and chase overdue requests, each once."""
    return evidence_request_reminders_send(today=timezone.localdate())


# Precedent checks and triage: suggestions for the caseworker, never acted on automatically.


@shared_task(name="casework.tasks.find_precedents", acks_late=True)
def find_precedents(case_id: int) -> int:
    """Offer the decided cases most like this one as precedents (case entering assessment)."""
    case = Case.objects.get(pk=case_id)
    return len(precedents_find(case=case))


@shared_task(name="casework.tasks.build_precedent_index", acks_late=True)
def build_precedent_index() -> dict:
    """Beat (nightly): rebuild the snapshot of decided cases that precedent checks search."""
    return precedent_index_build()


@shared_task(name="casework.tasks.suggest_triage", acks_late=True)
def suggest_triage(case_id: int) -> int | None:
    """Suggest how assessment may end, with the newest deployed triage model, if any."""
    suggestion = triage_suggest(case=Case.objects.get(pk=case_id))
    return suggestion.pk if suggestion else None


@shared_task(name="casework.tasks.train_triage_model", acks_late=True)
def train_triage_model() -> dict:
    """Beat (monthly): train a new triage model version on every closed case so far."""
    try:
        model = triage_model_train()
    except NotEnoughData as exc:
        return {"trained": False, "reason": str(exc)}
    return {"trained": True, "version": model.version, "deployed": model.deployed}


@shared_task(name="casework.tasks.code_case_narrative", acks_late=True)
def code_case_narrative(case_id: int) -> str | None:
    """Suggest clinical codes and themes for the complaint narrative (re-running replaces only
    unreviewed suggestions)."""
    run = case_narrative_code(case_id=case_id)
    return run.status if run else None


@shared_task(name="casework.tasks.code_document", acks_late=True)
def code_document(document_id: int) -> str | None:
    """Suggest clinical codes and themes for a document's extracted text; nothing for a document
    deleted meanwhile."""
    run = document_code(document_id=document_id)
    return run.status if run else None
