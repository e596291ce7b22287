"""Finding personal data left in a response before it is published in the disclosure log.

The disclosure log is public: a response published there must not carry anyone's personal data
(FOIA s.40(2), UK GDPR Art. 5(1)(f)). These patterns find what a pattern can find; the officer reads
the text and confirms it, because names and descriptions cannot be found reliably by a pattern.
"""

import re
from dataclasses import dataclass

REDACTED = "[REDACTED]"

_PATTERNS = (
    ("email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # NHS numbers are ten digits, written 3-3-4 or run together.
    ("NHS number", re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")),
    # UK phone numbers: 01/02/03/07/08 and eleven digits, or +44, spaced in the usual ways.
    ("phone number", re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    # Full UK postcodes (outward and inward code), any case, with or without the space.
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    (
        "date of birth",
        re.compile(
            r"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*:?\s*"
            r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}\s+[A-Za-z]+\s+\d{4})",
            re.IGNORECASE,
        ),
    ),
)


@dataclass(frozen=True)
class Finding:
    label: str
    text: str
    start: int
    end: int


def _name_patterns(names) -> list[tuple[str, re.Pattern]]:
    """The known people's full names, then their surnames, as whole words in any case."""
    patterns = []
    for name in names:
        parts = [p for p in re.split(r"\s+", (name or "").strip()) if p]
        for candidate in (" ".join(parts), parts[-1] if parts else ""):
            if len(candidate) >= 3:
                body = r"\s+".join(re.escape(p) for p in candidate.split(" "))
                patterns.append(("name", re.compile(rf"\b{body}\b", re.IGNORECASE)))
    return patterns


def find_personal_data(text: str, *, names=()) -> list[Finding]:
    """Every match of a personal-data pattern, in order, without overlaps.

    `names`: people we know are in the case (the requester), whose names are found too.
    """
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for label, pattern in [*_name_patterns(names), *_PATTERNS]:
        for match in pattern.finditer(text or ""):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            findings.append(Finding(label, match.group(0), start, end))
    return sorted(findings, key=lambda f: f.start)


def redact(text: str, *, names=()) -> str:
    """The text with every finding replaced by [REDACTED]: a suggestion the officer then checks."""
    out, last = [], 0
    for finding in find_personal_data(text, names=names):
        out.append(text[last : finding.start])
        out.append(REDACTED)
        last = finding.end
    out.append((text or "")[last:])
    return "".join(out)
