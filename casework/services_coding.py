"""Clinical coding of a case's narrative and its documents, kept as suggestions a caseworker
confirms or rejects.

The engine runs outside any transaction: a long record takes seconds, and no row should stay
locked for that long. Only the result is written, under a row lock on the case or document, and
only if the text that was coded is still the text there. Nothing here imports casework.tasks or
casework.services: the tasks call these services, and casework.services calls
document_coding_delete from inside document_delete.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from casework.coding import DEFAULT_MAX_CHARS, code_document, get_engine
from casework.coding.terminology import ICD10_TERMS_FILE
from casework.models import (
    AuditEntry,
    Case,
    ClinicalCode,
    CodeAxis,
    CodeReview,
    CodingRun,
    CodingRunStatus,
    CodingSource,
    Document,
    DocumentStatus,
    TextStatus,
)
from casework.selectors import case_narrative_text

if TYPE_CHECKING:
    from casework.coding import CodingResult

logger = logging.getLogger(__name__)

REASON_NO_TEXT = "no text to code"
REASON_TEXT_CHANGED = "the text kept changing while it was being coded"
THEME_SYSTEM = "theme"
# A 300-page record can mention the same few conditions thousands of times; past this many
# suggestions a caseworker cannot review them one by one, so the rest are counted, not stored.
MAX_CODES_PER_SOURCE = 1000
# How often coding is tried again when the text changed between reading and saving.
_ATTEMPTS = 3
_CODE_FIELD_LENGTH = 300


class CodeReviewRefused(Exception):
    """The review cannot be recorded as asked; the message is fit to show to staff."""


@dataclass(frozen=True)
class _Outcome:
    result: CodingResult | None
    reason: str


class _TextChanged(Exception):
    """The text was edited between coding it and saving the codes: code it again."""


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def _table_digest() -> str:
    return hashlib.sha256(ICD10_TERMS_FILE.read_bytes()).hexdigest()[:12]


def coding_engine_version() -> str:
    """Which terminology coded a run: the ICD-10 table's digest and any SNOMED CT terms loaded."""
    snomed = get_engine().snomed_term_count
    return f"icd10-{_table_digest()}" + (f"+snomed-{snomed}" if snomed else "")


def _engine_run(text: str) -> _Outcome:
    """Code one text; any failure of the engine is a stopped run with its reason, never a crash."""
    if not text.strip():
        return _Outcome(None, REASON_NO_TEXT)
    max_chars = getattr(settings, "CODING_MAX_CHARS", DEFAULT_MAX_CHARS)
    try:
        return _Outcome(code_document(text, max_chars=max_chars), "")
    except Exception as exc:  # noqa: BLE001 - a worker must record the failure and carry on
        logger.exception("Clinical coding failed on a text of %d characters", len(text))
        return _Outcome(None, f"the coding engine failed ({type(exc).__name__})")


def case_narrative_code(*, case_id: int) -> CodingRun | None:
    """Code what the complainant told us (see case_narrative_text); None if there is no case."""
    for _ in range(_ATTEMPTS):
        case = Case.objects.select_related("complaint_details").filter(pk=case_id).first()
        if case is None:
            return None
        text = case_narrative_text(case)
        outcome = _engine_run(text)
        try:
            return _narrative_record(
                case_id=case_id, fingerprint=_fingerprint(text), outcome=outcome
            )
        except _TextChanged:
            continue
    return _narrative_record(
        case_id=case_id, fingerprint=None, outcome=_Outcome(None, REASON_TEXT_CHANGED)
    )


@transaction.atomic
def _narrative_record(*, case_id, fingerprint, outcome) -> CodingRun:
    case = Case.objects.select_for_update().get(pk=case_id)
    if fingerprint is not None and _fingerprint(case_narrative_text(case)) != fingerprint:
        raise _TextChanged
    return _run_store(case_id=case.pk, document_id=None, outcome=outcome)


def _document_codable(document: Document | None) -> bool:
    return (
        document is not None
        and document.case_id is not None
        and document.deleted_at is None
        and document.status == DocumentStatus.CLEAN
        and document.text_status != TextStatus.PENDING
    )


def document_code(*, document_id: int) -> CodingRun | None:
    """Code a document's extracted text. A document deleted (or never readable) gets no run and
    no codes, even when it is deleted while the engine is reading it; None then."""
    for _ in range(_ATTEMPTS):
        document = Document.objects.filter(pk=document_id).first()
        if not _document_codable(document):
            _document_forget(document_id=document_id)
            return None
        text = document.extracted_text
        outcome = _engine_run(text)
        try:
            return _document_record(
                document_id=document_id, fingerprint=_fingerprint(text), outcome=outcome
            )
        except _TextChanged:
            continue
    return _document_record(
        document_id=document_id, fingerprint=None, outcome=_Outcome(None, REASON_TEXT_CHANGED)
    )


@transaction.atomic
def _document_record(*, document_id, fingerprint, outcome) -> CodingRun | None:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if not _document_codable(document):
        document_coding_delete(document_id=document_id)
        return None
    if fingerprint is not None and _fingerprint(document.extracted_text) != fingerprint:
        raise _TextChanged
    return _run_store(case_id=document.case_id, document_id=document.pk, outcome=outcome)


@transaction.atomic
def _document_forget(*, document_id: int) -> None:
    # Under the document's lock, so that a coding saved just before a deletion is removed with it.
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.deleted_at is not None:
        document_coding_delete(document_id=document_id)


@transaction.atomic
def document_coding_delete(*, document_id: int) -> int:
    """Remove a document's coding run and every code found in it (reviewed ones too): a deleted
    document's contents must not live on as codes. Returns how many codes went."""
    removed, _ = ClinicalCode.objects.filter(document_id=document_id).delete()
    CodingRun.objects.filter(document_id=document_id).delete()
    return removed


def _clip(value: str) -> str:
    return value[:_CODE_FIELD_LENGTH]


def _codes_from(result: CodingResult, *, case_id, document_id) -> list[ClinicalCode]:
    codes = [
        ClinicalCode(
            case_id=case_id,
            document_id=document_id,
            axis=CodeAxis.CONDITION,
            system=finding.system,
            code=finding.code,
            description=_clip(finding.description),
            start=finding.start,
            end=finding.end,
            text=_clip(finding.text),
            status=finding.status,
            confidence=finding.confidence,
            kind=finding.kind,
        )
        for finding in result.findings
        if finding.end > finding.start
    ]
    codes += [
        ClinicalCode(
            case_id=case_id,
            document_id=document_id,
            axis=CodeAxis.THEME,
            system=THEME_SYSTEM,
            code=theme.theme,
            description=_clip(theme.label),
            start=theme.start,
            end=theme.end,
            text=_clip(theme.text),
            status="present",
        )
        for theme in result.themes
        if theme.end > theme.start
    ]
    codes.sort(key=lambda code: (code.start, code.axis, code.code))
    return codes


def _key(code: ClinicalCode) -> tuple:
    return (code.axis, code.system, code.code, code.start, code.end)


def _run_store(*, case_id: int, document_id: int | None, outcome: _Outcome) -> CodingRun:
    """Replace the source's run and its unreviewed suggestions with this coding's.

    A code a caseworker confirmed or rejected is never replaced: when the same code is found at
    the same place again the review stands, and a review is kept even if a later engine no
    longer finds the code (it was a person's decision about the text).
    """
    now = timezone.now()
    source = CodingSource.DOCUMENT if document_id else CodingSource.NARRATIVE
    run, _ = CodingRun.objects.get_or_create(
        case_id=case_id, document_id=document_id, source=source, defaults={"created_at": now}
    )
    result = outcome.result
    found = _codes_from(result, case_id=case_id, document_id=document_id) if result else []
    reasons = [outcome.reason] if outcome.reason else []
    if result is not None and result.reason:
        reasons.append(result.reason)
    capped = len(found) > MAX_CODES_PER_SOURCE
    if capped:
        reasons.append(f"kept the first {MAX_CODES_PER_SOURCE:,} of {len(found):,} suggestions")
        found = found[:MAX_CODES_PER_SOURCE]

    existing = {_key(code): code for code in run.codes.all()}
    seen, to_create, to_update = set(), [], []
    for code in found:
        key = _key(code)
        if key in seen:
            continue
        seen.add(key)
        old = existing.get(key)
        if old is None:
            code.run = run
            to_create.append(code)
        elif old.review == CodeReview.SUGGESTED:
            old.description, old.text, old.status = code.description, code.text, code.status
            old.confidence, old.kind = code.confidence, code.kind
            to_update.append(old)
    stale = [
        old.pk
        for key, old in existing.items()
        if old.review == CodeReview.SUGGESTED and key not in seen
    ]
    ClinicalCode.objects.filter(pk__in=stale).delete()
    ClinicalCode.objects.bulk_update(
        to_update, ["description", "text", "status", "confidence", "kind"], batch_size=500
    )
    ClinicalCode.objects.bulk_create(to_create, batch_size=500)

    run.status = CodingRunStatus.DONE if result is not None else CodingRunStatus.STOPPED
    run.reason = "; ".join(reasons)
    run.chars_total = result.chars_total if result else 0
    run.chars_coded = result.chars_coded if result else 0
    run.truncated = bool(result and result.truncated) or capped
    run.findings_count = (len(result.findings) + len(result.themes)) if result else 0
    run.engine_version = coding_engine_version() if result else ""
    run.created_at = now
    run.finished_at = now
    run.save()
    return run


def _review_audit(*, reviewer, ip, action, case_id, obj, detail) -> None:
    AuditEntry.objects.create(
        user=reviewer,
        # client_ip gives "-" when the address is unknown.
        ip=ip if ip and ip != "-" else None,
        action=action,
        case_id=case_id,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
    )


@transaction.atomic
def clinical_code_review(
    *, code: ClinicalCode, reviewer, decision: CodeReview, ip: str | None = None
) -> ClinicalCode:
    """A caseworker confirms or rejects one suggested code (or changes their mind), audited with
    what it was before. Only confirmed codes ever feed insight."""
    decision = CodeReview(decision)
    if decision == CodeReview.SUGGESTED:
        raise CodeReviewRefused("Choose whether to confirm or reject the code")
    code = (
        ClinicalCode.objects.select_for_update(of=("self",)).select_related("case").get(pk=code.pk)
    )
    if not reviewer.has_perm("casework.work_case", code.case):
        raise PermissionDenied("Only caseworkers and managers can review clinical codes.")
    if code.review == decision:
        return code
    previous = code.review
    code.review = decision
    code.reviewed_by = reviewer
    code.reviewed_at = timezone.now()
    code.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    _review_audit(
        reviewer=reviewer,
        ip=ip,
        action=f"clinical_code.{decision.value}",
        case_id=code.case_id,
        obj=code,
        detail={
            "axis": code.axis,
            "system": code.system,
            "code": code.code,
            "status": code.status,
            "document_id": code.document_id,
            "previous": previous,
        },
    )
    return code


@transaction.atomic
def clinical_codes_confirm_present(*, run: CodingRun, reviewer, ip: str | None = None) -> int:
    """Confirm every still-suggested present condition of one source at once (one audit entry
    listing them). Returns how many were confirmed."""
    run = CodingRun.objects.select_for_update(of=("self",)).select_related("case").get(pk=run.pk)
    if not reviewer.has_perm("casework.work_case", run.case):
        raise PermissionDenied("Only caseworkers and managers can review clinical codes.")
    pending = run.codes.conditions().filter(review=CodeReview.SUGGESTED, status="present")
    ids = sorted(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    ClinicalCode.objects.filter(pk__in=ids).update(
        review=CodeReview.CONFIRMED, reviewed_by=reviewer, reviewed_at=timezone.now()
    )
    _review_audit(
        reviewer=reviewer,
        ip=ip,
        action="clinical_code.confirm_present",
        case_id=run.case_id,
        obj=run,
        detail={"code_ids": ids, "document_id": run.document_id},
    )
    return len(ids)
