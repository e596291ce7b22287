"""The complainant's account pages: their complaints, a case's progress, messages, withdrawal."""

import re
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind, Sector
from accounts.roles import Role
from accounts.services import contact_preferences_update
from casework.models import CaseEvent, CaseEventKind, CaseKind, Message, MessageParty
from casework.services import case_create, case_transition, message_send
from casework.state import CaseAction, CaseStatus
from complaints.services import complaint_draft_start
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, case=None):
    kwargs = {"reference": case.reference} if case is not None else {}
    return reverse(f"complaints:{name}", kwargs=kwargs)


def body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def text(response) -> str:
    """The page's visible words, tags removed and spaces collapsed, for wording checks."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body(response), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def assert_error(response, message):
    """GOV.UK error pattern: "Error: " title, a summary linking to the field, the inline error."""
    html = body(response)
    assert re.search(r"<title>Error: ", html)
    assert "There is a problem" in html
    assert re.search(rf'<a href="#[^"]+">{re.escape(message)}</a>', html), html
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html


def make_case(complainant=None, *, organisations=(), **kwargs):
    complainant = complainant or UserFactory(roles=[Role.COMPLAINANT])
    return case_create(
        kind=CaseKind.HEALTH, complainant=complainant, organisations=organisations, **kwargs
    )


def organisation(name):
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.NHS_TRUST, sector=Sector.HEALTH
    )


def move(case, *actions, actor):
    """Change the status as a caseworker would (with a reason, which some actions need)."""
    for action in actions:
        case = case_transition(case_id=case.pk, action=action, actor=actor, reason="As agreed")
    return case


@pytest.fixture
def case(complainant):
    return make_case(complainant, organisations=[organisation("Leeds Teaching Hospitals")])


@pytest.fixture
def signed_in(client, complainant):
    client.force_login(complainant)
    return client


CASE_PAGES = ["case", "messages", "withdraw", "feedback"]


class TestAccess:
    @pytest.mark.parametrize("name", CASE_PAGES)
    def test_sign_in_is_required(self, client, case, name):
        response = client.get(url(name, case))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    @pytest.mark.parametrize(
        "name",
        [
            "cases",
            "your_details",
            "your_phone",
            "your_address",
            "your_contact_method",
            "your_adjustments",
        ],
    )
    def test_sign_in_is_required_for_own_pages(self, client, name):
        response = client.get(url(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    @pytest.mark.parametrize("name", CASE_PAGES)
    def test_another_persons_case_is_not_found(self, signed_in, name):
        someone_else = make_case()
        assert signed_in.get(url(name, someone_else)).status_code == 404

    @pytest.mark.parametrize("name", ["messages", "withdraw", "feedback"])
    def test_posting_to_another_persons_case_changes_nothing(self, signed_in, caseworker, name):
        someone_else = move(make_case(), CaseAction.START_ASSESSMENT, actor=caseworker)
        data = {"body": "Hello", "confirm": "yes", "ease_of_use": "5", "kept_informed": "5"}
        assert signed_in.post(url(name, someone_else), data).status_code == 404
        someone_else.refresh_from_db()
        assert someone_else.status == CaseStatus.ASSESSMENT
        assert not Message.objects.exists()

    def test_unknown_reference_is_not_found(self, signed_in):
        response = signed_in.get(reverse("complaints:case", kwargs={"reference": "HC-2026-999999"}))
        assert response.status_code == 404

    @pytest.mark.parametrize("name", CASE_PAGES)
    def test_staff_use_the_back_office_not_these_pages(self, client, caseworker, case, name):
        staff = otp_verified_client(client, caseworker)
        assert staff.get(url(name, case)).status_code == 404

    @pytest.mark.parametrize("name", ["cases", "your_details", "your_adjustments"])
    def test_staff_have_no_complainant_account_pages(self, client, caseworker, name):
        staff = otp_verified_client(client, caseworker)
        assert staff.get(url(name)).status_code == 404

    def test_another_persons_draft_is_not_found(self, signed_in):
        draft = complaint_draft_start(owner=UserFactory(roles=[Role.COMPLAINANT]))
        for name in ("task_list", "resume"):
            page = reverse(f"complaint_form:{name}", kwargs={"draft_id": draft.public_id})
            assert signed_in.get(page).status_code == 404
        assert str(draft.public_id) not in body(signed_in.get(reverse("complaint_form:drafts")))

    def test_another_persons_message_is_never_shown(self, signed_in, case, caseworker):
        other = make_case()
        message_send(
            case=other,
            author=caseworker,
            party=MessageParty.COMPLAINANT,
            body="About someone else entirely",
            from_ombudsman=True,
        )
        assert "someone else" not in body(signed_in.get(url("messages", case)))


class TestCaseList:
    def test_lists_own_cases_with_status_organisation_and_unread_count(
        self, signed_in, complainant, case, caseworker
    ):
        move(case, CaseAction.START_ASSESSMENT, actor=caseworker)
        for words in ("First", "Second"):
            message_send(
                case=case,
                author=caseworker,
                party=MessageParty.COMPLAINANT,
                body=words,
                from_ombudsman=True,
            )
        # Messages in other threads, and ones already read, are not "new" for the complainant.
        message_send(
            case=case,
            author=caseworker,
            party=MessageParty.REPRESENTATIVE,
            body="To the representative",
            from_ombudsman=True,
        )
        older = make_case(complainant)
        someone_elses = make_case()
        page = text(signed_in.get(url("cases")))
        assert case.reference in page and older.reference in page
        assert someone_elses.reference not in page
        assert "Leeds Teaching Hospitals" in page
        assert "Being checked" in page
        assert "2 new messages" in page
        assert f'href="{url("case", case)}"' in body(signed_in.get(url("cases")))

    def test_newest_first_and_links_to_drafts(self, signed_in, complainant):
        first = make_case(complainant)
        second = make_case(complainant)
        html = body(signed_in.get(url("cases")))
        assert html.index(second.reference) < html.index(first.reference)
        assert f'href="{reverse("complaint_form:drafts")}"' in html

    def test_someone_with_no_complaints_is_told_so(self, signed_in):
        assert "You have not sent us a complaint yet" in text(signed_in.get(url("cases")))

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_cases(
        self, signed_in, complainant, caseworker, django_assert_max_num_queries, count
    ):
        trust = organisation("Trust")
        for _ in range(count):
            case = make_case(complainant, organisations=[trust, organisation("GP")])
            message_send(
                case=case,
                author=caseworker,
                party=MessageParty.COMPLAINANT,
                body="Hello",
                from_ombudsman=True,
            )
        with django_assert_max_num_queries(5):
            response = signed_in.get(url("cases"))
        assert body(response).count("1 new message") == count


class TestCaseDetail:
    def test_shows_status_in_plain_language_and_the_next_step(
        self, signed_in, complainant, caseworker
    ):
        with time_machine.travel("2026-06-01 10:00 +01:00", tick=False):
            case = make_case(complainant, organisations=[organisation("Leeds Teaching Hospitals")])
        with time_machine.travel("2026-06-03 10:00 +01:00", tick=False):
            move(case, CaseAction.START_ASSESSMENT, actor=caseworker)
            page = text(signed_in.get(url("case", case)))
        assert "Being checked" in page
        assert "We are checking whether we can look into your complaint" in page
        assert "We will tell you whether we can look into your complaint" in page
        # 20 UK working days after receipt on Monday 1 June 2026, skipping the bank holiday of
        # 15 June: the case's own target date, the one its caseworker sees.
        assert "We aim to do this by 30 June 2026" in page
        case.refresh_from_db()
        assert case.target_date == date(2026, 6, 30)
        assert "taking longer than we aimed for" not in page

    def test_says_sorry_when_the_target_date_has_passed(self, signed_in, complainant, caseworker):
        with time_machine.travel("2026-06-01 10:00 +01:00", tick=False):
            case = make_case(complainant, organisations=[organisation("Leeds Teaching Hospitals")])
            move(case, CaseAction.START_ASSESSMENT, actor=caseworker)
        with time_machine.travel("2026-07-15 10:00 +01:00", tick=False):
            page = text(signed_in.get(url("case", case)))
        assert "This is taking longer than we aimed for" in page

    def test_timeline_shows_public_events_only(self, signed_in, complainant, case, caseworker):
        move(case, CaseAction.START_ASSESSMENT, CaseAction.REQUEST_INFORMATION, actor=caseworker)
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.PDS_NOT_FOUND, system_reason="enrich_case_from_pds"
        )
        message_send(
            case=case,
            author=caseworker,
            party=MessageParty.COMPLAINANT,
            body="Please send the letter",
            from_ombudsman=True,
        )
        message_send(
            case=case,
            author=complainant,
            party=MessageParty.COMPLAINANT,
            body="Here it is",
            from_ombudsman=False,
        )
        trust = organisation("Trust")
        message_send(
            case=case,
            author=caseworker,
            party=MessageParty.ORGANISATION,
            organisation=trust,
            body="Evidence please",
            from_ombudsman=True,
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.EVIDENCE_UPLOADED,
            actor=caseworker,
            payload={"accepted": 1, "rejected": 0},
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.EVIDENCE_UPLOADED,
            actor=complainant,
            payload={"accepted": 2, "rejected": 1},
        )
        page = text(signed_in.get(url("case", case)))
        timeline = page[page.index("What has happened so far") :]
        for shown in (
            "We received your complaint",
            "We started checking your complaint",
            "We asked for more information",
            "We sent you a message",
            "You sent us a message",
            "You sent us 2 files",
            "We could not accept 1 file.",
        ):
            assert shown in timeline
        assert timeline.count("We sent you a message") == 1  # not the organisation's thread
        assert "You sent us 1 file" not in timeline  # the caseworker's upload
        assert "NHS patient record" not in page
        assert "Please send the letter" not in page  # messages are read on their own page

    def test_staff_reasons_are_not_shown(self, signed_in, case, caseworker):
        case_transition(
            case_id=case.pk,
            action=CaseAction.START_ASSESSMENT,
            actor=caseworker,
            reason="Complainant sounds difficult",
        )
        assert "difficult" not in body(signed_in.get(url("case", case)))

    def test_links_to_messages_evidence_and_withdraw(self, signed_in, case):
        html = body(signed_in.get(url("case", case)))
        for name in ("messages", "evidence", "withdraw"):
            assert f'href="{url(name, case)}"' in html

    def test_no_withdraw_link_once_the_case_has_ended(self, signed_in, case, caseworker):
        move(case, CaseAction.MARK_OUT_OF_REMIT, actor=caseworker)
        assert f'href="{url("withdraw", case)}"' not in body(signed_in.get(url("case", case)))

    def test_shows_the_adjustments_staff_will_see(self, signed_in, complainant, case):
        contact_preferences_update(user=complainant, large_print=True, language="Welsh")
        page = text(signed_in.get(url("case", case)))
        assert "Large print" in page
        assert "Information in Welsh" in page
        assert f'href="{url("your_details")}"' in body(signed_in.get(url("case", case)))

    def test_ended_case_offers_the_survey_and_you_said_we_did(self, signed_in, case, caseworker):
        move(case, CaseAction.MARK_PREMATURE, actor=caseworker)
        html = body(signed_in.get(url("case", case)))
        assert f'href="{url("feedback", case)}"' in html
        assert f'href="{reverse("insight:you_said_we_did")}"' in html
        assert "What happens next" not in html

    def test_open_case_does_not_offer_the_survey(self, signed_in, case):
        assert f'href="{url("feedback", case)}"' not in body(signed_in.get(url("case", case)))

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_the_timeline(
        self, signed_in, complainant, case, caseworker, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            message_send(
                case=case,
                author=caseworker,
                party=MessageParty.COMPLAINANT,
                body="Hello",
                from_ombudsman=True,
            )
        # A fixed number (one of them counts the letters from us), none of them per event.
        with django_assert_max_num_queries(9):
            response = signed_in.get(url("case", case))
        assert text(response).count("We sent you a message") == count


class TestMessages:
    def test_shows_the_thread_oldest_first_and_marks_our_messages_read(
        self, signed_in, complainant, case, caseworker
    ):
        ours = message_send(
            case=case,
            author=caseworker,
            party=MessageParty.COMPLAINANT,
            body="Please send the discharge letter",
            from_ombudsman=True,
        )
        message_send(
            case=case,
            author=complainant,
            party=MessageParty.COMPLAINANT,
            body="I will post it tomorrow",
            from_ombudsman=False,
        )
        page = text(signed_in.get(url("messages", case)))
        assert page.index("discharge letter") < page.index("post it tomorrow")
        assert "New" in page
        ours.refresh_from_db()
        assert ours.read_at is not None
        assert "New" not in text(signed_in.get(url("messages", case))).split("Messages", 1)[1]

    def test_does_not_mark_read_the_complainants_own_messages(self, signed_in, complainant, case):
        theirs = message_send(
            case=case,
            author=complainant,
            party=MessageParty.COMPLAINANT,
            body="Hello",
            from_ombudsman=False,
        )
        signed_in.get(url("messages", case))
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_sending_a_message(self, signed_in, complainant, case):
        response = signed_in.post(url("messages", case), {"body": "  Line one\r\nLine two  "})
        assert response.status_code == 302 and response.url == url("messages", case)
        message = Message.objects.get()
        assert message.body == "Line one\nLine two"
        assert message.author == complainant and not message.from_ombudsman
        assert message.party == MessageParty.COMPLAINANT
        page = text(signed_in.get(url("messages", case)))
        assert "Your message has been sent" in page and "Line one" in page

    def test_empty_message_is_an_error(self, signed_in, case):
        assert_error(signed_in.post(url("messages", case), {"body": "   "}), "Enter your message")
        assert not Message.objects.exists()

    def test_message_over_10000_characters_is_an_error(self, signed_in, case):
        response = signed_in.post(url("messages", case), {"body": "x" * 10_001})
        assert_error(response, "Your message must be 10,000 characters or fewer")
        assert "x" * 10_001 in body(response)  # kept for them to shorten
        assert not Message.objects.exists()

    def test_line_breaks_count_once_towards_the_limit(self, signed_in, case):
        signed_in.post(url("messages", case), {"body": "x" * 9_000 + "\r\n" * 1_000})
        assert len(Message.objects.get().body) == 9_000

    def test_has_a_character_count(self, signed_in, case):
        html = body(signed_in.get(url("messages", case)))
        assert 'data-module="govuk-character-count" data-maxlength="10000"' in html
        assert "You can enter up to 10,000 characters" in html

    def test_email_for_our_reply_only_says_a_message_is_waiting(
        self, signed_in, complainant, case, caseworker, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            message_send(
                case=case,
                author=caseworker,
                party=MessageParty.COMPLAINANT,
                body="We have spoken to the ward manager",
                from_ombudsman=True,
            )
        [email] = mail.outbox
        assert email.to == [complainant.email]
        assert "ward manager" not in email.subject + email.body
        link = re.search(r"https?://\S+", email.body).group(0)
        path = re.sub(r"^https?://[^/]+", "", link)
        assert path == url("messages", case)
        assert "We have spoken to the ward manager" in text(signed_in.get(path))

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_messages(
        self, signed_in, complainant, case, caseworker, django_assert_max_num_queries, count
    ):
        for n in range(count):
            author, ours = (caseworker, True) if n % 2 else (complainant, False)
            message_send(
                case=case,
                author=author,
                party=MessageParty.COMPLAINANT,
                body=f"Message {n}",
                from_ombudsman=ours,
            )
        with django_assert_max_num_queries(8):
            response = signed_in.get(url("messages", case))
        assert text(response).count("Message ") == count


class TestWithdraw:
    def test_asks_for_confirmation(self, signed_in, case):
        html = body(signed_in.get(url("withdraw", case)))
        assert "Are you sure you want to withdraw your complaint?" in html
        assert 'type="radio" value="yes"' in html and 'type="radio" value="no"' in html

    def test_no_answer_is_an_error(self, signed_in, case):
        response = signed_in.post(url("withdraw", case), {})
        assert_error(response, "Select yes if you want to withdraw your complaint")
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED

    def test_no_goes_back_and_changes_nothing(self, signed_in, case):
        response = signed_in.post(url("withdraw", case), {"confirm": "no", "reason": "x"})
        assert response.status_code == 302 and response.url == url("case", case)
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED

    def test_yes_withdraws_through_the_state_machine_with_the_reason(
        self, signed_in, complainant, case
    ):
        response = signed_in.post(
            url("withdraw", case), {"confirm": "yes", "reason": "The trust apologised"}
        )
        assert response.status_code == 302 and response.url == url("case", case)
        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN
        event = case.events.get(kind=CaseEventKind.STATUS_CHANGED)
        assert event.actor == complainant and event.reason == "The trust apologised"
        assert event.payload["action"] == CaseAction.WITHDRAW
        page = text(signed_in.get(url("case", case)))
        assert "Withdrawn" in page
        assert "You withdrew your complaint" in page and "Your reason: The trust apologised" in page

    def test_without_a_reason_the_timeline_records_that_none_was_given(self, signed_in, case):
        signed_in.post(url("withdraw", case), {"confirm": "yes", "reason": " "})
        case.refresh_from_db()
        assert case.status == CaseStatus.WITHDRAWN
        event = case.events.get(kind=CaseEventKind.STATUS_CHANGED)
        assert event.reason == "The complainant did not give a reason"
        assert "Your reason" not in text(signed_in.get(url("case", case)))

    def test_reason_is_optional_but_limited(self, signed_in, case):
        response = signed_in.post(url("withdraw", case), {"confirm": "yes", "reason": "x" * 2_001})
        assert_error(response, "Your reason must be 2,000 characters or fewer")
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_once_the_case_has_ended_the_page_explains_why_not(
        self, signed_in, case, caseworker, method
    ):
        move(case, CaseAction.MARK_PREMATURE, actor=caseworker)
        response = getattr(signed_in, method)(url("withdraw", case), {"confirm": "yes"})
        page = text(response)
        assert "You cannot withdraw this complaint" in page
        assert "You cannot withdraw while the case is closed: complain to the organisation" in page
        case.refresh_from_db()
        assert case.status == CaseStatus.PREMATURE

    def test_already_withdrawn_is_explained_not_an_error(self, signed_in, case):
        signed_in.post(url("withdraw", case), {"confirm": "yes"})
        response = signed_in.post(url("withdraw", case), {"confirm": "yes"})
        assert "You cannot withdraw this complaint" in text(response)
        assert case.events.filter(kind=CaseEventKind.STATUS_CHANGED).count() == 1

    def test_a_caseworker_acting_first_is_explained(self, signed_in, case, caseworker, monkeypatch):
        """The status changes between the page's check and the transition's row lock."""
        from complaints import account_views

        real = account_views.case_transition

        def caseworker_first(**kwargs):
            move(case, CaseAction.MARK_OUT_OF_REMIT, actor=caseworker)
            return real(**kwargs)

        monkeypatch.setattr(account_views, "case_transition", caseworker_first)
        response = signed_in.post(url("withdraw", case), {"confirm": "yes"})
        assert "You cannot withdraw this complaint" in text(response)
        case.refresh_from_db()
        assert case.status == CaseStatus.OUT_OF_REMIT

    def test_only_the_complainant_may_withdraw(self, complainant, case):
        other = UserFactory(roles=[Role.COMPLAINANT])
        assert complainant.has_perm("complaints.withdraw_case", case)
        assert not other.has_perm("complaints.withdraw_case", case)
        assert not UserFactory(roles=[Role.MANAGER]).has_perm("complaints.withdraw_case", case)
