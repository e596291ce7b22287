"""Coding queued in the background: the narrative when a case is created, a document once its
text has been read."""

# ruff: noqa: F811 - fixtures imported from documents_support are named as test parameters

import pytest
from kombu.exceptions import OperationalError

from casework import tasks
from casework.documents import document_bytes_store
from casework.models import (
    Case,
    CaseKind,
    ClinicalCode,
    CodingRun,
    CodingRunStatus,
    Document,
    DocumentStatus,
    TextStatus,
)
from casework.services import case_create, document_delete
from tests.casework.documents_support import evidence_storage, pdf_bytes  # noqa: F401

pytestmark = pytest.mark.django_db


def stored_pdf(case, text) -> Document:
    """A clean document whose text has not been read yet, its bytes in (test) storage."""
    document = Document.objects.create(
        case=case,
        uploader_role="staff",
        original_filename="letter.pdf",
        content_type="application/pdf",
        status=DocumentStatus.CLEAN,
    )
    key = document_bytes_store(key=document.storage_key, content=pdf_bytes(text))
    Document.objects.filter(pk=document.pk).update(storage_key=key)
    return document


class TestNarrativeOnCreation:
    def test_a_new_case_has_its_narrative_coded_after_commit(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            case = case_create(kind=CaseKind.HEALTH, summary="Dad died of sepsis on the ward.")
        assert callbacks
        run = CodingRun.objects.get(case=case, document__isnull=True)
        assert run.status == CodingRunStatus.DONE
        assert ClinicalCode.objects.filter(case=case, code="A41.9", status="present").exists()

    def test_nothing_is_coded_when_the_case_is_rolled_back(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case = case_create(kind=CaseKind.HEALTH, summary="She had sepsis.")
        assert callbacks
        assert not CodingRun.objects.filter(case=case).exists()

    def test_a_broker_outage_does_not_stop_the_complaint_being_received(
        self, monkeypatch, django_capture_on_commit_callbacks
    ):
        def broker_down(*args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379")

        monkeypatch.setattr(tasks.code_case_narrative, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            case = case_create(kind=CaseKind.PARLIAMENTARY, summary="She had sepsis.")
        assert Case.objects.filter(pk=case.pk).exists()
        assert not CodingRun.objects.filter(case=case).exists()

    def test_the_task_is_idempotent(self):
        case = case_create(kind=CaseKind.HEALTH, summary="She had sepsis and a stroke.")
        assert tasks.code_case_narrative.apply(args=[case.pk]).get() == CodingRunStatus.DONE
        first = sorted(ClinicalCode.objects.filter(case=case).values_list("pk", "code"))
        assert tasks.code_case_narrative.apply(args=[case.pk]).get() == CodingRunStatus.DONE
        assert sorted(ClinicalCode.objects.filter(case=case).values_list("pk", "code")) == first
        assert tasks.code_case_narrative.apply(args=[999_999]).get() is None


class TestDocumentAfterExtraction:
    def test_extracted_text_is_then_coded(self, evidence_storage):
        case = case_create(kind=CaseKind.HEALTH)
        document = stored_pdf(case, "Discharge summary: treated for pneumonia. No sepsis.")
        assert tasks.extract_document_text.apply(args=[document.pk]).get() == TextStatus.EXTRACTED
        run = CodingRun.objects.get(document=document)
        assert run.status == CodingRunStatus.DONE
        assert set(
            ClinicalCode.objects.filter(document=document, axis="condition").values_list(
                "code", "status"
            )
        ) == {("J18.9", "present"), ("A41.9", "negated")}

    def test_a_document_deleted_before_its_coding_runs_gets_none(self, caseworker):
        case = case_create(kind=CaseKind.HEALTH)
        document = Document.objects.create(
            case=case,
            uploader_role="staff",
            original_filename="notes.txt",
            status=DocumentStatus.CLEAN,
            text_status=TextStatus.EXTRACTED,
            extracted_text="She had sepsis.",
        )
        document_delete(document=document, actor=caseworker)
        assert tasks.code_document.apply(args=[document.pk]).get() is None
        assert not CodingRun.objects.filter(document=document).exists()
        assert not ClinicalCode.objects.filter(document=document).exists()
