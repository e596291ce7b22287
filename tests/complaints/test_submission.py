"""Sending a complaint: one case with its first event, details, equality row and acknowledgement."""

# ruff: noqa: F811

import datetime
import socket

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from casework.models import Case, CaseEvent, CaseEventKind, CaseKind
from complaints.models import ComplaintDetails, ComplaintDraft, EqualityMonitoring
from complaints.services import AnswersChanged, ComplaintNotReady, complaint_submit
from phso.celery import app as celery_app
from tests.complaints.test_form_support import (  # noqa: F401 - fixtures
    DEMO_CONSTITUENCY,
    DEMO_LOCAL_AUTHORITY,
    TODAY,
    VALID_NHS_NUMBER,
    complete_answers,
    demo_postcodes,
    form_url,
    make_draft,
    organisation,
    remember_in_session,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHAT_HAPPENED = "The ward did not give my mother her medicine. لم يعطوها الدواء 💊"


@pytest.fixture
def finished(complainant, organisation, demo_postcodes):
    answers = complete_answers(organisation, **{"what-happened": {"what_happened": WHAT_HAPPENED}})
    return make_draft(owner=complainant, answers=answers)


def send(client, draft, token=None):
    return client.post(
        form_url("check_answers", draft),
        {"submission_token": str(token or draft.submission_token)},
    )


class TestComplaintSubmit:
    def test_creates_the_case_with_its_first_event(self, finished, complainant, organisation):
        case = complaint_submit(draft=finished, user=complainant)
        assert case.kind == CaseKind.HEALTH
        assert case.reference.startswith("HC-")
        assert case.complainant == complainant
        assert case.summary == WHAT_HAPPENED
        assert case.patient_nhs_number == VALID_NHS_NUMBER
        assert list(case.organisations.all()) == [organisation]
        [event] = CaseEvent.objects.filter(case=case)
        assert event.kind == CaseEventKind.RECEIVED
        assert event.system_reason == "complaint_submit"

    def test_records_where_the_complainant_lives_from_the_demo_postcode(
        self, finished, complainant
    ):
        case = complaint_submit(draft=finished, user=complainant)
        assert case.constituency.code == DEMO_CONSTITUENCY
        assert case.local_authority_code == DEMO_LOCAL_AUTHORITY

    def test_an_unknown_postcode_leaves_the_area_blank(
        self, complainant, organisation, demo_postcodes
    ):
        answers = complete_answers(organisation, **{"your-postcode": {"postcode": "ZE9 9ZZ"}})
        case = complaint_submit(
            draft=make_draft(owner=complainant, answers=answers), user=complainant
        )
        assert case.constituency is None
        assert case.local_authority_code == ""
        assert ComplaintDetails.objects.get(case=case).postcode_found is False

    def test_keeps_what_was_said_beside_the_case(self, finished, complainant):
        case = complaint_submit(draft=finished, user=complainant)
        details = ComplaintDetails.objects.get(case=case)
        assert details.full_name == "Amira O’Neill-Smith"
        assert details.date_of_birth == datetime.date(1970, 5, 17)
        assert details.what_happened == WHAT_HAPPENED
        assert details.final_response is True
        assert details.final_response_on == TODAY - datetime.timedelta(days=60)
        assert details.contact_method == "email"
        assert details.adjustments == ["large_print"]
        assert details.for_someone_else is False
        assert case.complaint_details == details

    def test_keeps_the_person_complained_for(self, complainant, organisation, demo_postcodes):
        answers = complete_answers(
            organisation,
            **{
                "for-someone-else": {"for_someone_else": "yes"},
                "their-name": {"their_name": "Rose Ahmed"},
                "relationship": {"relationship": "Daughter"},
                "authority": {"authority": "consent"},
            },
        )
        case = complaint_submit(
            draft=make_draft(owner=complainant, answers=answers), user=complainant
        )
        details = ComplaintDetails.objects.get(case=case)
        assert (details.other_person_name, details.relationship, details.authority) == (
            "Rose Ahmed",
            "Daughter",
            "consent",
        )

    def test_equality_answers_are_kept_apart_for_analysts_only(
        self, finished, complainant, caseworker, user_with_role
    ):
        case = complaint_submit(draft=finished, user=complainant)
        row = EqualityMonitoring.objects.get(case=case)
        assert (row.age_band, row.sex, row.ethnic_group, row.disability) == (
            "45_54",
            "female",
            "prefer_not",
            "",
        )
        assert not hasattr(case, "equalitymonitoring")
        assert not EqualityMonitoring.objects.visible_to(caseworker).exists()
        assert not EqualityMonitoring.objects.visible_to(complainant).exists()
        assert list(EqualityMonitoring.objects.visible_to(user_with_role(Role.ANALYST))) == [row]

    def test_marks_the_draft_sent_and_keeps_no_answers_in_it(self, finished, complainant):
        case = complaint_submit(draft=finished, user=complainant)
        finished.refresh_from_db()
        assert finished.case == case
        assert finished.submitted
        assert finished.answers == {}

    def test_acknowledges_with_the_reference_and_a_link_only(
        self, finished, complainant, organisation, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            case = complaint_submit(draft=finished, user=complainant)
        [message] = mail.outbox
        assert message.to == [complainant.email]
        assert case.reference in message.subject
        assert f"/complaints/cases/{case.reference}" in message.body
        for detail in ("medicine", "💊", organisation.name, "Farnborough", VALID_NHS_NUMBER):
            assert detail not in message.body
            assert detail not in message.subject

    def test_a_name_that_cannot_go_in_an_email_is_left_out(
        self, complainant, organisation, demo_postcodes, django_capture_on_commit_callbacks
    ):
        answers = complete_answers(
            organisation, **{"your-name": {"full_name": "Ann 2nd www.x.com"}}
        )
        with django_capture_on_commit_callbacks(execute=True):
            complaint_submit(draft=make_draft(owner=complainant, answers=answers), user=complainant)
        [message] = mail.outbox
        assert "Dear there," in message.body
        assert "www.x.com" not in message.body

    def test_sending_twice_makes_one_case(self, finished, complainant):
        first = complaint_submit(draft=finished, user=complainant)
        again = complaint_submit(draft=finished, user=complainant, submission_token="stale")
        assert again == first
        assert Case.objects.count() == 1

    def test_answers_changed_since_the_page_was_shown_are_not_sent(self, finished, complainant):
        with pytest.raises(AnswersChanged):
            complaint_submit(draft=finished, user=complainant, submission_token="old-token")
        assert Case.objects.count() == 0

    def test_an_unfinished_draft_cannot_be_sent(self, complainant, organisation):
        answers = complete_answers(organisation)
        del answers["what-happened"]
        with pytest.raises(ComplaintNotReady):
            complaint_submit(draft=make_draft(owner=complainant, answers=answers), user=complainant)
        assert Case.objects.count() == 0

    def test_a_parliamentary_complaint_needs_an_mp(self, complainant, organisation):
        answers = complete_answers(organisation, **{"what-is-it-about": {"kind": "parliamentary"}})
        with pytest.raises(ComplaintNotReady, match="An MP must send us"):
            complaint_submit(draft=make_draft(owner=complainant, answers=answers), user=complainant)

    def test_another_persons_draft_cannot_be_sent(self, finished):
        with pytest.raises(PermissionDenied):
            complaint_submit(draft=finished, user=UserFactory())
        assert Case.objects.count() == 0

    def test_a_browser_draft_joins_the_account_that_sends_it(
        self, complainant, organisation, demo_postcodes
    ):
        draft = make_draft(answers=complete_answers(organisation))
        case = complaint_submit(draft=draft, user=complainant)
        draft.refresh_from_db()
        assert draft.owner == complainant
        assert case.complainant == complainant


class TestSendPage:
    def test_sends_and_shows_the_confirmation(self, client, finished, complainant):
        client.force_login(complainant)
        response = send(client, finished)
        assert response.url == form_url("sent", finished)
        case = Case.objects.get()
        html = client.get(response.url).content.decode()
        assert '<h1 class="govuk-panel__title">Complaint sent</h1>' in html
        assert case.reference in html
        assert f'href="/complaints/cases/{case.reference}"' in html
        assert reverse("complaints:evidence", kwargs={"reference": case.reference}) in html
        assert "the organisation’s final response to your complaint" in html
        assert "A caseworker will contact you by" in html

    def test_double_click_and_resubmitted_form_make_one_case(self, client, finished, complainant):
        client.force_login(complainant)
        token = finished.submission_token
        first = send(client, finished, token)
        second = send(client, finished, token)
        assert first.url == second.url == form_url("sent", finished)
        assert Case.objects.count() == 1

    def test_two_tabs_sending_make_one_case(self, finished, complainant):
        tabs = [Client(), Client()]
        for tab in tabs:
            tab.force_login(complainant)
        responses = [send(tab, finished) for tab in tabs]
        assert {r.url for r in responses} == {form_url("sent", finished)}
        assert Case.objects.count() == 1

    def test_back_button_after_sending_shows_the_confirmation(self, client, finished, complainant):
        client.force_login(complainant)
        send(client, finished)
        for page in ("check_answers", "task_list"):
            assert client.get(form_url(page, finished)).url == form_url("sent", finished)
        assert client.get(form_url("step", finished, step="your-name")).url == form_url(
            "sent", finished
        )

    def test_a_stale_page_shows_the_answers_again(self, client, finished, complainant):
        client.force_login(complainant)
        response = send(client, finished, token="00000000-0000-0000-0000-000000000000")
        assert response.status_code == 200
        assert "Your answers changed in another window or tab" in response.content.decode()
        assert Case.objects.count() == 0

    def test_someone_not_signed_in_is_sent_to_sign_in_and_back(
        self, client, organisation, complainant, demo_postcodes
    ):
        draft = make_draft(answers=complete_answers(organisation))
        remember_in_session(client, draft)
        response = send(client, draft)
        assert response.url == (
            f"{reverse('account_login')}?next=%2Fcomplain%2F{draft.public_id}%2Fcheck-your-answers"
        )
        assert Case.objects.count() == 0
        client.force_login(complainant)  # the session, and so the draft, carries over
        assert send(client, draft).url == form_url("sent", draft)
        assert Case.objects.get().complainant == complainant

    def test_the_confirmation_is_only_for_the_sender(self, client, finished, complainant):
        complaint_submit(draft=finished, user=complainant)
        client.force_login(UserFactory())
        assert client.get(form_url("sent", finished)).status_code == 404


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down():
    """Celery sending for real, to a broker nobody is listening for."""
    keys = (
        "task_always_eager",
        "broker_url",
        "broker_connection_timeout",
        "broker_connection_max_retries",
    )
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    celery_app.conf.broker_connection_timeout = 1
    celery_app.conf.broker_connection_max_retries = 1
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        for key, value in saved.items():
            celery_app.conf[key] = value
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
class TestBrokerDown:
    def test_the_complaint_is_still_received(
        self, client, organisation, demo_postcodes, broker_down
    ):
        user = UserFactory(roles=[Role.COMPLAINANT])
        draft = make_draft(owner=user, answers=complete_answers(organisation))
        client.force_login(user)
        response = send(client, draft)
        assert response.url == form_url("sent", draft)
        case = Case.objects.get()
        assert case.patient_nhs_number == VALID_NHS_NUMBER
        # The PDS lookup that could not be queued is found again by the sweeper.
        assert list(Case.objects.awaiting_pds_lookup()) == [case]
        assert ComplaintDraft.objects.get().submitted
        assert client.get(response.url).status_code == 200
