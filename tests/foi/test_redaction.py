"""Personal data found before a response goes into the public disclosure log."""

import pytest

from foi.redaction import REDACTED, find_personal_data, redact


class TestFindPersonalData:
    @pytest.mark.parametrize(
        ("text", "label"),
        [
            ("Write to jo.bloggs+foi@example.co.uk today", "email address"),
            ("Her NHS number is 943 476 5919.", "NHS number"),
            ("NHS 9434765919", "NHS number"),
            ("Call 020 7946 0000 after 2pm", "phone number"),
            ("Mobile 07700 900123", "phone number"),
            ("Mobile +44 7700 900123", "phone number"),
            ("They live at SW1A 1AA", "postcode"),
            ("postcode ec1a1bb", "postcode"),
            ("DOB: 01/02/1980", "date of birth"),
            ("born on 3 March 1975", "date of birth"),
            ("date of birth 12-11-1960", "date of birth"),
        ],
    )
    def test_finds_each_kind(self, text, label):
        assert [f.label for f in find_personal_data(text)] == [label]

    def test_leaves_ordinary_figures_alone(self):
        text = (
            "In 2025 we received 1,204 complaints and spent £32,000 between 1 April and 31 March."
        )
        assert find_personal_data(text) == []

    def test_redact_replaces_every_finding(self):
        text = "Contact jo@example.com or 020 7946 0000 at SW1A 1AA."
        assert redact(text) == f"Contact {REDACTED} or {REDACTED} at {REDACTED}."
        assert find_personal_data(redact(text)) == []

    def test_known_names_are_found_in_full_or_by_surname(self):
        text = "Dear Pat O'Neill, as Ms o'neill asked, we hold 42 records. Patrick agreed."
        found = find_personal_data(text, names=["Pat O'Neill"])
        assert [(f.label, f.text) for f in found] == [("name", "Pat O'Neill"), ("name", "o'neill")]
        assert redact(text, names=["Pat O'Neill"]) == (
            f"Dear {REDACTED}, as Ms {REDACTED} asked, we hold 42 records. Patrick agreed."
        )
