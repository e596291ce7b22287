import pytest


class TestNegation:
    @pytest.mark.parametrize(
        "text",
        [
            "No evidence of sepsis.",
            "Sepsis was ruled out.",
            "Patient denies chest pain and has no sepsis.",
            "Blood cultures negative for sepsis.",
            "Discharged without sepsis.",
            "It was not sepsis.",
        ],
    )
    def test_negation_triggers_mark_the_condition_negated(self, code, text):
        assert ("A41.9", "negated") in [(c, status) for c, status, _ in code(text)]

    def test_a_terminator_ends_the_negation(self, code):
        findings = code("No evidence of DVT, but she had a pressure ulcer.")
        assert findings == [("I80.2", "negated", "DVT"), ("L89.9", "present", "pressure ulcer")]

    def test_complaints_that_something_was_missed_are_not_negations(self, code):
        assert code("They did not diagnose her sepsis.") == [("A41.9", "present", "sepsis")]
        assert code("No one noticed she had sepsis.") == [("A41.9", "present", "sepsis")]

    def test_negation_reaches_only_a_few_words(self, code):
        text = "No doctor came to see her for nine hours after admission and she had a stroke."
        assert code(text) == [("I64", "present", "stroke")]


class TestHistorical:
    @pytest.mark.parametrize(
        "text",
        [
            "History of stroke.",
            "Previous stroke with left-sided weakness.",
            "In 2019 she had a stroke.",
            "Past medical history: hypertension, stroke.",
            "She had a stroke two years ago.",
        ],
    )
    def test_history_triggers_mark_the_condition_historical(self, code, text):
        assert ("I64", "historical") in [(c, status) for c, status, _ in code(text)]

    def test_a_dated_admission_is_not_history(self, code):
        assert code("She was admitted in March 2025 with a stroke.") == [
            ("I64", "present", "stroke")
        ]


class TestFamily:
    @pytest.mark.parametrize(
        "text",
        [
            "Her mother had breast cancer.",
            "Family history of breast cancer.",
            "Her sister was diagnosed with breast cancer at 40.",
            "FHx: breast cancer.",
        ],
    )
    def test_a_relatives_condition_is_family(self, code, text):
        assert ("C50.9", "family") in [(c, status) for c, status, _ in code(text)]

    def test_father_died_of_is_family(self, code):
        assert code("Father died of a heart attack.") == [("I21.9", "family", "heart attack")]

    def test_a_complainant_writing_about_their_parent_means_the_patient(self, code):
        assert code("My mother died of sepsis.") == [("A41.9", "present", "sepsis")]
        assert code("Mum developed bed sores.") == [("L89.9", "present", "bed sores")]

    def test_no_family_history_is_negated(self, code):
        assert code("No family history of stroke.") == [("I64", "negated", "stroke")]


class TestHypothetical:
    @pytest.mark.parametrize(
        "text",
        [
            "At risk of pressure ulcers.",
            "If she develops pressure ulcers, refer to tissue viability.",
            "Should she develop pressure ulcers, call the district nurse.",
            "Watch for pressure ulcers.",
            "Query pressure ulcers on the heels.",
            "Possible pressure ulcers.",
            "Pressure ulcer risk assessment not done.",
        ],
    )
    def test_risk_and_uncertainty_are_hypothetical(self, code, text):
        statuses = {status for _, status, _ in code(text)}
        assert statuses == {"hypothetical"}

    def test_a_query_mark_stuck_to_a_term_is_hypothetical(self, code):
        assert code("Chest pain. ?PE for CTPA.") == [
            ("R07.4", "present", "Chest pain"),
            ("I26.9", "hypothetical", "PE"),
        ]


class TestHedges:
    def test_probable_stays_present_with_lower_confidence(self, engine):
        plain = engine.code("Pneumonia.").findings[0]
        hedged = engine.code("Probable pneumonia.").findings[0]
        assert hedged.status == "present"
        assert hedged.confidence < plain.confidence
