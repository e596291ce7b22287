from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.models import Document, DocumentStatus, UploaderRole
from casework.services import document_upload
from foi.models import DisclosureEntry, Kind, Outcome, RequestDocument
from foi.services import (
    RequestRefused,
    disclosure_publish,
    ico_appeal_record,
    request_assign,
    request_close,
    request_documents_link,
    request_draft_submit,
    request_exemption_apply,
    request_identity_verify,
    request_search_record,
    request_send,
    request_sign_off,
    request_withdraw,
    review_open,
)
from foi.state import Status
from tests.casework.documents_support import pdf_bytes


def _to_sent(info, drafter, signer, *, on=None, text="We hold 42 such complaints."):
    info = request_assign(request=info, assignee=drafter, actor=drafter)
    info = request_draft_submit(request=info, actor=drafter, response_text=text)
    info = request_sign_off(request=info, actor=signer)
    return request_send(request=info, actor=signer, on=on or info.received_on)


@pytest.mark.django_db
class TestInformationRequestSubmit:
    def test_acknowledgement_gives_reference_and_due_date(
        self, make_request, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            info = make_request(received_on=date(2026, 10, 10))
        assert info.reference.startswith("FOI-2026-")
        assert len(mail.outbox) == 1
        assert info.reference in mail.outbox[0].subject
        assert "6 November 2026" in mail.outbox[0].body
        # Notifications never carry what was asked for.
        assert "GP practices" not in mail.outbox[0].body

    def test_postal_request_needs_no_email(self, make_request, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            info = make_request(
                requester_email="",
                requester_address="1 High Street\nTown\nAB1 2CD",
                answer_format="post",
            )
        assert info.status == Status.RECEIVED
        assert mail.outbox == []

    def test_contact_address_is_required(self, make_request):
        with pytest.raises(RequestRefused, match="email address or a postal address"):
            make_request(requester_email="", requester_address="")

    def test_near_identical_repeat_within_60_days_is_flagged_not_refused(self, make_request):
        first = make_request(received_on=date(2026, 9, 1))
        repeat = make_request(
            requester_email="PAT@example.com",
            text="How many complaints about GP practices did you receive in 2025 ?",
            received_on=date(2026, 10, 20),
        )
        assert repeat.possible_repeat_of == first
        assert repeat.status == Status.RECEIVED
        assert repeat.events.filter(kind="repeat_flagged").exists()

    def test_repeat_after_60_days_or_different_text_is_not_flagged(self, make_request):
        make_request(received_on=date(2026, 1, 1))
        later = make_request(received_on=date(2026, 3, 15))
        different = make_request(
            text="What is your policy on reasonable adjustments?", received_on=date(2026, 3, 16)
        )
        assert later.possible_repeat_of is None
        assert different.possible_repeat_of is None

    def test_sar_from_account_holder_about_themselves_starts_the_clock(
        self, make_request, complainant
    ):
        info = make_request(kind=Kind.SAR, user=complainant, received_on=date(2026, 3, 31))
        assert info.status == Status.RECEIVED
        assert info.identity_verified_on == date(2026, 3, 31)

    def test_sar_for_someone_else_waits_for_identity_check(
        self, make_request, complainant, foi_officer, django_capture_on_commit_callbacks
    ):
        document = document_upload(
            case=None,
            uploaded_by=complainant,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[
                SimpleUploadedFile(
                    "authority.pdf", pdf_bytes("I authorise my son to ask for my data")
                )
            ],
        )[0]
        info = make_request(
            kind=Kind.SAR,
            user=complainant,
            on_behalf_of="Alex Parent",
            identity_document_ids=[document.pk],
            received_on=date(2026, 3, 2),
        )
        assert info.status == Status.AWAITING_IDENTITY
        assert info.due_on is None and info.clock is None
        assert RequestDocument.objects.get(request=info).document == document
        with django_capture_on_commit_callbacks(execute=True):
            info = request_identity_verify(request=info, actor=foi_officer, on=date(2026, 3, 9))
        assert info.status == Status.RECEIVED
        assert info.due_on == date(2026, 4, 9)
        assert "9 April 2026" in mail.outbox[-1].body

    def test_identity_document_is_screened_like_all_evidence(self, complainant):
        refused = document_upload(
            case=None,
            uploaded_by=complainant,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[SimpleUploadedFile("passport.exe", b"MZ\x90\x00" + b"\x00" * 60)],
        )[0]
        assert refused.status == DocumentStatus.REJECTED
        assert refused.case is None


@pytest.mark.django_db
class TestWorkflow:
    def test_drafter_cannot_sign_off_their_own_draft(self, make_request, foi_officer):
        info = request_assign(request=make_request(), assignee=foi_officer, actor=foi_officer)
        info = request_draft_submit(request=info, actor=foi_officer, response_text="Draft")
        with pytest.raises(RequestRefused, match="second officer"):
            request_sign_off(request=info, actor=foi_officer)

    def test_sending_stops_the_clock_and_tells_the_requester(
        self, make_request, foi_officer, second_officer, django_capture_on_commit_callbacks
    ):
        info = make_request(received_on=date(2026, 10, 10))
        with django_capture_on_commit_callbacks(execute=True):
            info = _to_sent(info, foi_officer, second_officer, on=date(2026, 11, 2))
        assert info.status == Status.SENT
        assert info.sent_on == date(2026, 11, 2)
        assert info.statutory_clock.is_stopped and not info.statutory_clock.stopped_late
        assert "replied" in mail.outbox[-1].subject
        actions = list(
            info.events.filter(kind="status_changed").values_list("payload__action", flat=True)
        )
        assert actions == ["start", "submit_draft", "sign_off", "send"]

    def test_cannot_send_without_sign_off(self, make_request, foi_officer):
        info = request_assign(request=make_request(), assignee=foi_officer, actor=foi_officer)
        info = request_draft_submit(request=info, actor=foi_officer, response_text="Draft")
        with pytest.raises(RequestRefused, match="Response sent: not possible"):
            request_send(request=info, actor=foi_officer)

    def test_assign_only_to_foi_staff(self, make_request, foi_officer, caseworker):
        with pytest.raises(RequestRefused, match="FOI officers"):
            request_assign(request=make_request(), assignee=caseworker, actor=foi_officer)

    def test_qualified_exemption_needs_public_interest_notes(self, make_request, foi_officer):
        info = make_request()
        with pytest.raises(RequestRefused, match="public interest"):
            request_exemption_apply(request=info, actor=foi_officer, code="s36")
        applied = request_exemption_apply(
            request=info,
            actor=foi_officer,
            code="s36",
            public_interest_notes="Balance favours withholding",
        )
        assert applied.get_code_display().startswith("s.36")
        request_exemption_apply(request=info, actor=foi_officer, code="s40_2")

    def test_eir_request_takes_only_eir_exceptions(self, make_request, foi_officer):
        info = make_request(kind=Kind.EIR)
        with pytest.raises(RequestRefused, match="EIR exception"):
            request_exemption_apply(
                request=info, actor=foi_officer, code="s43", public_interest_notes="x"
            )
        request_exemption_apply(request=info, actor=foi_officer, code="r13")

    def test_searches_are_recorded(self, make_request, foi_officer):
        event = request_search_record(
            request=make_request(),
            actor=foi_officer,
            searched="Case system, 2025",
            found="42 records",
        )
        assert event.payload == {"found": "42 records"}

    def test_close_with_outcome_and_withdraw(self, make_request, foi_officer, second_officer):
        info = _to_sent(make_request(), foi_officer, second_officer)
        info = request_close(request=info, actor=foi_officer, outcome=Outcome.NOT_HELD)
        assert info.status == Status.CLOSED and info.outcome == Outcome.NOT_HELD
        other = request_withdraw(
            request=make_request(text="Another"), actor=foi_officer, reason="Requester withdrew"
        )
        assert other.outcome == Outcome.WITHDRAWN and other.statutory_clock.is_stopped

    def test_vexatious_is_an_outcome_staff_choose(self, make_request, foi_officer, second_officer):
        info = _to_sent(make_request(), foi_officer, second_officer, text="Refused under s.14(1).")
        assert (
            request_close(request=info, actor=foi_officer, outcome=Outcome.VEXATIOUS).outcome
            == "vexatious"
        )

    def test_internal_review_is_a_linked_request_with_its_own_clock(
        self, make_request, foi_officer, second_officer
    ):
        info = _to_sent(
            make_request(received_on=date(2026, 8, 3)),
            foi_officer,
            second_officer,
            on=date(2026, 8, 20),
        )
        review = review_open(
            request=info,
            actor=foi_officer,
            text="Please review the s.36 refusal",
            received_on=date(2026, 8, 28),
        )
        assert review.review_of == info
        assert review.reference.startswith("IR-2026-")
        assert review.due_on == date(2026, 9, 28)
        assert info.events.filter(kind="review_opened").exists()

    def test_review_needs_a_response_first(self, make_request, foi_officer):
        with pytest.raises(RequestRefused, match="follows a response"):
            review_open(request=make_request(), actor=foi_officer, text="Review")

    def test_ico_appeal_is_recorded(self, make_request, foi_officer):
        info = ico_appeal_record(
            request=make_request(),
            actor=foi_officer,
            received_on=date(2026, 12, 1),
            ico_reference="IC-123456-A1B2",
            ico_outcome="Upheld",
        )
        assert (info.ico_reference, info.ico_outcome) == ("IC-123456-A1B2", "Upheld")
        assert info.events.get(kind="ico_appeal_recorded").payload["reference"] == "IC-123456-A1B2"


@pytest.mark.django_db
class TestDisclosurePublish:
    def _closed_for_publication(self, make_request, drafter, signer, text):
        info = _to_sent(make_request(), drafter, signer, text=text)
        return request_close(
            request=info,
            actor=drafter,
            outcome=Outcome.GRANTED,
            publish=True,
            topic="Complaints data",
        )

    def test_text_with_personal_data_is_refused(self, make_request, foi_officer, second_officer):
        info = self._closed_for_publication(
            make_request, foi_officer, second_officer, "Contact jo@example.com"
        )
        with pytest.raises(RequestRefused, match="email address"):
            disclosure_publish(
                request=info,
                actor=second_officer,
                title="Complaints",
                redacted_text="Contact jo@example.com",
                confirmed=True,
            )

    def test_requesters_name_is_refused(self, make_request, foi_officer, second_officer):
        info = self._closed_for_publication(make_request, foi_officer, second_officer, "Dear Pat")
        with pytest.raises(RequestRefused, match="name"):
            disclosure_publish(
                request=info,
                actor=second_officer,
                title="Complaints",
                redacted_text="Dear Pat Requester, we hold 42.",
                confirmed=True,
            )

    def test_confirmation_is_required(self, make_request, foi_officer, second_officer):
        info = self._closed_for_publication(
            make_request, foi_officer, second_officer, "We hold 42."
        )
        with pytest.raises(RequestRefused, match="Confirm"):
            disclosure_publish(
                request=info,
                actor=second_officer,
                title="Complaints",
                redacted_text="We hold 42.",
                confirmed=False,
            )

    def test_published_entry_has_no_requester_data_and_only_clean_attachments(
        self, make_request, foi_officer, second_officer
    ):
        info = self._closed_for_publication(
            make_request, foi_officer, second_officer, "We hold 42."
        )
        clean, pending = document_upload(
            case=None,
            uploaded_by=foi_officer,
            uploader_role=UploaderRole.STAFF,
            files=[
                SimpleUploadedFile("table.csv", b"year,count\n2025,42\n"),
                SimpleUploadedFile("draft.csv", b"a,b\n1,2\n"),
            ],
        )
        Document.objects.filter(pk=clean.pk).update(status=DocumentStatus.CLEAN)
        request_documents_link(
            request=info, documents=[clean, pending], purpose="response", actor=foi_officer
        )
        with time_machine.travel(date(2026, 12, 1)):
            entry = disclosure_publish(
                request=info,
                actor=second_officer,
                title="Complaints about GPs",
                redacted_text="We hold 42.",
                confirmed=True,
                attachment_ids=[clean.pk, pending.pk],
            )
        assert list(entry.attachments.all()) == [clean]
        assert entry.topic == "Complaints data" and entry.published_on == date(2026, 12, 1)
        field_names = {f.name for f in DisclosureEntry._meta.get_fields()}
        assert not {n for n in field_names if "requester" in n or "email" in n}

    def test_sar_is_never_published(self, make_request, foi_officer, second_officer, complainant):
        info = _to_sent(make_request(kind=Kind.SAR, user=complainant), foi_officer, second_officer)
        with pytest.raises(RequestRefused, match="never published"):
            request_close(request=info, actor=foi_officer, outcome=Outcome.GRANTED, publish=True)
