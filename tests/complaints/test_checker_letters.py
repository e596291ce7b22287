"""The letters the checker writes: filled with the answers, gaps left in brackets, safe text."""

import io
from datetime import date

import pytest
from docx import Document

from complaints.checker import Sector
from complaints.letters import (
    clean_text,
    complaint_letter,
    final_response_letter,
    letter_docx,
    long_date,
    mp_referral_letter,
)


class TestCleanText:
    def test_line_endings_become_newlines(self):
        assert clean_text("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"

    def test_control_characters_are_removed_but_tabs_kept(self):
        assert clean_text("a\x00b\x07c\x1bd\te\x7f") == "abcd\te"

    def test_surrounding_space_is_trimmed(self):
        assert clean_text("  \n reason \n ") == "reason"


class TestComplaintLetter:
    def test_nhs_letter_cites_the_regulations(self):
        letter = complaint_letter(
            sector=Sector.HEALTH, organisation_name="Leeds Teaching Hospitals"
        )

        assert letter.filename == "complaint-letter"
        assert "Complaints manager\nLeeds Teaching Hospitals\n[Its address]" in letter.text
        assert "(England) Regulations 2009" in letter.text
        assert "within 3 working days" in letter.text

    def test_government_letter_uses_the_organisations_procedure(self):
        letter = complaint_letter(
            sector=Sector.PARLIAMENTARY, organisation_name="HM Revenue and Customs"
        )

        assert "HM Revenue and Customs" in letter.text
        assert "through your complaints procedure" in letter.text
        assert "Regulations 2009" not in letter.text

    @pytest.mark.parametrize(
        ("sector", "gap"),
        [
            (Sector.HEALTH, "[Name of the hospital, GP practice or NHS service]"),
            (Sector.PARLIAMENTARY, "[Name of the government department or organisation]"),
        ],
    )
    def test_no_organisation_leaves_a_gap(self, sector, gap):
        assert gap in complaint_letter(sector=sector, organisation_name=None).text

    def test_paragraphs_are_blocks(self):
        letter = complaint_letter(sector=Sector.HEALTH, organisation_name=None)

        assert letter.paragraphs[0].startswith("[Your full name]\n")
        assert letter.paragraphs[-1] == "[Your full name]"


class TestFinalResponseLetter:
    def test_nhs_letter_names_the_six_months(self):
        letter = final_response_letter(
            sector=Sector.HEALTH, organisation_name="Priory Medical Group"
        )

        assert letter.filename == "final-response-letter"
        assert "Priory Medical Group" in letter.text
        assert "within 6 months of receiving a complaint" in letter.text

    def test_government_letter_asks_about_further_stages(self):
        letter = final_response_letter(sector=Sector.PARLIAMENTARY, organisation_name=None)

        assert "[Name of the organisation]" in letter.text
        assert "a further stage of your procedure" in letter.text


class TestMpReferralLetter:
    def test_filled_with_the_answers(self):
        letter = mp_referral_letter(
            organisation_name="Department for Work and Pensions",
            mp_name="Sir Lindsay Hoyle",
            constituency_name="Chorley",
            aware_on=date(2023, 3, 5),
            late_reason="I was caring for my mother.\r\nThen I was unwell.",
        )

        assert letter.filename == "letter-to-your-mp"
        assert "Sir Lindsay Hoyle MP\nHouse of Commons\nLondon\nSW1A 0AA" in letter.text
        assert "Dear Sir Lindsay Hoyle," in letter.text
        assert "I live in your constituency, Chorley." in letter.text
        assert "complaint about Department for Work and Pensions to the" in letter.text
        assert "Parliamentary Commissioner Act 1967 (section 5)" in letter.text
        assert "I first found out about the problem on 5 March 2023." in letter.text
        assert "because:\nI was caring for my mother.\nThen I was unwell." in letter.text
        assert "I give permission for you and your office to share" in letter.text

    def test_gaps_when_the_mp_and_organisation_are_not_known(self):
        letter = mp_referral_letter(
            organisation_name=None,
            mp_name=None,
            constituency_name=None,
            aware_on=None,
            late_reason=None,
        )

        assert "Dear [Your MP's name]," in letter.text
        assert "I live in your constituency." in letter.text
        assert "[name of the government department or organisation]" in letter.text
        assert "on [date]." in letter.text
        assert "It took me longer" not in letter.text


class TestLetterDocx:
    def test_paragraphs_and_line_breaks_survive(self):
        letter = complaint_letter(sector=Sector.HEALTH, organisation_name="Leeds \x01Hospital")

        document = Document(io.BytesIO(letter_docx(letter)))

        texts = [paragraph.text for paragraph in document.paragraphs]
        assert texts[0] == "[Your full name]\n[Your address, including your postcode]\n" + (
            "[Your phone number or email address]"
        )
        assert "Complaints manager\nLeeds Hospital\n[Its address]" in texts
        assert len(texts) == len(letter.paragraphs)

    def test_carries_no_author(self):
        letter = complaint_letter(sector=Sector.HEALTH, organisation_name=None)

        properties = Document(io.BytesIO(letter_docx(letter))).core_properties

        assert properties.author == ""
        assert properties.last_modified_by == ""
        assert properties.title == "Complaint letter"


def test_long_date_is_gov_uk_style():
    assert long_date(date(2025, 3, 3)) == "3 March 2025"
