"""Uploading, seeing and deleting documents, and the audit trail of staff reads."""

# Fixtures shared by the document tests are imported from documents_support and then named as
# test parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from casework.evidence.screening import (
    MESSAGE_EMPTY,
    MESSAGE_MISMATCH,
    MESSAGE_WRONG_TYPE,
    MESSAGE_ZIP,
)
from casework.models import (
    AuditEntry,
    CaseEventKind,
    Document,
    DocumentStatus,
    Sensitivity,
    TextStatus,
    UploaderRole,
)
from casework.services import (
    UploadRefused,
    audit_record,
    document_delete,
    document_upload,
)
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    evidence_storage,
    make_case,
    pdf_bytes,
    stored_files,
    upload,
)
from tests.casework.evidence.hostile import (
    jpeg_with_gps_and_orientation,
    windows_executable,
    zip_bytes,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}$")


def upload_as_complainant(case, files, **kwargs):
    return document_upload(
        case=case,
        uploaded_by=case.complainant,
        uploader_role=UploaderRole.COMPLAINANT,
        files=files,
        **kwargs,
    )


def stored_bytes(document) -> bytes:
    with default_storage.open(document.storage_key, "rb") as stream:
        return stream.read()


class TestDocumentUpload:
    def test_accepted_file_is_stored_pending_and_queued_for_a_scan_after_commit(
        self, make_case, evidence_storage, django_capture_on_commit_callbacks
    ):
        case = make_case()
        content = pdf_bytes()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            [document] = upload_as_complainant(case, [upload("letter.pdf", content)])

        assert document.status == DocumentStatus.PENDING
        assert document.text_status == TextStatus.PENDING
        assert document.original_filename == "letter.pdf"
        assert document.content_type == "application/pdf"
        assert document.size == len(content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.uploader_role == UploaderRole.COMPLAINANT
        assert document.sensitivity == Sensitivity.NORMAL
        assert stored_bytes(document) == content
        assert len(callbacks) == 1  # the scan, queued only once the upload commits
        event = case.events.get(kind=CaseEventKind.EVIDENCE_UPLOADED)
        assert event.actor == case.complainant
        assert event.payload == {"document_ids": [document.pk], "accepted": 1, "rejected": 0}

    def test_each_refused_file_is_recorded_with_its_reason_and_its_bytes_are_not_stored(
        self, make_case, evidence_storage, django_capture_on_commit_callbacks
    ):
        case = make_case()
        files = [
            upload("setup.pdf", windows_executable()),
            upload("photos.zip", zip_bytes([("a.jpg", b"x")])),
            upload("empty.pdf", b""),
            upload("letter.jpg", pdf_bytes()),
        ]
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            documents = upload_as_complainant(case, files)

        assert [(d.original_filename, d.status, d.rejection_reason) for d in documents] == [
            ("setup.pdf", DocumentStatus.REJECTED, MESSAGE_WRONG_TYPE),
            ("photos.zip", DocumentStatus.REJECTED, MESSAGE_ZIP),
            ("empty.pdf", DocumentStatus.REJECTED, MESSAGE_EMPTY),
            (
                "letter.jpg",
                DocumentStatus.REJECTED,
                MESSAGE_MISMATCH.format(kind="a JPG image", extension="jpg"),
            ),
        ]
        assert stored_files(evidence_storage) == []
        assert callbacks == []
        event = case.events.get(kind=CaseEventKind.EVIDENCE_UPLOADED)
        assert (event.payload["accepted"], event.payload["rejected"]) == (0, 4)

    def test_good_files_are_kept_next_to_bad_ones(self, make_case, evidence_storage):
        case = make_case()
        documents = upload_as_complainant(
            case,
            [
                upload("first.pdf", pdf_bytes("first")),
                upload("virus.pdf", windows_executable()),
                upload("second.pdf", pdf_bytes("second")),
            ],
        )
        assert [d.status for d in documents] == [
            DocumentStatus.PENDING,
            DocumentStatus.REJECTED,
            DocumentStatus.PENDING,
        ]
        assert len(stored_files(evidence_storage)) == 2
        assert stored_bytes(documents[2]) == pdf_bytes("second")

    def test_duplicate_file_names_are_both_kept_under_distinct_keys(self, make_case):
        case = make_case()
        first, second = upload_as_complainant(
            case, [upload("letter.pdf", pdf_bytes("one")), upload("letter.pdf", pdf_bytes("two"))]
        )
        assert first.original_filename == second.original_filename == "letter.pdf"
        assert first.storage_key != second.storage_key
        assert stored_bytes(first) == pdf_bytes("one")
        assert stored_bytes(second) == pdf_bytes("two")

    def test_storage_key_is_made_by_the_server_not_from_the_file_name(
        self, make_case, evidence_storage
    ):
        case = make_case()
        [document] = upload_as_complainant(case, [upload("my complaint letter.pdf", pdf_bytes())])
        assert KEY.match(document.storage_key)
        assert "letter" not in document.storage_key
        [path] = stored_files(evidence_storage)
        assert path.relative_to(evidence_storage).as_posix() == document.storage_key

    def test_path_traversal_in_the_name_is_neutralised(self, make_case, evidence_storage):
        case = make_case()
        accepted, refused = upload_as_complainant(
            case,
            [
                upload("../../etc/passwd.pdf", pdf_bytes()),
                upload("../../etc/passwd", b"root:x:0:0"),
            ],
        )
        assert accepted.original_filename == "passwd.pdf"
        assert accepted.status == DocumentStatus.PENDING
        assert KEY.match(accepted.storage_key)
        assert refused.original_filename == "passwd"
        assert refused.status == DocumentStatus.REJECTED
        # Everything written is inside the storage directory, under the server's key.
        assert [
            p.relative_to(evidence_storage).as_posix() for p in stored_files(evidence_storage)
        ] == [accepted.storage_key]

    def test_images_are_stored_re_encoded_without_their_metadata(self, make_case):
        case = make_case()
        original = jpeg_with_gps_and_orientation()
        [document] = upload_as_complainant(case, [upload("photo.jpg", original)])
        kept = stored_bytes(document)
        assert kept != original
        assert document.size == len(kept)
        assert document.sha256 == hashlib.sha256(kept).hexdigest()
        with Image.open(io.BytesIO(kept)) as image:
            assert not image.getexif()

    def test_too_many_files_refuses_the_whole_upload(self, make_case, settings, evidence_storage):
        settings.EVIDENCE_MAX_FILES_PER_UPLOAD = 2
        case = make_case()
        with pytest.raises(
            UploadRefused, match="You can only select up to 2 files at the same time"
        ):
            upload_as_complainant(case, [upload(f"{n}.pdf", pdf_bytes()) for n in range(3)])
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []

    def test_no_files_is_refused(self, make_case):
        with pytest.raises(UploadRefused, match="Select a file to upload"):
            upload_as_complainant(make_case(), [])

    def test_a_file_over_the_uploaders_quota_is_rejected_naming_the_limit(
        self, make_case, settings, evidence_storage
    ):
        content = pdf_bytes()
        settings.EVIDENCE_USER_QUOTA_BYTES = len(content) * 3 // 2
        case = make_case()
        first, second = upload_as_complainant(
            case, [upload("one.pdf", content), upload("two.pdf", content)]
        )
        assert first.status == DocumentStatus.PENDING
        assert second.status == DocumentStatus.REJECTED
        limit = settings.EVIDENCE_USER_QUOTA_BYTES
        assert second.rejection_reason == (
            f"This file was not uploaded because you can send up to {limit} bytes of files in "
            f"total and you have {limit - len(content)} bytes left. "
            "Contact your caseworker if you need to send more"
        )
        assert len(stored_files(evidence_storage)) == 1

    def test_quota_counts_only_stored_documents_that_are_not_deleted(self, make_case, settings):
        content = pdf_bytes()
        settings.EVIDENCE_USER_QUOTA_BYTES = len(content)
        case = make_case()
        [kept] = upload_as_complainant(case, [upload("one.pdf", content)])
        [over] = upload_as_complainant(case, [upload("two.pdf", content)])
        assert over.status == DocumentStatus.REJECTED
        document_delete(document=kept, actor=UserFactory(roles=[Role.CASEWORKER]))
        [again] = upload_as_complainant(case, [upload("three.pdf", content)])
        assert again.status == DocumentStatus.PENDING

    def test_quota_is_per_uploader_and_staff_have_none(self, make_case, settings):
        content = pdf_bytes()
        settings.EVIDENCE_USER_QUOTA_BYTES = len(content)
        case = make_case()
        upload_as_complainant(case, [upload("one.pdf", content)])
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        documents = document_upload(
            case=case,
            uploaded_by=caseworker,
            uploader_role=UploaderRole.STAFF,
            files=[upload(f"{n}.pdf", content) for n in range(3)],
            sensitivity=Sensitivity.SPECIAL_CATEGORY,
            internal=True,
        )
        assert {d.status for d in documents} == {DocumentStatus.PENDING}
        assert {(d.sensitivity, d.internal) for d in documents} == {
            (Sensitivity.SPECIAL_CATEGORY, True)
        }

    def test_uploads_without_an_account_do_not_share_a_quota(self, settings):
        content = pdf_bytes()
        settings.EVIDENCE_USER_QUOTA_BYTES = len(content)
        documents = [
            document_upload(
                case=None,
                uploaded_by=None,
                uploader_role=UploaderRole.COMPLAINANT,
                files=[upload(f"id-{n}.pdf", content)],
            )[0]
            for n in range(3)
        ]
        assert {(d.status, d.uploaded_by) for d in documents} == {(DocumentStatus.PENDING, None)}

    def test_a_storage_failure_rejects_only_that_file(self, make_case, monkeypatch):
        case = make_case()
        save = FileSystemStorage.save
        calls = []

        def flaky_save(storage, name, content, **kwargs):
            calls.append(name)
            if len(calls) == 1:
                raise OSError("disk full")
            return save(storage, name, content, **kwargs)

        monkeypatch.setattr(FileSystemStorage, "save", flaky_save)
        first, second = upload_as_complainant(
            case, [upload("one.pdf", pdf_bytes()), upload("two.pdf", pdf_bytes())]
        )
        assert first.status == DocumentStatus.REJECTED
        assert first.rejection_reason == "The selected file could not be uploaded – try again"
        assert second.status == DocumentStatus.PENDING

    def test_bytes_written_before_a_failed_commit_are_removed(
        self, make_case, evidence_storage, monkeypatch
    ):
        case = make_case()

        def broken_event(**kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr("casework.services.CaseEvent.objects.create", broken_event)
        with pytest.raises(RuntimeError):
            upload_as_complainant(case, [upload("one.pdf", pdf_bytes())])
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []


class TestDocumentVisibility:
    def test_who_sees_which_documents(self, make_case):
        case = make_case()
        other_case = make_case()
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        [shared] = upload_as_complainant(case, [upload("mine.pdf", pdf_bytes())])
        [internal] = document_upload(
            case=case,
            uploaded_by=caseworker,
            uploader_role=UploaderRole.STAFF,
            files=[upload("clinical.pdf", pdf_bytes())],
            internal=True,
        )
        [elsewhere] = upload_as_complainant(other_case, [upload("theirs.pdf", pdf_bytes())])

        assert set(Document.objects.visible_to(caseworker)) == {shared, internal, elsewhere}
        assert set(Document.objects.visible_to(UserFactory(roles=[Role.MANAGER]))) == {
            shared,
            internal,
            elsewhere,
        }
        assert list(Document.objects.visible_to(case.complainant)) == [shared]
        assert list(Document.objects.visible_to(other_case.complainant)) == [elsewhere]
        analyst = UserFactory(roles=[Role.ANALYST])
        assert not Document.objects.visible_to(analyst).exists()

    def test_a_document_without_an_uploader_is_seen_by_no_one_but_staff(self, make_case):
        case = make_case()
        [proof] = document_upload(
            case=None,
            uploaded_by=None,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[upload("passport.pdf", pdf_bytes("Passport"))],
            internal=True,
        )
        Document.objects.filter(pk=proof.pk).update(status=DocumentStatus.CLEAN)
        for user in (case.complainant, UserFactory(roles=[Role.ANALYST])):
            assert not Document.objects.visible_to(user).filter(pk=proof.pk).exists()
            assert not Document.objects.visible_to(user).filter(uploaded_by=None).exists()
        assert (
            Document.objects.visible_to(UserFactory(roles=[Role.CASEWORKER]))
            .filter(pk=proof.pk)
            .exists()
        )

    def test_only_clean_documents_that_are_not_deleted_are_usable(self, make_case):
        case = make_case()
        pending, clean, rejected, deleted = upload_as_complainant(
            case,
            [
                upload("pending.pdf", pdf_bytes()),
                upload("clean.pdf", pdf_bytes()),
                upload("rejected.pdf", b""),
                upload("deleted.pdf", pdf_bytes()),
            ],
        )
        Document.objects.filter(pk__in=[clean.pk, deleted.pk]).update(status=DocumentStatus.CLEAN)
        document_delete(document=deleted, actor=case.complainant)
        assert list(Document.objects.usable()) == [clean]
        assert rejected.status == DocumentStatus.REJECTED


class TestDocumentDelete:
    def test_soft_deletes_and_sets_the_purge_date(self, make_case, settings):
        settings.EVIDENCE_RETENTION_DAYS = 30
        case = make_case()
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        [document] = upload_as_complainant(case, [upload("letter.pdf", pdf_bytes())])
        before = timezone.now()

        deleted = document_delete(document=document, actor=caseworker)

        assert deleted.deleted_by == caseworker
        assert before <= deleted.deleted_at <= timezone.now()
        assert deleted.purge_after == deleted.deleted_at + timedelta(days=30)
        assert default_storage.exists(document.storage_key)  # bytes stay until the purge
        event = case.events.get(kind=CaseEventKind.EVIDENCE_DELETED)
        assert event.actor == caseworker
        assert event.payload["document_id"] == document.pk

    def test_deleting_twice_changes_nothing(self, make_case):
        case = make_case()
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        [document] = upload_as_complainant(case, [upload("letter.pdf", pdf_bytes())])
        first = document_delete(document=document, actor=caseworker)
        second = document_delete(document=document, actor=UserFactory(roles=[Role.MANAGER]))
        assert (second.deleted_at, second.deleted_by) == (first.deleted_at, caseworker)
        assert case.events.filter(kind=CaseEventKind.EVIDENCE_DELETED).count() == 1


class TestAuditRecord:
    def test_records_who_from_where_and_on_what(self, make_case):
        case = make_case()
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        [document] = upload_as_complainant(case, [upload("letter.pdf", pdf_bytes())])
        request = RequestFactory().get("/staff/", REMOTE_ADDR="198.51.100.23")
        request.user = caseworker

        entry = audit_record(
            request=request, action="document.download", case=case, obj=document, detail={"x": 1}
        )

        entry.refresh_from_db()
        assert (entry.user, entry.ip, entry.action, entry.case) == (
            caseworker,
            "198.51.100.23",
            "document.download",
            case,
        )
        assert (entry.object_type, entry.object_id, entry.detail) == (
            "casework.document",
            str(document.pk),
            {"x": 1},
        )

    def test_entries_cannot_be_changed_or_deleted(self, make_case):
        request = RequestFactory().get("/staff/")
        request.user = UserFactory(roles=[Role.CASEWORKER])
        entry = audit_record(request=request, action="case.view")
        with pytest.raises(TypeError):
            entry.save()
        with pytest.raises(TypeError):
            entry.delete()
        with pytest.raises(TypeError):
            AuditEntry.objects.update(action="changed")
        with pytest.raises(TypeError):
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.get().action == "case.view"
