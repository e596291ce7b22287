"""SNOMED CT UK descriptions (RF2 release files) as extra terms for the coder.

The UK edition is licensed to NHS organisations and is not shipped: an operator who has it runs
`manage.py import_snomed PATH`, which keeps the active synonyms and fully specified names of the
wanted semantic tags in a small tab-separated cache the engine loads on start.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

FSN_TYPE = "900000000000003001"
SYNONYM_TYPE = "900000000000013009"
# caseSignificanceId: the whole term is case sensitive ("PE" in a description means the letters PE).
ENTIRE_TERM_CASE_SENSITIVE = "900000000000017005"

# Disorders are what a complaint's clinical codes are about; findings and procedures are many times
# more numerous (memory and false matches) and can be added with --tags.
DEFAULT_TAGS = ("disorder",)
# Very short descriptions ("Ill", "Fit") match ordinary words far more often than the concept.
MIN_TERM_CHARS = 3
MAX_TERM_WORDS = 8

_SEMANTIC_TAG = re.compile(r"\s*\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class SnomedTerm:
    concept_id: str
    term: str
    description: str
    case_sensitive: bool


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        required = {"conceptId", "active", "typeId", "term", "caseSignificanceId"}
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"not an RF2 description file: missing {', '.join(sorted(missing))}")
        yield from reader


def read_rf2_descriptions(
    path: Path | str, *, tags: Iterable[str] = DEFAULT_TAGS
) -> Iterator[SnomedTerm]:
    """Active FSNs and synonyms of concepts whose FSN has one of `tags`, from an RF2 snapshot.

    Two passes over the file, so memory holds one FSN per concept and never the whole release.
    """
    path = Path(path)
    wanted = {tag.strip().lower() for tag in tags if tag.strip()}
    fsn_by_concept: dict[str, str] = {}
    for row in _rows(path):
        if row["active"] != "1" or row["typeId"] != FSN_TYPE:
            continue
        match = _SEMANTIC_TAG.search(row["term"])
        if match and match.group(1).lower() in wanted:
            fsn_by_concept[row["conceptId"]] = row["term"][: match.start()].strip()
    seen: set[tuple[str, str]] = set()
    for row in _rows(path):
        concept = row["conceptId"]
        if row["active"] != "1" or concept not in fsn_by_concept:
            continue
        if row["typeId"] == FSN_TYPE:
            term = fsn_by_concept[concept]
        elif row["typeId"] == SYNONYM_TYPE:
            term = row["term"].strip()
        else:
            continue
        if len(term) < MIN_TERM_CHARS or len(term.split()) > MAX_TERM_WORDS:
            continue
        case_sensitive = row["caseSignificanceId"] == ENTIRE_TERM_CASE_SENSITIVE
        key = (concept, term if case_sensitive else term.lower())
        if key in seen:
            continue
        seen.add(key)
        yield SnomedTerm(concept, term, fsn_by_concept[concept], case_sensitive)


def write_cache(terms: Iterable[SnomedTerm], path: Path | str) -> int:
    """Write the terms to the engine's cache file (replacing it whole); returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        for term in terms:
            writer.writerow(
                [term.concept_id, term.term, term.description, "1" if term.case_sensitive else "0"]
            )
            count += 1
    # A reader never sees half a cache: the rename is atomic on one filesystem.
    partial.replace(path)
    return count


def read_cache(path: Path | str) -> list[SnomedTerm]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        return [SnomedTerm(c, t, d, s == "1") for c, t, d, s in reader]
