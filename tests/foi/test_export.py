"""The self-service data download (UK GDPR Art. 15): everything about the person, nothing else."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.models import (
    AuditEntry,
    CaseKind,
    Document,
    DocumentStatus,
    MessageParty,
    UploaderRole,
)
from casework.services import case_create, case_note_add, document_upload, message_send
from foi.export import data_exports_purge
from foi.models import DataExport, ExportStatus, Kind
from foi.services import data_export_request
from tests.casework.documents_support import pdf_bytes
from tests.factories import UserFactory


@pytest.fixture
def two_people(db, complainant, caseworker):
    """The complainant's case, and another complainant's case that mentions the first person."""
    complainant.full_name = "Ann Able"
    complainant.save()
    other = UserFactory(roles=[Role.COMPLAINANT], full_name="Bob Other")
    mine = case_create(
        kind=CaseKind.HEALTH, complainant=complainant, summary="My mother's care at the trust"
    )
    theirs = case_create(
        kind=CaseKind.HEALTH, complainant=other, summary="Bob's case; Ann Able was a witness"
    )
    message_send(
        case=mine,
        author=complainant,
        party=MessageParty.COMPLAINANT,
        body="Ann's own message",
        from_ombudsman=False,
    )
    message_send(
        case=mine,
        author=caseworker,
        party=MessageParty.COMPLAINANT,
        body="Reply to Ann",
        from_ombudsman=True,
    )
    message_send(
        case=theirs,
        author=other,
        party=MessageParty.COMPLAINANT,
        body="Bob's secret message about Ann Able",
        from_ombudsman=False,
    )
    case_note_add(case=mine, author=caseworker, body="INTERNAL NOTE about Ann")
    shared, internal = document_upload(
        case=mine,
        uploaded_by=complainant,
        uploader_role=UploaderRole.COMPLAINANT,
        files=[
            SimpleUploadedFile("letter.pdf", pdf_bytes("Trust letter to Ann")),
            SimpleUploadedFile("staff.pdf", pdf_bytes("internal")),
        ],
    )
    Document.objects.filter(pk__in=[shared.pk, internal.pk]).update(status=DocumentStatus.CLEAN)
    Document.objects.filter(pk=internal.pk).update(internal=True)
    bobs = document_upload(
        case=theirs,
        uploaded_by=other,
        uploader_role=UploaderRole.COMPLAINANT,
        files=[SimpleUploadedFile("bob.pdf", pdf_bytes("Bob's evidence"))],
    )[0]
    Document.objects.filter(pk=bobs.pk).update(status=DocumentStatus.CLEAN)
    return complainant, mine, theirs


def _zip(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
class TestDataExport:
    def test_download_holds_own_data_only_and_is_audited(
        self, client, two_people, make_request, django_capture_on_commit_callbacks
    ):
        complainant, mine, theirs = two_people
        for owner, name in ((complainant, "proof.pdf"), (theirs.complainant, "bob-proof.pdf")):
            (proof,) = document_upload(
                case=None,
                uploaded_by=owner,
                uploader_role=UploaderRole.COMPLAINANT,
                files=[SimpleUploadedFile(name, pdf_bytes("Passport"))],
            )
            Document.objects.filter(pk=proof.pk).update(status=DocumentStatus.CLEAN)
        make_request(
            kind=Kind.SAR, user=complainant, requester_email=complainant.email, text="All my data"
        )
        client.force_login(complainant)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("foi:my_data"))
        export = DataExport.objects.get(user=complainant)
        assert export.status == ExportStatus.READY
        assert export.expires_at - export.ready_at == timedelta(days=7)
        assert "Download zip" in client.get(reverse("foi:my_data")).text

        response = client.get(reverse("foi:my_data_download", args=[export.pk]))
        assert response["Content-Type"] == "application/zip"
        archive = _zip(response)
        names = archive.namelist()
        assert {"data.json", "summary.html"} <= set(names)
        letter = mine.documents.get(original_filename="letter.pdf")
        proof = Document.objects.get(original_filename="proof.pdf")
        assert [n for n in names if n.startswith("documents/")] == [
            f"documents/{letter.pk}-letter.pdf",
            f"documents/{proof.pk}-proof.pdf",
        ]
        data = json.loads(archive.read("data.json"))
        everything = archive.read("data.json").decode() + archive.read("summary.html").decode()
        assert data["profile"]["email"] == complainant.email
        assert [c["reference"] for c in data["cases"]] == [mine.reference]
        assert [m["text"] for m in data["cases"][0]["messages"]] == [
            "Ann's own message",
            "Reply to Ann",
        ]
        assert data["information_requests"][0]["request"] == "All my data"
        assert [d["name"] for d in data["other_documents"]] == ["proof.pdf"]
        assert "Submitted" in everything or data["cases"][0]["timeline"]
        # Nothing of the other person's, and no internal handling.
        for absent in (
            theirs.reference,
            "Bob",
            "bob-proof",
            "INTERNAL NOTE",
            "staff.pdf",
            "Note added",
        ):
            assert absent not in everything
        assert (
            AuditEntry.objects.filter(
                action="foi.data_export_downloaded", user=complainant, object_id=str(export.pk)
            ).count()
            == 1
        )

    def test_another_persons_download_is_not_found(
        self, client, two_people, django_capture_on_commit_callbacks
    ):
        complainant, _, _ = two_people
        with django_capture_on_commit_callbacks(execute=True):
            export = data_export_request(user=complainant)
        client.force_login(UserFactory(roles=[Role.COMPLAINANT]))
        assert client.get(reverse("foi:my_data_download", args=[export.pk])).status_code == 404

    def test_needs_sign_in(self, client):
        assert client.get(reverse("foi:my_data")).status_code == 302

    def test_expired_downloads_are_purged(
        self, client, two_people, django_capture_on_commit_callbacks
    ):
        complainant, _, _ = two_people
        with django_capture_on_commit_callbacks(execute=True):
            export = data_export_request(user=complainant)
        export.refresh_from_db()
        assert data_exports_purge(now=timezone.now() + timedelta(days=6)) == 0
        with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
            assert data_exports_purge() == 1
        export.refresh_from_db()
        assert export.status == ExportStatus.PURGED and export.storage_key == ""
        client.force_login(complainant)
        assert client.get(reverse("foi:my_data_download", args=[export.pk])).status_code == 404


@pytest.mark.django_db
class TestDataExportRequest:
    def test_pressing_twice_makes_one_download_but_a_stuck_one_is_replaced(self, complainant):
        first = DataExport.objects.create(user=complainant)
        assert data_export_request(user=complainant) == first
        DataExport.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - timedelta(hours=2)
        )
        assert data_export_request(user=complainant) != first
