"""Writes for evidence requests to organisations, letters, and decisions with their
recommendations and public summaries. Kept apart from casework.services, which holds the case
itself and its workflow; case status still changes only through case_transition."""

import hashlib
from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from PIL import ImageFile

from casework.documents import document_bytes_delete, document_bytes_store
from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOrganisation,
    CommentParty,
    Decision,
    DecisionOutcome,
    Document,
    DocumentStatus,
    EvidenceRequest,
    EvidenceRequestStatus,
    ProvisionalComment,
    Recommendation,
    RecommendationStatus,
    TextStatus,
    UploaderRole,
)
from casework.redaction import MASKS, redact
from casework.selectors_decisions import case_known_names, case_letters
from casework.state import CaseStatus
from phso.clock import WORKING_DAYS, ClockError, ClockRule, StatutoryClock, add_working_days
from phso.services import notification_send

EVIDENCE_REQUEST_DEFAULT_WORKING_DAYS = 20
# However often it is extended, a request runs at most this long: past it, the ombudsman uses
# its formal powers (e.g. Health Service Commissioners Act 1993 s.12) rather than more time.
EVIDENCE_REQUEST_MAX_WORKING_DAYS = 60
# The reminder goes this many working days before the due date.
EVIDENCE_REQUEST_REMINDER_WORKING_DAYS = 5
PROVISIONAL_COMMENT_WORKING_DAYS = 20
# Decisions are fixed once the final decision is issued; only the public summary moves on.
DECISION_FIXED_STATUSES = {CaseStatus.FINAL_DECISION, CaseStatus.CLOSED}


class _Refused(Exception):
    """A change refused; the message says why, fit for staff. `field` names the input it is
    about, when there is one, so that a form can show the error beside it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class EvidenceRequestRefused(_Refused):
    """The evidence request cannot be changed as asked."""


class DecisionRefused(_Refused):
    """The decision cannot be changed as asked."""


class LetterRefused(_Refused):
    """The letter cannot be sent as asked."""


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _organisation_link() -> str:
    # The organisation portal lists the organisation's requests once its user signs in; the email
    # names only the case reference, so the link carries nothing about the case either.
    return f"{settings.SITE_URL.rstrip('/')}/organisation/"


# Evidence requests -----------------------------------------------------------------------------


def _evidence_rule(working_days: int) -> ClockRule:
    return ClockRule(
        "evidence_request",
        WORKING_DAYS,
        working_days,
        max_amount=max(working_days, EVIDENCE_REQUEST_MAX_WORKING_DAYS),
    )


def evidence_request_period(evidence_request: EvidenceRequest) -> int:
    """The request's current length in working days: as asked, or as last extended."""
    clock = StatutoryClock.from_dict(evidence_request.clock)
    amounts = [event.amount for event in clock.events if event.amount is not None]
    return amounts[-1] if amounts else clock.rule.amount


@transaction.atomic
def evidence_request_create(
    *,
    case: Case,
    organisation,
    description: str,
    actor,
    working_days: int = EVIDENCE_REQUEST_DEFAULT_WORKING_DAYS,
    sent_to: str = "",
) -> EvidenceRequest:
    """Ask one of the case's organisations for evidence, due in `working_days` UK working days.

    The organisation is told by email (when an address is given) that there is a request, with a
    link and the case reference only; what is asked for stays in the service.
    """
    description = description.strip()
    if not description:
        raise EvidenceRequestRefused("Enter what evidence you need", field="description")
    if not CaseOrganisation.objects.filter(case=case, organisation=organisation).exists():
        raise EvidenceRequestRefused(
            f"{organisation.name} is not one of this case's organisations", field="organisation"
        )
    if not 1 <= working_days <= EVIDENCE_REQUEST_MAX_WORKING_DAYS:
        raise EvidenceRequestRefused(
            "The time to respond must be between 1 and "
            f"{EVIDENCE_REQUEST_MAX_WORKING_DAYS} working days",
            field="working_days",
        )
    now = timezone.now()
    today = timezone.localdate(now)
    clock = StatutoryClock(received=today, rule=_evidence_rule(working_days))
    evidence_request = EvidenceRequest.objects.create(
        case=case,
        organisation=organisation,
        description=description,
        sent_to=sent_to.strip(),
        requested_by=actor,
        requested_at=now,
        requested_on=today,
        due_date=clock.due_date,
        clock=clock.to_dict(),
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.EVIDENCE_REQUESTED,
        actor=actor,
        payload={
            "evidence_request_id": evidence_request.pk,
            "organisation_id": organisation.pk,
            "due_date": evidence_request.due_date.isoformat(),
        },
        created_at=now,
    )
    if evidence_request.sent_to:
        notification_send(
            channel="email",
            to=evidence_request.sent_to,
            template="evidence_requested",
            personalisation={"reference": case.reference, "link": _organisation_link()},
            reference=f"evidence-request-{evidence_request.pk}",
        )
    return evidence_request


def _open_request_locked(evidence_request_id: int) -> EvidenceRequest:
    evidence_request = EvidenceRequest.objects.select_for_update().get(pk=evidence_request_id)
    if evidence_request.status != EvidenceRequestStatus.OPEN:
        raise EvidenceRequestRefused(
            f"This request is already {evidence_request.get_status_display().lower()}"
        )
    return evidence_request


@transaction.atomic
def evidence_request_respond(
    *, evidence_request_id: int, received_on: date, actor, note: str = ""
) -> EvidenceRequest:
    """Record that the organisation sent the evidence: met on time if it arrived by the due date,
    otherwise met late. Used by staff for evidence sent by email or post, and by the portal."""
    evidence_request = _open_request_locked(evidence_request_id)
    if received_on > timezone.localdate():
        raise EvidenceRequestRefused(
            "The date the evidence was received must be today or in the past", field="received_on"
        )
    if received_on < evidence_request.requested_on:
        raise EvidenceRequestRefused(
            f"The date the evidence was received must be on or after the date it was requested "
            f"({_long_date(evidence_request.requested_on)})",
            field="received_on",
        )
    clock = StatutoryClock.from_dict(evidence_request.clock).stop(received_on, "evidence received")
    late = received_on > evidence_request.due_date
    evidence_request.status = EvidenceRequestStatus.MET_LATE if late else EvidenceRequestStatus.MET
    evidence_request.responded_at = timezone.now()
    evidence_request.responded_on = received_on
    evidence_request.response_note = note.strip()
    evidence_request.response_recorded_by = actor
    evidence_request.clock = clock.to_dict()
    evidence_request.save()
    CaseEvent.objects.create(
        case_id=evidence_request.case_id,
        kind=CaseEventKind.EVIDENCE_REQUEST_ANSWERED,
        actor=actor,
        payload={
            "evidence_request_id": evidence_request.pk,
            "organisation_id": evidence_request.organisation_id,
            "received_on": received_on.isoformat(),
            "late": late,
        },
    )
    return evidence_request


@transaction.atomic
def evidence_request_extend(
    *, evidence_request_id: int, extra_working_days: int, reason: str, actor
) -> EvidenceRequest:
    """Agree to the organisation's request for more time. The clock keeps the reason; an
    extension is agreed on or before the due date, never to excuse a request already late."""
    evidence_request = _open_request_locked(evidence_request_id)
    if extra_working_days < 1:
        raise EvidenceRequestRefused(
            "Enter how many more working days you have agreed", field="extra_working_days"
        )
    if not reason.strip():
        raise EvidenceRequestRefused(
            "Enter why the organisation asked for more time", field="reason"
        )
    clock = StatutoryClock.from_dict(evidence_request.clock)
    try:
        clock = clock.extend(
            timezone.localdate(),
            reason=reason,
            to_working_days=evidence_request_period(evidence_request) + extra_working_days,
        )
    except ClockError as exc:
        message = str(exc)
        if "due date" in message:
            message = "An extension must be agreed on or before the due date"
        elif "at most" in message:
            message = f"A request can run for at most {clock.rule.max_amount} working days in total"
        raise EvidenceRequestRefused(message, field="extra_working_days") from exc
    previous_due = evidence_request.due_date
    evidence_request.clock = clock.to_dict()
    evidence_request.due_date = clock.due_date
    # The reminder and chaser are about the due date; a new one deserves its own reminder.
    evidence_request.reminder_sent_at = None
    evidence_request.save(update_fields=["clock", "due_date", "reminder_sent_at"])
    CaseEvent.objects.create(
        case_id=evidence_request.case_id,
        kind=CaseEventKind.EVIDENCE_REQUEST_EXTENDED,
        actor=actor,
        reason=reason.strip(),
        payload={
            "evidence_request_id": evidence_request.pk,
            "from_due_date": previous_due.isoformat(),
            "to_due_date": evidence_request.due_date.isoformat(),
        },
    )
    return evidence_request


@transaction.atomic
def evidence_request_withdraw(*, evidence_request_id: int, reason: str, actor) -> EvidenceRequest:
    """Withdraw a request that is no longer needed; it then counts for or against nobody."""
    evidence_request = _open_request_locked(evidence_request_id)
    if not reason.strip():
        raise EvidenceRequestRefused("Enter why the request is being withdrawn", field="reason")
    clock = StatutoryClock.from_dict(evidence_request.clock).stop(
        max(timezone.localdate(), evidence_request.requested_on), "withdrawn"
    )
    evidence_request.status = EvidenceRequestStatus.WITHDRAWN
    evidence_request.clock = clock.to_dict()
    evidence_request.save(update_fields=["status", "clock"])
    CaseEvent.objects.create(
        case_id=evidence_request.case_id,
        kind=CaseEventKind.EVIDENCE_REQUEST_WITHDRAWN,
        actor=actor,
        reason=reason.strip(),
        payload={"evidence_request_id": evidence_request.pk},
    )
    return evidence_request


def _evidence_request_notify(*, evidence_request_id: int, flag: str, template: str, kind) -> bool:
    """Send the reminder or chaser once: the flag is set under the row lock in the same
    transaction, so a task run twice (or by two workers) sends it once."""
    evidence_request = (
        EvidenceRequest.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=evidence_request_id)
    )
    if evidence_request.status != EvidenceRequestStatus.OPEN or getattr(evidence_request, flag):
        return False
    now = timezone.now()
    setattr(evidence_request, flag, now)
    evidence_request.save(update_fields=[flag])
    CaseEvent.objects.create(
        case_id=evidence_request.case_id,
        kind=kind,
        system_reason="evidence_request_reminders",
        payload={
            "evidence_request_id": evidence_request.pk,
            "sent_to": bool(evidence_request.sent_to),
        },
        created_at=now,
    )
    if evidence_request.sent_to:
        notification_send(
            channel="email",
            to=evidence_request.sent_to,
            template=template,
            personalisation={
                "reference": evidence_request.case.reference,
                "link": _organisation_link(),
            },
            reference=f"evidence-request-{evidence_request.pk}-{flag.removesuffix('_sent_at')}",
        )
    return True


@transaction.atomic
def evidence_request_remind(*, evidence_request_id: int) -> bool:
    return _evidence_request_notify(
        evidence_request_id=evidence_request_id,
        flag="reminder_sent_at",
        template="evidence_request_reminder",
        kind=CaseEventKind.EVIDENCE_REQUEST_REMINDED,
    )


@transaction.atomic
def evidence_request_chase(*, evidence_request_id: int) -> bool:
    return _evidence_request_notify(
        evidence_request_id=evidence_request_id,
        flag="chaser_sent_at",
        template="evidence_request_overdue",
        kind=CaseEventKind.EVIDENCE_REQUEST_CHASED,
    )


def evidence_request_reminders_send(*, today: date) -> dict:
    """Remind organisations of requests due soon and chase those overdue, each request once.

    Each request is its own transaction, so one failure does not hold back the others' emails.
    """
    soon = add_working_days(today, EVIDENCE_REQUEST_REMINDER_WORKING_DAYS)
    chase_ids = list(
        EvidenceRequest.objects.due_for_chaser(today=today).values_list("pk", flat=True)
    )
    # An overdue request gets the chaser, not a reminder that it is due soon as well.
    remind_ids = list(
        EvidenceRequest.objects.due_for_reminder(last_due_date=soon)
        .filter(due_date__gte=today)
        .values_list("pk", flat=True)
    )
    reminded = sum(evidence_request_remind(evidence_request_id=pk) for pk in remind_ids)
    chased = sum(evidence_request_chase(evidence_request_id=pk) for pk in chase_ids)
    return {"reminded": reminded, "chased": chased}


# Decisions ------------------------------------------------------------------------------------


def _decision_locked(case: Case, actor) -> Decision:
    Decision.objects.get_or_create(case=case, defaults={"updated_by": actor})
    return Decision.objects.select_for_update().get(case=case)


def _case_status(case: Case) -> str:
    return Case.objects.values_list("status", flat=True).get(pk=case.pk)


@transaction.atomic
def decision_record(*, case: Case, actor, outcome: str, findings: str, reasons: str) -> Decision:
    """Write or revise the decision: outcome, findings and reasons. Fixed once issued as final."""
    if _case_status(case) in DECISION_FIXED_STATUSES:
        raise DecisionRefused("The final decision has been issued: it can no longer be changed")
    if outcome and outcome not in DecisionOutcome.values:
        raise DecisionRefused("Select the outcome of the decision", field="outcome")
    decision = _decision_locked(case, actor)
    decision.outcome = outcome
    decision.findings = findings.strip()
    decision.reasons = reasons.strip()
    decision.updated_by = actor
    decision.save()
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.DECISION_RECORDED, actor=actor, payload={"outcome": outcome}
    )
    return decision


@transaction.atomic
def provisional_report_share(
    *, case: Case, actor, report: str, working_days: int = PROVISIONAL_COMMENT_WORKING_DAYS
) -> Decision:
    """Share the provisional report with the complainant and the organisations for comments,
    due in `working_days` UK working days from today."""
    report = report.strip()
    if not report:
        raise DecisionRefused("Enter the provisional report", field="report")
    if _case_status(case) not in {CaseStatus.INVESTIGATION, CaseStatus.PROVISIONAL_DECISION}:
        raise DecisionRefused(
            "A provisional report can only be shared while the case is being investigated "
            "or has a provisional decision"
        )
    decision = _decision_locked(case, actor)
    now = timezone.now()
    decision.provisional_report = report
    decision.provisional_shared_at = now
    decision.comments_due = add_working_days(timezone.localdate(now), working_days)
    decision.updated_by = actor
    decision.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.PROVISIONAL_REPORT_SHARED,
        actor=actor,
        payload={"comments_due": decision.comments_due.isoformat()},
        created_at=now,
    )
    return decision


@transaction.atomic
def provisional_comment_record(
    *, case: Case, actor, party: str, body: str, received_on: date, organisation=None
) -> ProvisionalComment:
    """Record a party's comments on the provisional report, if they arrived by the deadline."""
    decision = Decision.objects.filter(case=case).first()
    if decision is None or decision.provisional_shared_at is None:
        raise DecisionRefused("The provisional report has not been shared yet")
    body = body.strip()
    if not body:
        raise DecisionRefused("Enter the comments", field="body")
    if received_on > timezone.localdate():
        raise DecisionRefused(
            "The date the comments were received must be today or in the past", field="received_on"
        )
    if received_on > decision.comments_due:
        raise DecisionRefused(
            f"Comments had to reach us by {_long_date(decision.comments_due)}. These arrived on "
            f"{_long_date(received_on)}, after the deadline, so they cannot be recorded as "
            "comments on the provisional report",
            field="received_on",
        )
    party = CommentParty(party)
    if party == CommentParty.ORGANISATION:
        if (
            organisation is None
            or not CaseOrganisation.objects.filter(case=case, organisation=organisation).exists()
        ):
            raise DecisionRefused(
                "Select which of the case's organisations commented", field="party"
            )
    else:
        organisation = None
    comment = ProvisionalComment.objects.create(
        decision=decision,
        party=party,
        organisation=organisation,
        body=body,
        received_on=received_on,
        recorded_by=actor,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.PROVISIONAL_COMMENTS_RECEIVED,
        actor=actor,
        payload={"comment_id": comment.pk, "party": party.value},
    )
    return comment


@transaction.atomic
def recommendation_add(
    *, case: Case, actor, organisation, text: str, due_date: date
) -> Recommendation:
    """Recommend what an organisation should do to put things right, and by when."""
    text = text.strip()
    if not text:
        raise DecisionRefused("Enter the recommendation", field="text")
    if not CaseOrganisation.objects.filter(case=case, organisation=organisation).exists():
        raise DecisionRefused(
            f"{organisation.name} is not one of this case's organisations", field="organisation"
        )
    if due_date <= timezone.localdate():
        raise DecisionRefused(
            "The date the recommendation is due must be in the future", field="due_date"
        )
    decision = _decision_locked(case, actor)
    recommendation = Recommendation.objects.create(
        decision=decision, organisation=organisation, text=text, due_date=due_date, created_by=actor
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.RECOMMENDATION_MADE,
        actor=actor,
        payload={"recommendation_id": recommendation.pk, "due_date": due_date.isoformat()},
    )
    return recommendation


@transaction.atomic
def recommendation_compliance_record(
    *, recommendation_id: int, actor, complied: bool, note: str = "", evidence_ids=()
) -> Recommendation:
    """Record whether the organisation did what was recommended, with the documents that show it.

    Compliance needs evidence (a document on the case); non-compliance needs a note saying what
    happened, because it is reported to Parliament.
    """
    recommendation = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=recommendation_id)
    )
    if recommendation.status != RecommendationStatus.PENDING:
        raise DecisionRefused(
            f"Compliance was already recorded: {recommendation.get_status_display().lower()}"
        )
    case_id = recommendation.decision.case_id
    evidence = list(Document.objects.usable().filter(case_id=case_id, pk__in=list(evidence_ids)))
    if len(evidence) != len(set(evidence_ids)):
        raise DecisionRefused(
            "Select documents on this case that are ready to open", field="evidence"
        )
    if complied and not evidence:
        raise DecisionRefused(
            "Select the documents that show the recommendation was complied with", field="evidence"
        )
    if not complied and not note.strip():
        raise DecisionRefused("Enter what the organisation did instead", field="note")
    recommendation.status = (
        RecommendationStatus.COMPLIED if complied else RecommendationStatus.NOT_COMPLIED
    )
    recommendation.compliance_note = note.strip()
    recommendation.decided_at = timezone.now()
    recommendation.decided_by = actor
    recommendation.save()
    recommendation.evidence.set(evidence)
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEventKind.RECOMMENDATION_COMPLIANCE,
        actor=actor,
        payload={"recommendation_id": recommendation.pk, "status": recommendation.status},
    )
    return recommendation


@transaction.atomic
def decision_summary_redact(*, case: Case, actor, public_summary: str) -> Decision:
    """Write the public summary and mask what redaction finds in it. A new summary must be
    confirmed by a person again before it can be published."""
    public_summary = public_summary.strip()
    if not public_summary:
        raise DecisionRefused("Enter the public summary", field="public_summary")
    decision = _decision_locked(case, actor)
    if decision.is_published:
        raise DecisionRefused("The decision is published: unpublish it before changing the summary")
    result = redact(public_summary, known_names=case_known_names(case))
    decision.public_summary = public_summary
    decision.redacted_summary = result.text
    decision.redaction_findings = [f.to_dict() for f in result.findings]
    decision.redaction_confirmed_at = None
    decision.redaction_confirmed_by = None
    decision.updated_by = actor
    decision.save()
    return decision


@transaction.atomic
def decision_redaction_confirm(*, case: Case, actor, redacted_summary: str) -> Decision:
    """A person confirms the redacted summary (which they may have masked further by hand).

    Checked once more, so an edit cannot put back what redaction took out."""
    decision = _decision_locked(case, actor)
    redacted_summary = redacted_summary.strip()
    if not decision.redacted_summary or not redacted_summary:
        raise DecisionRefused("Enter the public summary and check its redaction first")
    leftover = [
        f
        for f in redact(redacted_summary, known_names=case_known_names(case)).findings
        if f.text not in MASKS.values()
    ]
    if leftover:
        kinds = ", ".join(sorted({f.kind.replace("_", " ") for f in leftover}))
        raise DecisionRefused(
            f"The summary still contains personal data ({kinds}): mask it before confirming"
        )
    decision.redacted_summary = redacted_summary
    decision.redaction_confirmed_at = timezone.now()
    decision.redaction_confirmed_by = actor
    decision.updated_by = actor
    decision.save()
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.DECISION_REDACTION_CONFIRMED, actor=actor, payload={}
    )
    return decision


@transaction.atomic
def decision_publish(*, case: Case, actor) -> Decision:
    """Publish the decision's confirmed redacted summary, once the final decision is issued."""
    decision = _decision_locked(case, actor)
    if decision.redaction_confirmed_at is None:
        raise DecisionRefused("Confirm the redacted public summary before publishing the decision")
    if _case_status(case) not in DECISION_FIXED_STATUSES:
        raise DecisionRefused("Issue the final decision before publishing it")
    if decision.is_published:
        return decision
    decision.published_at = timezone.now()
    decision.published_by = actor
    decision.updated_by = actor
    decision.save()
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.DECISION_PUBLISHED, actor=actor, payload={}
    )
    return decision


# Letters ----------------------------------------------------------------------------------------


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    INFORMATION_REQUEST = "information_request", "Request for information"
    PROVISIONAL_DECISION = "provisional_decision", "Provisional decision"
    FINAL_DECISION = "final_decision", "Final decision"


def letter_context(*, case: Case, kind: str) -> dict:
    """The merge fields a letter may use: the case, its people and organisations, the decision."""
    case = Case.objects.select_related("complainant").get(pk=case.pk)
    return {
        "kind": LetterKind(kind),
        "case": case,
        "complainant": case.complainant,
        "organisations": [
            link.organisation for link in case.case_organisations.select_related("organisation")
        ],
        "decision": Decision.objects.filter(case=case).first(),
        "evidence_requests": list(case.evidence_requests.open().select_related("organisation")),
        "today": timezone.localdate(),
    }


def letter_html(*, case: Case, kind: str) -> str:
    return render_to_string(
        f"casework/letters/{LetterKind(kind).value}.html", letter_context(case=case, kind=kind)
    )


def letter_pdf(html: str) -> bytes:
    # WeasyPrint takes seconds to import: loaded when the first letter is made, not at start-up.
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process. Evidence
    # screening relies on truncated images being refused, and letters carry no images: switch it
    # back (on every call: the first import may have happened anywhere).
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    # No base_url: a letter template can reach no file or address outside itself.
    return HTML(string=html).write_pdf()


@transaction.atomic
def letter_generate(*, case: Case, kind: str, actor) -> Document:
    """Render the letter to PDF and file it on the case as a document, with an event.

    Made by the service itself, so it is filed clean without a virus scan. It is filed as
    internal: a generated letter is a draft until it is sent, and the complainant sees a letter
    on their case only once staff share it (by changing `internal`, when the letter is sent).
    """
    kind = LetterKind(kind)
    html = letter_html(case=case, kind=kind)
    pdf = letter_pdf(html)
    now = timezone.now()
    document = Document(
        case=case,
        uploaded_by=actor,
        uploader_role=UploaderRole.STAFF,
        original_filename=(
            f"{case.reference} {kind.label.lower()} letter {timezone.localdate(now):%Y-%m-%d}.pdf"
        ),
        size=len(pdf),
        content_type="application/pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
        internal=True,
        status=DocumentStatus.CLEAN,
        scanned_at=now,
        text_status=TextStatus.EXTRACTED,
        extracted_text=" ".join(strip_tags(html).split()),
        created_at=now,
    )
    document.storage_key = document_bytes_store(key=document.storage_key, content=pdf)
    try:
        document.save()
    except Exception:
        document_bytes_delete(key=document.storage_key)
        raise
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.LETTER_GENERATED,
        actor=actor,
        payload={"document_id": document.pk, "letter": kind.value},
        created_at=now,
    )
    return document


@transaction.atomic
def letter_send(*, case: Case, document_id: int, actor) -> Document:
    """Send a filed letter to the complainant: they can open it on their case from now on, and
    are emailed (a link, never the letter) to say it is there.

    A generated letter is internal (a draft) until this is done, and it is done once: the row is
    locked, so a double click or a second caseworker sends it once. LetterRefused when the letter
    has already gone, or the case has no complainant with an account to read it.
    """
    document = case_letters(case).select_for_update(of=("self",)).filter(pk=document_id).first()
    if document is None:
        raise Document.DoesNotExist(f"No letter {document_id} on case {case.reference}")
    if not document.internal:
        raise LetterRefused(f"{document.original_filename} has already been sent.")
    complainant = case.complainant
    if complainant is None:
        raise LetterRefused(
            "This case has no complainant with an account to send the letter to: print it and "
            "post it."
        )
    document.internal = False
    document.save(update_fields=["internal"])
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.LETTER_SENT,
        actor=actor,
        payload={"document_id": document.pk},
    )
    if complainant.email:
        notification_send(
            channel="email",
            to=complainant.email,
            template="new_letter",
            personalisation={
                "name": complainant.full_name,
                "reference": case.reference,
                "link": f"{settings.SITE_URL}/complaints/cases/{case.reference}/letters",
            },
            reference=f"letter-{event.pk}",
        )
    return document
