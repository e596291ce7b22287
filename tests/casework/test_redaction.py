import pytest

from casework.redaction import nhs_number_is_valid, redact

NAMES = ["Margaret O'Neill", "Dr Samuel Okafor"]


class TestNhsNumber:
    @pytest.mark.parametrize("number", ["9434765919", "9434765870", "4010232137"])
    def test_valid_numbers_pass_the_modulus_11_check(self, number):
        assert nhs_number_is_valid(number)

    @pytest.mark.parametrize("number", ["9434765918", "1234567890", "943476591", "94347659190"])
    def test_invalid_numbers_fail(self, number):
        assert not nhs_number_is_valid(number)


class TestRedact:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("NHS number 943 476 5919 was used.", "NHS number [NHS number] was used."),
            ("NHS number 9434765919 was used.", "NHS number [NHS number] was used."),
            ("NHS number 943-476-5919 was used.", "NHS number [NHS number] was used."),
            ("Invoice 9434765918 stays.", "Invoice 9434765918 stays."),
            ("Call 020 7946 0958 today", "Call [phone number] today"),
            ("Call (020) 7946 0958 today", "Call [phone number] today"),
            ("Mobile 07700 900123.", "Mobile [phone number]."),
            ("Mobile +44 7700 900123.", "Mobile [phone number]."),
            ("Call 01632 960001 now", "Call [phone number] now"),
            ("Email margaret.oneill@example.org now", "Email [email address] now"),
            ("Lives at SW1A 1AA.", "Lives at [postcode]."),
            ("Lives at m1 1ae.", "Lives at [postcode]."),
            ("Lives at B338TH.", "Lives at [postcode]."),
            ("Lives at 12 Acacia Avenue in town", "Lives at [address] in town"),
            ("Born 04/07/1961 in Leeds", "Born [date] in Leeds"),
            ("Seen on 3 March 2025.", "Seen on [date]."),
            ("Seen on 3rd Mar 2025.", "Seen on [date]."),
            ("Seen on 2025-03-03.", "Seen on [date]."),
            ("Margaret O'Neill complained.", "[name] complained."),
            ("MARGARET O'NEILL complained.", "[name] complained."),
            ("Mrs o'neill complained.", "Mrs [name] complained."),
            ("Dr Okafor saw her.", "Dr [name] saw her."),
            ("The trust apologised.", "The trust apologised."),
        ],
    )
    def test_masks_personal_data(self, text, expected):
        assert redact(text, known_names=NAMES).text == expected

    def test_findings_say_what_was_found_and_where(self):
        result = redact("Margaret O'Neill, 943 476 5919", known_names=NAMES)
        assert [(f.kind, f.text) for f in result.findings] == [
            ("name", "Margaret O'Neill"),
            ("nhs_number", "943 476 5919"),
        ]
        assert result.findings[1].start == 18

    def test_short_parts_of_names_are_not_masked_on_their_own(self):
        assert redact("Dr Sam saw Ed.", known_names=["Ed Li"]).text == "Dr Sam saw Ed."
