"""Writes to information requests: status through foi.state, deadlines through phso.clock."""

import difflib
import re
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from casework.models import Document, DocumentStatus, UploaderRole
from casework.services import UploadRefused, audit_record, document_upload
from foi import state, tasks
from foi.models import (
    EIR_EXCEPTIONS,
    PUBLIC_INTEREST_TEST,
    AnswerFormat,
    AppliedExemption,
    Channel,
    DataExport,
    DisclosureEntry,
    Exemption,
    ExportStatus,
    InformationRequest,
    Kind,
    Outcome,
    ReferenceSequence,
    RequestDocument,
    RequestDocumentPurpose,
    RequestEvent,
    RequestEventKind,
)
from foi.redaction import find_personal_data
from foi.state import IllegalTransition, Status
from phso.clock import EIR_RULE, FOI_RULE, SAR_RULE, ClockError, StatutoryClock
from phso.services import notification_send

EXPORT_PENDING_REUSE = timedelta(hours=1)
REFERENCE_PREFIX = {Kind.FOI: "FOI", Kind.EIR: "EIR", Kind.SAR: "SAR"}
REVIEW_PREFIX = "IR"
RULES = {Kind.FOI: FOI_RULE, Kind.EIR: EIR_RULE, Kind.SAR: SAR_RULE}
# FOIA s.14(2): a repeated request need not be answered if made within a "reasonable interval";
# we look back 60 days and flag for an officer to decide, never refusing automatically.
REPEAT_WINDOW_DAYS = 60
REPEAT_SIMILARITY = 0.9


class RequestRefused(Exception):
    """A change refused for a reason fit to show to staff (wraps clock and state errors)."""


def _site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _format_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def reference_next(*, prefix: str, year: int) -> str:
    ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
    ReferenceSequence.objects.filter(prefix=prefix, year=year).update(
        last_number=F("last_number") + 1
    )
    number = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year).last_number
    return f"{prefix}-{year}-{number:05d}"


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _possible_repeat(*, email: str, text: str, on: date) -> InformationRequest | None:
    """The newest earlier request from the same address with the same or near-identical text."""
    if not email:
        return None
    wanted = _normalise(text)
    earlier = InformationRequest.objects.filter(
        requester_email__iexact=email,
        received_on__gte=on - timedelta(days=REPEAT_WINDOW_DAYS),
        review_of__isnull=True,
    ).order_by("-received_on", "-id")[:50]
    for candidate in earlier:
        ratio = difflib.SequenceMatcher(None, wanted, _normalise(candidate.text)).ratio()
        if ratio >= REPEAT_SIMILARITY:
            return candidate
    return None


def _event(
    request,
    kind,
    *,
    actor=None,
    system_reason="",
    note="",
    payload=None,
    from_status="",
    to_status="",
):
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor,
        system_reason=system_reason,
        note=note,
        payload=payload or {},
        from_status=from_status,
        to_status=to_status,
    )


def _set_clock(request: InformationRequest, clock: StatutoryClock | None) -> None:
    request.clock = clock.to_dict() if clock else None
    request.due_on = clock.due_date if clock else None


@transaction.atomic
def information_request_submit(
    *,
    kind: str,
    requester_name: str,
    text: str,
    requester_email: str = "",
    requester_address: str = "",
    answer_format: str = AnswerFormat.EMAIL,
    channel: str = Channel.ONLINE,
    user=None,
    on_behalf_of: str = "",
    identity_document_ids=(),
    received_on: date | None = None,
    logged_by=None,
) -> InformationRequest:
    """Receive a request (online, or logged by staff from email or post) and acknowledge it.

    FOI and EIR clocks start on receipt (FOIA s.10(1), EIR reg. 5(2)). A SAR from an account holder
    about themselves is verified by their account and starts at once; any other SAR waits for an
    officer to check identity (UK GDPR Art. 12(6)), and its month runs from that check.
    """
    kind = Kind(kind)
    if not requester_email and not requester_address:
        raise RequestRefused("Enter an email address or a postal address")
    received_on = received_on or timezone.localdate()
    needs_identity = kind == Kind.SAR and (user is None or bool(on_behalf_of))
    prefix = REFERENCE_PREFIX[kind]
    request = InformationRequest(
        reference=reference_next(prefix=prefix, year=received_on.year),
        kind=kind,
        channel=Channel(channel),
        status=Status.AWAITING_IDENTITY if needs_identity else Status.RECEIVED,
        user=user,
        requester_name=requester_name.strip(),
        requester_email=requester_email.strip(),
        requester_address=requester_address.strip(),
        answer_format=AnswerFormat(answer_format),
        text=text.strip(),
        on_behalf_of=on_behalf_of.strip(),
        received_on=received_on,
    )
    if kind == Kind.SAR and not needs_identity:
        request.identity_verified_on = received_on
    _set_clock(request, None if needs_identity else StatutoryClock(received_on, RULES[kind]))
    request.possible_repeat_of = _possible_repeat(
        email=request.requester_email, text=request.text, on=received_on
    )
    request.save()
    _event(
        request,
        RequestEventKind.RECEIVED,
        actor=logged_by or user,
        to_status=request.status,
        payload={
            "channel": request.channel,
            "due_on": request.due_on.isoformat() if request.due_on else None,
        },
    )
    if request.possible_repeat_of:
        _event(
            request,
            RequestEventKind.REPEAT_FLAGGED,
            system_reason="same requester, same or near-identical text within 60 days",
            payload={"earlier": request.possible_repeat_of.reference},
        )
    proofs = Document.objects.filter(
        pk__in=list(identity_document_ids),
        case__isnull=True,
        information_request_link__isnull=True,
    )
    for document in proofs:
        RequestDocument.objects.create(
            request=request, document=document, purpose=RequestDocumentPurpose.IDENTITY
        )
    _acknowledge(request)
    return request


def identity_proof_upload(*, user, upload) -> Document:
    """Keep proof of identity or authority for a SAR, screened and virus-scanned like all evidence.

    Not yet tied to a request (that happens on submission); refused files raise RequestRefused
    with the reason the screening gave. Screening runs outside any transaction, by design of
    document_upload, because it parses the whole file. Without an account (user None) nobody
    can open the file again but FOI staff, so it is kept internal: never exported or published.
    """
    try:
        (document,) = document_upload(
            case=None,
            uploaded_by=user,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[upload],
            internal=user is None,
        )
    except UploadRefused as exc:
        raise RequestRefused(str(exc)) from exc
    if document.status == DocumentStatus.REJECTED:
        raise RequestRefused(document.rejection_reason)
    return document


def _requester_link(request: InformationRequest) -> str:
    if request.user_id:
        return _site_link(reverse("foi:mine_detail", args=[request.reference]))
    return _site_link(reverse("foi:start"))


def _acknowledge(request: InformationRequest) -> None:
    if not request.requester_email:
        return
    if request.due_on:
        template, extra = (
            "information_request_acknowledged",
            {"due_date": _format_date(request.due_on)},
        )
    else:
        template, extra = "information_request_received", {}
    notification_send(
        channel="email",
        to=request.requester_email,
        template=template,
        personalisation={
            "name": request.requester_name,
            "reference": request.reference,
            "link": _requester_link(request),
            **extra,
        },
        reference=f"information-request-{request.pk}",
    )


def _locked(request: InformationRequest) -> InformationRequest:
    return InformationRequest.objects.select_for_update().get(pk=request.pk)


def _transition(request, name, *, actor, note="", payload=None) -> InformationRequest:
    before = request.status
    try:
        request.status = state.apply(before, name)
    except IllegalTransition as exc:
        raise RequestRefused(str(exc)) from exc
    _event(
        request,
        RequestEventKind.STATUS_CHANGED,
        actor=actor,
        from_status=before,
        to_status=request.status,
        note=note,
        payload={"action": name, **(payload or {})},
    )
    return request


def _clock_change(request, change) -> None:
    try:
        _set_clock(request, change(request.statutory_clock))
    except ClockError as exc:
        raise RequestRefused(str(exc)) from exc


@transaction.atomic
def request_identity_verify(
    *, request: InformationRequest, actor, on: date | None = None
) -> InformationRequest:
    """An officer has checked the proof of identity: the SAR month starts today (Art. 12(3))."""
    request = _locked(request)
    on = on or timezone.localdate()
    _transition(request, "verify_identity", actor=actor)
    request.identity_verified_on = on
    request.identity_verified_by = actor
    _set_clock(request, StatutoryClock(on, RULES[Kind(request.kind)]))
    request.save()
    _acknowledge(request)
    return request


@transaction.atomic
def request_assign(*, request: InformationRequest, assignee, actor) -> InformationRequest:
    request = _locked(request)
    if not request.is_open:
        raise RequestRefused("A closed request cannot be assigned")
    if not assignee.has_perm("foi.manage_requests"):
        raise RequestRefused("Requests can only be assigned to FOI officers or managers")
    request.assigned_to = assignee
    if state.can(request.status, "start") and request.status == Status.RECEIVED:
        _transition(request, "start", actor=actor)
    request.save()
    _event(request, RequestEventKind.ASSIGNED, actor=actor, payload={"assignee_id": assignee.pk})
    return request


@transaction.atomic
def request_clarification_ask(
    *, request: InformationRequest, actor, reason: str, on: date | None = None
) -> InformationRequest:
    """Pause the clock while the requester clarifies (FOIA s.1(3), EIR reg. 9, ICO SAR guidance)."""
    request = _locked(request)
    on = on or timezone.localdate()
    _transition(request, "ask_clarification", actor=actor, note=reason)
    _clock_change(request, lambda clock: clock.pause(on, reason))
    request.save()
    return request


@transaction.atomic
def request_clarification_receive(
    *, request: InformationRequest, actor, on: date | None = None
) -> InformationRequest:
    """FOI/EIR: a fresh clock from the reply (FOIA s.10(6)(b)); SAR: resumes where it stopped."""
    request = _locked(request)
    on = on or timezone.localdate()
    _transition(request, "receive_clarification", actor=actor)
    _clock_change(request, lambda clock: clock.resume(on))
    request.save()
    return request


@transaction.atomic
def request_extend(
    *,
    request: InformationRequest,
    actor,
    reason: str,
    on: date | None = None,
    to_working_days: int | None = None,
    by_months: int | None = None,
    notified_on: date | None = None,
) -> InformationRequest:
    """Extend the deadline: FOI s.10(3) public interest, EIR reg. 7(1) to 40 days, SAR Art. 12(3).

    For a SAR the requester must be told within the first month; the date they were told is kept.
    """
    request = _locked(request)
    on = on or timezone.localdate()
    if not request.is_open or request.statutory_clock is None:
        raise RequestRefused("Only an open request with a running clock can be extended")
    kind = Kind(request.kind)
    if kind == Kind.SAR:
        if by_months is None:
            raise RequestRefused("Enter how many months to extend by")
        if notified_on is None:
            raise RequestRefused("Enter the date the requester was told about the extension")
        first_month_due = StatutoryClock(request.statutory_clock.received, SAR_RULE).due_date
        if notified_on > first_month_due:
            raise RequestRefused("The requester must be told within the first month")
        request.extension_notified_on = notified_on
    elif kind == Kind.EIR:
        to_working_days = 40
    elif to_working_days is None:
        raise RequestRefused("Enter the new total number of working days")
    before = request.due_on
    _clock_change(
        request,
        lambda clock: clock.extend(
            on, reason=reason, to_working_days=to_working_days, by_months=by_months
        ),
    )
    request.save()
    _event(
        request,
        RequestEventKind.CLOCK_EXTENDED,
        actor=actor,
        note=reason,
        payload={
            "from": before.isoformat() if before else None,
            "to": request.due_on.isoformat() if request.due_on else None,
            "notified_on": notified_on.isoformat() if notified_on else None,
        },
    )
    # The requester hears the new date (FOIA s.10(3)/s.17(2), EIR reg. 7(2), UK GDPR Art. 12(3));
    # the reasons go in the officer's letter, never in an email notification.
    if request.requester_email:
        notification_send(
            channel="email",
            to=request.requester_email,
            template="information_request_extended",
            personalisation={
                "name": request.requester_name,
                "reference": request.reference,
                "link": _requester_link(request),
                "due_date": _format_date(request.due_on),
            },
            reference=f"information-request-{request.pk}-extended",
        )
    return request


@transaction.atomic
def request_search_record(
    *, request: InformationRequest, actor, searched: str, found: str
) -> RequestEvent:
    """Keep the record of searches the ICO expects when a requester disputes "not held"."""
    request = _locked(request)
    if not request.is_open:
        raise RequestRefused("Searches are recorded while the request is open")
    return _event(
        request,
        RequestEventKind.SEARCH_RECORDED,
        actor=actor,
        note=searched.strip(),
        payload={"found": found.strip()},
    )


@transaction.atomic
def request_exemption_apply(
    *, request: InformationRequest, actor, code: str, public_interest_notes: str = ""
) -> AppliedExemption:
    request = _locked(request)
    code = Exemption(code)
    if not request.is_open:
        raise RequestRefused("Exemptions are applied while the request is open")
    if request.kind == Kind.EIR and code not in EIR_EXCEPTIONS:
        raise RequestRefused("Environmental information is withheld only under an EIR exception")
    if request.kind == Kind.FOI and code in EIR_EXCEPTIONS:
        raise RequestRefused("An EIR exception does not apply to a FOI request")
    if code in PUBLIC_INTEREST_TEST and not public_interest_notes.strip():
        raise RequestRefused("Record the public interest test for a qualified exemption")
    exemption = AppliedExemption.objects.create(
        request=request,
        code=code,
        public_interest_notes=public_interest_notes.strip(),
        applied_by=actor,
    )
    _event(
        request,
        RequestEventKind.EXEMPTION_APPLIED,
        actor=actor,
        note=public_interest_notes.strip(),
        payload={"code": code},
    )
    return exemption


@transaction.atomic
def request_draft_submit(
    *, request: InformationRequest, actor, response_text: str
) -> InformationRequest:
    request = _locked(request)
    if not response_text.strip():
        raise RequestRefused("Enter the response")
    _transition(request, "submit_draft", actor=actor)
    request.response_text = response_text.strip()
    request.drafted_by = actor
    request.signed_off_by = None
    request.save()
    return request


@transaction.atomic
def request_draft_return(*, request: InformationRequest, actor, reason: str) -> InformationRequest:
    request = _locked(request)
    _transition(request, "return_draft", actor=actor, note=reason)
    request.save()
    return request


@transaction.atomic
def request_sign_off(*, request: InformationRequest, actor) -> InformationRequest:
    request = _locked(request)
    try:
        state.check_sign_off(drafted_by_id=request.drafted_by_id, signer_id=actor.pk)
    except IllegalTransition as exc:
        raise RequestRefused(str(exc)) from exc
    _transition(request, "sign_off", actor=actor)
    request.signed_off_by = actor
    request.save()
    return request


@transaction.atomic
def request_send(
    *, request: InformationRequest, actor, on: date | None = None
) -> InformationRequest:
    """Record the response as sent: the clock stops (FOIA s.10(1) is judged on this day)."""
    request = _locked(request)
    on = on or timezone.localdate()
    _transition(request, "send", actor=actor, payload={"sent_on": on.isoformat()})
    _clock_change(request, lambda clock: clock.stop(on, "response sent"))
    # The clock's due date at the stop, kept for performance figures.
    request.due_on = request.statutory_clock.due_date_on(on)
    request.sent_on = on
    request.save()
    if request.requester_email:
        notification_send(
            channel="email",
            to=request.requester_email,
            template="information_request_answered",
            personalisation={
                "name": request.requester_name,
                "reference": request.reference,
                "link": _requester_link(request),
            },
            reference=f"information-request-{request.pk}-sent",
        )
    return request


@transaction.atomic
def request_close(
    *, request: InformationRequest, actor, outcome: str, publish: bool = False, topic: str = ""
) -> InformationRequest:
    request = _locked(request)
    outcome = Outcome(outcome)
    if outcome == Outcome.WITHDRAWN:
        raise RequestRefused("Use withdraw for a withdrawn request")
    if publish and request.kind == Kind.SAR:
        raise RequestRefused("A subject access response is never published")
    _transition(request, "close", actor=actor, payload={"outcome": outcome})
    request.outcome = outcome
    request.closed_on = timezone.localdate()
    request.publish = publish
    request.topic = topic.strip()
    request.save()
    return request


@transaction.atomic
def request_withdraw(
    *, request: InformationRequest, actor, reason: str, on: date | None = None
) -> InformationRequest:
    request = _locked(request)
    on = on or timezone.localdate()
    _transition(request, "withdraw", actor=actor, note=reason)
    if request.statutory_clock is not None:
        # The clock keeps its events in date order: a withdrawal logged on a day before the
        # clock's latest event (a clarification restart, say) stops it on that later day.
        _clock_change(request, lambda clock: clock.stop(max(on, clock.history[-1].on), "withdrawn"))
    request.outcome = Outcome.WITHDRAWN
    request.closed_on = on
    request.save()
    return request


@transaction.atomic
def review_open(
    *, request: InformationRequest, actor, text: str, received_on: date | None = None
) -> InformationRequest:
    """An internal review: a linked request with its own 20 working day clock (s.45 Code)."""
    request = _locked(request)
    received_on = received_on or timezone.localdate()
    if request.sent_on is None:
        raise RequestRefused("An internal review follows a response")
    review = InformationRequest.objects.create(
        reference=reference_next(prefix=REVIEW_PREFIX, year=received_on.year),
        kind=request.kind,
        channel=Channel.EMAIL if request.requester_email else Channel.POST,
        user=request.user,
        requester_name=request.requester_name,
        requester_email=request.requester_email,
        requester_address=request.requester_address,
        answer_format=request.answer_format,
        text=text.strip(),
        received_on=received_on,
        review_of=request,
        clock=StatutoryClock(received_on, FOI_RULE).to_dict(),
        due_on=StatutoryClock(received_on, FOI_RULE).due_date,
    )
    _event(
        review,
        RequestEventKind.RECEIVED,
        actor=actor,
        to_status=review.status,
        payload={"review_of": request.reference},
    )
    _event(
        request, RequestEventKind.REVIEW_OPENED, actor=actor, payload={"review": review.reference}
    )
    _acknowledge(review)
    return review


def request_document_attach(*, request: InformationRequest, upload, actor) -> Document:
    """Staff attach a file, screened and virus-scanned like all evidence: proof of identity
    received by email or post while a SAR waits for its check, otherwise a response attachment."""
    try:
        (document,) = document_upload(
            case=None, uploaded_by=actor, uploader_role=UploaderRole.STAFF, files=[upload]
        )
    except UploadRefused as exc:
        raise RequestRefused(str(exc)) from exc
    purpose = (
        RequestDocumentPurpose.IDENTITY
        if request.status == Status.AWAITING_IDENTITY
        else RequestDocumentPurpose.RESPONSE
    )
    request_documents_link(request=request, documents=[document], purpose=purpose, actor=actor)
    if document.status == DocumentStatus.REJECTED:
        raise RequestRefused(document.rejection_reason)
    return document


@transaction.atomic
def request_documents_link(
    *, request: InformationRequest, documents, purpose: str, actor
) -> list[RequestDocument]:
    """Hold uploaded documents (kept even if refused, to show why) against the request."""
    request = _locked(request)
    links = [
        RequestDocument.objects.create(
            request=request, document=document, purpose=RequestDocumentPurpose(purpose)
        )
        for document in documents
    ]
    _event(
        request,
        RequestEventKind.DOCUMENT_ATTACHED,
        actor=actor,
        payload={"document_ids": [d.pk for d in documents], "purpose": purpose},
    )
    return links


@transaction.atomic
def ico_appeal_record(
    *,
    request: InformationRequest,
    actor,
    received_on: date,
    ico_reference: str,
    ico_outcome: str = "",
) -> InformationRequest:
    request = _locked(request)
    request.ico_received_on = received_on
    request.ico_reference = ico_reference.strip()
    request.ico_outcome = ico_outcome.strip()
    request.save(update_fields=["ico_received_on", "ico_reference", "ico_outcome"])
    _event(
        request,
        RequestEventKind.ICO_APPEAL_RECORDED,
        actor=actor,
        note=request.ico_outcome,
        payload={"received_on": received_on.isoformat(), "reference": request.ico_reference},
    )
    return request


@transaction.atomic
def disclosure_publish(
    *,
    request: InformationRequest,
    actor,
    title: str,
    redacted_text: str,
    confirmed: bool,
    attachment_ids=(),
) -> DisclosureEntry:
    """Publish a closed FOI/EIR response once an officer confirms it holds no personal data."""
    request = _locked(request)
    if not request.publish or request.status != Status.CLOSED or request.kind == Kind.SAR:
        raise RequestRefused(
            "Only closed FOI and EIR responses marked for publication are published"
        )
    if hasattr(request, "disclosure"):
        raise RequestRefused("This response is already in the disclosure log")
    if not confirmed:
        raise RequestRefused("Confirm that the text has been checked for personal data")
    findings = find_personal_data(redacted_text, names=[request.requester_name])
    if findings:
        kinds = sorted({f.label for f in findings})
        raise RequestRefused("The text still contains personal data: " + ", ".join(kinds))
    entry = DisclosureEntry.objects.create(
        request=request,
        reference=request.reference,
        title=title.strip(),
        topic=request.topic,
        response_text=redacted_text.strip(),
        published_on=timezone.localdate(),
        confirmed_by=actor,
    )
    clean = Document.objects.filter(
        pk__in=list(attachment_ids),
        information_request_link__request=request,
        information_request_link__purpose=RequestDocumentPurpose.RESPONSE,
        status=DocumentStatus.CLEAN,
        internal=False,
        deleted_at__isnull=True,
    )
    entry.attachments.set(clean)
    _event(
        request,
        RequestEventKind.PUBLISHED,
        actor=actor,
        payload={"attachments": [d.pk for d in clean]},
    )
    return entry


# Self-service data download (UK GDPR Art. 15(3)) ------------------------------------------------


@transaction.atomic
def data_export_request(*, user) -> DataExport:
    """Start preparing a download of everything held about the user.

    A download asked for within the last hour and still being prepared is reused, so pressing the
    button twice makes one zip; an older one that never finished (its task gave up) is not.
    """
    pending = DataExport.objects.filter(
        user=user,
        status=ExportStatus.PENDING,
        created_at__gte=timezone.now() - EXPORT_PENDING_REUSE,
    ).first()
    if pending:
        return pending
    export = DataExport.objects.create(user=user)
    transaction.on_commit(lambda: tasks.build_data_export.delay(export.pk), robust=True)
    return export


@transaction.atomic
def data_export_download_record(*, request, export: DataExport):
    """Every download of personal data is audited, with the address it went to."""
    return audit_record(
        request=request,
        action="foi.data_export_downloaded",
        obj=export,
        detail={"size": export.size},
    )
