"""Files uploaded on pages of the guided form: linked to the draft, listed, removed, then sent."""

# Fixtures shared by the document tests are imported from their support modules and then named
# as test parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.documents import deleted_documents_purge
from casework.models import Case, Document, DocumentStatus
from complaints.drafts import DRAFT_KEEP_DAYS
from complaints.models import DraftDocument, DraftDocumentPurpose
from complaints.services import complaint_drafts_purge, complaint_submit
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    evidence_storage,
    pdf_bytes,
    upload,
)
from tests.complaints.test_form_support import (  # noqa: F401 - fixtures
    complete_answers,
    demo_postcodes,
    form_url,
    make_draft,
    organisation,
    remember_in_session,
    step_url,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def upload_url(draft, step):
    return form_url("files_upload", draft, step=step)


def send_files(client, draft, step, *files):
    return client.post(upload_url(draft, step), {"files": list(files)})


@pytest.fixture
def finished(complainant, organisation, demo_postcodes):
    return make_draft(owner=complainant, answers=complete_answers(organisation))


class TestUploadOnAFormPage:
    def test_upload_is_linked_to_the_draft_and_listed_on_the_page(
        self, client, finished, complainant
    ):
        client.force_login(complainant)
        response = send_files(
            client, finished, "final-response-date", upload("reply.pdf", pdf_bytes())
        )
        assert response.status_code == 302
        assert response.url.startswith(step_url(finished, "final-response-date"))
        [link] = DraftDocument.objects.filter(draft=finished)
        assert link.purpose == DraftDocumentPurpose.FINAL_RESPONSE
        assert link.document.case is None
        assert link.document.uploaded_by == complainant
        assert link.document.status == DocumentStatus.PENDING
        html = client.get(step_url(finished, "final-response-date")).content.decode()
        assert "reply.pdf" in html
        assert "Checking for viruses" in html
        check = client.get(form_url("check_answers", finished)).content.decode()
        assert "reply.pdf" in check

    def test_evidence_page_takes_evidence(self, client, finished, complainant):
        client.force_login(complainant)
        send_files(client, finished, "evidence", upload("photo.pdf", pdf_bytes()))
        assert DraftDocument.objects.get(draft=finished).purpose == DraftDocumentPurpose.EVIDENCE

    def test_consent_page_takes_the_consent_form(self, client, complainant, organisation):
        answers = complete_answers(
            organisation,
            **{
                "for-someone-else": {"for_someone_else": "yes"},
                "their-name": {"their_name": "Ruth Smith"},
                "relationship": {"relationship": "Daughter"},
                "authority": {"authority": "consent"},
            },
        )
        draft = make_draft(owner=complainant, answers=answers)
        client.force_login(complainant)
        send_files(client, draft, "authority", upload("consent.pdf", pdf_bytes()))
        assert DraftDocument.objects.get(draft=draft).purpose == DraftDocumentPurpose.CONSENT
        assert "consent.pdf" in client.get(step_url(draft, "authority")).content.decode()

    def test_rejected_file_is_shown_with_its_reason_and_never_joins_the_case(
        self, client, finished, complainant
    ):
        client.force_login(complainant)
        send_files(client, finished, "evidence", upload("tool.exe", b"MZ\x90\x00 not a document"))
        [link] = DraftDocument.objects.filter(draft=finished).select_related("document")
        document = link.document
        assert document.status == DocumentStatus.REJECTED
        assert document.rejection_reason
        html = client.get(step_url(finished, "evidence")).content.decode()
        assert "tool.exe" in html
        assert "Rejected" in html
        assert document.rejection_reason.replace("'", "&#x27;") in html
        case = complaint_submit(draft=finished, user=complainant)
        document.refresh_from_db()
        assert document.case is None
        assert not Document.objects.filter(case=case).exists()

    def test_a_removed_file_is_not_listed_and_not_sent(self, client, finished, complainant):
        client.force_login(complainant)
        send_files(client, finished, "evidence", upload("wrong.pdf", pdf_bytes()))
        document = Document.objects.get(draft_link__draft=finished)
        response = client.post(
            form_url("file_remove", finished, step="evidence", document_id=document.pk)
        )
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.deleted_at is not None
        assert "wrong.pdf" not in client.get(step_url(finished, "evidence")).content.decode()
        case = complaint_submit(draft=finished, user=complainant)
        assert not Document.objects.filter(case=case).exists()

    def test_no_files_is_an_error_on_the_page(self, client, finished, complainant):
        client.force_login(complainant)
        response = client.post(upload_url(finished, "evidence"), {})
        assert response.status_code == 400
        assert "Select a file to upload" in response.content.decode()
        assert not DraftDocument.objects.exists()

    def test_not_signed_in_is_told_to_sign_in_and_cannot_upload(self, client, organisation):
        draft = make_draft(answers=complete_answers(organisation))
        remember_in_session(client, draft)
        html = client.get(step_url(draft, "evidence")).content.decode()
        assert "after you" in html and "sign in" in html
        assert 'type="file"' not in html
        response = send_files(client, draft, "evidence", upload("a.pdf", pdf_bytes()))
        assert response.status_code == 302
        assert reverse("account_login") in response.url
        assert not Document.objects.exists()

    def test_another_persons_draft_upload_url_is_not_found(self, client, finished):
        someone = UserFactory(roles=[Role.COMPLAINANT])
        client.force_login(someone)
        response = send_files(client, finished, "evidence", upload("a.pdf", pdf_bytes()))
        assert response.status_code == 404
        assert not Document.objects.exists()

    def test_another_persons_file_cannot_be_removed(self, client, finished, complainant):
        client.force_login(complainant)
        send_files(client, finished, "evidence", upload("mine.pdf", pdf_bytes()))
        document = Document.objects.get()
        someone = UserFactory(roles=[Role.COMPLAINANT])
        client.force_login(someone)
        own = make_draft(owner=someone, answers=finished.answers)
        for draft in (finished, own):
            response = client.post(
                form_url("file_remove", draft, step="evidence", document_id=document.pk)
            )
            assert response.status_code == 404
        document.refresh_from_db()
        assert document.deleted_at is None

    def test_a_page_that_takes_no_files_has_no_upload_url(self, client, finished, complainant):
        client.force_login(complainant)
        response = send_files(client, finished, "impact", upload("a.pdf", pdf_bytes()))
        assert response.status_code == 404


class TestSendingMovesTheFiles:
    def test_exactly_the_drafts_files_join_the_case_and_show_on_its_evidence_page(
        self, client, finished, complainant, organisation
    ):
        client.force_login(complainant)
        send_files(client, finished, "final-response-date", upload("reply.pdf", pdf_bytes()))
        send_files(client, finished, "evidence", upload("photo.pdf", pdf_bytes()))
        other_draft = make_draft(owner=complainant, answers=complete_answers(organisation))
        send_files(client, other_draft, "evidence", upload("other.pdf", pdf_bytes()))
        response = client.post(
            form_url("check_answers", finished),
            {"submission_token": str(finished.submission_token)},
        )
        assert response.status_code == 302
        case = Case.objects.get(complainant=complainant)
        names = Document.objects.filter(case=case).values_list("original_filename", flat=True)
        assert sorted(names) == ["photo.pdf", "reply.pdf"]
        assert Document.objects.get(original_filename="other.pdf").case is None
        page = client.get(reverse("complaints:evidence", kwargs={"reference": case.reference}))
        html = page.content.decode()
        assert "reply.pdf" in html and "photo.pdf" in html and "other.pdf" not in html


class TestExpiredDraftsFiles:
    def test_files_of_a_draft_never_sent_are_purged_with_it_and_sent_files_stay(
        self, client, finished, complainant, organisation, evidence_storage
    ):
        client.force_login(complainant)
        abandoned = make_draft(owner=complainant, answers=complete_answers(organisation))
        send_files(client, abandoned, "evidence", upload("abandoned.pdf", pdf_bytes()))
        send_files(client, finished, "evidence", upload("sent.pdf", pdf_bytes()))
        client.post(
            form_url("check_answers", finished),
            {"submission_token": str(finished.submission_token)},
        )
        abandoned_file = Document.objects.get(original_filename="abandoned.pdf")
        sent_file = Document.objects.get(original_filename="sent.pdf")
        assert (evidence_storage / abandoned_file.storage_key).exists()

        with time_machine.travel(timezone.now() + timedelta(days=DRAFT_KEEP_DAYS, hours=1)):
            complaint_drafts_purge()
            assert deleted_documents_purge() == 1

        abandoned_file.refresh_from_db()
        sent_file.refresh_from_db()
        assert abandoned_file.purged_at is not None
        assert not (evidence_storage / abandoned_file.storage_key).exists()
        assert sent_file.deleted_at is None and sent_file.case is not None
        assert (evidence_storage / sent_file.storage_key).exists()
