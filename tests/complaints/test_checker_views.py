"""The checker's pages: one question each, GOV.UK errors, routing, outcomes and letter downloads."""

import datetime
import io
import re
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from accounts.models import Postcode
from complaints.checker import whole_months_between
from complaints.checker_forms import display_name
from complaints.checker_views import SESSION_KEY
from complaints.models import CheckerResult
from tests.accounts.fixtures.factories import (
    ConstituencyFactory,
    MemberOfParliamentFactory,
    OrganisationFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECENT = TODAY - datetime.timedelta(days=40)
LATE = TODAY - datetime.timedelta(days=800)
TOMORROW = TODAY + datetime.timedelta(days=1)

NHS_TO_DATE = {
    "organisation_type": "nhs_england",
    "organisation_answered": True,
    "complained": "final_response",
}
NHS_READY = {**NHS_TO_DATE, "aware_on": RECENT.isoformat()}
GOV_TO_MP = {
    "organisation_type": "uk_government",
    "organisation_answered": True,
    "complained": "final_response",
    "aware_on": RECENT.isoformat(),
}
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def url(name):
    return reverse(f"checker:{name}")


def set_answers(client, **answers):
    session = client.session
    session[SESSION_KEY] = {"token": str(uuid.uuid4()), "answers": answers}
    session.save()


def session_answers(client):
    return client.session.get(SESSION_KEY, {}).get("answers", {})


def heading(body):
    match = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def assert_page(response, expected_heading):
    """A GOV.UK page in the service layout: one h1, no inline style or script, never cached."""
    assert response.status_code == 200, response
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert heading(body) == expected_heading
    assert 'class="govuk-skip-link"' in body
    assert " style=" not in body
    assert not _INLINE_SCRIPT.search(body)
    assert "no-store" in response["Cache-Control"]
    return body


def assert_error(response, message, target):
    """GOV.UK error pattern: "Error: " title, summary linking to the field, inline message."""
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r"<title>Error: ", body)
    assert "There is a problem" in body
    assert f'<a href="#{target}">{message}</a>' in body
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in body
    return body


def back_link(body):
    return re.search(r'<a href="([^"]+)" class="govuk-back-link">Back</a>', body).group(1)


@pytest.fixture
def directory(db):
    chorley = ConstituencyFactory(code="E14001170", name="Chorley")
    holborn = ConstituencyFactory(code="E14001290", name="Holborn and St Pancras")
    ConstituencyFactory(code="E14001063", name="Aldershot")
    hoyle = MemberOfParliamentFactory(
        name="Sir Lindsay Hoyle",
        party="Speaker",
        constituency=chorley,
        email="lindsay.hoyle.const@parliament.uk",
        start_date=datetime.date(1997, 5, 1),
    )
    MemberOfParliamentFactory(
        name="Former Member",
        constituency=holborn,
        start_date=datetime.date(2010, 5, 6),
        end_date=datetime.date(2015, 3, 30),
    )
    Postcode.objects.create(postcode="PR7 1DP", constituency_code="E14001170")
    Postcode.objects.create(postcode="WC1E 6BT", constituency_code="E14001290")
    Postcode.objects.create(postcode="M1 1AE", local_authority_code="E08000003")
    Postcode.objects.create(postcode="SW1A 1AA", constituency_code="E14001172")
    return SimpleNamespace(
        leeds=OrganisationFactory(name="Leeds Teaching Hospitals NHS Trust", ods_code="RR8"),
        closed=OrganisationFactory(name="Leeds Closed Clinic", ods_code="ZZ9", is_active=False),
        dwp=OrganisationFactory(
            name="Department for Work and Pensions",
            ods_code=None,
            kind="government_department",
            sector="parliamentary",
            town="",
        ),
        chorley=chorley,
        holborn=holborn,
        hoyle=hoyle,
    )


class TestDisplayName:
    @pytest.mark.parametrize(
        ("name", "shown"),
        [
            ("LEEDS TEACHING HOSPITALS NHS TRUST", "Leeds Teaching Hospitals NHS Trust"),
            (
                "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST",
                "Guy's and St Thomas' NHS Foundation Trust",
            ),
            ("THE DENSHAM SURGERY", "The Densham Surgery"),
            ("STOCKTON-ON-TEES", "Stockton-on-Tees"),
            ("HM Revenue and Customs", "HM Revenue and Customs"),
            ("Department for Work and Pensions", "Department for Work and Pensions"),
            ("", ""),
        ],
    )
    def test_capitals_from_the_directory_read_as_names(self, name, shown):
        assert display_name(name) == shown

    def test_names_from_the_directory_are_shown_in_title_case(self, client):
        organisation = OrganisationFactory(name="PRIORY MEDICAL GROUP", town="YORK")
        set_answers(client, organisation_type="nhs_england")

        body = client.get(url("organisation"), {"q": "priory"}).content.decode()
        client.post(url("organisation"), {"q": "priory", "organisation": organisation.pk})

        assert "Priory Medical Group</label>" in body
        assert "NHS trust, York (ODS code" in body
        assert heading(client.get(url("complained")).content.decode()) == (
            "Have you complained to Priory Medical Group?"
        )


class TestStartLinks:
    def test_complaints_start_page_starts_the_checker(self, client):
        body = client.get(reverse("complaints:start")).content.decode()

        assert f'href="{url("start")}" role="button"' in body
        assert "You do not need an account for this." in body

    def test_a_signed_in_person_can_check_too(self, client):
        client.force_login(UserFactory())

        body = client.get(reverse("complaints:start")).content.decode()

        assert f'href="{url("start")}">Check if we can help with your complaint</a>' in body

    def test_home_page_starts_the_checker(self, client):
        body = client.get(reverse("home")).content.decode()

        assert f'href="{url("start")}" role="button"' in body

    def test_start_goes_to_the_first_question(self, client):
        response = client.get(url("start"))

        assert response.status_code == 302
        assert response.url == url("organisation_type")

    def test_start_resumes_a_finished_check_at_its_outcome(self, client):
        set_answers(client, organisation_type="police")

        assert client.get(url("start")).url == url("other_route")

    def test_start_again_forgets_the_answers(self, client):
        set_answers(client, **NHS_READY)

        response = client.post(url("start_again"))

        assert response.url == url("organisation_type")
        assert SESSION_KEY not in client.session
        assert client.get(url("ready")).url == url("organisation_type")

    def test_start_again_must_be_posted(self, client):
        set_answers(client, **NHS_READY)

        assert client.get(url("start_again")).status_code == 405
        assert session_answers(client) == NHS_READY


class TestOrganisationTypePage:
    def test_asks_one_question_with_hints(self, client):
        response = client.get(url("organisation_type"))

        body = assert_page(response, "What do you want to complain about?")
        assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">' in body
        assert body.count('class="govuk-radios__input"') == 8
        assert "hospital, GP, dentist, mental health service, ambulance service or" in body
        assert "HM Revenue and Customs (HMRC)" in body
        assert '<div class="govuk-radios__divider">or</div>' in body
        assert 'aria-describedby="id_organisation_type_0-item-hint"' in body, (
            "each hint is announced with its radio"
        )
        assert back_link(body) == reverse("complaints:start")

    @pytest.mark.parametrize("data", [{}, {"organisation_type": "hospital"}])
    def test_nothing_or_an_unknown_choice_is_an_error(self, client, data):
        response = client.post(url("organisation_type"), data)

        assert_error(response, "Select what you want to complain about", "id_organisation_type_0")
        assert session_answers(client) == {}

    @pytest.mark.parametrize(
        ("choice", "next_page"),
        [
            ("nhs_england", "organisation"),
            ("uk_government", "organisation"),
            ("nhs_devolved", "nation"),
            ("council", "other_route"),
            ("private_healthcare", "other_route"),
            ("police", "other_route"),
            ("courts", "other_route"),
            ("other", "other_route"),
        ],
    )
    def test_each_answer_leads_on(self, client, choice, next_page):
        response = client.post(url("organisation_type"), {"organisation_type": choice})

        assert response.status_code == 302
        assert response.url == url(next_page)
        assert session_answers(client)["organisation_type"] == choice

    def test_shows_the_answer_given(self, client):
        set_answers(client, organisation_type="police")

        body = client.get(url("organisation_type")).content.decode()

        assert 'value="police" checked' in body

    def test_a_new_type_needs_the_organisation_again(self, client, directory):
        set_answers(client, **NHS_READY, organisation_id=directory.leeds.pk)

        client.post(url("organisation_type"), {"organisation_type": "uk_government"})

        answers = session_answers(client)
        assert answers["organisation_answered"] is False
        assert answers["organisation_id"] is None
        assert client.get(url("aware")).url == url("organisation")

    def test_the_same_type_keeps_the_organisation(self, client, directory):
        set_answers(client, **NHS_READY, organisation_id=directory.leeds.pk)

        client.post(url("organisation_type"), {"organisation_type": "nhs_england"})

        assert session_answers(client)["organisation_id"] == directory.leeds.pk


class TestSkippingAhead:
    @pytest.mark.parametrize(
        "name",
        [
            "nation",
            "organisation",
            "complained",
            "waited",
            "aware",
            "late_reason",
            "postcode",
            "constituency",
            "ready",
            "complain_first",
            "finish_complaint",
            "other_route",
            "ask_mp",
        ],
    )
    def test_without_answers_goes_to_the_first_question(self, client, name):
        response = client.get(url(name))

        assert response.status_code == 302
        assert response.url == url("organisation_type")

    def test_goes_to_the_first_unanswered_question(self, client):
        set_answers(client, organisation_type="nhs_england")

        assert client.get(url("aware")).url == url("organisation")
        assert client.get(url("ready")).url == url("organisation")

    def test_a_question_off_the_route_goes_to_the_next_one(self, client):
        set_answers(client, **GOV_TO_MP)

        # How long someone has waited is an NHS question; the MP is a parliamentary one.
        assert client.get(url("waited")).url == url("postcode")
        assert client.get(url("nation")).url == url("postcode")

    def test_posting_a_question_off_the_route_changes_nothing(self, client):
        set_answers(client, organisation_type="nhs_england")

        response = client.post(url("aware"), {"day": "1", "month": "1", "year": "2020"})

        assert response.url == url("organisation")
        assert "aware_on" not in session_answers(client)

    def test_another_outcome_goes_to_the_right_one(self, client):
        set_answers(client, organisation_type="council")

        assert client.get(url("ready")).url == url("other_route")
        assert client.get(url("ask_mp")).url == url("other_route")

    def test_earlier_questions_can_be_changed(self, client):
        set_answers(client, **NHS_READY)

        for name in ["organisation_type", "organisation", "complained", "aware"]:
            assert client.get(url(name)).status_code == 200, name


class TestNationPage:
    def test_asks_where(self, client):
        set_answers(client, organisation_type="nhs_devolved")

        body = assert_page(
            client.get(url("nation")), "Where is the NHS service you want to complain about?"
        )
        assert back_link(body) == url("organisation_type")

    def test_nothing_chosen_is_an_error(self, client):
        set_answers(client, organisation_type="nhs_devolved")

        response = client.post(url("nation"), {})

        assert_error(response, "Select where the NHS service is", "id_nation_0")

    def test_wales_goes_to_the_welsh_ombudsman(self, client):
        set_answers(client, organisation_type="nhs_devolved")

        response = client.post(url("nation"), {"nation": "wales"}, follow=True)

        assert_page(response, "The Public Services Ombudsman for Wales can help")


class TestOrganisationPage:
    def test_offers_search_and_skip(self, client):
        set_answers(client, organisation_type="nhs_england")

        body = assert_page(
            client.get(url("organisation")), "Which organisation do you want to complain about?"
        )
        assert 'role="search"' in body
        assert 'name="skip"' in body
        assert "govuk-radios__input" not in body

    def test_search_finds_active_organisations_in_the_sector(self, client, directory):
        set_answers(client, organisation_type="nhs_england")

        body = client.get(url("organisation"), {"q": "leeds"}).content.decode()

        assert "Leeds Teaching Hospitals NHS Trust" in body
        assert "(ODS code RR8)" in body
        assert "Leeds Closed Clinic" not in body
        assert f'value="{directory.leeds.pk}"' in body

    def test_government_search_finds_no_nhs_organisations(self, client, directory):
        set_answers(client, organisation_type="uk_government")

        body = client.get(url("organisation"), {"q": "leeds"}).content.decode()

        assert "No organisations match ‘leeds’" in body
        assert f'value="{directory.leeds.pk}"' not in body
        assert "For example, HMRC, Department for Work and Pensions or DVLA" in body

    def test_search_is_one_query(self, client, directory, django_assert_max_num_queries):
        set_answers(client, organisation_type="nhs_england")
        OrganisationFactory.create_batch(30, name="Leeds General Practice")

        # Session, search.
        with django_assert_max_num_queries(2):
            response = client.get(url("organisation"), {"q": "leeds"})

        assert response.content.decode().count('class="govuk-radios__input"') == 20

    def test_too_short_a_search_is_an_error(self, client):
        set_answers(client, organisation_type="nhs_england")

        response = client.get(url("organisation"), {"q": "x"})

        assert_error(response, "Enter at least 2 characters", "id_q")

    def test_choosing_names_the_organisation_in_the_next_question(self, client, directory):
        set_answers(client, organisation_type="nhs_england")

        response = client.post(
            url("organisation"), {"q": "leeds", "organisation": directory.leeds.pk}
        )

        assert response.url == url("complained")
        assert session_answers(client)["organisation_id"] == directory.leeds.pk
        body = client.get(url("complained")).content.decode()
        assert heading(body) == "Have you complained to Leeds Teaching Hospitals NHS Trust?"

    def test_shows_the_organisation_chosen(self, client, directory):
        set_answers(client, organisation_type="nhs_england")
        client.post(url("organisation"), {"q": "leeds", "organisation": directory.leeds.pk})

        body = client.get(url("organisation")).content.decode()

        assert "The organisation you chose" in body
        assert f'value="{directory.leeds.pk}" checked' in body

    def test_skipping_asks_about_the_organisation(self, client):
        set_answers(client, organisation_type="nhs_england")

        response = client.post(url("organisation"), {"skip": "1"})

        assert response.url == url("complained")
        assert session_answers(client)["organisation_answered"] is True
        body = client.get(url("complained")).content.decode()
        assert heading(body) == "Have you complained to the organisation?"

    def test_nothing_chosen_is_an_error(self, client, directory):
        set_answers(client, organisation_type="nhs_england")

        response = client.post(url("organisation"), {"q": "leeds"})

        body = assert_error(
            response, "Select the organisation, or skip this question", "id_organisation_0"
        )
        assert "Leeds Teaching Hospitals NHS Trust" in body

    @pytest.mark.parametrize("which", ["dwp", "closed"])
    def test_an_organisation_outside_the_choices_is_an_error(self, client, directory, which):
        set_answers(client, organisation_type="nhs_england")

        response = client.post(
            url("organisation"), {"q": "leeds", "organisation": getattr(directory, which).pk}
        )

        assert_error(response, "Select an organisation from the list", "id_organisation_0")
        assert "organisation_id" not in session_answers(client)


class TestComplainedPage:
    def test_nothing_chosen_is_an_error(self, client):
        set_answers(client, organisation_type="nhs_england", organisation_answered=True)

        response = client.post(url("complained"), {})

        assert_error(
            response, "Select if you have complained to the organisation", "id_complained_0"
        )

    @pytest.mark.parametrize(
        ("organisation_type", "complained", "next_page"),
        [
            ("nhs_england", "no", "complain_first"),
            ("nhs_england", "waiting", "waited"),
            ("nhs_england", "final_response", "aware"),
            ("uk_government", "no", "complain_first"),
            ("uk_government", "waiting", "finish_complaint"),
            ("uk_government", "final_response", "aware"),
        ],
    )
    def test_each_answer_leads_on(self, client, organisation_type, complained, next_page):
        set_answers(client, organisation_type=organisation_type, organisation_answered=True)

        response = client.post(url("complained"), {"complained": complained})

        assert response.url == url(next_page)

    def test_back_goes_to_the_organisation(self, client):
        set_answers(client, organisation_type="nhs_england", organisation_answered=True)

        assert back_link(client.get(url("complained")).content.decode()) == url("organisation")


class TestWaitedPage:
    @pytest.fixture(autouse=True)
    def _waiting(self, client):
        set_answers(
            client,
            organisation_type="nhs_england",
            organisation_answered=True,
            complained="waiting",
        )

    def test_asks_yes_or_no(self, client):
        body = assert_page(client.get(url("waited")), "Did you complain more than 6 months ago?")
        assert "govuk-radios--inline" in body

    def test_nothing_chosen_is_an_error(self, client):
        response = client.post(url("waited"), {})

        assert_error(response, "Select yes if you complained more than 6 months ago", "id_waited_0")

    def test_six_months_or_less_waits_for_the_response(self, client):
        assert client.post(url("waited"), {"waited": "no"}).url == url("finish_complaint")
        assert session_answers(client)["waited_over_six_months"] is False

    def test_over_six_months_goes_on(self, client):
        assert client.post(url("waited"), {"waited": "yes"}).url == url("aware")


class TestAwarePage:
    @pytest.fixture(autouse=True)
    def _to_date(self, client):
        set_answers(client, **NHS_TO_DATE)

    def test_is_a_gov_uk_date_input(self, client):
        body = assert_page(
            client.get(url("aware")), "When did you first find out about the problem?"
        )
        assert 'role="group" aria-describedby="aware-hint"' in body
        for name in ["day", "month", "year"]:
            assert f'id="id_{name}" name="{name}" type="text" inputmode="numeric"' in body

    @pytest.mark.parametrize(
        ("data", "message", "wrong"),
        [
            ({}, "Enter the date you found out about the problem", {"day", "month", "year"}),
            (
                {"day": "3", "month": "", "year": "2024"},
                "Date you found out about the problem must include a month",
                {"month"},
            ),
            (
                {"day": "", "month": "4", "year": ""},
                "Date you found out about the problem must include a day and year",
                {"day", "year"},
            ),
            (
                {"day": "31", "month": "2", "year": "2024"},
                "Date you found out about the problem must be a real date",
                {"day", "month", "year"},
            ),
            (
                {"day": "1", "month": "13", "year": "2024"},
                "Date you found out about the problem must be a real date",
                {"day", "month", "year"},
            ),
            (
                {"day": "one", "month": "4", "year": "2024"},
                "Date you found out about the problem must be a real date",
                {"day"},
            ),
            (
                {"day": "1", "month": "4", "year": "24"},
                "Year must include 4 numbers",
                {"year"},
            ),
            (
                {"day": "1", "month": "4", "year": "1899"},
                "Date you found out about the problem must be the same as or after 1 January 1900",
                {"day", "month", "year"},
            ),
            (
                {"day": "1", "month": "4", "year": "2" * 50},
                "Date you found out about the problem must be a real date",
                {"day", "month", "year"},
            ),
        ],
    )
    def test_gov_uk_date_errors(self, client, data, message, wrong):
        response = client.post(url("aware"), data)

        first = next(name for name in ["day", "month", "year"] if name in wrong)
        body = assert_error(response, message, f"id_{first}")
        assert body.count(message) == 2, "once in the summary, once by the field"
        for name in ["day", "month", "year"]:
            highlighted = re.search(rf'class="[^"]*govuk-input--error[^"]*" id="id_{name}"', body)
            assert bool(highlighted) is (name in wrong), name
        assert "aware_on" not in session_answers(client)

    def test_a_future_date_is_an_error(self, client):
        response = client.post(
            url("aware"),
            {"day": TOMORROW.day, "month": TOMORROW.month, "year": TOMORROW.year},
        )

        assert_error(
            response, "Date you found out about the problem must be today or in the past", "id_day"
        )

    def test_today_is_accepted(self, client):
        response = client.post(
            url("aware"), {"day": TODAY.day, "month": TODAY.month, "year": TODAY.year}
        )

        assert response.url == url("ready")

    def test_a_recent_date_is_ready(self, client):
        response = client.post(
            url("aware"), {"day": f" {RECENT.day} ", "month": RECENT.month, "year": RECENT.year}
        )

        assert response.url == url("ready")
        assert session_answers(client)["aware_on"] == RECENT.isoformat()

    def test_over_twelve_months_asks_why(self, client):
        response = client.post(
            url("aware"), {"day": LATE.day, "month": LATE.month, "year": LATE.year}
        )

        assert response.url == url("late_reason")

    def test_shows_the_date_given(self, client):
        set_answers(client, **NHS_TO_DATE, aware_on="2024-03-07")

        body = client.get(url("aware")).content.decode()

        for name, value in [("day", "7"), ("month", "3"), ("year", "2024")]:
            assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in body


class TestLateReasonPage:
    @pytest.fixture(autouse=True)
    def _late(self, client):
        set_answers(client, **NHS_TO_DATE, aware_on=LATE.isoformat())

    def test_asks_why_with_a_character_count(self, client):
        body = assert_page(
            client.get(url("late_reason")), "Why did it take more than 12 months to complain?"
        )
        assert 'data-module="govuk-character-count" data-maxlength="1000"' in body
        assert "You can enter up to 1000 characters" in body
        assert back_link(body) == url("aware")

    @pytest.mark.parametrize("text", ["", "   \r\n  "])
    def test_an_empty_reason_is_an_error(self, client, text):
        response = client.post(url("late_reason"), {"late_reason": text})

        assert_error(
            response, "Enter why it took more than 12 months to complain", "id_late_reason"
        )

    def test_over_1000_characters_is_an_error(self, client):
        response = client.post(url("late_reason"), {"late_reason": "a" * 1001})

        body = assert_error(response, "Reason must be 1,000 characters or fewer", "id_late_reason")
        assert "a" * 1001 in body, "what they typed is kept for them to shorten"
        assert "late_reason" not in session_answers(client)

    def test_a_line_break_counts_as_one_character(self, client):
        text = "a" * 499 + "\r\n" + "b" * 500

        response = client.post(url("late_reason"), {"late_reason": text})

        assert response.url == url("ready")
        assert session_answers(client)["late_reason"] == "a" * 499 + "\n" + "b" * 500

    def test_a_reason_goes_on_flagged(self, client):
        response = client.post(
            url("late_reason"), {"late_reason": "I was in hospital for a year."}, follow=True
        )

        body = assert_page(response, "You may be able to complain to us")
        assert "We will consider your reason for the delay" in body


class TestPostcodePage:
    @pytest.fixture(autouse=True)
    def _to_mp(self, client):
        set_answers(client, **GOV_TO_MP)

    def test_explains_the_mp_filter(self, client):
        body = assert_page(client.get(url("postcode")), "An MP needs to send us your complaint")
        assert "section 5 of the Parliamentary Commissioner Act 1967" in body
        assert 'autocomplete="postal-code"' in body
        assert f'href="{url("constituency")}"' in body

    @pytest.mark.parametrize(
        ("postcode", "message"),
        [
            ("", "Enter your postcode"),
            ("not a postcode", "Enter a real postcode"),
            ("SW1A-1AA", "Enter a real postcode"),
            ("X" * 17, "Enter a real postcode"),
        ],
    )
    def test_errors(self, client, directory, postcode, message):
        response = client.post(url("postcode"), {"postcode": postcode})

        assert_error(response, message, "id_postcode")
        assert "constituency_code" not in session_answers(client)

    def test_finds_the_current_mp(self, client, directory):
        response = client.post(url("postcode"), {"postcode": " pr71dp "})

        assert response.url == url("ask_mp")
        answers = session_answers(client)
        assert answers["constituency_code"] == "E14001170"
        assert "PR7" not in str(dict(client.session)), "the postcode itself is not kept"

    @pytest.mark.parametrize(
        "postcode",
        [
            "B33 8TH",  # not in the directory
            "M1 1AE",  # in the directory, with no constituency
            "SW1A 1AA",  # a constituency the parliamentary directory does not have
        ],
    )
    def test_no_constituency_offers_the_list(self, client, directory, postcode):
        response = client.post(url("postcode"), {"postcode": postcode})

        assert response.url == url("constituency") + "?not-found=1"
        body = client.get(response.url).content.decode()
        assert "We could not find the constituency for that postcode." in body
        assert "constituency_code" not in session_answers(client)

    def test_lookup_takes_a_bounded_number_of_queries(
        self, client, directory, django_assert_max_num_queries
    ):
        # Session, postcode, constituency, the check's result (select, insert) and the session
        # again, with the savepoints that wrap the writes: the same whatever the directory's size.
        with django_assert_max_num_queries(12):
            response = client.post(url("postcode"), {"postcode": "PR7 1DP"})
        assert response.url == url("ask_mp")


class TestConstituencyPage:
    @pytest.fixture(autouse=True)
    def _to_mp(self, client):
        set_answers(client, **GOV_TO_MP)

    def test_search_finds_constituencies(self, client, directory):
        response = client.get(url("constituency"), {"q": "st pancras"})

        body = assert_page(response, "Choose your constituency")
        assert 'value="E14001290"' in body
        assert 'value="E14001170"' not in body
        assert back_link(body) == url("postcode")

    def test_too_short_a_search_is_an_error(self, client, directory):
        assert_error(
            client.get(url("constituency"), {"q": "c"}), "Enter at least 2 characters", "id_q"
        )

    def test_nothing_found(self, client, directory):
        body = client.get(url("constituency"), {"q": "atlantis"}).content.decode()

        assert "No constituencies match ‘atlantis’" in body

    def test_choosing_shows_the_mp(self, client, directory):
        response = client.post(url("constituency"), {"q": "chorley", "constituency": "E14001170"})

        assert response.url == url("ask_mp")
        assert session_answers(client)["constituency_code"] == "E14001170"

    def test_nothing_chosen_is_an_error(self, client, directory):
        response = client.post(url("constituency"), {"q": "chorley"})

        assert_error(
            response,
            "Select your constituency, or choose to find your MP yourself",
            "id_constituency_0",
        )

    def test_an_unknown_constituency_is_an_error(self, client, directory):
        response = client.post(url("constituency"), {"q": "chorley", "constituency": "E99999999"})

        assert_error(response, "Select a constituency from the list", "id_constituency_0")

    def test_finding_the_mp_themselves(self, client, directory):
        response = client.post(url("constituency"), {"skip": "1"}, follow=True)

        body = assert_page(response, "Ask an MP to send your complaint to us")
        assert "https://members.parliament.uk/FindYourMP" in body
        assert session_answers(client)["constituency_code"] == ""


class TestReadyOutcome:
    def test_offers_an_account_and_the_start_page(self, client):
        set_answers(client, **NHS_READY)

        body = assert_page(client.get(url("ready")), "You can complain to us")
        assert f'href="{reverse("account_signup")}" role="button"' in body
        assert f'href="{reverse("complaints:start")}"' in body
        assert "We will consider your reason for the delay" not in body
        assert back_link(body) == url("aware")
        assert f'action="{url("start_again")}"' in body

    def test_a_signed_in_person_is_told_how_to_complain(self, client):
        user = UserFactory()
        client.force_login(user)
        set_answers(client, **NHS_READY)

        body = assert_page(client.get(url("ready")), "You can complain to us")
        assert f"You are signed in as {user.email}" in body
        assert reverse("account_signup") not in body

    def test_names_the_organisation(self, client, directory):
        set_answers(client, **NHS_READY, organisation_id=directory.leeds.pk)

        body = client.get(url("ready")).content.decode()

        assert (
            "your complaint about Leeds Teaching Hospitals NHS Trust is one we can look at" in body
        )

    def test_no_final_response_after_six_months(self, client):
        set_answers(client, **{**NHS_READY, "complained": "waiting"}, waited_over_six_months=True)

        body = assert_page(client.get(url("ready")), "You can complain to us")
        assert "You do not need to wait any longer" in body


class TestComplainFirstOutcome:
    def test_nhs_procedure_and_letter(self, client, directory):
        set_answers(
            client,
            organisation_type="nhs_england",
            organisation_answered=True,
            organisation_id=directory.leeds.pk,
            complained="no",
        )

        body = assert_page(
            client.get(url("complain_first")),
            "Complain to Leeds Teaching Hospitals NHS Trust first",
        )
        assert "How to complain to the NHS" in body
        assert "NHS complaints advocate" in body
        assert "Complaints manager<br>Leeds Teaching Hospitals NHS Trust" in body
        assert f'href="{url("letter_docx")}"' in body
        assert f'href="{url("letter_txt")}"' in body
        assert back_link(body) == url("complained")

    def test_government_procedure(self, client):
        set_answers(
            client, organisation_type="uk_government", organisation_answered=True, complained="no"
        )

        body = assert_page(client.get(url("complain_first")), "Complain to the organisation first")
        assert "Adjudicator’s Office" in body
        assert "Independent Case Examiner" in body
        assert "an MP to send your complaint to us" in body


class TestFinishComplaintOutcome:
    def test_nhs_under_six_months(self, client):
        set_answers(
            client,
            organisation_type="nhs_england",
            organisation_answered=True,
            complained="waiting",
            waited_over_six_months=False,
        )

        body = assert_page(
            client.get(url("finish_complaint")),
            "Get a final response from the organisation first",
        )
        assert "within 6 months of getting a complaint" in body
        assert "Letter asking for a final response" in body
        assert back_link(body) == url("waited")

    def test_government_procedure_must_finish(self, client):
        set_answers(
            client,
            organisation_type="uk_government",
            organisation_answered=True,
            complained="waiting",
        )

        body = assert_page(
            client.get(url("finish_complaint")),
            "Get a final response from the organisation first",
        )
        assert "complaints procedure needs to be finished" in body
        assert back_link(body) == url("complained")


class TestOtherRouteOutcome:
    @pytest.mark.parametrize(
        ("answers", "expected_heading", "link"),
        [
            (
                {"organisation_type": "council"},
                "The Local Government and Social Care Ombudsman can help",
                "https://www.lgo.org.uk/",
            ),
            (
                {"organisation_type": "nhs_devolved", "nation": "scotland"},
                "The Scottish Public Services Ombudsman can help",
                "https://www.spso.org.uk/",
            ),
            (
                {"organisation_type": "nhs_devolved", "nation": "wales"},
                "The Public Services Ombudsman for Wales can help",
                "https://www.ombudsman.wales/",
            ),
            (
                {"organisation_type": "nhs_devolved", "nation": "northern_ireland"},
                "The Northern Ireland Public Services Ombudsman can help",
                "https://www.nipso.org.uk/",
            ),
            (
                {"organisation_type": "police"},
                "Complain to the police force",
                "https://www.policeconduct.gov.uk/",
            ),
            (
                {"organisation_type": "courts"},
                "Complain to HM Courts &amp; Tribunals Service",
                "https://www.gov.uk/government/organisations/hm-courts-and-tribunals-service/"
                "about/complaints-procedure",
            ),
            (
                {"organisation_type": "private_healthcare"},
                "Complain to the healthcare provider",
                "https://iscas.cedr.com/",
            ),
            (
                {"organisation_type": "other"},
                "Citizens Advice can tell you who can help",
                "https://www.citizensadvice.org.uk/",
            ),
        ],
    )
    def test_names_and_links_the_right_body(self, client, answers, expected_heading, link):
        set_answers(client, **answers)

        body = assert_page(client.get(url("other_route")), expected_heading)
        assert f'href="{link}"' in body
        assert "We look at complaints about the NHS in England" in body
        assert url("letter_txt") not in body

    def test_back_goes_to_the_last_question(self, client):
        set_answers(client, organisation_type="nhs_devolved", nation="wales")

        assert back_link(client.get(url("other_route")).content.decode()) == url("nation")


class TestAskMpOutcome:
    def test_shows_the_current_mp_and_a_letter(self, client, directory):
        set_answers(
            client,
            **GOV_TO_MP,
            organisation_id=directory.dwp.pk,
            constituency_code="E14001170",
        )

        body = assert_page(client.get(url("ask_mp")), "Ask your MP to send your complaint to us")
        assert "Sir Lindsay Hoyle" in body
        assert 'href="mailto:lindsay.hoyle.const@parliament.uk"' in body
        assert "Chorley" in body
        assert "Dear Sir Lindsay Hoyle," in body
        assert "refer my complaint about Department for Work and Pensions" in body
        assert back_link(body) == url("postcode")

    def test_a_constituency_without_a_current_mp(self, client, directory):
        set_answers(client, **GOV_TO_MP, constituency_code="E14001290")

        body = assert_page(client.get(url("ask_mp")), "Ask an MP to send your complaint to us")
        assert "Former Member" not in body
        assert "We do not have the details of the MP for Holborn and St Pancras" in body
        assert "Dear [Your MP&#x27;s name]," in body

    def test_mp_lookup_takes_a_bounded_number_of_queries(
        self, client, directory, django_assert_max_num_queries
    ):
        set_answers(
            client,
            **GOV_TO_MP,
            organisation_id=directory.dwp.pk,
            constituency_code="E14001170",
        )

        # Session, organisation, MP with constituency.
        with django_assert_max_num_queries(4):
            response = client.get(url("ask_mp"))
        assert response.status_code == 200


class TestLetterDownload:
    def test_plain_text_with_their_answers(self, client, directory):
        set_answers(
            client,
            **{**GOV_TO_MP, "aware_on": LATE.isoformat()},
            late_reason="I was in hospital.\nThen I moved house.",
            organisation_id=directory.dwp.pk,
            constituency_code="E14001170",
        )

        response = client.get(url("letter_txt"))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="letter-to-your-mp.txt"'
        assert "no-store" in response["Cache-Control"]
        text = response.content.decode("utf-8")
        assert "Dear Sir Lindsay Hoyle,\r\n" in text
        assert "I live in your constituency, Chorley." in text
        assert "Department for Work and Pensions" in text
        assert f"I first found out about the problem on {LATE.day} {LATE:%B %Y}." in text
        assert "because:\r\nI was in hospital.\r\nThen I moved house.\r\n" in text

    def test_word_document(self, client, directory):
        set_answers(
            client,
            organisation_type="nhs_england",
            organisation_answered=True,
            organisation_id=directory.leeds.pk,
            complained="no",
        )

        response = client.get(url("letter_docx"))

        assert response["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert response["Content-Disposition"] == 'attachment; filename="complaint-letter.docx"'
        document = Document(io.BytesIO(response.content))
        text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        assert "Complaints manager\nLeeds Teaching Hospitals NHS Trust" in text
        assert "NHS complaints procedure" in text
        assert document.core_properties.author == ""

    def test_typed_text_cannot_reach_the_headers(self, client, directory):
        set_answers(
            client,
            **{**GOV_TO_MP, "aware_on": LATE.isoformat()},
            late_reason='Late"\r\nSet-Cookie: injected=1\r\nContent-Disposition: inline\x00\x07',
            constituency_code="",
        )

        for name, filename in [
            ("letter_txt", "letter-to-your-mp.txt"),
            ("letter_docx", "letter-to-your-mp.docx"),
        ]:
            response = client.get(url(name))

            assert response.status_code == 200
            assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
            assert "injected" not in response.cookies
            assert all("injected" not in str(value) for value in response.headers.values())
        text = client.get(url("letter_txt")).content.decode()
        assert 'Late"\r\nSet-Cookie: injected=1\r\nContent-Disposition: inline\r\n' in text
        assert "\x00" not in text and "\x07" not in text

    @pytest.mark.parametrize(
        "answers",
        [{}, {"organisation_type": "nhs_england"}, NHS_READY, {"organisation_type": "police"}],
    )
    def test_no_letter_without_an_outcome_that_has_one(self, client, answers):
        set_answers(client, **answers)

        assert client.get(url("letter_txt")).status_code == 404
        assert client.get(url("letter_docx")).status_code == 404


class TestCheckerResultRecording:
    def walk_to_ask_mp(self, client, directory, postcode="PR7 1DP"):
        client.post(url("organisation_type"), {"organisation_type": "uk_government"})
        client.post(url("organisation"), {"q": "work", "organisation": directory.dwp.pk})
        client.post(url("complained"), {"complained": "final_response"})
        client.post(url("aware"), {"day": LATE.day, "month": LATE.month, "year": LATE.year})
        client.post(url("late_reason"), {"late_reason": "My name is Jo Bloggs, 1 High St"})
        return client.post(url("postcode"), {"postcode": postcode})

    def test_a_finished_check_is_stored_once(self, client, directory):
        self.walk_to_ask_mp(client, directory)
        client.get(url("ask_mp"))
        client.get(url("ask_mp"))
        client.post(url("postcode"), {"postcode": "PR7 1DP"})

        assert CheckerResult.objects.count() == 1

    def test_stores_answers_without_personal_data(self, client, directory):
        before = timezone.now()
        self.walk_to_ask_mp(client, directory)

        result = CheckerResult.objects.get()
        assert result.organisation_type == "uk_government"
        assert result.organisation == directory.dwp
        assert result.complained == "final_response"
        assert result.waited_over_six_months is None
        assert result.aware_months == whole_months_between(LATE, TODAY)
        assert result.late_reason_given is True
        assert result.outcome == "ask_mp"
        assert result.signpost == ""
        assert result.nation == ""
        assert result.constituency_code == "E14001170"
        assert (result.created_at.minute, result.created_at.second) == (0, 0)
        assert result.created_at.microsecond == 0
        assert before - datetime.timedelta(hours=1) < result.created_at <= before
        stored = " ".join(str(value) for value in CheckerResult.objects.values().get().values())
        assert "Jo Bloggs" not in stored
        assert "PR7" not in stored

    def test_the_model_has_no_field_for_a_person(self):
        names = {field.name for field in CheckerResult._meta.get_fields()}

        assert names == {
            "id",
            "token",
            "organisation_type",
            "nation",
            "organisation",
            "complained",
            "waited_over_six_months",
            "aware_months",
            "late_reason_given",
            "outcome",
            "signpost",
            "constituency_code",
            "created_at",
        }

    def test_an_unfinished_check_stores_nothing(self, client, directory):
        client.post(url("organisation_type"), {"organisation_type": "nhs_england"})
        client.post(url("organisation"), {"skip": "1"})

        assert not CheckerResult.objects.exists()

    def test_changing_an_answer_updates_the_same_result(self, client, directory):
        client.post(url("organisation_type"), {"organisation_type": "council"})
        assert CheckerResult.objects.get().signpost == "lgsco"

        client.post(url("organisation_type"), {"organisation_type": "police"})

        result = CheckerResult.objects.get()
        assert (result.outcome, result.signpost) == ("other_route", "iopc")

    def test_a_new_check_after_starting_again_is_another_result(self, client):
        client.post(url("organisation_type"), {"organisation_type": "council"})
        client.post(url("start_again"))
        client.post(url("organisation_type"), {"organisation_type": "council"})

        assert CheckerResult.objects.count() == 2

    def test_two_people_are_two_results(self, client, directory):
        other = type(client)()
        client.post(url("organisation_type"), {"organisation_type": "courts"})
        other.post(url("organisation_type"), {"organisation_type": "courts"})

        assert CheckerResult.objects.filter(signpost="hmcts").count() == 2

    def test_answers_off_the_route_are_not_stored(self, client, directory):
        set_answers(
            client,
            **NHS_TO_DATE,
            waited_over_six_months=True,
            nation="wales",
            constituency_code="E14001170",
            late_reason="left over",
        )

        client.post(url("aware"), {"day": RECENT.day, "month": RECENT.month, "year": RECENT.year})

        result = CheckerResult.objects.get()
        assert (result.outcome, result.nation, result.constituency_code) == ("ready", "", "")
        assert result.waited_over_six_months is None
        assert result.late_reason_given is False
        assert result.aware_months == 1

    def test_an_organisation_gone_from_the_directory_is_left_out(self, client, directory):
        gone = OrganisationFactory()
        set_answers(client, **NHS_TO_DATE, organisation_id=gone.pk)
        gone.delete()

        client.post(url("aware"), {"day": RECENT.day, "month": RECENT.month, "year": RECENT.year})

        assert CheckerResult.objects.get().organisation is None
