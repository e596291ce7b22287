"""Staff document pages: list and upload, results, download and preview, delete, the scan queue."""

# Fixtures shared by the document tests are imported from documents_support and then named as
# test parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

import io
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.models import (
    AuditEntry,
    CaseEventKind,
    Document,
    DocumentStatus,
    Sensitivity,
    UploaderRole,
)
from casework.services import document_delete, document_upload
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    evidence_storage,
    jpeg_photo,
    make_case,
    pdf_bytes,
    stored_files,
    upload,
)
from tests.casework.evidence.hostile import windows_executable
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CSP = "sandbox; default-src 'none'"


def make_document(case, name="letter.pdf", content=None, *, status=DocumentStatus.CLEAN, **kwargs):
    """A document as the complainant uploaded it, then moved to `status` as a scan would."""
    [document] = document_upload(
        case=case,
        uploaded_by=case.complainant,
        uploader_role=UploaderRole.COMPLAINANT,
        files=[upload(name, content if content is not None else pdf_bytes())],
        **kwargs,
    )
    if document.status != status:
        Document.objects.filter(pk=document.pk).update(
            status=status, rejection_reason="Refused" if status == DocumentStatus.REJECTED else ""
        )
        document.refresh_from_db()
    return document


def documents_url(case):
    return reverse("casework:case_documents", kwargs={"reference": case.reference})


def download_url(case, document, **query):
    url = reverse(
        "casework:document_download",
        kwargs={"reference": case.reference, "document_id": document.pk},
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cut_off_post(client, url, data, *, keep_bytes):
    """POST a multipart body that stops after `keep_bytes` bytes although its length says more."""
    body = encode_multipart(BOUNDARY, data)
    return client.generic(
        "POST",
        url,
        b"",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(body[:keep_bytes])},
    )


class _DisconnectingStream(io.BytesIO):
    """A client that goes away part-way: the server's read fails, as under a real WSGI server."""

    def read(self, size=-1):
        if self.tell() > 200:
            raise OSError("client disconnected")
        return super().read(min(size, 100) if size and size > 0 else 100)


class TestCaseDocumentsPage:
    def test_lists_the_cases_documents_with_their_status(self, staff_client, make_case):
        case = make_case()
        make_document(case, "ready.pdf")
        make_document(case, "waiting.pdf", status=DocumentStatus.PENDING)
        make_document(case, "refused.pdf", status=DocumentStatus.REJECTED)
        gone = make_document(case, "deleted.pdf")
        document_delete(document=gone, actor=case.complainant)
        make_document(make_case(), "other-case.pdf")

        response = staff_client.get(documents_url(case))

        assert response.status_code == 200
        html = response.content.decode()
        assert "ready.pdf" in html and "Ready" in html
        assert "waiting.pdf" in html and "Checking for viruses" in html
        assert "refused.pdf" in html and "Rejected" in html
        assert "deleted.pdf" not in html
        assert "other-case.pdf" not in html
        assert 'type="file"' in html and "multiple" in html and "govuk-file-upload" in html

    def test_query_count_does_not_grow_with_documents(
        self, staff_client, make_case, django_assert_max_num_queries
    ):
        case = make_case()
        for number in range(15):
            make_document(case, f"letter-{number}.pdf")
        with django_assert_max_num_queries(12):
            response = staff_client.get(documents_url(case))
        assert response.content.decode().count("letter-") >= 15

    def test_staff_upload_redirects_to_each_files_outcome(
        self, staff_client, caseworker, make_case, evidence_storage
    ):
        case = make_case()
        response = staff_client.post(
            documents_url(case),
            {
                "files": [
                    upload("records.pdf", pdf_bytes()),
                    upload("tool.pdf", windows_executable()),
                ],
                "sensitivity": Sensitivity.SPECIAL_CATEGORY,
            },
        )
        assert response.status_code == 302
        records, tool = Document.objects.filter(case=case).order_by("id")
        assert (records.uploader_role, records.uploaded_by, records.internal) == (
            UploaderRole.STAFF,
            caseworker,
            True,
        )
        assert records.sensitivity == Sensitivity.SPECIAL_CATEGORY
        assert response.url == (
            reverse("casework:case_documents_uploaded", kwargs={"reference": case.reference})
            + f"?d={records.pk}&d={tool.pk}"
        )

        results = staff_client.get(response.url).content.decode()
        assert "Some files were not uploaded" in results
        assert "records.pdf" in results and "Checking for viruses" in results
        assert "tool.pdf" in results and "Rejected" in results
        assert "The selected file must be a PDF" in results
        assert len(stored_files(evidence_storage)) == 1

    def test_results_page_shows_only_the_users_own_uploads_on_that_case(
        self, staff_client, make_case
    ):
        case = make_case()
        complainants = make_document(case, "complainants.pdf")
        elsewhere = make_document(make_case(), "other-case.pdf")
        url = reverse("casework:case_documents_uploaded", kwargs={"reference": case.reference})
        page = staff_client.get(f"{url}?d={complainants.pk}&d={elsewhere.pk}").content.decode()
        assert "complainants.pdf" not in page
        assert "other-case.pdf" not in page
        missing = reverse(
            "casework:case_documents_uploaded", kwargs={"reference": "PC-2020-999999"}
        )
        assert staff_client.get(missing).status_code == 404

    def test_sharing_with_the_complainant_is_a_choice(self, staff_client, make_case):
        case = make_case()
        staff_client.post(
            documents_url(case),
            {
                "files": [upload("reply.pdf", pdf_bytes())],
                "sensitivity": Sensitivity.NORMAL,
                "shared_with_complainant": "on",
            },
        )
        assert Document.objects.get(case=case).internal is False

    def test_no_file_chosen_shows_an_error(self, staff_client, make_case):
        case = make_case()
        response = staff_client.post(documents_url(case), {"sensitivity": Sensitivity.NORMAL})
        assert response.status_code == 200
        html = response.content.decode()
        assert "There is a problem" in html
        assert '<a href="#id_files">Select a file to upload</a>' in html
        assert response.context["form"].errors
        assert "<title>Error: " in html

    def test_too_many_files_shows_an_error_and_keeps_nothing(
        self, staff_client, make_case, settings, evidence_storage
    ):
        settings.EVIDENCE_MAX_FILES_PER_UPLOAD = 2
        case = make_case()
        response = staff_client.post(
            documents_url(case),
            {
                "files": [upload(f"{n}.pdf", pdf_bytes()) for n in range(3)],
                "sensitivity": Sensitivity.NORMAL,
            },
        )
        assert "You can only select up to 2 files at the same time" in response.content.decode()
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []

    def test_an_upload_cut_off_part_way_keeps_nothing_and_says_so(
        self, staff_client, make_case, evidence_storage
    ):
        case = make_case()
        data = {
            "sensitivity": Sensitivity.NORMAL,
            "files": [upload("whole.pdf", pdf_bytes("whole")), upload("cut.pdf", pdf_bytes())],
        }
        body_length = len(encode_multipart(BOUNDARY, data))
        for item in data["files"]:
            item.seek(0)

        response = cut_off_post(
            staff_client, documents_url(case), data, keep_bytes=body_length - 300
        )

        assert response.status_code == 400
        html = response.content.decode()
        assert "Your files were not uploaded" in html
        assert "we have not kept any of them" in html
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []

    def test_a_client_that_disconnects_gets_the_same_page(
        self, staff_client, make_case, evidence_storage
    ):
        case = make_case()
        body = encode_multipart(
            BOUNDARY, {"sensitivity": "normal", "files": [upload("a.pdf", pdf_bytes())]}
        )
        response = staff_client.generic(
            "POST",
            documents_url(case),
            b"",
            CONTENT_TYPE=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(len(body)),
            **{"wsgi.input": _DisconnectingStream(body)},
        )
        assert response.status_code == 400
        assert "Your files were not uploaded" in response.content.decode()
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []

    def test_another_cases_reference_that_does_not_exist_is_404(self, staff_client):
        assert staff_client.get("/staff/cases/PC-2020-999999/documents").status_code == 404

    def test_complainant_cannot_use_the_staff_page(self, client, make_case):
        case = make_case()
        client.force_login(case.complainant)
        assert client.get(documents_url(case)).status_code == 403
        response = client.post(documents_url(case), {"files": [upload("a.pdf", pdf_bytes())]})
        assert response.status_code == 403
        assert not Document.objects.exists()

    def test_staff_without_casework_permission_are_refused(self, client, make_case):
        analyst = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        assert analyst.get(documents_url(make_case())).status_code == 403


class TestStaffDocumentDownload:
    def test_download_headers(self, staff_client, make_case):
        case = make_case()
        document = make_document(case, "Letter from the trust – März.pdf")

        response = staff_client.get(download_url(case, document))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="Letter from the trust  Marz.pdf"; '
            "filename*=UTF-8''Letter%20from%20the%20trust%20%E2%80%93%20M%C3%A4rz.pdf"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == CSP
        assert "no-store" in response["Cache-Control"].split(", ")

    def test_download_is_audited_with_the_address(self, staff_client, caseworker, make_case):
        case = make_case()
        document = make_document(case)
        staff_client.get(download_url(case, document), REMOTE_ADDR="203.0.113.9")
        entry = AuditEntry.objects.get()
        assert (entry.user, entry.ip, entry.action, entry.case) == (
            caseworker,
            "203.0.113.9",
            "document.download",
            case,
        )
        assert (entry.object_type, entry.object_id) == ("casework.document", str(document.pk))

    def test_pdf_and_image_preview_inline_with_the_same_sandbox(self, staff_client, make_case):
        case = make_case()
        pdf = make_document(case, "letter.pdf")
        photo = make_document(case, "photo.jpg", jpeg_photo())
        for document, content_type in ((pdf, "application/pdf"), (photo, "image/jpeg")):
            response = staff_client.get(download_url(case, document, inline=1))
            assert response.status_code == 200
            assert response["Content-Type"] == content_type
            assert response["Content-Disposition"].startswith(
                f'inline; filename="{document.original_filename}"'
            )
            assert response["Content-Security-Policy"] == CSP
            assert response["X-Content-Type-Options"] == "nosniff"
        assert list(AuditEntry.objects.values_list("action", flat=True)) == [
            "document.preview",
            "document.preview",
        ]

    def test_other_types_always_download(self, staff_client, make_case):
        case = make_case()
        document = make_document(case, "notes.txt", b"What the receptionist said to me.\n")
        response = staff_client.get(download_url(case, document, inline=1))
        assert response["Content-Disposition"].startswith("attachment;")
        assert AuditEntry.objects.get().action == "document.download"

    @pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.REJECTED])
    def test_documents_not_scanned_clean_are_not_found(self, staff_client, make_case, status):
        case = make_case()
        document = make_document(case, status=status)
        assert staff_client.get(download_url(case, document)).status_code == 404
        assert not AuditEntry.objects.exists()

    def test_deleted_documents_are_not_found(self, staff_client, caseworker, make_case):
        case = make_case()
        document = make_document(case)
        document_delete(document=document, actor=caseworker)
        assert staff_client.get(download_url(case, document)).status_code == 404

    def test_a_document_of_another_case_is_not_found_through_this_case(
        self, staff_client, make_case
    ):
        case, other = make_case(), make_case()
        document = make_document(other)
        assert staff_client.get(download_url(case, document)).status_code == 404

    def test_complainant_cannot_use_the_staff_url(self, client, make_case):
        case = make_case()
        document = make_document(case)
        client.force_login(case.complainant)
        assert client.get(download_url(case, document)).status_code == 403
        assert not AuditEntry.objects.exists()

    def test_signed_out_visitor_is_sent_to_sign_in(self, client, make_case):
        case = make_case()
        response = client.get(download_url(case, make_document(case)))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


class TestDocumentDelete:
    def test_confirm_then_delete(self, staff_client, caseworker, make_case, settings):
        settings.EVIDENCE_RETENTION_DAYS = 30
        case = make_case()
        document = make_document(case, "wrong-case.pdf")
        url = reverse(
            "casework:document_delete",
            kwargs={"reference": case.reference, "document_id": document.pk},
        )
        page = staff_client.get(url).content.decode()
        assert "Are you sure you want to delete wrong-case.pdf?" in page
        assert "removed permanently after 30 days" in page

        response = staff_client.post(url, follow=True)

        document.refresh_from_db()
        assert document.deleted_by == caseworker
        assert case.events.filter(kind=CaseEventKind.EVIDENCE_DELETED, actor=caseworker).exists()
        assert "wrong-case.pdf has been deleted" in response.content.decode()
        assert default_storage.exists(document.storage_key)

    def test_a_document_of_another_case_is_not_found(self, staff_client, make_case):
        case, other = make_case(), make_case()
        document = make_document(other)
        url = reverse(
            "casework:document_delete",
            kwargs={"reference": case.reference, "document_id": document.pk},
        )
        assert staff_client.post(url).status_code == 404
        document.refresh_from_db()
        assert document.deleted_at is None


class TestPendingScans:
    url = "/staff/documents/pending"

    def test_lists_documents_waiting_oldest_first_with_their_age(self, staff_client, make_case):
        case = make_case()
        older = make_document(case, "older.pdf", status=DocumentStatus.PENDING)
        make_document(case, "newer.pdf", status=DocumentStatus.PENDING)
        make_document(case, "done.pdf")
        Document.objects.filter(pk=older.pk).update(
            created_at=timezone.now() - timedelta(minutes=42)
        )

        response = staff_client.get(self.url)

        html = response.content.decode()
        assert response.status_code == 200
        assert "2 documents waiting" in html
        assert html.index("older.pdf") < html.index("newer.pdf")
        assert "done.pdf" not in html
        assert re.search(r"42\s*minutes", html)
        assert "The virus scanner may be behind or stopped" in html
        assert case.reference in html

    def test_no_warning_when_the_scanner_keeps_up(self, staff_client, make_case):
        make_document(make_case(), status=DocumentStatus.PENDING)
        html = staff_client.get(self.url).content.decode()
        assert "1 document waiting" in html
        assert "may be behind" not in html

    def test_query_count_does_not_grow_with_documents(
        self, staff_client, make_case, django_assert_max_num_queries
    ):
        for _ in range(12):
            make_document(make_case(), status=DocumentStatus.PENDING)
        with django_assert_max_num_queries(10):
            response = staff_client.get(self.url)
        assert "12 documents waiting" in response.content.decode()

    def test_complainant_cannot_see_it(self, client, make_case):
        case = make_case()
        client.force_login(case.complainant)
        assert client.get(self.url).status_code == 403
