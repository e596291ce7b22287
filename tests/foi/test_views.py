# The clamd fixtures are imported from documents_support and then named as test parameters,
# which pyflakes reads as redefinitions.
# ruff: noqa: F811

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework.models import AuditEntry, Document, DocumentStatus, UploaderRole
from casework.services import document_upload
from casework.tasks import scan_document
from foi.models import DisclosureEntry, InformationRequest, Kind, Outcome
from foi.services import (
    request_assign,
    request_close,
    request_draft_submit,
    request_send,
    request_sign_off,
)
from foi.state import Status
from tests.casework.documents_support import clamd, clamd_settings, pdf_bytes  # noqa: F401
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

FOI_ANSWERS = {
    "text": "Your 2025 spending on external legal advice",
    "environmental": "no",
    "name": "Pat O'Neill",
    "email": "pat@example.com",
    "address": "",
    "answer_format": "email",
}


def _bulk_requests(n):
    for i in range(n):
        InformationRequest.objects.create(
            reference=f"FOI-2026-{i:05d}",
            kind=Kind.FOI,
            requester_name="Pat",
            requester_email="pat@example.com",
            text=f"Request {i}",
            received_on=date(2026, 1, 5),
            due_on=date(2026, 2, 2),
            assigned_to=UserFactory(roles=[Role.FOI_OFFICER]),
        )


@pytest.mark.django_db
class TestAskForInformation:
    def test_form_check_answers_and_confirmation(self, client, django_capture_on_commit_callbacks):
        response = client.post(reverse("foi:ask"), FOI_ANSWERS)
        assert response.status_code == 302 and response.url == reverse("foi:ask_check")
        check = client.get(reverse("foi:ask_check"))
        assert "Check your answers" in check.text and "Freedom of information" in check.text
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("foi:ask_check"))
        assert response.url == reverse("foi:confirmation")
        info = InformationRequest.objects.get()
        assert (info.kind, info.channel, info.requester_name) == ("foi", "online", "Pat O'Neill")
        page = client.get(reverse("foi:confirmation"))
        assert info.reference in page.text
        assert info.due_on.strftime("%B %Y") in page.text
        assert len(mail.outbox) == 1

    def test_environmental_request_is_eir(self, client):
        client.post(reverse("foi:ask"), {**FOI_ANSWERS, "environmental": "yes"})
        client.post(reverse("foi:ask_check"))
        assert InformationRequest.objects.get().kind == Kind.EIR

    @pytest.mark.parametrize(
        ("change", "field", "message"),
        [
            ({"text": ""}, "text", "Enter the information you want"),
            ({"name": ""}, "name", "Enter your full name"),
            ({"name": "www.example.com"}, "name", "Enter a name using only letters"),
            ({"email": "", "address": ""}, "email", "Enter an email address or a postal address"),
            ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
            (
                {"answer_format": "post"},
                "address",
                "Enter a postal address if you want the answer by post",
            ),
            (
                {"environmental": ""},
                "environmental",
                "Select yes if your request is about the environment",
            ),
            ({"answer_format": ""}, "answer_format", "Select how you want the answer"),
        ],
    )
    def test_validation_messages(self, client, change, field, message):
        response = client.post(reverse("foi:ask"), {**FOI_ANSWERS, **change})
        assert response.status_code == 200
        assert message in response.text
        assert "There is a problem" in response.text
        assert response.text.count(message) >= 2  # in the summary and by the field
        assert not InformationRequest.objects.exists()

    def test_check_page_without_answers_goes_back_to_the_form(self, client):
        assert client.get(reverse("foi:ask_check")).url == reverse("foi:ask")

    def test_confirmation_is_only_for_the_session_that_sent_it(self, client):
        assert client.get(reverse("foi:confirmation")).status_code == 404


@pytest.mark.django_db
class TestSubjectAccess:
    def test_without_an_account_the_form_asks_who_you_are(self, client):
        response = client.get(reverse("foi:personal_data"))
        assert response.status_code == 200
        assert "You do not need an account" in response.text
        assert "Proof of your identity" in response.text
        response = client.post(
            reverse("foi:personal_data"),
            {"whose": "mine", "text": "My complaint file", "answer_format": "email"},
        )
        assert "Enter your full name" in response.text
        assert "Enter an email address or a postal address" in response.text
        assert "Select a file showing who you are" in response.text
        assert not Document.objects.exists()

    def test_own_data_request_starts_the_clock(self, client, complainant):
        client.force_login(complainant)
        client.post(
            reverse("foi:personal_data"),
            {"whose": "mine", "text": "My complaint file", "answer_format": "email"},
        )
        client.post(reverse("foi:personal_data_check"))
        info = InformationRequest.objects.get()
        assert (info.kind, info.status, info.user) == ("sar", Status.RECEIVED, complainant)
        assert info.requester_email == complainant.email
        assert info.due_on is not None

    def test_someone_elses_data_needs_proof_which_is_screened(self, client, complainant):
        client.force_login(complainant)
        response = client.post(
            reverse("foi:personal_data"),
            {"whose": "someone_else", "text": "Mum's file", "answer_format": "email"},
        )
        assert "Enter the full name of the person" in response.text
        assert "Select a file showing their permission" in response.text
        bad = SimpleUploadedFile("id.exe", b"MZ\x90\x00" + b"\x00" * 60)
        response = client.post(
            reverse("foi:personal_data"),
            {
                "whose": "someone_else",
                "on_behalf_of": "Alex Parent",
                "text": "Mum's file",
                "answer_format": "email",
                "identity_document": bad,
            },
        )
        assert response.status_code == 200 and "There is a problem" in response.text
        good = SimpleUploadedFile(
            "authority.pdf", pdf_bytes("I authorise my son to ask for my data")
        )
        response = client.post(
            reverse("foi:personal_data"),
            {
                "whose": "someone_else",
                "on_behalf_of": "Alex Parent",
                "text": "Mum's file",
                "answer_format": "email",
                "identity_document": good,
            },
        )
        assert response.url == reverse("foi:personal_data_check")
        client.post(reverse("foi:personal_data_check"))
        info = InformationRequest.objects.get()
        assert info.status == Status.AWAITING_IDENTITY and info.due_on is None
        assert info.documents.get().document.original_filename == "authority.pdf"


ANONYMOUS_SAR = {
    "name": "Sam Nobody",
    "email": "sam@example.com",
    "address": "",
    "whose": "mine",
    "text": "Everything you hold about my complaint",
    "answer_format": "email",
}


@pytest.mark.django_db
class TestSubjectAccessWithoutAccount:
    def _ask(self, client, django_capture_on_commit_callbacks, **changes):
        answers = {
            **ANONYMOUS_SAR,
            "identity_document": SimpleUploadedFile("passport.pdf", pdf_bytes("Passport")),
            **changes,
        }
        # The scan queued on commit is left for each test to run (or not) itself.
        with django_capture_on_commit_callbacks() as uploaded:
            response = client.post(reverse("foi:personal_data"), answers)
        assert response.url == reverse("foi:personal_data_check")
        check = client.get(reverse("foi:personal_data_check"))
        assert "Sam Nobody" in check.text and "passport.pdf" in check.text
        with django_capture_on_commit_callbacks(execute=True) as sent:
            response = client.post(reverse("foi:personal_data_check"))
        assert response.url == reverse("foi:confirmation")
        return InformationRequest.objects.get(), uploaded, sent

    def test_request_waits_for_identity_and_is_acknowledged(
        self, client, django_capture_on_commit_callbacks
    ):
        info, _, _ = self._ask(client, django_capture_on_commit_callbacks)
        assert (info.kind, info.status, info.user) == ("sar", Status.AWAITING_IDENTITY, None)
        assert (info.requester_name, info.requester_email) == ("Sam Nobody", "sam@example.com")
        assert info.due_on is None and info.identity_verified_on is None
        link = info.documents.get()
        assert link.purpose == "identity"
        proof = link.document
        assert (proof.uploaded_by, proof.case, proof.internal) == (None, None, True)
        assert [m.to for m in mail.outbox] == [["sam@example.com"]]
        assert client.get(reverse("foi:confirmation")).status_code == 200

    def test_proof_goes_from_pending_to_clean_through_the_usual_scan(
        self, client, clamd_settings, django_capture_on_commit_callbacks
    ):
        info, uploaded, _ = self._ask(client, django_capture_on_commit_callbacks)
        proof = info.documents.get().document
        # The scan was queued when the upload committed, as for every other piece of evidence.
        assert len(uploaded) == 1 and proof.status == DocumentStatus.PENDING
        assert scan_document.apply(args=[proof.pk]).get() == DocumentStatus.CLEAN
        proof.refresh_from_db()
        assert proof.status == DocumentStatus.CLEAN

    def test_a_refused_file_is_shown_and_nothing_is_sent(self, client):
        response = client.post(
            reverse("foi:personal_data"),
            {
                **ANONYMOUS_SAR,
                "identity_document": SimpleUploadedFile("id.exe", b"MZ\x90\x00" + b"\x00" * 60),
            },
        )
        assert response.status_code == 200 and "There is a problem" in response.text
        assert client.get(reverse("foi:personal_data_check")).url == reverse("foi:personal_data")
        assert not InformationRequest.objects.exists()

    def test_staff_confirming_identity_starts_the_month(
        self, client, foi_client, django_capture_on_commit_callbacks
    ):
        anonymous = Client()
        with time_machine.travel(date(2026, 3, 10), tick=False):
            info, _, _ = self._ask(anonymous, django_capture_on_commit_callbacks)
        proof = info.documents.get().document
        Document.objects.filter(pk=proof.pk).update(status=DocumentStatus.CLEAN)
        assert (
            foi_client.get(
                reverse("foi_staff:document", args=[info.reference, proof.pk])
            ).status_code
            == 200
        )
        # Checked on Tuesday 31 March 2026: one month on, 30 April has no 31st and is a Thursday.
        with time_machine.travel(date(2026, 3, 31), tick=False):
            foi_client.post(reverse("foi_staff:action", args=[info.reference, "verify_identity"]))
        info.refresh_from_db()
        assert info.status == Status.RECEIVED
        assert info.identity_verified_on == date(2026, 3, 31)
        assert info.due_on == date(2026, 4, 30)

    def test_the_requester_and_other_users_cannot_fetch_the_proof(
        self, client, complainant, caseworker, django_capture_on_commit_callbacks
    ):
        info, _, _ = self._ask(client, django_capture_on_commit_callbacks)
        proof = info.documents.get().document
        Document.objects.filter(pk=proof.pk).update(status=DocumentStatus.CLEAN)
        staff_url = reverse("foi_staff:document", args=[info.reference, proof.pk])
        assert client.get(staff_url).status_code in (302, 403)
        assert not Document.objects.visible_to(AnonymousUser()).filter(pk=proof.pk).exists()
        for user in (complainant, caseworker):
            client.force_login(user)
            assert client.get(staff_url).status_code in (302, 403)
        assert not Document.objects.visible_to(complainant).filter(pk=proof.pk).exists()

    def test_answers_given_before_signing_in_are_asked_again(
        self, client, complainant, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("foi:personal_data"),
                {
                    **ANONYMOUS_SAR,
                    "identity_document": SimpleUploadedFile("id.pdf", pdf_bytes("Passport")),
                },
            )
        client.force_login(complainant)
        response = client.post(reverse("foi:personal_data_check"))
        assert response.url == reverse("foi:personal_data")
        assert not InformationRequest.objects.exists()


@pytest.mark.django_db
class TestYourRequests:
    def test_another_requesters_request_is_not_found(self, client, complainant, make_request):
        other = make_request(kind=Kind.SAR, user=UserFactory(roles=[Role.COMPLAINANT]))
        mine = make_request(kind=Kind.SAR, user=complainant)
        client.force_login(complainant)
        assert client.get(reverse("foi:mine_detail", args=[other.reference])).status_code == 404
        assert client.get(reverse("foi:mine_detail", args=[mine.reference])).status_code == 200
        listing = client.get(reverse("foi:mine"))
        assert mine.reference in listing.text and other.reference not in listing.text


@pytest.mark.django_db
class TestStaffList:
    def test_non_foi_staff_are_forbidden(self, client, caseworker):
        otp_verified_client(client, caseworker)
        assert client.get(reverse("foi_staff:list")).status_code == 403
        assert client.get(reverse("foi_staff:log")).status_code == 403

    def test_needs_verified_second_factor(self, client, foi_officer):
        client.force_login(foi_officer)
        assert client.get(reverse("foi_staff:list")).status_code == 302

    @pytest.mark.parametrize("rows", [1, 30])
    @pytest.mark.parametrize("queue", ["open", "overdue", "due_this_week", "flagged", "identity"])
    def test_query_count_is_constant(self, foi_client, django_assert_max_num_queries, rows, queue):
        _bulk_requests(rows)
        with django_assert_max_num_queries(8):
            response = foi_client.get(reverse("foi_staff:list"), {"queue": queue})
        assert response.status_code == 200

    def test_overdue_and_due_this_week(self, client, foi_officer, make_request):
        overdue = make_request(received_on=date(2026, 1, 5), text="Old one")
        fresh = make_request(received_on=date(2026, 11, 2), text="New one")
        with time_machine.travel(date(2026, 11, 30)):
            foi_client = otp_verified_client(client, foi_officer)
            overdue_page = foi_client.get(reverse("foi_staff:list"), {"queue": "overdue"}).text
            week_page = foi_client.get(reverse("foi_staff:list"), {"queue": "due_this_week"}).text
        assert overdue.reference in overdue_page and fresh.reference not in overdue_page
        # Due Tue 1 Dec 2026 (30 Nov is St Andrew's Day): this week on Mon 30 Nov.
        assert fresh.reference in week_page and overdue.reference not in week_page

    def test_unknown_queue_is_not_found(self, foi_client):
        assert foi_client.get(reverse("foi_staff:list"), {"queue": "everything"}).status_code == 404


@pytest.mark.django_db
class TestStaffWorkflowViews:
    def test_log_a_postal_request(self, foi_client):
        response = foi_client.post(
            reverse("foi_staff:log"),
            {
                "kind": "foi",
                "channel": "post",
                "received_on": "05/10/2026",
                "name": "Lee Writer",
                "email": "",
                "address": "2 Low Road\nTown",
                "answer_format": "post",
                "text": "Your staff numbers",
            },
        )
        info = InformationRequest.objects.get()
        assert response.url == reverse("foi_staff:detail", args=[info.reference])
        assert (info.channel, info.received_on) == ("post", date(2026, 10, 5))

    def test_log_validation(self, foi_client):
        response = foi_client.post(reverse("foi_staff:log"), {"received_on": "31/02/2026"})
        assert "Date received must be a real date" in response.text
        assert "Select the type of request" in response.text

    def test_detail_is_audited_and_other_staff_forbidden(
        self, client, foi_client, make_request, caseworker
    ):
        info = make_request()
        assert foi_client.get(reverse("foi_staff:detail", args=[info.reference])).status_code == 200
        assert AuditEntry.objects.filter(
            action="foi.request_viewed", object_id=str(info.pk)
        ).exists()
        other = otp_verified_client(type(client)(), caseworker)
        assert other.get(reverse("foi_staff:detail", args=[info.reference])).status_code == 403
        assert (
            other.post(reverse("foi_staff:action", args=[info.reference, "assign"])).status_code
            == 403
        )

    def test_unknown_request_is_not_found(self, foi_client):
        assert (
            foi_client.get(reverse("foi_staff:detail", args=["FOI-2026-99999"])).status_code == 404
        )

    def test_draft_from_template_then_drafter_cannot_sign_off(
        self, foi_client, foi_officer, make_request
    ):
        info = make_request()
        foi_client.post(
            reverse("foi_staff:action", args=[info.reference, "assign"]),
            {"assign-assignee": foi_officer.pk},
        )
        page = foi_client.get(
            reverse("foi_staff:detail", args=[info.reference]), {"template": "not_held"}
        )
        assert "do not hold the information" in page.text
        foi_client.post(
            reverse("foi_staff:action", args=[info.reference, "draft"]),
            {"draft-response_text": "Not held."},
        )
        info.refresh_from_db()
        assert info.status == Status.AWAITING_SIGN_OFF
        page = foi_client.get(reverse("foi_staff:detail", args=[info.reference]))
        assert "not the drafter, must sign this response off" in page.text
        response = foi_client.post(
            reverse("foi_staff:action", args=[info.reference, "sign_off"]), follow=True
        )
        assert "A second officer must sign off" in response.text
        info.refresh_from_db()
        assert info.status == Status.AWAITING_SIGN_OFF

    @pytest.mark.parametrize(
        ("kind", "shown", "hidden"),
        [
            ("foi", ["New total in working days"], ["Extend by", "Date the requester was told"]),
            ("eir", [], ["New total in working days", "Extend by"]),
            ("sar", ["Extend by", "Date the requester was told"], ["New total in working days"]),
        ],
    )
    def test_extension_form_asks_what_the_law_needs(
        self, foi_client, make_request, complainant, kind, shown, hidden
    ):
        user = complainant if kind == "sar" else None
        info = make_request(kind=kind, user=user)
        page = foi_client.get(reverse("foi_staff:detail", args=[info.reference])).text
        for label in shown:
            assert label in page
        for label in hidden:
            assert label not in page

    def test_sar_extension_needs_months_and_notice_date(
        self, foi_client, make_request, complainant
    ):
        info = make_request(kind="sar", user=complainant)
        response = foi_client.post(
            reverse("foi_staff:action", args=[info.reference, "extend"]),
            {"extend-reason": "Complex"},
        )
        assert response.status_code == 400
        assert "Select how many months to extend by" in response.text
        assert "Enter the date the requester was told" in response.text

    def test_invalid_action_form_shows_errors(self, foi_client, make_request):
        info = make_request()
        response = foi_client.post(reverse("foi_staff:action", args=[info.reference, "search"]), {})
        assert response.status_code == 400
        assert "Enter where you searched" in response.text

    def test_unknown_action_is_not_found(self, foi_client, make_request):
        info = make_request()
        assert (
            foi_client.post(
                reverse("foi_staff:action", args=[info.reference, "explode"])
            ).status_code
            == 404
        )


def _closed_for_publication(make_request, drafter, signer, text):
    info = request_assign(request=make_request(), assignee=drafter, actor=drafter)
    info = request_draft_submit(request=info, actor=drafter, response_text=text)
    info = request_sign_off(request=info, actor=signer)
    info = request_send(request=info, actor=signer)
    return request_close(
        request=info, actor=drafter, outcome=Outcome.GRANTED, publish=True, topic="Spending"
    )


@pytest.mark.django_db
class TestPublishAndDisclosureLog:
    def test_redaction_check_suggests_and_requires_confirmation(
        self, foi_client, make_request, foi_officer, second_officer
    ):
        info = _closed_for_publication(
            make_request,
            second_officer,
            foi_officer,
            "Ask jo@example.com or 020 7946 0000. We spent £1,200.",
        )
        page = foi_client.get(reverse("foi_staff:publish", args=[info.reference]))
        assert (
            "[REDACTED]" in page.text
            and "jo@example.com" not in page.text.split("<textarea")[1].split("</textarea>")[0]
        )
        response = foi_client.post(
            reverse("foi_staff:publish", args=[info.reference]),
            {"title": "Legal spend", "redacted_text": "Ask jo@example.com"},
        )
        assert "Confirm that you have checked" in response.text
        assert "still contains personal data: email address" in response.text
        response = foi_client.post(
            reverse("foi_staff:publish", args=[info.reference]),
            {
                "title": "Legal spend",
                "redacted_text": "Ask [REDACTED]. We spent £1,200.",
                "confirmed": "on",
            },
        )
        assert response.url == reverse("foi:disclosure_detail", args=[info.reference])
        public = foi_client.get(response.url).text
        assert "We spent £1,200." in public and "Pat Requester" not in public

    def test_publish_page_forbidden_to_other_staff(self, client, caseworker, make_request):
        info = make_request()
        otp_verified_client(client, caseworker)
        assert client.get(reverse("foi_staff:publish", args=[info.reference])).status_code == 403

    @pytest.mark.parametrize("rows", [1, 30])
    def test_log_search_filter_and_query_count(
        self, client, make_request, foi_officer, second_officer, django_assert_max_num_queries, rows
    ):
        for i in range(rows):
            info = InformationRequest.objects.create(
                reference=f"FOI-2026-{i:05d}",
                kind=Kind.FOI,
                requester_name="Pat",
                requester_email="p@example.com",
                text="x",
                received_on=date(2026, 1, 5),
                status=Status.CLOSED,
            )
            DisclosureEntry.objects.create(
                request=info,
                reference=info.reference,
                title=f"Spending {i}" if i else "Staff sickness",
                topic="Staff" if i == 0 else "Finance",
                response_text="Figures",
                published_on=date(2026, 6, 1 + i % 28),
                confirmed_by=foi_officer,
            )
        with django_assert_max_num_queries(6):
            response = client.get(reverse("foi:disclosure_log"))
        assert response.status_code == 200
        assert f"{rows} response" in response.text
        searched = client.get(reverse("foi:disclosure_log"), {"q": "sickness"}).text
        assert "Staff sickness" in searched and "Spending 1<" not in searched
        filtered = client.get(reverse("foi:disclosure_log"), {"topic": "Staff"}).text
        assert "1 response<" in filtered
        dated = client.get(reverse("foi:disclosure_log"), {"published_from": "02/06/2026"}).text
        assert "Staff sickness" not in dated

    def test_atom_feed(self, client, foi_officer):
        info = InformationRequest.objects.create(
            reference="FOI-2026-00001",
            kind=Kind.FOI,
            requester_name="Pat Secret",
            requester_email="secret@example.com",
            text="x",
            received_on=date(2026, 1, 5),
            status=Status.CLOSED,
        )
        DisclosureEntry.objects.create(
            request=info,
            reference=info.reference,
            title="Staff sickness",
            response_text="Figures",
            published_on=date(2026, 6, 1),
            confirmed_by=foi_officer,
        )
        response = client.get(reverse("foi:disclosure_feed"))
        assert response["Content-Type"].startswith("application/atom+xml")
        assert b"Staff sickness" in response.content
        assert (
            b"secret@example.com" not in response.content and b"Pat Secret" not in response.content
        )

    def test_unknown_entry_and_attachment_are_not_found(self, client):
        assert (
            client.get(reverse("foi:disclosure_detail", args=["FOI-2026-00404"])).status_code == 404
        )
        assert (
            client.get(reverse("foi:disclosure_attachment", args=["FOI-2026-00404", 1])).status_code
            == 404
        )


@pytest.mark.django_db
class TestPerformance:
    def test_percent_on_time_per_quarter_and_kind(
        self, client, make_request, foi_officer, second_officer, complainant
    ):
        def answered(on, **kw):
            info = request_assign(
                request=make_request(**kw), assignee=foi_officer, actor=foi_officer
            )
            info = request_draft_submit(request=info, actor=foi_officer, response_text="Answer")
            info = request_sign_off(request=info, actor=second_officer)
            return request_send(request=info, actor=second_officer, on=on)

        answered(date(2026, 2, 2), received_on=date(2026, 1, 5))  # due 2 Feb: on time
        answered(date(2026, 3, 2), received_on=date(2026, 1, 6), text="late one")  # late
        answered(date(2026, 1, 20), kind=Kind.SAR, user=complainant, received_on=date(2026, 1, 5))
        make_request(received_on=date(2026, 1, 7), text="still open")
        page = client.get(reverse("foi:performance")).text
        assert "2026 Q1" in page
        assert '50% <span class="govuk-body-s">(1 of 2)' in page
        assert '100% <span class="govuk-body-s">(1 of 1)' in page
        assert "Pat Requester" not in page


@pytest.mark.django_db
class TestStaffDocuments:
    def _sar_with_proof(self, make_request, complainant, *, clean=True):
        document = document_upload(
            case=None,
            uploaded_by=complainant,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[SimpleUploadedFile("authority.pdf", pdf_bytes("I authorise my son"))],
        )[0]
        if clean:
            Document.objects.filter(pk=document.pk).update(status=DocumentStatus.CLEAN)
        info = make_request(
            kind="sar",
            user=complainant,
            on_behalf_of="Alex Parent",
            identity_document_ids=[document.pk],
        )
        return info, document

    def test_officer_opens_the_proof_and_confirms_identity(
        self, foi_client, make_request, complainant
    ):
        info, document = self._sar_with_proof(make_request, complainant)
        response = foi_client.get(reverse("foi_staff:document", args=[info.reference, document.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert AuditEntry.objects.filter(
            action="foi.document_downloaded", object_id=str(document.pk)
        ).exists()
        foi_client.post(reverse("foi_staff:action", args=[info.reference, "verify_identity"]))
        info.refresh_from_db()
        assert info.status == Status.RECEIVED and info.due_on is not None

    def test_unscanned_or_other_requests_documents_are_not_found(
        self, foi_client, make_request, complainant
    ):
        info, pending = self._sar_with_proof(make_request, complainant, clean=False)
        other, document = self._sar_with_proof(make_request, complainant)
        assert (
            foi_client.get(
                reverse("foi_staff:document", args=[info.reference, pending.pk])
            ).status_code
            == 404
        )
        assert (
            foi_client.get(
                reverse("foi_staff:document", args=[info.reference, document.pk])
            ).status_code
            == 404
        )

    def test_other_staff_cannot_open_or_attach(self, client, caseworker, make_request, complainant):
        info, document = self._sar_with_proof(make_request, complainant)
        otp_verified_client(client, caseworker)
        assert (
            client.get(
                reverse("foi_staff:document", args=[info.reference, document.pk])
            ).status_code
            == 403
        )
        assert client.post(reverse("foi_staff:attach", args=[info.reference])).status_code == 403

    def test_officer_attaches_a_screened_file_to_the_response(
        self, foi_client, make_request, foi_officer
    ):
        info = request_assign(request=make_request(), assignee=foi_officer, actor=foi_officer)
        response = foi_client.post(
            reverse("foi_staff:attach", args=[info.reference]),
            {"attach-files": SimpleUploadedFile("figures.csv", b"year,count\n2025,42\n")},
        )
        assert response.status_code == 302
        link = info.documents.get()
        assert (link.purpose, link.document.original_filename) == ("response", "figures.csv")
        assert link.document.case is None
        response = foi_client.post(reverse("foi_staff:attach", args=[info.reference]), {})
        assert response.status_code == 400 and "Select a file" in response.text


@pytest.mark.django_db
class TestYourRequestsList:
    @pytest.mark.parametrize("rows", [1, 30])
    def test_query_count_is_constant(
        self, client, complainant, django_assert_max_num_queries, rows
    ):
        for i in range(rows):
            InformationRequest.objects.create(
                reference=f"SAR-2026-{i:05d}",
                kind=Kind.SAR,
                user=complainant,
                requester_name="Ann",
                requester_email=complainant.email,
                text=f"Request {i}",
                received_on=date(2026, 1, 5),
            )
        client.force_login(complainant)
        with django_assert_max_num_queries(6):
            response = client.get(reverse("foi:mine"))
        assert response.text.count('<tr class="govuk-table__row">') == rows + 1

    @pytest.mark.parametrize("rows", [1, 30])
    def test_performance_query_count_is_constant(self, client, django_assert_max_num_queries, rows):
        for i in range(rows):
            InformationRequest.objects.create(
                reference=f"FOI-2026-{i:05d}",
                kind=Kind.FOI,
                requester_name="Pat",
                requester_email="p@example.com",
                text="x",
                received_on=date(2026, 1, 5),
                due_on=date(2026, 2, 2),
                sent_on=date(2026, 1 + i % 12, 1),
                status=Status.CLOSED,
            )
        with django_assert_max_num_queries(4):
            assert client.get(reverse("foi:performance")).status_code == 200


@pytest.mark.django_db
class TestLogByPhone:
    LOGGED = {
        "channel": "phone",
        "received_on": "05/10/2026",
        "name": "Lee Caller",
        "email": "lee@example.com",
        "address": "",
        "answer_format": "email",
        "text": "Air quality readings near your office",
    }

    def test_environmental_request_may_be_made_by_phone(self, foi_client):
        foi_client.post(reverse("foi_staff:log"), {**self.LOGGED, "kind": "eir"})
        assert InformationRequest.objects.get().channel == "phone"

    def test_foi_request_by_phone_is_refused(self, foi_client):
        response = foi_client.post(reverse("foi_staff:log"), {**self.LOGGED, "kind": "foi"})
        assert "must be in writing" in response.text
        assert not InformationRequest.objects.exists()


@pytest.mark.django_db
class TestDisclosureAttachments:
    def test_clean_published_attachment_downloads_and_others_do_not(
        self, client, foi_client, make_request, foi_officer, second_officer
    ):
        info = _closed_for_publication(
            make_request, second_officer, foi_officer, "We spent £1,200."
        )
        foi_client.post(
            reverse("foi_staff:attach", args=[info.reference]),
            {"attach-files": SimpleUploadedFile("spend.pdf", pdf_bytes("Spend 2025: 1200"))},
        )
        table = info.documents.get().document
        Document.objects.filter(pk=table.pk).update(status=DocumentStatus.CLEAN)
        foi_client.post(
            reverse("foi_staff:publish", args=[info.reference]),
            {
                "title": "Legal spend",
                "redacted_text": "We spent £1,200.",
                "attachments": [str(table.pk)],
                "confirmed": "on",
            },
        )
        page = client.get(reverse("foi:disclosure_detail", args=[info.reference])).text
        assert "spend.pdf" in page
        url = reverse("foi:disclosure_attachment", args=[info.reference, table.pk])
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        Document.objects.filter(pk=table.pk).update(deleted_at=timezone.now())
        assert client.get(url).status_code == 404

    def test_proof_received_by_post_is_attached_as_identity(self, foi_client):
        foi_client.post(
            reverse("foi_staff:log"),
            {
                "kind": "sar",
                "channel": "post",
                "received_on": "05/10/2026",
                "name": "Lee Writer",
                "email": "",
                "address": "2 Low Road\nTown",
                "answer_format": "post",
                "text": "My complaint file",
            },
        )
        info = InformationRequest.objects.get()
        assert info.status == Status.AWAITING_IDENTITY
        foi_client.post(
            reverse("foi_staff:attach", args=[info.reference]),
            {"attach-files": SimpleUploadedFile("passport.pdf", pdf_bytes("PASSPORT"))},
        )
        assert info.documents.get().purpose == "identity"


@pytest.mark.django_db
class TestActionFormValidation:
    @pytest.mark.parametrize(
        ("action", "data", "message"),
        [
            ("assign", {}, "Select an officer"),
            ("clarify", {}, "Enter what you asked the requester"),
            ("extend", {}, "Enter the reason for the extension"),
            ("extend", {"extend-reason": "PIT", "extend-to_working_days": "60"}, "no more than 40"),
            ("extend", {"extend-reason": "PIT", "extend-to_working_days": "20"}, "more than 20"),
            ("exemption", {}, "Select an exemption or exception"),
            ("draft", {}, "Enter the response"),
            ("return", {}, "Enter the reason"),
            ("send", {"send-sent_on": "32/13/2026"}, "Date sent must be a real date"),
            ("close", {}, "Select the outcome"),
            ("close", {"close-outcome": "granted", "close-publish": "on"}, "Enter a topic"),
            ("withdraw", {}, "Enter the reason"),
            ("review", {}, "Enter what the requester asked to be reviewed"),
            ("ico", {}, "Enter the Commissioner’s reference"),
        ],
    )
    def test_each_action_form_says_what_is_missing(
        self, foi_client, make_request, action, data, message
    ):
        info = make_request()
        response = foi_client.post(reverse("foi_staff:action", args=[info.reference, action]), data)
        assert response.status_code == 400
        assert message in response.text
        assert response.text.count("govuk-error-summary__list") == 1
        assert "<title>Error: " in response.text
