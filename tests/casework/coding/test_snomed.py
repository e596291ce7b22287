import pytest
from django.core.management import CommandError, call_command

from casework.coding import CodingEngine, code_text
from casework.coding.snomed import read_cache, read_rf2_descriptions

HEADER = (
    "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
    "caseSignificanceId\n"
)
FSN, SYNONYM = "900000000000003001", "900000000000013009"
INSENSITIVE, SENSITIVE = "900000000000448009", "900000000000017005"
ROWS = [
    ("1", "1", "22298006", FSN, "Myocardial infarction (disorder)", INSENSITIVE),
    ("2", "1", "22298006", SYNONYM, "Myocardial infarction", INSENSITIVE),
    ("3", "1", "22298006", SYNONYM, "Heart attack", INSENSITIVE),
    ("4", "0", "22298006", SYNONYM, "Cardiac infarction", INSENSITIVE),
    ("5", "1", "399211009", FSN, "History of myocardial infarction (situation)", INSENSITIVE),
    ("6", "1", "399211009", SYNONYM, "History of heart attack", INSENSITIVE),
    ("7", "1", "59282003", FSN, "Pulmonary embolism (disorder)", INSENSITIVE),
    ("8", "1", "59282003", SYNONYM, "PE", SENSITIVE),
    ("9", "1", "840539006", FSN, "Disease caused by SARS-CoV-2 (disorder)", INSENSITIVE),
    ("10", "1", "840539006", SYNONYM, "COVID-19", SENSITIVE),
    ("11", "1", "44054006", FSN, "Diabetes mellitus type 2 (disorder)", INSENSITIVE),
    ("12", "1", "44054006", "900000000000550004", "Definition text", INSENSITIVE),
]


@pytest.fixture
def rf2_file(tmp_path):
    path = tmp_path / "sct2_Description_Snapshot-en_GB1000000_20250101.txt"
    lines = [HEADER] + [
        f"{i}\t20250101\t{active}\t999000011000000103\t{concept}\ten\t{kind}\t{term}\t{case}\n"
        for i, active, concept, kind, term, case in ROWS
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


class TestReadRf2Descriptions:
    def test_keeps_active_names_of_disorders_only(self, rf2_file):
        terms = {(t.concept_id, t.term) for t in read_rf2_descriptions(rf2_file)}
        assert terms == {
            ("22298006", "Myocardial infarction"),
            ("22298006", "Heart attack"),
            ("59282003", "Pulmonary embolism"),
            ("840539006", "Disease caused by SARS-CoV-2"),
            ("840539006", "COVID-19"),
            ("44054006", "Diabetes mellitus type 2"),
        }

    def test_other_semantic_tags_can_be_asked_for(self, rf2_file):
        terms = {t.term for t in read_rf2_descriptions(rf2_file, tags=["situation"])}
        assert terms == {"History of myocardial infarction", "History of heart attack"}

    def test_case_significance_and_description_are_kept(self, rf2_file):
        by_term = {t.term: t for t in read_rf2_descriptions(rf2_file)}
        assert by_term["COVID-19"].case_sensitive
        assert not by_term["Heart attack"].case_sensitive
        assert by_term["Heart attack"].description == "Myocardial infarction"

    def test_a_file_that_is_not_rf2_is_refused(self, tmp_path):
        path = tmp_path / "other.txt"
        path.write_text("code\tname\nI21\tMI\n", encoding="utf-8")
        with pytest.raises(ValueError, match="not an RF2 description file"):
            list(read_rf2_descriptions(path))


class TestImportSnomedCommand:
    def test_writes_the_terms_to_the_cache(self, rf2_file, tmp_path, capsys):
        cache = tmp_path / "coding" / "snomed_terms.tsv"
        call_command("import_snomed", str(rf2_file), cache=str(cache))
        assert "Kept 6 SNOMED CT terms" in capsys.readouterr().out
        assert {t.term for t in read_cache(cache)} >= {"Heart attack", "COVID-19"}

    def test_missing_or_malformed_files_are_command_errors(self, tmp_path):
        with pytest.raises(CommandError, match="no file"):
            call_command("import_snomed", str(tmp_path / "absent.txt"))
        bad = tmp_path / "bad.txt"
        bad.write_text("a\tb\n1\t2\n", encoding="utf-8")
        with pytest.raises(CommandError, match="not an RF2"):
            call_command("import_snomed", str(bad), cache=str(tmp_path / "out.tsv"))


class TestSnomedInTheEngine:
    def test_snomed_terms_are_coded_beside_icd10_with_context(self, rf2_file):
        engine = CodingEngine(snomed_terms=list(read_rf2_descriptions(rf2_file)))
        findings = engine.code("No evidence of a heart attack. She had COVID-19.").findings
        snomed = [(f.code, f.text, f.status) for f in findings if f.system == "SNOMED-CT"]
        assert snomed == [
            ("22298006", "heart attack", "negated"),
            ("840539006", "COVID-19", "present"),
        ]
        assert ("I21.9", "negated") in {(f.code, f.status) for f in findings}
        described = next(f for f in findings if f.code == "22298006")
        assert described.description == "Myocardial infarction"

    def test_case_sensitive_descriptions_match_only_in_their_case(self, rf2_file):
        engine = CodingEngine(snomed_terms=list(read_rf2_descriptions(rf2_file)))
        findings = engine.code("She had covid-19.").findings
        assert [f.system for f in findings] == ["ICD-10"]

    def test_code_text_loads_the_imported_cache(self, rf2_file, tmp_path, settings):
        cache = tmp_path / "snomed_terms.tsv"
        settings.CODING_SNOMED_CACHE = cache
        assert {f.system for f in code_text("He had a heart attack.")} == {"ICD-10"}
        call_command("import_snomed", str(rf2_file), cache=str(cache))
        assert {f.system for f in code_text("He had a heart attack.")} == {"ICD-10", "SNOMED-CT"}
