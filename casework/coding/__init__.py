"""Clinical coding of evidence text: ICD-10 (and optionally SNOMED CT) codes with their context,
and complaint themes, for a caseworker to confirm.

    code_text(text) -> list[Finding]            conditions, each present/negated/historical/...
    theme_findings(text) -> list[ThemeFinding]  what the complaint is about
    code_document(text, max_chars=...) -> CodingResult   both, with truncation recorded

Confidence is 0.95 for a clinical term, 0.85 for a lay term, 0.75 for an abbreviation and 0.9 for a
SNOMED CT description; a form with common other meanings ("PE", "fall") loses 0.25, and a hedged
statement ("probable pneumonia") is multiplied by 0.8. Status never changes it: a negated finding
is a confident negation.
"""

from __future__ import annotations

import logging
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

from casework.coding.snomed import read_cache
from casework.coding.statuses import (
    DEFAULT_MAX_CHARS,
    FAMILY,
    HISTORICAL,
    HYPOTHETICAL,
    NEGATED,
    PRESENT,
    STATUSES,
)

if TYPE_CHECKING:
    from casework.coding.engine import CodingEngine, CodingResult, Finding, ThemeFinding

__all__ = [
    "DEFAULT_MAX_CHARS",
    "FAMILY",
    "HISTORICAL",
    "HYPOTHETICAL",
    "NEGATED",
    "PRESENT",
    "STATUSES",
    "CodingEngine",
    "CodingResult",
    "Finding",
    "ThemeFinding",
    "code_document",
    "code_text",
    "get_engine",
    "snomed_cache_path",
    "theme_findings",
]

logger = logging.getLogger(__name__)

_lock = Lock()
_engine: CodingEngine | None = None
_engine_key: tuple | None = None


def snomed_cache_path() -> Path:
    """Where import_snomed leaves SNOMED CT terms for the engine (setting CODING_SNOMED_CACHE)."""
    from django.conf import settings

    if not settings.configured:
        return Path("var") / "coding" / "snomed_terms.tsv"
    default = Path(getattr(settings, "VAR_DIR", Path("var"))) / "coding" / "snomed_terms.tsv"
    return Path(getattr(settings, "CODING_SNOMED_CACHE", default))


def _cache_key(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


# spaCy and the engine take seconds of CPU to import: they load on first use, so that web
# processes, which read codes but never make them, start without them.
_ENGINE_NAMES = {"CodingEngine", "CodingResult", "Finding", "ThemeFinding"}


def __getattr__(name):
    if name in _ENGINE_NAMES:
        from casework.coding import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_engine() -> CodingEngine:
    """The process's engine, built once and rebuilt when the SNOMED CT cache changes."""
    from casework.coding.engine import CodingEngine

    global _engine, _engine_key
    path = snomed_cache_path()
    key = _cache_key(path)
    with _lock:
        if _engine is None or key != _engine_key:
            terms = read_cache(path) if key[1] is not None else None
            _engine = CodingEngine(snomed_terms=terms)
            _engine_key = key
            if terms:
                logger.info("Clinical coding engine loaded %d SNOMED CT terms", len(terms))
        return _engine


def code_document(text: str | None, *, max_chars: int = DEFAULT_MAX_CHARS) -> CodingResult:
    return get_engine().code(text, max_chars=max_chars)


def code_text(text: str | None) -> list[Finding]:
    return get_engine().code(text).findings


def theme_findings(text: str | None) -> list[ThemeFinding]:
    return get_engine().code(text).themes
