"""Sending a generated letter to the complainant: a draft for staff until a caseworker sends it,
then on the complainant's case with an email to say so, sent once."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from casework.models import CaseEvent, CaseEventKind, Document
from casework.services_decisions import LetterRefused, letter_generate, letter_send
from tests.casework.decisions_support import case_with_organisation
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker, complainant):
    case, _ = case_with_organisation(actor=caseworker, complainant=complainant)
    return case


@pytest.fixture
def letter(case, caseworker):
    return letter_generate(case=case, kind="acknowledgement", actor=caseworker)


def evidence_page(client, case):
    return client.get(reverse("complaints:evidence", args=[case.reference])).content.decode()


def download(client, case, document):
    return client.get(reverse("complaints:document_download", args=[case.reference, document.pk]))


class TestLetterSend:
    def test_the_complainant_sees_the_letter_only_once_it_is_sent(
        self, case, letter, caseworker, complainant, django_capture_on_commit_callbacks
    ):
        reader = Client()
        reader.force_login(complainant)
        assert letter.original_filename not in evidence_page(reader, case)
        letters = reader.get(reverse("complaints:letters", args=[case.reference])).content
        assert "have not sent you any letters" in letters.decode()
        assert download(reader, case, letter).status_code == 404

        with django_capture_on_commit_callbacks(execute=True):
            letter_send(case=case, document_id=letter.pk, actor=caseworker)

        page = evidence_page(reader, case)
        assert letter.original_filename not in page  # not among the files they sent us
        assert "read letters and files from us" in page
        letters = reader.get(reverse("complaints:letters", args=[case.reference])).content
        assert letter.original_filename in letters.decode()
        home = reader.get(reverse("complaints:case", args=[case.reference])).content.decode()
        assert "Letters and files from us</a> (1)" in home
        response = download(reader, case, letter)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        event = CaseEvent.objects.get(case=case, kind=CaseEventKind.LETTER_SENT)
        assert event.actor == caseworker and event.payload == {"document_id": letter.pk}

    def test_the_complainant_is_emailed_a_link_not_the_letter(
        self, case, letter, caseworker, complainant, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            letter_send(case=case, document_id=letter.pk, actor=caseworker)
        [email] = mail.outbox
        assert email.to == [complainant.email]
        assert email.subject == f"We have sent you a letter about {case.reference}"
        assert f"/complaints/cases/{case.reference}/letters" in email.body
        assert "%PDF" not in email.body and not email.attachments

    def test_the_timeline_says_a_letter_came(self, case, letter, caseworker, complainant):
        letter_send(case=case, document_id=letter.pk, actor=caseworker)
        reader = Client()
        reader.force_login(complainant)
        page = reader.get(reverse("complaints:case", args=[case.reference])).content.decode()
        assert "We sent you a letter" in page
        assert "Read our letters" in page

    def test_a_letter_is_sent_once(
        self, case, letter, caseworker, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            letter_send(case=case, document_id=letter.pk, actor=caseworker)
        with pytest.raises(LetterRefused, match="has already been sent"):
            letter_send(case=case, document_id=letter.pk, actor=caseworker)
        assert len(mail.outbox) == 1
        assert CaseEvent.objects.filter(kind=CaseEventKind.LETTER_SENT).count() == 1

    def test_a_case_without_a_complainant_account_is_refused_and_the_letter_kept_internal(
        self, caseworker
    ):
        case, _ = case_with_organisation(actor=caseworker)
        letter = letter_generate(case=case, kind="acknowledgement", actor=caseworker)
        with pytest.raises(LetterRefused, match="print it and post it"):
            letter_send(case=case, document_id=letter.pk, actor=caseworker)
        letter.refresh_from_db()
        assert letter.internal

    def test_only_a_letter_of_this_case_can_be_sent(self, case, caseworker, complainant):
        other, _ = case_with_organisation(actor=caseworker, complainant=complainant)
        others_letter = letter_generate(case=other, kind="acknowledgement", actor=caseworker)
        with pytest.raises(Document.DoesNotExist):
            letter_send(case=case, document_id=others_letter.pk, actor=caseworker)
        # Nor any other staff document: only what letter_generate filed is a letter.
        evidence = Document.objects.create(
            case=case,
            uploaded_by=caseworker,
            uploader_role="staff",
            original_filename="note.pdf",
            internal=True,
        )
        with pytest.raises(Document.DoesNotExist):
            letter_send(case=case, document_id=evidence.pk, actor=caseworker)
        others_letter.refresh_from_db()
        evidence.refresh_from_db()
        assert others_letter.internal and evidence.internal


class TestLetterPage:
    def url(self, case, letter):
        return reverse("casework:letter_send", args=[case.reference, letter.pk])

    def test_a_caseworker_sends_from_the_letters_page(self, staff_client, case, letter):
        page = staff_client.get(reverse("casework:letters", args=[case.reference]))
        assert "to the complainant</button>" in page.content.decode()
        response = staff_client.post(self.url(case, letter), follow=True)
        body = response.content.decode()
        assert "has been emailed to say so" in body
        assert ">Sent</strong>" in body
        letter.refresh_from_db()
        assert not letter.internal

    def test_sending_twice_explains_instead_of_failing(self, staff_client, case, letter):
        staff_client.post(self.url(case, letter))
        response = staff_client.post(self.url(case, letter), follow=True)
        assert response.status_code == 200
        assert "has already been sent" in response.content.decode()

    def test_an_unknown_letter_is_not_found(self, staff_client, case, letter):
        url = reverse("casework:letter_send", args=[case.reference, letter.pk + 1000])
        assert staff_client.post(url).status_code == 404

    def test_a_get_sends_nothing(self, staff_client, case, letter):
        assert staff_client.get(self.url(case, letter)).status_code == 405
        letter.refresh_from_db()
        assert letter.internal

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.FOI_OFFICER])
    def test_staff_who_work_no_cases_cannot_send(self, client, case, letter, role):
        client = otp_verified_client(client, UserFactory(roles=[role]))
        assert client.post(self.url(case, letter)).status_code == 403
        letter.refresh_from_db()
        assert letter.internal

    def test_the_complainant_cannot_send_it_to_themselves(self, client, case, letter, complainant):
        client.force_login(complainant)
        assert client.post(self.url(case, letter)).status_code == 403
        letter.refresh_from_db()
        assert letter.internal

    def test_query_count_does_not_grow_with_the_letters(
        self, staff_client, case, letter, caseworker, django_assert_max_num_queries
    ):
        url = reverse("casework:letters", args=[case.reference])
        with django_assert_max_num_queries(25) as one:
            staff_client.get(url)
        for kind in ("information_request", "provisional_decision", "final_decision"):
            sent = letter_generate(case=case, kind=kind, actor=caseworker)
        letter_send(case=case, document_id=sent.pk, actor=caseworker)
        with django_assert_max_num_queries(len(one.captured_queries)):
            response = staff_client.get(url)
        assert response.content.decode().count(".pdf</a>") == 4


def test_the_letters_page_lists_only_what_was_shared_and_its_queries_are_bounded(
    client, case, caseworker, complainant, django_assert_max_num_queries
):
    sent = letter_generate(case=case, kind="acknowledgement", actor=caseworker)
    letter_send(case=case, document_id=sent.pk, actor=caseworker)
    draft = letter_generate(case=case, kind="final_decision", actor=caseworker)
    client.force_login(complainant)
    url = reverse("complaints:letters", args=[case.reference])
    with django_assert_max_num_queries(8) as few:
        page = client.get(url).content.decode()
    assert sent.original_filename in page and draft.original_filename not in page
    for _ in range(3):
        more = letter_generate(case=case, kind="acknowledgement", actor=caseworker)
        letter_send(case=case, document_id=more.pk, actor=caseworker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count(".pdf</a>") == 4
