from datetime import timedelta

import pytest
from django.utils import timezone

from casework import tasks
from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseKind,
    Document,
    DocumentStatus,
    PdsMatch,
    TextStatus,
)
from casework.services import case_create
from casework.services_coding import case_narrative_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """What the sweeper queues, captured instead of sent to the broker."""
    sent = {"scan": [], "pds": [], "narrative": [], "document": []}
    monkeypatch.setattr(tasks.scan_document, "delay", lambda pk: sent["scan"].append(pk))
    monkeypatch.setattr(tasks.enrich_case_from_pds, "delay", lambda pk: sent["pds"].append(pk))
    monkeypatch.setattr(tasks.code_case_narrative, "delay", sent["narrative"].append)
    monkeypatch.setattr(tasks.code_document, "delay", sent["document"].append)
    return sent


def pending_document(case, user, *, age):
    return Document.objects.create(
        case=case,
        uploaded_by=user,
        uploader_role="complainant",
        original_filename="letter.pdf",
        storage_key=f"evidence/test/{age.total_seconds():.0f}",
        status=DocumentStatus.PENDING,
        created_at=timezone.now() - age,
    )


def health_case(nhs_number, *, age, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker "was down": nothing queued
        case = case_create(kind=CaseKind.HEALTH, patient_nhs_number=nhs_number)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - age)
    return case


class TestRequeueStalledWork:
    def test_requeues_old_pending_scans_only(self, queued, complainant):
        case = case_create(kind=CaseKind.PARLIAMENTARY)
        old = pending_document(case, complainant, age=timedelta(hours=1))
        pending_document(case, complainant, age=timedelta(minutes=2))
        clean = pending_document(case, complainant, age=timedelta(hours=2))
        Document.objects.filter(pk=clean.pk).update(status=DocumentStatus.CLEAN)
        assert tasks.requeue_stalled_work() == {
            "scans": 1,
            "pds_lookups": 0,
            "narrative_codings": 0,
            "document_codings": 0,
        }
        assert queued["scan"] == [old.pk]

    def test_requeues_pds_lookups_that_never_ran(self, queued, django_capture_on_commit_callbacks):
        lost = health_case(
            "9000000009",
            age=timedelta(hours=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        recent = health_case(
            "9000000009",
            age=timedelta(minutes=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        matched = health_case(
            "9000000009",
            age=timedelta(hours=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        PdsMatch.objects.create(
            case=matched, requested_nhs_number="9000000009", nhs_number="9000000009"
        )
        not_found = health_case(
            "9000000009",
            age=timedelta(hours=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        CaseEvent.objects.create(
            case=not_found, kind=CaseEventKind.PDS_NOT_FOUND, system_reason="test"
        )
        tasks.requeue_stalled_work()
        assert queued["pds"] == [lost.pk]
        assert recent.pk not in queued["pds"]

    def test_requeues_codings_that_never_ran_within_the_last_days(
        self, queued, complainant, django_capture_on_commit_callbacks
    ):
        lost = health_case(
            "",
            age=timedelta(hours=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        recent = health_case(
            "",
            age=timedelta(minutes=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        ancient = health_case(
            "",
            age=timedelta(days=30),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        coded = health_case(
            "",
            age=timedelta(hours=1),
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
        case_narrative_code(case_id=coded.pk)
        read = pending_document(lost, complainant, age=timedelta(hours=1))
        Document.objects.filter(pk=read.pk).update(
            status=DocumentStatus.CLEAN,
            text_status=TextStatus.EXTRACTED,
            extracted_text="Sepsis was missed.",
        )
        unread = pending_document(lost, complainant, age=timedelta(hours=2))
        Document.objects.filter(pk=unread.pk).update(status=DocumentStatus.CLEAN)

        result = tasks.requeue_stalled_work()

        assert queued["narrative"] == [lost.pk]
        assert queued["document"] == [read.pk]
        assert result["narrative_codings"] == 1 and result["document_codings"] == 1
        assert not {recent.pk, ancient.pk, coded.pk} & set(queued["narrative"])
