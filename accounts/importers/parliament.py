"""The parliamentary directory: constituencies from ONS names-and-codes CSVs, MPs from the UK
Parliament Members API.

Members API pages are saved JSON responses of `/api/Members/Search` (an object with "items")
and of `/api/Members/{id}/Contact` (an object whose "value" is a list of contact entries).
"""

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.importers import ImportProblem, ImportResult
from accounts.models import Constituency, MemberOfParliament

# Westminster constituency entity codes: E14 England, W07 Wales, S14 Scotland, N05 Northern Ireland.
_CONSTITUENCY_CODE = re.compile(r"(E14|W07|S14|N05)[0-9]{6}")
_CODE_COLUMN = re.compile(r"PCON(\d\d)CD")
_COMMONS = 1
_PREFERRED_CONTACT = "parliamentary office"
_CONTACT_FILE_NAME = re.compile(r"contact[-_](\d+)\.json", re.IGNORECASE)
_MEMBER_CONTACT_LINK = re.compile(r"/Members/(\d+)/Contact", re.IGNORECASE)


def constituency_name_key(name: str) -> str:
    """A constituency name reduced for matching across publishers.

    Case, accents, punctuation, spacing and "&" versus "and" all vary between the ONS file and
    the Members API ("Ynys Môn", "Weston-super-Mare", "Brighton Kemptown & Peacehaven").
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


# --- constituencies ---------------------------------------------------------------------------


def read_constituencies_file(path) -> list[tuple[str, str]]:
    path = Path(path)
    rows = []
    seen = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [cell.strip() for cell in next(reader, [])]
        except csv.Error as error:
            raise ImportProblem(path, "line 1", f"not valid CSV ({error})") from error
        code_index, name_index = _constituency_columns(path, header)
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                where = f"line {line}"
                if len(row) != len(header):
                    raise ImportProblem(
                        path, where, f"expected {len(header)} columns, found {len(row)}"
                    )
                code, name = row[code_index].strip(), row[name_index].strip()
                if not _CONSTITUENCY_CODE.fullmatch(code):
                    raise ImportProblem(
                        path, where, f"{code!r} is not a Westminster constituency code"
                    )
                if not name:
                    raise ImportProblem(path, where, "the constituency name is empty")
                if code in seen:
                    raise ImportProblem(
                        path, where, f"{code} appears again (first on line {seen[code]})"
                    )
                seen[code] = line
                rows.append((code, name))
        except UnicodeDecodeError as error:
            raise ImportProblem(
                path, f"line {reader.line_num + 1}", "the file is not UTF-8 text"
            ) from error
        except csv.Error as error:
            raise ImportProblem(
                path, f"line {reader.line_num}", f"not valid CSV ({error})"
            ) from error
    if not rows:
        raise ImportProblem(path, "", "the file has no constituencies in it")
    return rows


def _constituency_columns(path, header) -> tuple[int, int]:
    upper = [cell.upper() for cell in header]
    # ONS names the columns after the boundary review year (PCON24CD, PCON24NM); take the newest.
    years = sorted(
        (m.group(1) for cell in upper if (m := _CODE_COLUMN.fullmatch(cell))), reverse=True
    )
    for year in years:
        if f"PCON{year}NM" in upper:
            return upper.index(f"PCON{year}CD"), upper.index(f"PCON{year}NM")
    raise ImportProblem(path, "line 1", "the header has no PCON24CD and PCON24NM columns")


@transaction.atomic
def constituencies_import(*, path) -> ImportResult:
    """Create or update constituencies by ONS code. Idempotent; nothing is deleted."""
    rows = read_constituencies_file(path)
    existing = Constituency.objects.in_bulk([code for code, _ in rows], field_name="code")
    result = ImportResult(read=len(rows))
    for code, name in rows:
        constituency = existing.get(code)
        if constituency is None:
            Constituency.objects.create(code=code, name=name)
            result.created += 1
        elif constituency.name != name:
            constituency.name = name
            constituency.save(update_fields=["name", "updated_at"])
            result.updated += 1
        else:
            result.unchanged += 1
    return result


# --- members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRecord:
    parliament_id: int
    name: str
    party: str
    constituency_name: str
    start_date: date
    end_date: date | None
    where: str


@dataclass(frozen=True)
class ContactRecord:
    parliament_id: int
    email: str
    where: str


def _load_json(path):
    try:
        with Path(path).open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportProblem(path, "", f"not valid JSON ({error})") from error


def _is_contact_page(data) -> bool:
    return isinstance(data, dict) and isinstance(data.get("value"), list) and "items" not in data


def _date(path, where, text, what) -> date:
    try:
        return datetime.fromisoformat(text).date()
    except (TypeError, ValueError):
        raise ImportProblem(path, where, f"{what} {text!r} is not a date") from None


def read_members_page(path) -> tuple[list[MemberRecord], int]:
    """The Commons members on one saved search page, and how many other entries were skipped."""
    data = _load_json(path)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ImportProblem(path, "", 'not a Members API search page (no "items" list)')
    records, skipped = [], 0
    for index, item in enumerate(items):
        where = f"item {index}"
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, dict):
            raise ImportProblem(path, where, 'has no "value" object')
        membership = value.get("latestHouseMembership") or {}
        if membership.get("house") != _COMMONS:
            skipped += 1  # a member of the Lords: not part of the constituency directory
            continue
        member_id = value.get("id")
        if not isinstance(member_id, int) or member_id <= 0:
            raise ImportProblem(
                path, where, f"member id {member_id!r} is not a positive whole number"
            )
        name = (value.get("nameDisplayAs") or "").strip()
        if not name:
            raise ImportProblem(path, where, "the member has no nameDisplayAs")
        constituency_name = (membership.get("membershipFrom") or "").strip()
        if not constituency_name:
            raise ImportProblem(path, where, "the membership has no membershipFrom (constituency)")
        end = membership.get("membershipEndDate")
        records.append(
            MemberRecord(
                parliament_id=member_id,
                name=name,
                party=((value.get("latestParty") or {}).get("name") or "").strip(),
                constituency_name=constituency_name,
                start_date=_date(
                    path, where, membership.get("membershipStartDate"), "membershipStartDate"
                ),
                end_date=_date(path, where, end, "membershipEndDate") if end else None,
                where=f"{path} {where}",
            )
        )
    return records, skipped


def read_contact_page(path, data) -> ContactRecord:
    member_id = _contact_member_id(path, data)
    entries = [entry for entry in data["value"] if isinstance(entry, dict)]
    with_email = [entry for entry in entries if (entry.get("email") or "").strip()]
    # The parliamentary office is the address casework correspondence goes to.
    preferred = [
        e for e in with_email if (e.get("type") or "").strip().lower() == _PREFERRED_CONTACT
    ]
    email = ((preferred or with_email or [{}])[0].get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ImportProblem(path, "", f"{email!r} is not an email address") from None
    return ContactRecord(parliament_id=member_id, email=email, where=str(path))


def _contact_member_id(path, data) -> int:
    for link in data.get("links") or []:
        match = _MEMBER_CONTACT_LINK.search(str((link or {}).get("href", "")))
        if match and (link or {}).get("rel") == "self":
            return int(match.group(1))
    match = _CONTACT_FILE_NAME.fullmatch(Path(path).name)
    if match:
        return int(match.group(1))
    raise ImportProblem(
        path, "", "a contact page must be named contact-<member id>.json or carry its self link"
    )


@transaction.atomic
def members_import(*, paths) -> ImportResult:
    """Create or update MPs from saved Members API pages, in one transaction for all files.

    Members are matched on their Parliament id. A member whose membership has ended is end-dated,
    never deleted; a new member for a seat end-dates the sitting one from their start date (a
    by-election). Contact pages set the email of members already known.
    """
    members, contacts, skipped = [], [], 0
    for path in paths:
        data = _load_json(path)
        if _is_contact_page(data):
            contacts.append(read_contact_page(path, data))
        else:
            page, page_skipped = read_members_page(path)
            members += page
            skipped += page_skipped

    constituencies = {constituency_name_key(c.name): c for c in Constituency.objects.all()}
    result = ImportResult(details={"end-dated": 0, "skipped (not Commons)": skipped, "emails": 0})
    # Members who left first, so that a sitting member is never end-dated by an earlier one.
    for record in sorted(members, key=lambda r: (r.end_date is None, r.start_date)):
        constituency = constituencies.get(constituency_name_key(record.constituency_name))
        if constituency is None:
            raise ImportProblem(
                record.where,
                "",
                f"no constituency called {record.constituency_name!r} in the directory",
            )
        result.read += 1
        _member_upsert(record=record, constituency=constituency, result=result)

    for contact in contacts:
        member = MemberOfParliament.objects.filter(parliament_id=contact.parliament_id).first()
        if member is None:
            raise ImportProblem(
                contact.where,
                "",
                f"no member with id {contact.parliament_id}: import their search page first",
            )
        if contact.email and member.email != contact.email:
            member.email = contact.email
            member.save(update_fields=["email", "updated_at"])
            result.details["emails"] += 1
    return result


def _member_upsert(
    *, record: MemberRecord, constituency: Constituency, result: ImportResult
) -> None:
    values = {
        "name": record.name,
        "party": record.party,
        "constituency": constituency,
        "start_date": record.start_date,
        "end_date": record.end_date,
    }
    member = MemberOfParliament.objects.filter(parliament_id=record.parliament_id).first()
    if member is None:
        member = MemberOfParliament.objects.create(parliament_id=record.parliament_id, **values)
        result.created += 1
    elif any(getattr(member, name) != value for name, value in values.items()):
        if member.end_date is None and record.end_date is not None:
            result.details["end-dated"] += 1
        for name, value in values.items():
            setattr(member, name, value)
        member.save()
        result.updated += 1
    else:
        result.unchanged += 1
    if record.end_date is None:
        result.details["end-dated"] += (
            MemberOfParliament.objects.filter(constituency=constituency, end_date__isnull=True)
            .exclude(pk=member.pk)
            .filter(start_date__lte=record.start_date)
            .update(end_date=record.start_date, updated_at=timezone.now())
        )
