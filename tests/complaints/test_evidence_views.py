"""The complainant's evidence page for their own case: upload, each file's outcome, download."""

# Fixtures shared by the document tests are imported from documents_support and then named as
# test parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

import io

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from accounts.roles import Role
from casework.models import AuditEntry, Document, DocumentStatus, UploaderRole
from casework.services import document_delete, document_upload
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    evidence_storage,
    jpeg_photo,
    make_case,
    pdf_bytes,
    stored_files,
    upload,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def evidence_url(case):
    return reverse("complaints:evidence", kwargs={"reference": case.reference})


def download_url(case, document):
    return reverse(
        "complaints:document_download",
        kwargs={"reference": case.reference, "document_id": document.pk},
    )


def make_document(case, name="letter.pdf", *, status=DocumentStatus.CLEAN, uploaded_by=None, **kw):
    uploaded_by = uploaded_by or case.complainant
    [document] = document_upload(
        case=case,
        uploaded_by=uploaded_by,
        uploader_role=UploaderRole.STAFF
        if uploaded_by.is_ombudsman_staff
        else UploaderRole.COMPLAINANT,
        files=[upload(name, pdf_bytes())],
        **kw,
    )
    Document.objects.filter(pk=document.pk).update(
        status=status, rejection_reason="Refused" if status == DocumentStatus.REJECTED else ""
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def complainant_client(client, make_case):
    case = make_case()
    client.force_login(case.complainant)
    client.case = case
    return client


class TestEvidencePage:
    def test_sign_in_is_required(self, client, make_case):
        case = make_case()
        response = client.get(evidence_url(case))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
        response = client.post(evidence_url(case), {"files": [upload("a.pdf", pdf_bytes())]})
        assert response.status_code == 302
        assert not Document.objects.exists()

    def test_shows_the_upload_form_and_the_files_sent(self, complainant_client):
        case = complainant_client.case
        make_document(case, "sent.pdf")
        make_document(case, "checking.pdf", status=DocumentStatus.PENDING)
        caseworker = UserFactory(roles=[Role.CASEWORKER])
        make_document(case, "shared-reply.pdf", uploaded_by=caseworker, internal=False)
        make_document(case, "clinical-notes.pdf", uploaded_by=caseworker, internal=True)

        response = complainant_client.get(evidence_url(case))

        html = response.content.decode()
        assert response.status_code == 200
        assert "Send evidence" in html
        assert 'enctype="multipart/form-data"' in html
        assert 'class="govuk-file-upload"' in html and "multiple" in html
        assert "sent.pdf" in html and "checking.pdf" in html
        # What staff shared is on its own page, "Letters and files from us", not among theirs.
        assert "shared-reply.pdf" not in html
        assert "We have sent you 1 letter or file" in html
        assert "clinical-notes.pdf" not in html
        assert 'src="/static/js/upload.js"' in html and 'type="module"' in html
        assert "<progress" in html

    def test_another_persons_case_is_not_found(
        self, complainant_client, make_case, evidence_storage
    ):
        other = make_case()
        assert complainant_client.get(evidence_url(other)).status_code == 404
        response = complainant_client.post(
            evidence_url(other), {"files": [upload("a.pdf", pdf_bytes())]}
        )
        assert response.status_code == 404
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []

    def test_upload_shows_each_files_outcome_and_reload_shows_the_latest(
        self, complainant_client, evidence_storage
    ):
        case = complainant_client.case
        response = complainant_client.post(
            evidence_url(case),
            {
                "files": [
                    upload("letter.pdf", pdf_bytes()),
                    upload("photo.jpg", jpeg_photo()),
                    upload("empty.pdf", b""),
                ]
            },
        )
        assert response.status_code == 302
        letter, photo, empty = Document.objects.filter(case=case).order_by("id")
        assert letter.uploader_role == UploaderRole.COMPLAINANT
        assert letter.internal is False

        page = complainant_client.get(response.url).content.decode()
        assert "Some of your files were not uploaded" in page
        assert page.count("Checking for viruses") == 2
        assert "empty.pdf" in page and "The selected file is empty" in page

        Document.objects.filter(pk__in=[letter.pk, photo.pk]).update(status=DocumentStatus.CLEAN)
        page = complainant_client.get(response.url).content.decode()
        assert "Checking for viruses" not in page
        assert page.count(">Ready<") == 2
        assert download_url(case, letter) in page
        assert len(stored_files(evidence_storage)) == 2

    def test_results_page_shows_only_the_users_own_documents_on_that_case(
        self, complainant_client, make_case
    ):
        case = complainant_client.case
        other = make_document(make_case(), "not-yours.pdf")
        staff_document = make_document(
            case, "staff.pdf", uploaded_by=UserFactory(roles=[Role.CASEWORKER])
        )
        url = reverse("complaints:evidence_uploaded", kwargs={"reference": case.reference})
        page = complainant_client.get(f"{url}?d={other.pk}&d={staff_document.pk}").content.decode()
        assert "not-yours.pdf" not in page
        assert "staff.pdf" not in page

    def test_no_file_chosen_shows_an_error(self, complainant_client):
        response = complainant_client.post(evidence_url(complainant_client.case), {})
        html = response.content.decode()
        assert response.status_code == 200
        assert '<a href="#id_files">Select a file to upload</a>' in html
        assert 'aria-describedby="id_files-hint id_files-error"' in html

    def test_an_upload_cut_off_part_way_keeps_nothing(self, complainant_client, evidence_storage):
        body = encode_multipart(
            BOUNDARY, {"files": [upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())]}
        )
        response = complainant_client.generic(
            "POST",
            evidence_url(complainant_client.case),
            b"",
            CONTENT_TYPE=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(len(body)),
            **{"wsgi.input": io.BytesIO(body[: len(body) - 200])},
        )
        assert response.status_code == 400
        assert "Your files were not uploaded" in response.content.decode()
        assert not Document.objects.exists()
        assert stored_files(evidence_storage) == []

    def test_query_count_does_not_grow_with_documents(
        self, complainant_client, django_assert_max_num_queries
    ):
        case = complainant_client.case
        for number in range(15):
            make_document(case, f"letter-{number}.pdf")
        with django_assert_max_num_queries(10):
            response = complainant_client.get(evidence_url(case))
        assert response.content.decode().count("letter-") >= 15


class TestComplainantDownload:
    def test_own_clean_document_downloads_with_safe_headers(self, complainant_client):
        case = complainant_client.case
        document = make_document(case, "letter.pdf")
        response = complainant_client.get(download_url(case, document))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Disposition"] == (
            "attachment; filename=\"letter.pdf\"; filename*=UTF-8''letter.pdf"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert "no-store" in response["Cache-Control"].split(", ")
        assert not AuditEntry.objects.exists()  # audit is of staff reads

    @pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.REJECTED])
    def test_documents_not_scanned_clean_are_not_found(self, complainant_client, status):
        case = complainant_client.case
        document = make_document(case, status=status)
        assert complainant_client.get(download_url(case, document)).status_code == 404

    def test_deleted_document_is_not_found(self, complainant_client):
        case = complainant_client.case
        document = make_document(case)
        document_delete(document=document, actor=UserFactory(roles=[Role.CASEWORKER]))
        assert complainant_client.get(download_url(case, document)).status_code == 404

    def test_another_complainants_document_is_not_found(self, complainant_client, make_case):
        other = make_case()
        document = make_document(other)
        assert complainant_client.get(download_url(other, document)).status_code == 404
        # Nor through the complainant's own case reference.
        own = complainant_client.case
        assert complainant_client.get(download_url(own, document)).status_code == 404

    def test_staff_only_document_is_not_found(self, complainant_client):
        case = complainant_client.case
        document = make_document(
            case, uploaded_by=UserFactory(roles=[Role.CASEWORKER]), internal=True
        )
        assert complainant_client.get(download_url(case, document)).status_code == 404

    def test_inline_is_not_offered_to_complainants(self, complainant_client):
        case = complainant_client.case
        document = make_document(case)
        response = complainant_client.get(download_url(case, document) + "?inline=1")
        assert response["Content-Disposition"].startswith("attachment;")
