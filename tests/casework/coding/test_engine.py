import dataclasses
import random
import tracemalloc

import pytest

from casework.coding import CodingEngine, Finding, code_document, code_text, theme_findings


class TestFinding:
    def test_offsets_point_into_the_original_text(self):
        text = "Dear Sir,\n\nMy father\u2019s  heart\nattack was missed; he also had a UTI."
        findings = code_text(text)
        assert [(f.code, f.text) for f in findings] == [
            ("I21.9", "heart\nattack"),
            ("N39.0", "UTI"),
        ]
        for finding in findings:
            assert text[finding.start : finding.end] == finding.text

    def test_wrapped_and_justified_pdf_text_still_matches(self):
        text = "She had a   heart\r\nattack and a\tpressure\n ulcer."
        findings = code_text(text)
        assert [(f.code, f.text) for f in findings] == [
            ("I21.9", "heart\r\nattack"),
            ("L89.9", "pressure\n ulcer"),
        ]
        for finding in findings:
            assert text[finding.start : finding.end] == finding.text

    def test_a_blank_line_ends_the_reach_of_a_negation(self):
        for text in (
            "No fever\r\n\r\nSepsis on day two",
            "No fever\n \nSepsis on day two",
            "No fever\fSepsis on day two",
        ):
            assert [f.status for f in code_text(text)] == ["negated", "present"]

    def test_is_frozen_and_carries_the_classification_description(self):
        (finding,) = code_text("She had a heart attack.")
        assert finding.system == "ICD-10"
        assert finding.description == "Acute myocardial infarction, unspecified"
        with pytest.raises(dataclasses.FrozenInstanceError):
            finding.code = "I64"  # type: ignore[misc]

    def test_confidence_ranks_clinical_over_lay_over_abbreviation(self):
        clinical = code_text("Myocardial infarction.")[0].confidence
        lay = code_text("Heart attack.")[0].confidence
        abbreviation = code_text("Acute MI.")[0].confidence
        assert 1 >= clinical > lay > abbreviation > 0

    def test_ambiguous_forms_have_lower_confidence(self):
        (uti,) = code_text("Treated for UTI.")
        (pe,) = code_text("Treated for PE.")
        assert pe.confidence < uti.confidence


class TestMatching:
    def test_is_case_insensitive_for_words(self):
        assert [f.code for f in code_text("HEART ATTACK. Heart Attack. heart attack.")] == [
            "I21.9"
        ] * 3

    def test_abbreviations_are_case_sensitive(self):
        assert [f.code for f in code_text("She had a PE.")] == ["I26.9"]
        assert code_text("He missed pe at school and felt mi.") == []

    def test_abbreviations_no_word_shares_match_in_any_case(self):
        assert [f.code for f in code_text("She had a uti and her copd got worse.")] == [
            "N39.0",
            "J44.9",
        ]
        assert code_text("Tia visited her grandmother.") == []

    def test_plurals_and_hyphens_match(self):
        codes = [f.code for f in code_text("Two heart attacks, a mini-stroke and recurrent UTIs.")]
        assert codes == ["I21.9", "G45.9", "N39.0"]

    def test_the_longest_form_wins(self):
        (finding,) = code_text("She had a ruptured abdominal aortic aneurysm.")
        assert finding.code == "I71.3"

    def test_ordinary_senses_of_fall_are_not_falls(self):
        assert code_text("She fell asleep and her blood pressure began to fall in the night.") == []
        assert [f.code for f in code_text("She fell on the ward.")] == ["W19"]


class TestThemes:
    def test_themes_are_found_with_offsets(self):
        text = "The doctor was rude, failed to diagnose her sepsis and she was sent home too early."
        themes = theme_findings(text)
        assert {t.theme for t in themes} == {"staff_attitude", "diagnosis", "discharge"}
        for theme in themes:
            assert text[theme.start : theme.end] == theme.text

    def test_a_missed_diagnosis_is_a_theme_not_a_code(self):
        text = "This was a missed diagnosis."
        assert code_text(text) == []
        assert [t.theme for t in theme_findings(text)] == ["diagnosis"]


class TestRobustness:
    def test_empty_text_gives_nothing(self):
        assert code_text("") == []
        assert code_text(None) == []
        assert code_document("   \n\n  ").findings == []

    def test_foreign_and_garbled_text_completes(self):
        rng = random.Random(7)  # noqa: S311 - reproducible noise, not a secret
        garbled = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(20_000))
        welsh = "Cafodd fy mam ei hanfon adref o'r ysbyty heb unrhyw gymorth. " * 50
        ocr = "Th3 pat1ent w@s adm1tted w1th \x00\ud800 ch3st pa1n |||| ;;;; " * 200
        for text in (garbled, welsh, ocr):
            assert isinstance(code_text(text), list)

    def test_long_text_is_coded_in_chunks_with_offsets_kept(self):
        paragraph = "Routine review on the ward, observations stable and eating well.\n\n"
        text = paragraph * 3000 + "She then had a heart attack." + "\n\n" + paragraph * 3000
        (finding,) = code_text(text)
        assert text[finding.start : finding.end] == "heart attack"
        assert finding.start > 190_000

    def test_memory_stays_bounded_for_a_long_record(self):
        text = "Seen on the ward. She has COPD and a pressure ulcer. " * 2_000  # 6 chunks
        engine = CodingEngine()
        tracemalloc.start()
        result = engine.code(text)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(result.findings) == 4_000
        # One chunk's Doc at a time, not the record's.
        assert peak < 100 * 1024 * 1024

    def test_max_chars_cuts_the_text_and_says_why(self):
        text = "She had a stroke. " * 100 + "Later she had sepsis."
        result = code_document(text, max_chars=500)
        assert result.truncated
        assert result.chars_coded <= 500
        assert "max_chars" in result.reason
        assert "A41.9" not in {f.code for f in result.findings}
        assert code_document(text).reason == ""

    def test_findings_are_finding_instances(self):
        assert all(isinstance(f, Finding) for f in code_text("Stroke and sepsis."))
