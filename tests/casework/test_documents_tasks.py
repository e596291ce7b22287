"""Background work on documents against a real clamd: scan, text extraction, purge."""

# Fixtures shared by the document tests are imported from documents_support and then named as
# test parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.roles import Role
from casework.documents import MESSAGE_LOST, MESSAGE_TOO_LONG_TO_SCAN, MESSAGE_VIRUS
from casework.evidence.clamav import ScannerUnavailable
from casework.models import CaseEventKind, Document, DocumentStatus, TextStatus, UploaderRole
from casework.services import document_delete, document_upload
from casework.tasks import extract_document_text, purge_deleted_documents, scan_document
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    EICAR,
    clamd,
    clamd_settings,
    closed_port,
    evidence_storage,
    jpeg_photo,
    make_case,
    pdf_bytes,
    stored_files,
    upload,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def upload_files(case, *files):
    """Upload without running the queued scan, so that each test runs the tasks itself."""
    return document_upload(
        case=case,
        uploaded_by=case.complainant,
        uploader_role=UploaderRole.COMPLAINANT,
        files=list(files),
    )


class TestScanDocument:
    def test_clean_pdf_becomes_clean_and_its_text_is_extracted(
        self, clamd_settings, make_case, django_capture_on_commit_callbacks
    ):
        case = make_case()
        # Running the on-commit callback runs the eager task chain: scan, then extraction.
        with django_capture_on_commit_callbacks(execute=True):
            [document] = upload_files(case, upload("letter.pdf", pdf_bytes("Refusal letter")))
        document.refresh_from_db()
        assert document.status == DocumentStatus.CLEAN
        assert document.scanned_at is not None
        assert document.text_status == TextStatus.EXTRACTED
        assert "Refusal letter" in document.extracted_text
        assert document.page_count == 1

    def test_clean_photo_is_read_with_ocr(self, clamd_settings, make_case):
        [document] = upload_files(make_case(), upload("receipt.jpg", jpeg_photo("RECEIPT 42")))
        assert scan_document.apply(args=[document.pk]).get() == DocumentStatus.CLEAN
        document.refresh_from_db()
        assert document.status == DocumentStatus.CLEAN
        assert document.text_status == TextStatus.EXTRACTED
        assert "RECEIPT" in document.extracted_text
        assert document.page_count == 1

    def test_eicar_is_rejected_and_its_bytes_removed(
        self, clamd_settings, make_case, django_capture_on_commit_callbacks
    ):
        case = make_case()
        [document] = upload_files(case, upload("notes.txt", EICAR))
        assert document.status == DocumentStatus.PENDING
        assert default_storage.exists(document.storage_key)

        with django_capture_on_commit_callbacks(execute=True):
            scan_document.apply(args=[document.pk])

        document.refresh_from_db()
        assert document.status == DocumentStatus.REJECTED
        assert document.rejection_reason == MESSAGE_VIRUS
        assert document.text_status == TextStatus.PENDING  # never read
        assert not default_storage.exists(document.storage_key)
        event = case.events.get(kind=CaseEventKind.EVIDENCE_INFECTED)
        assert event.system_reason == "scan_document"
        assert event.payload["signature"].startswith("Eicar-Test-Signature")

    def test_clamd_down_leaves_the_document_pending_and_schedules_a_retry(
        self, settings, closed_port, make_case
    ):
        settings.CLAMAV_SOCKET = ""
        settings.CLAMAV_HOST = "127.0.0.1"
        settings.CLAMAV_PORT = closed_port
        [document] = upload_files(make_case(), upload("letter.pdf", pdf_bytes()))

        # Tests run tasks eagerly with errors propagated, so the retry Celery schedules shows up
        # as the Retry exception rather than as a message on the broker.
        with pytest.raises(Retry) as retry:
            scan_document.apply(args=[document.pk])

        assert isinstance(retry.value.exc, ScannerUnavailable)
        # Backed off from the task's own schedule (30 s, doubling), not Celery's flat 180 s default.
        # Full jitter draws the delay from 0 to the backoff, so 0 itself is a fair draw.
        assert 0 <= retry.value.when <= scan_document.retry_backoff
        document.refresh_from_db()
        assert document.status == DocumentStatus.PENDING
        assert document.scanned_at is None
        assert default_storage.exists(document.storage_key)
        assert not Document.objects.usable().exists()

    def test_scanning_again_changes_nothing(self, clamd_settings, make_case):
        [document] = upload_files(make_case(), upload("letter.pdf", pdf_bytes()))
        scan_document.apply(args=[document.pk])
        document.refresh_from_db()
        first_scan = document.scanned_at

        assert scan_document.apply(args=[document.pk]).get() == DocumentStatus.CLEAN
        document.refresh_from_db()
        assert document.scanned_at == first_scan

    def test_a_deleted_document_is_not_scanned(self, clamd_settings, make_case):
        case = make_case()
        [document] = upload_files(case, upload("letter.pdf", pdf_bytes()))
        document_delete(document=document, actor=case.complainant)
        assert scan_document.apply(args=[document.pk]).get() == DocumentStatus.PENDING

    def test_missing_bytes_are_rejected_never_clean(self, clamd_settings, make_case):
        [document] = upload_files(make_case(), upload("letter.pdf", pdf_bytes()))
        default_storage.delete(document.storage_key)
        scan_document.apply(args=[document.pk])
        document.refresh_from_db()
        assert (document.status, document.rejection_reason) == (
            DocumentStatus.REJECTED,
            MESSAGE_LOST,
        )

    def test_a_file_longer_than_clamd_accepts_is_rejected(
        self, clamd_settings, settings, make_case, django_capture_on_commit_callbacks
    ):
        settings.CLAMAV_STREAM_MAX_LENGTH = 100
        [document] = upload_files(make_case(), upload("letter.pdf", pdf_bytes()))
        with django_capture_on_commit_callbacks(execute=True):
            scan_document.apply(args=[document.pk])
        document.refresh_from_db()
        assert document.rejection_reason == MESSAGE_TOO_LONG_TO_SCAN
        assert not default_storage.exists(document.storage_key)


class TestExtractDocumentText:
    def test_only_clean_documents_are_read_and_only_once(self, make_case):
        [document] = upload_files(make_case(), upload("letter.pdf", pdf_bytes("First reading")))
        assert extract_document_text.apply(args=[document.pk]).get() == TextStatus.PENDING

        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.CLEAN)
        assert extract_document_text.apply(args=[document.pk]).get() == TextStatus.EXTRACTED
        Document.objects.filter(pk=document.pk).update(extracted_text="kept")
        assert extract_document_text.apply(args=[document.pk]).get() == TextStatus.EXTRACTED
        document.refresh_from_db()
        assert document.extracted_text == "kept"

    def test_a_document_with_no_text_is_marked_so(self, make_case, settings):
        [document] = upload_files(make_case(), upload("blank.txt", b"   \n  \n"))
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.CLEAN)
        assert extract_document_text.apply(args=[document.pk]).get() == TextStatus.NO_TEXT


class TestPurgeDeletedDocuments:
    def test_purges_bytes_and_text_once_past_the_retention_period(
        self, make_case, settings, evidence_storage
    ):
        settings.EVIDENCE_RETENTION_DAYS = 30
        case = make_case()
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        due, recent, kept = upload_files(
            case,
            upload("due.pdf", pdf_bytes()),
            upload("recent.pdf", pdf_bytes()),
            upload("kept.pdf", pdf_bytes()),
        )
        Document.objects.filter(pk__in=[due.pk, recent.pk, kept.pk]).update(
            status=DocumentStatus.CLEAN, extracted_text="words", text_status=TextStatus.EXTRACTED
        )
        document_delete(document=due, actor=caseworker)
        document_delete(document=recent, actor=caseworker)
        Document.objects.filter(pk=due.pk).update(purge_after=timezone.now() - timedelta(days=1))

        assert purge_deleted_documents.apply().get() == 1

        due.refresh_from_db()
        assert due.purged_at is not None
        assert due.extracted_text == ""
        assert not default_storage.exists(due.storage_key)
        for document in (recent, kept):
            document.refresh_from_db()
            assert document.purged_at is None
            assert document.extracted_text == "words"
            assert default_storage.exists(document.storage_key)
        assert len(stored_files(evidence_storage)) == 2

    def test_running_again_purges_nothing_more(self, make_case):
        case = make_case()
        [document] = upload_files(case, upload("due.pdf", pdf_bytes()))
        document_delete(document=document, actor=case.complainant)
        Document.objects.filter(pk=document.pk).update(
            purge_after=timezone.now() - timedelta(minutes=1)
        )
        assert purge_deleted_documents.apply().get() == 1
        assert purge_deleted_documents.apply().get() == 0

    def test_bytes_already_gone_do_not_stop_the_purge(self, make_case):
        case = make_case()
        [document] = upload_files(case, upload("due.pdf", pdf_bytes()))
        document_delete(document=document, actor=case.complainant)
        Document.objects.filter(pk=document.pk).update(
            purge_after=timezone.now() - timedelta(minutes=1)
        )
        default_storage.delete(document.storage_key)
        assert purge_deleted_documents.apply().get() == 1
