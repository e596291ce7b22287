"""NHS Organisation Data Service (ODS) CSV reports: epraccur (GP practices) and etr (NHS trusts).

Both reports share the ODS standard layout: no header row, 27 columns, of which this reads
0 organisation code, 1 name, 2 national grouping (NHS England region), 7 address line 4 (the
town), 9 postcode, 11 close date and 12 status code (A active, C closed, D dormant, P proposed).
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.geography import InvalidPostcode, normalise_postcode
from accounts.importers import ImportProblem, ImportResult
from accounts.models import Organisation, OrganisationKind, Sector

ODS_COLUMNS = 27
CODE, NAME, NATIONAL_GROUPING, TOWN, POSTCODE, CLOSE_DATE, STATUS = 0, 1, 2, 7, 9, 11, 12
_ODS_CODE = re.compile(r"[A-Z0-9]{3,10}")
# Only practices and trusts that are open are offered to complainants. Closed, dormant and
# proposed ones stay in the directory (old cases refer to them) but are marked inactive.
_STATUSES = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}

# NHS England commissioning regions, as published in the national grouping column.
NHS_ENGLAND_REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
}

ODS_KINDS = (OrganisationKind.GP_PRACTICE, OrganisationKind.NHS_TRUST)


@dataclass(frozen=True)
class OdsRecord:
    ods_code: str
    name: str
    region: str
    town: str
    postcode: str
    is_active: bool


def read_ods_file(path) -> list[OdsRecord]:
    """Parse and check a whole report; raise ImportProblem at the first malformed line."""
    path = Path(path)
    records = []
    seen = {}
    with path.open(newline="", encoding="utf-8-sig", errors="strict") as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                record = _record(path, line, row)
                if record.ods_code in seen:
                    raise ImportProblem(
                        path,
                        f"line {line}",
                        f"organisation code {record.ods_code} appears again "
                        f"(first on line {seen[record.ods_code]})",
                    )
                seen[record.ods_code] = line
                records.append(record)
        except UnicodeDecodeError as error:
            raise ImportProblem(
                path, f"line {reader.line_num + 1}", "the file is not UTF-8 text"
            ) from error
        except csv.Error as error:
            raise ImportProblem(
                path, f"line {reader.line_num}", f"not valid CSV ({error})"
            ) from error
    if not records:
        raise ImportProblem(path, "", "the file has no organisations in it")
    return records


def _record(path, line, row) -> OdsRecord:
    where = f"line {line}"
    if len(row) != ODS_COLUMNS:
        raise ImportProblem(path, where, f"expected {ODS_COLUMNS} columns, found {len(row)}")
    code = row[CODE].strip().upper()
    if not code:
        raise ImportProblem(path, where, "the organisation code (column 1) is empty")
    if not _ODS_CODE.fullmatch(code):
        raise ImportProblem(path, where, f"{row[CODE]!r} is not an ODS organisation code")
    name = row[NAME].strip()
    if not name:
        raise ImportProblem(path, where, "the organisation name (column 2) is empty")
    try:
        postcode = normalise_postcode(row[POSTCODE])
    except InvalidPostcode:
        raise ImportProblem(path, where, f"{row[POSTCODE]!r} is not a UK postcode") from None
    status = row[STATUS].strip().upper()
    if status and status not in _STATUSES:
        raise ImportProblem(
            path, where, f"unknown status code {row[STATUS]!r} (expected A, C, D or P)"
        )
    # Some reports leave the status empty; then a close date is what says the body has closed.
    is_active = status == "A" if status else not row[CLOSE_DATE].strip()
    grouping = row[NATIONAL_GROUPING].strip()
    return OdsRecord(
        ods_code=code,
        name=name,
        region=NHS_ENGLAND_REGIONS.get(grouping, grouping),
        town=row[TOWN].strip(),
        postcode=postcode,
        is_active=is_active,
    )


_UPDATED_FIELDS = ("name", "kind", "sector", "region", "town", "postcode", "is_active")


@transaction.atomic
def organisations_import_ods(*, path, kind: str) -> ImportResult:
    """Create or update the organisations in one ODS report; nothing is written if it is malformed.

    Idempotent: organisations are matched on ODS code and updated in place; aliases and anything
    staff added by hand are left alone. Organisations missing from the report are not touched.
    """
    kind = OrganisationKind(kind)
    if kind not in ODS_KINDS:
        raise ValueError(f"ODS reports hold GP practices or NHS trusts, not {kind.label}")
    records = read_ods_file(path)
    existing = Organisation.objects.in_bulk([r.ods_code for r in records], field_name="ods_code")
    result = ImportResult(read=len(records), details={"inactive": 0})
    to_create, to_update = [], []
    for record in records:
        values = {
            "name": record.name,
            "kind": kind,
            "sector": Sector.HEALTH,
            "region": record.region,
            "town": record.town,
            "postcode": record.postcode,
            "is_active": record.is_active,
        }
        result.details["inactive"] += not record.is_active
        organisation = existing.get(record.ods_code)
        if organisation is None:
            to_create.append(Organisation(ods_code=record.ods_code, **values))
        elif any(getattr(organisation, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(organisation, name, value)
            to_update.append(organisation)
        else:
            result.unchanged += 1
    Organisation.objects.bulk_create(to_create, batch_size=1000)
    # bulk_update skips auto_now, so the change time is set here explicitly.
    now = timezone.now()
    for organisation in to_update:
        organisation.updated_at = now
    Organisation.objects.bulk_update(to_update, [*_UPDATED_FIELDS, "updated_at"], batch_size=1000)
    result.created, result.updated = len(to_create), len(to_update)
    return result
