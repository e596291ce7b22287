"""The staff case page: what it shows, what it records, and who may open it."""

import re
from datetime import date

import pytest
from django.urls import get_resolver, reverse

from accounts.roles import Role
from casework.models import (
    AuditEntry,
    CaseDemographics,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    ClinicalCode,
    CodeReview,
    Message,
    MessageParty,
    PrecedentSuggestion,
)
from casework.services import case_note_add, message_send
from casework.state import CaseStatus
from complaints.models import ComplaintDetails, EqualityMonitoring
from tests.casework.backoffice_support import make_case, organisation, signed_in
from tests.casework.precedents_support import decided_case, with_codes
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def case_url(case, name="case_detail", **kwargs):
    return reverse(f"casework:{name}", kwargs={"reference": case.reference, **kwargs})


@pytest.fixture
def case(complainant):
    return make_case(
        complainant=complainant,
        organisations=[organisation("Leeds Teaching Hospitals NHS Trust")],
        summary="My father was discharged without his medication.",
    )


class TestCasePage:
    def test_shows_the_case_its_people_and_organisations(self, client, case):
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert f"Case {case.reference}" in body
        assert case.complainant.email in body
        assert "discharged without his medication" in body
        assert "Leeds Teaching Hospitals NHS Trust" in body
        assert "Not confirmed" in body
        assert reverse("casework:case_documents", kwargs={"reference": case.reference}) in body
        assert reverse("casework:pds_match", kwargs={"reference": case.reference}) in body
        assert reverse("casework:person", kwargs={"user_id": case.complainant.pk}) in body

    def test_links_say_how_many_codes_wait_for_review_and_precedents_were_found(self, client, case):
        client, user = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert ">Clinical codes</a>" in body and ">Precedents</a>" in body

        with_codes(case, themes=["discharge"], codes=["ICD-10:A41.9"], review=CodeReview.SUGGESTED)
        with_codes(case, codes=["ICD-10:I21.9"], review=CodeReview.CONFIRMED)
        ClinicalCode.objects.filter(code="A41.9").update(status="negated")  # not asked to confirm
        with_codes(case, codes=["ICD-10:J18.9"], review=CodeReview.SUGGESTED)
        for _ in range(2):
            PrecedentSuggestion.objects.create(
                case=case, precedent=decided_case("Another decided case."), rank=1, score=0.5
            )
        body = client.get(case_url(case)).content.decode()
        assert "Clinical codes (2 to review)" in body  # the theme and J18.9
        assert "Precedents (2 found)" in body

    def test_shows_the_clocks(self, client, case):
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert "Days open" in body
        assert case.target_date.strftime("%-d %B %Y") in body
        assert "working days" in body

    def test_every_id_on_the_page_is_unique(self, client, case, caseworker):
        case_note_add(case=case, author=caseworker, body="So that every section has content")
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    def test_offers_only_the_actions_the_state_machine_allows(self, client, case):
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert "Start assessment" in body
        assert "Close as premature" in body
        assert "Start investigation" not in body
        assert "Reopen" not in body

    def test_every_view_is_audited_with_the_address(self, client, case):
        client, caseworker = signed_in(client)
        client.get(case_url(case), REMOTE_ADDR="203.0.113.9")
        entry = AuditEntry.objects.get(action="case.view")
        assert (entry.user, entry.case, entry.ip) == (caseworker, case, "203.0.113.9")
        client.get(case_url(case), REMOTE_ADDR="203.0.113.9")
        assert AuditEntry.objects.filter(action="case.view", case=case).count() == 2

    def test_reading_the_page_marks_the_complainants_messages_read(self, client, case):
        message_send(
            case=case,
            author=case.complainant,
            party=MessageParty.COMPLAINANT,
            body="Any news?",
            from_ombudsman=False,
        )
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert "Any news?" in body
        assert Message.objects.get().read_at is not None

    def test_the_timeline_shows_every_event_newest_first(self, client, case, caseworker):
        case_note_add(case=case, author=caseworker, body="Called the trust's complaints team.")
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        timeline = body[body.index('id="timeline"') :]
        assert timeline.index("Internal note added") < timeline.index("Complaint received")
        assert "Called the trust&#x27;s complaints team." in timeline

    def test_a_case_nobody_has_gets_an_assign_to_me_button(self, client, case, caseworker):
        client, _ = signed_in(client)
        assert "Assign to me" in client.get(case_url(case)).content.decode()
        case.assignee = caseworker
        case.save()
        assert "Assign to me" not in client.get(case_url(case)).content.decode()

    def test_warns_of_likely_duplicates_while_being_assessed(self, client, complainant):
        trust = organisation("Royal Free London NHS Foundation Trust")
        earlier = make_case(complainant=complainant, organisations=[trust], received_days_ago=200)
        make_case(complainant=complainant, organisations=[trust], received_days_ago=400)
        case = make_case(complainant=complainant, organisations=[trust])
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert "This may be a duplicate" in body
        assert earlier.reference in body
        assert body.count("link it") == 1

    def test_no_duplicate_warning_once_investigating(self, client, complainant):
        trust = organisation()
        make_case(complainant=complainant, organisations=[trust], received_days_ago=30)
        case = make_case(
            complainant=complainant, organisations=[trust], status=CaseStatus.INVESTIGATION
        )
        client, _ = signed_in(client)
        assert "This may be a duplicate" not in client.get(case_url(case)).content.decode()

    def test_query_count_does_not_grow_with_the_timeline(
        self, client, case, caseworker, django_assert_max_num_queries
    ):
        def add(number):
            case_note_add(case=case, author=caseworker, body=f"Note {number}")
            message_send(
                case=case,
                author=caseworker,
                party=MessageParty.COMPLAINANT,
                body=f"Message {number}",
                from_ombudsman=True,
            )

        add(0)
        client, _ = signed_in(client)
        client.get(case_url(case))
        with django_assert_max_num_queries(30) as few:
            client.get(case_url(case))
        for number in range(1, 30):
            add(number)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(case_url(case))

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.FOI_OFFICER])
    def test_staff_who_work_no_cases_are_refused(self, client, case, role):
        client, _ = signed_in(client, role)
        assert client.get(case_url(case)).status_code == 403
        assert not AuditEntry.objects.exists()

    def test_an_unknown_case_is_not_found(self, client):
        client, _ = signed_in(client)
        response = client.get(
            reverse("casework:case_detail", kwargs={"reference": "HC-2026-999999"})
        )
        assert response.status_code == 404

    def test_the_complainant_cannot_open_the_staff_page(self, client, case):
        client.force_login(case.complainant)
        assert client.get(case_url(case)).status_code == 403


class TestNotes:
    def test_a_caseworker_adds_a_note(self, client, case):
        client, caseworker = signed_in(client)
        response = client.post(
            case_url(case, "case_note_add"), {"body": "Spoke to the ward manager"}
        )
        assert response.status_code == 302
        note = CaseNote.objects.get()
        assert (note.author, note.body) == (caseworker, "Spoke to the ward manager")
        event = case.events.get(kind=CaseEventKind.NOTE_ADDED)
        assert event.payload == {"note_id": note.pk}
        assert "Spoke" not in str(event.payload) + event.reason

    def test_an_empty_note_shows_the_error(self, client, case):
        client, _ = signed_in(client)
        response = client.post(case_url(case, "case_note_add"), {"body": "  "})
        assert response.status_code == 400
        body = response.content.decode()
        assert "There is a problem" in body
        assert "Enter the note" in body
        assert not CaseNote.objects.exists()

    def test_notes_are_never_on_complainant_pages(self, client, case, caseworker):
        case_note_add(case=case, author=caseworker, body="INTERNAL-ONLY suspect vexatious")
        client.force_login(case.complainant)
        checked = []
        for pattern in get_resolver().url_patterns:
            if getattr(pattern, "app_name", None) != "complaints":
                continue
            for inner in pattern.url_patterns:
                if list(inner.pattern.converters) != ["reference"]:
                    continue
                url = reverse(f"complaints:{inner.name}", kwargs={"reference": case.reference})
                response = client.get(url)
                assert "INTERNAL-ONLY" not in response.content.decode()
                checked.append(url)
        checked.append(f"/complaints/cases/{case.reference}")
        assert "INTERNAL-ONLY" not in client.get(checked[-1]).content.decode()
        assert len(checked) >= 2
        # Nor does the complainant's timeline carry the note's event.
        assert not case.events.visible_to_complainant().filter(kind=CaseEventKind.NOTE_ADDED)

    def test_analysts_cannot_add_notes(self, client, case):
        client, _ = signed_in(client, Role.ANALYST)
        assert client.post(case_url(case, "case_note_add"), {"body": "x"}).status_code == 403
        assert not CaseNote.objects.exists()


class TestStaffMessages:
    def test_a_caseworker_writes_to_the_complainant(self, client, case, mailoutbox):
        client, caseworker = signed_in(client)
        response = client.post(
            case_url(case, "case_message_send"), {"body": "Please send the discharge letter."}
        )
        assert response.status_code == 302
        message = Message.objects.get()
        assert message.from_ombudsman and message.author == caseworker
        assert message.party == MessageParty.COMPLAINANT

    def test_an_empty_message_shows_the_error(self, client, case):
        client, _ = signed_in(client)
        response = client.post(case_url(case, "case_message_send"), {"body": ""})
        assert response.status_code == 400
        assert "Enter your message" in response.content.decode()

    def test_get_is_not_allowed(self, client, case):
        client, _ = signed_in(client)
        assert client.get(case_url(case, "case_message_send")).status_code == 405


class TestOrganisationConfirm:
    def test_confirming_records_who_and_an_event(self, client, case):
        client, caseworker = signed_in(client)
        link = case.case_organisations.get()
        response = client.post(
            case_url(case, "case_organisation_confirm", case_organisation_id=link.pk)
        )
        assert response.status_code == 302
        link.refresh_from_db()
        assert link.confirmed_by == caseworker and link.confirmed_at is not None
        assert case.events.filter(kind=CaseEventKind.ORGANISATION_CONFIRMED).count() == 1

    def test_an_organisation_of_another_case_is_not_found(self, client, case, complainant):
        other = make_case(complainant=complainant, organisations=[organisation()])
        client, _ = signed_in(client)
        link = other.case_organisations.get()
        url = case_url(case, "case_organisation_confirm", case_organisation_id=link.pk)
        assert client.post(url).status_code == 404
        link.refresh_from_db()
        assert link.confirmed_at is None


class TestDemographics:
    def test_recording_answers(self, client, case):
        client, caseworker = signed_in(client)
        response = client.post(
            case_url(case, "case_demographics"),
            {
                "given": "yes",
                "age_band": "65_74",
                "sex": "female",
                "ethnic_group": "white",
                "disability": "prefer_not",
            },
        )
        assert response.status_code == 302
        demographics = CaseDemographics.objects.get(case=case)
        assert (demographics.age_band, demographics.declined) == ("65_74", False)
        event = case.events.get(kind=CaseEventKind.DEMOGRAPHICS_RECORDED)
        assert event.payload == {"declined": False}
        # Staff record the answers; they are for anonymous monitoring, so the case page only
        # says they were given.
        body = client.get(case_url(case)).content.decode()
        section = body[body.index('id="equality-information"') : body.index('id="links"')]
        assert "equality information has been recorded" in section
        assert "65 to 74" not in section and "White" not in section
        assert " checked" not in client.get(case_url(case, "case_demographics")).content.decode()

    def test_recording_that_they_declined(self, client, case):
        client, _ = signed_in(client)
        response = client.post(
            case_url(case, "case_demographics"), {"given": "declined", "sex": "male"}
        )
        assert response.status_code == 302
        demographics = CaseDemographics.objects.get(case=case)
        assert demographics.declined and demographics.sex == ""

    def test_missing_answers_are_named(self, client, case):
        client, _ = signed_in(client)
        response = client.post(case_url(case, "case_demographics"), {"given": "yes", "sex": "male"})
        body = response.content.decode()
        assert "Select the complainant&#x27;s age, or &#x27;Prefer not to say&#x27;" in body
        assert "Select the complainant&#x27;s ethnic group" in body
        assert "Select the complainant&#x27;s sex" not in body
        assert not CaseDemographics.objects.exists()

    def test_analysts_cannot_record_them(self, client, case):
        client, _ = signed_in(client, Role.ANALYST)
        assert client.get(case_url(case, "case_demographics")).status_code == 403


class TestCaseEventsForComplainants:
    def test_internal_events_are_left_out(self, case, caseworker):
        case_note_add(case=case, author=caseworker, body="x")
        kinds = set(case.events.visible_to_complainant().values_list("kind", flat=True))
        assert kinds == {CaseEventKind.RECEIVED}
        assert CaseEvent.objects.filter(case=case).count() == 2


class TestManagerOnlyLinks:
    def test_managers_see_the_audit_log_link_and_caseworkers_do_not(self, client, case):
        caseworker_client, _ = signed_in(client)
        assert (
            case_url(case, "case_audit")
            not in caseworker_client.get(case_url(case)).content.decode()
        )
        manager = UserFactory(roles=[Role.MANAGER])
        manager_client = otp_verified_client(client, manager)
        assert case_url(case, "case_audit") in manager_client.get(case_url(case)).content.decode()


class TestComplaintFormDetails:
    def test_who_the_complaint_is_for_comes_from_the_complaint_form(self, client, case):
        ComplaintDetails.objects.create(
            case=case,
            full_name="Jo Bloggs",
            email="jo@example.org",
            postcode="LS1 3EX",
            address_line_1="1 Park Row",
            town="Leeds",
            date_of_birth=date(1960, 1, 1),
            for_someone_else=True,
            other_person_name="Sam Bloggs",
            relationship="Father",
            authority="consent",
            what_happened="x",
            happened_on=date(2026, 1, 5),
            where_it_happened="Ward 3",
            impact="x",
            desired_outcome="x",
            complained_on=date(2026, 2, 1),
            final_response=True,
            has_evidence=False,
            contact_method="email",
        )
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert "Complaining for" in body
        assert "Sam Bloggs (Father)" in body
        assert "they have agreed to me complaining for them" in body

    def test_without_the_form_there_is_no_such_row(self, client, case):
        client, _ = signed_in(client)
        assert "Complaining for" not in client.get(case_url(case)).content.decode()

    def test_equality_answers_given_with_the_form_count_but_are_not_shown(self, client, case):
        EqualityMonitoring.objects.create(case=case, ethnic_group="mixed")
        client, _ = signed_in(client)
        body = client.get(case_url(case)).content.decode()
        assert "answered the equality questions with their complaint form" in body
        assert "Mixed or multiple" not in body


class TestStaffHomeLinks:
    """Each staff role finds its own work from the staff home page."""

    @pytest.mark.parametrize(
        ("role", "shown", "hidden"),
        [
            (
                "caseworker",
                ["/staff/portals/messages/"],
                ["/staff/information-requests/", "/staff/insight/"],
            ),
            (
                "foi_officer",
                ["/staff/information-requests/"],
                ["/staff/portals/messages/", "/staff/insight/"],
            ),
            (
                "analyst",
                ["/staff/insight/"],
                ["/staff/information-requests/", "/staff/portals/messages/"],
            ),
        ],
    )
    def test_links_follow_permissions(self, client, user_with_role, role, shown, hidden):
        from tests.conftest import otp_verified_client

        body = otp_verified_client(client, user_with_role(role)).get("/staff/").content.decode()
        for href in shown:
            assert f'href="{href}"' in body
        for href in hidden:
            assert f'href="{href}"' not in body
