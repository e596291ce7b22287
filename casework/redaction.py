"""Masking personal data in a decision's public summary before it is published.

Pure: text in, masked text and findings out. It finds what patterns can find (NHS numbers that
pass the modulus 11 check, dates, postcodes, phone numbers, email addresses, street addresses) and
the names of the case's own people, given by the caller. It cannot know every name in free text,
which is why a person reads and confirms the result before a summary may be published.
"""

import re
from dataclasses import dataclass

MASKS = {
    "name": "[name]",
    "nhs_number": "[NHS number]",
    "email": "[email address]",
    "phone": "[phone number]",
    "postcode": "[postcode]",
    "address": "[address]",
    "date": "[date]",
}

LABELS = {
    "name": "Name",
    "nhs_number": "NHS number",
    "email": "Email address",
    "phone": "Phone number",
    "postcode": "Postcode",
    "address": "Address",
    "date": "Date",
}

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Ten digits written 3-3-4 with optional spaces or hyphens (as on NHS letters), or run together.
_NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
# UK numbers: +44 or 0, then 9 or 10 more digits in the usual groupings.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d\)?[\s-]?){8,9}\d\b")
# The postcode shape (outward code, space optional, inward code), e.g. SW1A 1AA, M1 1AE, B338TH.
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.IGNORECASE,
)
# A house number and a street: "12 Acacia Avenue", "221b Baker Street", "Flat 3, 4 Mill Lane".
_STREET_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|crescent|court|place|gardens|"
    "grove|terrace|square|hill|park|row|walk|mews|view"
)
_ADDRESS = re.compile(
    rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d+[a-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{_STREET_TYPES})\b\.?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": LABELS[self.kind],
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number modulus 11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _name_patterns(known_names) -> list[re.Pattern]:
    """Each full name, then each part of it long enough to be a name rather than an initial."""
    patterns, parts = [], set()
    for name in known_names:
        name = " ".join((name or "").split())
        if not name:
            continue
        patterns.append(name)
        parts.update(p.strip(".,") for p in name.split(" ") if len(p.strip(".,")) > 2)
    # Longest first, so that a full name is masked as one rather than word by word.
    words = sorted(set(patterns) | parts, key=len, reverse=True)
    return [re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", re.IGNORECASE) for w in words]


def _find(text: str, known_names) -> list[Finding]:
    found: list[Finding] = []
    for match in _EMAIL.finditer(text):
        found.append(Finding("email", match.group(), match.start(), match.end()))
    for match in _NHS_NUMBER.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            found.append(Finding("nhs_number", match.group(), match.start(), match.end()))
    for match in _DATE.finditer(text):
        found.append(Finding("date", match.group(), match.start(), match.end()))
    for match in _PHONE.finditer(text):
        found.append(Finding("phone", match.group(), match.start(), match.end()))
    for match in _POSTCODE.finditer(text):
        found.append(Finding("postcode", match.group(), match.start(), match.end()))
    for match in _ADDRESS.finditer(text):
        found.append(Finding("address", match.group(), match.start(), match.end()))
    for pattern in _name_patterns(known_names):
        for match in pattern.finditer(text):
            found.append(Finding("name", match.group(), match.start(), match.end()))
    return found


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the earliest finding where two overlap, and the longer of two starting together."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def redact(text: str, *, known_names=()) -> Redaction:
    """The text with every finding replaced by a mask such as "[name]", and the findings."""
    findings = _without_overlaps(_find(text, known_names))
    pieces, position = [], 0
    for finding in findings:
        pieces.append(text[position : finding.start])
        pieces.append(MASKS[finding.kind])
        position = finding.end
    pieces.append(text[position:])
    return Redaction(text="".join(pieces), findings=tuple(findings))
