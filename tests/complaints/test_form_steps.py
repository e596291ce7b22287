"""Each page of the complaint form checks its own answer, with GOV.UK messages written for it."""

# Fixtures shared by the form tests are imported from test_form_support and then named as test
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

import datetime

import pytest

from complaints.form_steps import OLDEST_AGE, WHAT_HAPPENED_MAX
from complaints.journey import Journey
from tests.accounts.fixtures.factories import OrganisationFactory
from tests.complaints.test_form_support import (  # noqa: F401 - fixtures
    DEMO_CONSTITUENCY,
    DEMO_LOCAL_AUTHORITY,
    DEMO_POSTCODE,
    TODAY,
    VALID_NHS_NUMBER,
    complete_answers,
    date_answer,
    demo_postcodes,
    organisation,
)

pytestmark = pytest.mark.django_db

HEALTH = {"what-is-it-about": {"kind": "health"}}
# Right-to-left text, emoji and combining characters must come back exactly as typed.
UNICODE_TEXT = "لم يعطوا أمي دواءها 💊 — Zoë’s carer said “wait” 👩🏽‍⚕️\nשלום"


def check(step, data, answers=None):
    form = Journey(answers if answers is not None else HEALTH, today=TODAY).form(step, data)
    valid = form.is_valid()
    return form, valid


def errors(step, data, answers=None):
    form, _ = check(step, data, answers)
    return [message for messages in form.errors.values() for message in messages]


class TestTextQuestions:
    @pytest.mark.parametrize(
        ("step", "data", "message"),
        [
            ("your-name", {"full_name": ""}, "Enter your full name"),
            ("your-name", {"full_name": "   "}, "Enter your full name"),
            ("your-name", {"full_name": "A" * 201}, "Full name must be 200 characters or fewer"),
            ("your-email", {"email": ""}, "Enter your email address"),
            (
                "your-email",
                {"email": "amira.example.org"},
                "Enter an email address in the correct format, like name@example.com",
            ),
            (
                "your-phone",
                {"phone": "call me"},
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            ),
            (
                "your-phone",
                {"phone": "123"},
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            ),
            ("what-happened", {"what_happened": ""}, "Enter what happened"),
            ("what-happened", {"what_happened": " \r\n "}, "Enter what happened"),
            (
                "what-happened",
                {"what_happened": "x" * (WHAT_HAPPENED_MAX + 1)},
                "What happened must be 10,000 characters or fewer",
            ),
            ("where-it-happened", {"where": ""}, "Enter where it happened"),
            (
                "where-it-happened",
                {"where": "x" * 501},
                "Where it happened must be 500 characters or fewer",
            ),
            ("impact", {"impact": ""}, "Enter how this affected you"),
            (
                "impact",
                {"impact": "x" * 5001},
                "How it affected you must be 5,000 characters or fewer",
            ),
            (
                "what-you-want",
                {"remedy": ""},
                "Enter what you would like to happen to put things right",
            ),
            (
                "your-address",
                {"address_line_1": "", "town": "Leeds"},
                "Enter address line 1, typically the building and street",
            ),
            ("your-address", {"address_line_1": "1 High Street", "town": ""}, "Enter town or city"),
            (
                "their-name",
                {"their_name": ""},
                "Enter the full name of the person you are complaining for",
            ),
        ],
    )
    def test_refuses_with_a_message_for_the_field(self, step, data, message):
        assert errors(step, data) == [message]

    def test_what_happened_counts_a_line_break_as_one_character(self):
        text = "a\r\n" * (WHAT_HAPPENED_MAX // 2)
        form, valid = check("what-happened", {"what_happened": text})
        assert valid
        assert len(form.answer()["what_happened"]) == WHAT_HAPPENED_MAX - 1

    @pytest.mark.parametrize(
        ("step", "field"),
        [
            ("what-happened", "what_happened"),
            ("impact", "impact"),
            ("what-you-want", "remedy"),
            ("where-it-happened", "where"),
            ("your-name", "full_name"),
        ],
    )
    def test_keeps_any_script_and_emoji_intact(self, step, field):
        text = UNICODE_TEXT if step != "your-name" else "زينب 🌸 Ó Briain"
        form, valid = check(step, {field: text})
        assert valid
        assert form.answer()[field] == text

    def test_phone_is_optional(self):
        form, valid = check("your-phone", {"phone": ""})
        assert valid
        assert form.answer() == {"phone": ""}

    def test_accepts_an_international_phone_number(self):
        form, valid = check("your-phone", {"phone": "+44 (0)808 157-0192"})
        assert valid


class TestPostcode:
    def test_normalises_and_stores_the_area_found(self, demo_postcodes):
        form, valid = check("your-postcode", {"postcode": " gu147ju "})
        assert valid
        assert form.answer() == {
            "postcode": DEMO_POSTCODE,
            "found": True,
            "local_authority_code": DEMO_LOCAL_AUTHORITY,
            "constituency_code": DEMO_CONSTITUENCY,
        }

    def test_unknown_postcode_is_allowed_with_no_area_guessed(self, demo_postcodes):
        form, valid = check("your-postcode", {"postcode": "ZE9 9ZZ"})
        assert valid
        assert form.answer() == {
            "postcode": "ZE9 9ZZ",
            "found": False,
            "local_authority_code": "",
            "constituency_code": "",
        }
        assert form.summary() == [("Postcode", "ZE9 9ZZ (not in our list of postcodes)")]

    @pytest.mark.parametrize("value", ["SW1A-1AA", "12345", "SW1A", "not a postcode"])
    def test_refuses_a_malformed_postcode(self, value):
        assert errors("your-postcode", {"postcode": value}) == [
            "Enter a full UK postcode, like SW1A 2AA"
        ]

    def test_requires_a_postcode(self):
        assert errors("your-postcode", {"postcode": ""}) == ["Enter your postcode"]


class TestNhsNumber:
    @pytest.mark.parametrize("value", ["943 476 5919", "943-476-5919", " 9434765919 "])
    def test_accepts_spaces_and_dashes(self, value):
        form, valid = check("nhs-number", {"nhs_number": value})
        assert valid
        assert form.answer() == {"nhs_number": VALID_NHS_NUMBER}
        assert form.summary() == [("NHS number", "943 476 5919")]

    def test_is_optional(self):
        form, valid = check("nhs-number", {"nhs_number": ""})
        assert valid
        assert form.summary() == [("NHS number", "Not given")]

    def test_refuses_a_wrong_check_digit(self):
        assert errors("nhs-number", {"nhs_number": "943 476 5918"}) == [
            "Enter a real NHS number. Check you have entered it correctly"
        ]

    @pytest.mark.parametrize("value", ["943 476 591", "94347659190", "943476591X", "٩٤٣٤٧٦٥٩١٩"])
    def test_refuses_anything_but_ten_digits(self, value):
        assert errors("nhs-number", {"nhs_number": value}) == [
            "NHS number must be 10 digits, like 485 777 3456"
        ]

    def test_asks_for_the_patients_number_by_name(self):
        answers = {
            **HEALTH,
            "for-someone-else": {"for_someone_else": "yes"},
            "their-name": {"their_name": "Rose Ahmed"},
        }
        form, _ = check("nhs-number", None, answers)
        assert form.title == "What is Rose Ahmed’s NHS number? (optional)"


class TestDates:
    @pytest.mark.parametrize(
        ("step", "data", "message"),
        [
            ("your-date-of-birth", {}, "Enter your date of birth"),
            (
                "your-date-of-birth",
                {"day": "17", "month": "", "year": "1970"},
                "Date of birth must include a month",
            ),
            (
                "your-date-of-birth",
                {"day": "", "month": "", "year": "1970"},
                "Date of birth must include a day and month",
            ),
            (
                "your-date-of-birth",
                {"day": "31", "month": "2", "year": "1970"},
                "Date of birth must be a real date",
            ),
            (
                "your-date-of-birth",
                {"day": "1", "month": "13", "year": "1970"},
                "Date of birth must be a real date",
            ),
            (
                "your-date-of-birth",
                {"day": "one", "month": "2", "year": "1970"},
                "Date of birth must be a real date",
            ),
            (
                "your-date-of-birth",
                {"day": "1", "month": "2", "year": "70"},
                "Year must include 4 numbers",
            ),
            ("your-date-of-birth", date_answer(TODAY), "Date of birth must be in the past"),
            (
                "your-date-of-birth",
                date_answer(TODAY + datetime.timedelta(days=1)),
                "Date of birth must be in the past",
            ),
            ("when-it-happened", {}, "Enter the date it happened"),
            (
                "when-it-happened",
                date_answer(TODAY + datetime.timedelta(days=1)),
                "The date it happened must be today or in the past",
            ),
            (
                "date-you-complained",
                date_answer(TODAY + datetime.timedelta(days=30)),
                "The date you complained must be today or in the past",
            ),
            (
                "when-it-happened",
                {"day": "1", "month": "1", "year": "1899"},
                "The date it happened must be the same as or after 1 January 1900",
            ),
        ],
    )
    def test_refuses_with_one_message_for_the_date(self, step, data, message):
        form, valid = check(step, data)
        assert not valid
        assert form.date_error == message
        assert errors(step, data) == [message]

    def test_marks_only_the_missing_parts(self):
        form, _ = check("your-date-of-birth", {"day": "17", "month": "", "year": "1970"})
        assert form.error_parts == {"month"}

    def test_date_of_birth_allows_an_age_of_up_to_120(self):
        oldest = TODAY.replace(year=TODAY.year - OLDEST_AGE)
        assert check("your-date-of-birth", date_answer(oldest))[1]
        too_old = oldest - datetime.timedelta(days=1)
        assert errors("your-date-of-birth", date_answer(too_old)) == [
            f"Date of birth must be the same as or after {oldest.day} {oldest:%B %Y}"
        ]

    def test_today_is_allowed_for_when_it_happened(self):
        form, valid = check("when-it-happened", date_answer(TODAY))
        assert valid
        assert form.answer() == date_answer(TODAY)

    def test_final_response_cannot_come_before_the_complaint(self):
        complained = TODAY - datetime.timedelta(days=100)
        answers = {**HEALTH, "date-you-complained": date_answer(complained)}
        before = date_answer(complained - datetime.timedelta(days=1))
        assert errors("final-response-date", before, answers) == [
            "The date of the final response must be the same as or after the date you "
            f"complained ({complained.day} {complained:%B %Y})"
        ]
        assert check("final-response-date", date_answer(complained), answers)[1]

    def test_final_response_date_stops_counting_when_the_complaint_date_moves_after_it(
        self, organisation
    ):
        answers = complete_answers(organisation)
        journey = Journey(answers, today=TODAY)
        assert journey.complete
        later = journey.with_answer("date-you-complained", date_answer(TODAY))
        assert not later.answers.valid("final-response-date")
        assert not later.complete


class TestChoices:
    @pytest.mark.parametrize(
        ("step", "data", "message"),
        [
            ("what-is-it-about", {}, "Select what your complaint is about"),
            ("what-is-it-about", {"kind": "council"}, "Select what your complaint is about"),
            ("for-someone-else", {}, "Select yes if you are complaining for someone else"),
            ("final-response", {}, "Select yes if you have had a final response"),
            ("evidence", {}, "Select yes if you have documents or photos to send us"),
            ("contact-preference", {}, "Select how you would like us to contact you"),
            (
                "authority",
                {},
                "Select if you have their consent, or the legal authority, to complain for them",
            ),
        ],
    )
    def test_requires_a_choice(self, step, data, message):
        assert errors(step, data) == [message]

    def test_phone_contact_needs_a_phone_number(self):
        answers = {**HEALTH, "your-phone": {"phone": ""}}
        assert errors("contact-preference", {"contact_method": "phone"}, answers) == [
            "Select email or post, or add your phone number in ‘About you’ first"
        ]
        answers["your-phone"] = {"phone": "07700 900 982"}
        form, valid = check("contact-preference", {"contact_method": "phone"}, answers)
        assert valid
        assert form.choice_hints["phone"] == "On 07700 900 982"


class TestAdjustments:
    def test_requires_an_answer(self):
        assert errors("adjustments", {}) == [
            "Select the changes you need, or select ‘No, I do not need any changes’"
        ]

    def test_none_cannot_be_chosen_with_changes(self):
        assert errors("adjustments", {"adjustments": ["none", "large_print"]}) == [
            "Select the changes you need, or select ‘No, I do not need any changes’"
        ]

    def test_another_language_needs_the_language(self):
        assert errors("adjustments", {"adjustments": ["language"], "language": ""}) == [
            "Enter the language you need"
        ]

    def test_something_else_needs_what(self):
        assert errors("adjustments", {"adjustments": ["other"], "other": " "}) == [
            "Enter what you need"
        ]

    def test_keeps_the_language_and_drops_text_for_choices_not_made(self):
        form, valid = check(
            "adjustments",
            {"adjustments": ["bsl", "language"], "language": "Polski", "other": "stale text"},
        )
        assert valid
        assert form.answer() == {
            "adjustments": ["bsl", "language"],
            "language": "Polski",
            "other": "",
        }
        assert form.summary() == [
            (
                "Changes you need",
                "British Sign Language (BSL) interpreter\nAnother language: Polski",
            )
        ]


class TestEqualityMonitoring:
    @pytest.mark.parametrize(
        ("step", "field"),
        [
            ("age", "age_band"),
            ("sex", "sex"),
            ("ethnic-group", "ethnic_group"),
            ("disability", "disability"),
        ],
    )
    def test_may_be_left_unanswered(self, step, field):
        form, valid = check(step, {})
        assert valid
        assert form.answer() == {field: ""}
        assert form.summary()[0][1] == "Not answered"

    @pytest.mark.parametrize(
        ("step", "field"),
        [
            ("age", "age_band"),
            ("sex", "sex"),
            ("ethnic-group", "ethnic_group"),
            ("disability", "disability"),
        ],
    )
    def test_offers_prefer_not_to_say(self, step, field):
        form, valid = check(step, {field: "prefer_not"})
        assert valid
        assert form.summary()[0][1] == "Prefer not to say"

    def test_ethnic_groups_are_the_ons_2021_groups(self):
        form, _ = check("ethnic-group", None)
        assert [label for _, label in form.fields["ethnic_group"].choices] == [
            "Asian or Asian British",
            "Black, Black British, Caribbean or African",
            "Mixed or multiple ethnic groups",
            "White",
            "Other ethnic group",
            "Prefer not to say",
        ]

    def test_refuses_an_answer_that_is_not_offered(self):
        assert errors("sex", {"sex": "other"}) == [
            "Select one of the answers, or continue without answering"
        ]


class TestOrganisations:
    def test_needs_at_least_one(self):
        assert errors("organisations", {"organisation_ids": [], "unlisted": []}) == [
            "Add the organisation you are complaining about"
        ]

    def test_a_name_not_in_the_directory_is_enough(self):
        form, valid = check(
            "organisations", {"organisation_ids": [], "unlisted": ["Dr Ó Sé’s surgery"]}
        )
        assert valid
        assert form.summary() == [("Organisations", "Dr Ó Sé’s surgery (not in our list)")]

    def test_an_organisation_that_left_the_directory_stops_counting(self, organisation):
        organisation.is_active = False
        organisation.save()
        assert errors("organisations", {"organisation_ids": [organisation.pk], "unlisted": []}) == [
            "One of the organisations you chose can no longer be chosen. Remove it, then "
            "search again"
        ]

    def test_a_government_body_is_not_part_of_a_health_complaint(self):
        department = OrganisationFactory(sector="parliamentary", kind="government_department")
        assert errors("organisations", {"organisation_ids": [department.pk], "unlisted": []})
