"""Writes to complaints."""

import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Constituency
from casework.models import Case, CaseKind, Document, DocumentStatus, UploaderRole
from casework.services import case_create, document_delete, document_upload
from complaints.checker import Answers, Decision, Question, aware_months_bucket
from complaints.drafts import (
    RETURN_LINK_DAYS,
    RETURN_LINKS_PER_DAY,
    draft_keep_period,
    return_link_problem,
    session_period,
    token_hash,
)
from complaints.journey import PARLIAMENTARY, STEPS, Journey
from complaints.models import (
    CheckerResult,
    ComplaintDetails,
    ComplaintDraft,
    DraftDocument,
    DraftReturnLink,
    EqualityMonitoring,
)
from phso.services import notification_send


@transaction.atomic
def checker_result_record(
    *, token: uuid.UUID, answers: Answers, decision: Decision, today: date
) -> CheckerResult:
    """Keep the anonymous result of a finished check: one row per check, however often it ends.

    Only answers on the route taken are kept, and never the late reason's text or a postcode.
    """
    if not decision.complete:
        raise ValueError("Only a finished check has a result to record")
    asked = set(decision.path)

    def kept(question, value, empty=""):
        return value if question in asked and value is not None else empty

    values = {
        "organisation_type": answers.organisation_type,
        "nation": kept(Question.NATION, answers.nation),
        "organisation_id": kept(Question.ORGANISATION, answers.organisation_id, None),
        "complained": kept(Question.COMPLAINED, answers.complained),
        "waited_over_six_months": kept(Question.WAITED, answers.waited_over_six_months, None),
        "aware_months": aware_months_bucket(
            kept(Question.AWARE, answers.aware_on, None), today=today
        ),
        "late_reason_given": Question.LATE_REASON in asked and bool(answers.late_reason),
        "outcome": decision.outcome,
        "signpost": decision.signpost or "",
        "constituency_code": kept(Question.MP, answers.constituency_code),
    }
    result, created = CheckerResult.objects.select_for_update().get_or_create(
        token=token,
        defaults={
            **values,
            "created_at": timezone.now().replace(minute=0, second=0, microsecond=0),
        },
    )
    changed = [name for name, value in values.items() if getattr(result, name) != value]
    if not created and changed:
        for name in changed:
            setattr(result, name, values[name])
        result.save(update_fields=changed)
    return result


# --- The guided complaint form ----------------------------------------------------------------


class DraftAlreadySent(Exception):
    """The draft became a complaint: its answers can no longer change."""


class ComplaintNotReady(Exception):
    """The draft cannot be sent yet; the message says why."""


class AnswersChanged(Exception):
    """The answers changed after the page that sends them was shown (in another tab, say)."""


class ReturnLinkRefused(Exception):
    """No link was sent; the message is for the person."""


class ReturnLinkUnusable(Exception):
    def __init__(self, problem: str):
        super().__init__(f"The return link is {problem}")
        self.problem = problem


def _draft_expiry(*, owned: bool, now, current=None):
    if owned:
        return now + draft_keep_period()
    # Someone who has not signed in can only come back through this session, or through a link
    # they asked for: a draft nobody can reach again is not kept for longer than that.
    return max(current or now, now + session_period())


@transaction.atomic
def complaint_draft_start(*, owner=None, answers=None) -> ComplaintDraft:
    """A new draft, for an account or (owner None) for the browser session that started it."""
    now = timezone.now()
    owner = owner if owner is not None and owner.is_authenticated else None
    return ComplaintDraft.objects.create(
        owner=owner,
        answers=dict(answers or {}),
        created_at=now,
        updated_at=now,
        expires_at=_draft_expiry(owned=owner is not None, now=now),
    )


@transaction.atomic
def complaint_draft_answer_save(
    *, draft: ComplaintDraft, step: str, answer: dict, current_step: str
) -> ComplaintDraft:
    """Keep one page's answer (already checked by its form) and where the person goes next."""
    if step not in STEPS or not isinstance(answer, dict):
        raise ValueError(f"{step!r} is not a page of the complaint form")
    draft = ComplaintDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.submitted:
        raise DraftAlreadySent("This complaint has already been sent")
    now = timezone.now()
    draft.answers = {**draft.answers, step: answer}
    draft.current_step = current_step
    draft.submission_token = uuid.uuid4()
    draft.updated_at = now
    draft.expires_at = _draft_expiry(
        owned=draft.owner_id is not None, now=now, current=draft.expires_at
    )
    draft.save(
        update_fields=["answers", "current_step", "submission_token", "updated_at", "expires_at"]
    )
    return draft


@transaction.atomic
def complaint_draft_claim(*, draft: ComplaintDraft, user) -> ComplaintDraft:
    """Attach a session's draft to the account just signed in to, so it outlives the session."""
    draft = ComplaintDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.owner_id == user.pk:
        return draft
    if draft.owner_id is not None:
        raise PermissionDenied("This draft belongs to someone else")
    now = timezone.now()
    draft.owner = user
    draft.expires_at = max(draft.expires_at, _draft_expiry(owned=True, now=now))
    draft.save(update_fields=["owner", "expires_at"])
    # The account is the way back in now; a link in an inbox must not open it for anyone else.
    draft.return_links.filter(used_at__isnull=True).update(expires_at=now)
    return draft


@transaction.atomic
def complaint_drafts_claim(*, public_ids, user) -> int:
    """Attach the drafts a browser holds to the account just signed in to; how many there were."""
    now = timezone.now()
    ids = list(
        ComplaintDraft.objects.in_progress(now)
        .select_for_update()
        .filter(owner__isnull=True, public_id__in=public_ids)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    DraftReturnLink.objects.filter(draft_id__in=ids, used_at__isnull=True).update(expires_at=now)
    return ComplaintDraft.objects.filter(pk__in=ids).update(
        owner=user, expires_at=Greatest(F("expires_at"), _draft_expiry(owned=True, now=now))
    )


@transaction.atomic
def draft_return_link_send(*, draft: ComplaintDraft, email: str) -> DraftReturnLink:
    """Email a single-use link that restores this draft; only the token's hash is kept."""
    draft = ComplaintDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.owner_id is not None or draft.submitted:
        raise ValueError("Only a draft kept by a browser session is saved with a link")
    now = timezone.now()
    sent_today = draft.return_links.filter(created_at__gt=now - timedelta(days=1)).count()
    if sent_today >= RETURN_LINKS_PER_DAY:
        raise ReturnLinkRefused(
            "You have asked for too many links today. Use the newest link we sent you, or try "
            "again tomorrow"
        )
    # Only the newest link works, so an older email left in an inbox is no way in.
    draft.return_links.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = DraftReturnLink.objects.create(
        draft=draft,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=RETURN_LINK_DAYS),
    )
    draft.expires_at = max(draft.expires_at, now + draft_keep_period())
    draft.save(update_fields=["expires_at"])
    path = reverse("complaint_form:return", kwargs={"token": token})
    notification_send(
        channel="email",
        to=email,
        template="complaint_draft_return",
        personalisation={"link": f"{settings.SITE_URL.rstrip('/')}{path}"},
        reference=f"draft-return-{link.pk}",
    )
    return link


@transaction.atomic
def draft_return_link_use(*, token: str) -> ComplaintDraft:
    """Spend a return link and give back its draft; ReturnLinkUnusable if it cannot be used."""
    now = timezone.now()
    link = (
        DraftReturnLink.objects.select_for_update()
        .select_related("draft")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    problem = return_link_problem(link, now=now)
    if problem:
        raise ReturnLinkUnusable(problem)
    link.used_at = now
    link.save(update_fields=["used_at"])
    return link.draft


@transaction.atomic
def complaint_submit(*, draft: ComplaintDraft, user, submission_token=None) -> Case:
    """Send a finished draft: one case, its details and equality answers, and an acknowledgement.

    Idempotent: the draft row is locked, and a draft already sent returns its case, so a double
    click, a resubmitted form or two tabs make one case. With submission_token, answers changed
    since that token was issued are refused (AnswersChanged) rather than sent unseen.
    """
    draft = ComplaintDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.owner_id not in (None, user.pk):
        raise PermissionDenied("This draft belongs to someone else")
    if draft.case_id is not None:
        return draft.case
    if submission_token is not None and str(submission_token) != str(draft.submission_token):
        raise AnswersChanged("Your answers have changed since this page was shown")
    journey = Journey(draft.answers, today=timezone.localdate())
    if journey.answers.kind == PARLIAMENTARY:
        raise ComplaintNotReady(
            "An MP must send us a complaint about a government department or public body"
        )
    if not journey.complete:
        raise ComplaintNotReady("Complete every section before you send your complaint")
    complaint = journey.complaint()
    case = case_create(
        kind=CaseKind(complaint.kind),
        complainant=user,
        summary=complaint.summary,
        patient_nhs_number=complaint.patient_nhs_number,
        organisations=complaint.organisations,
        constituency=Constituency.objects.filter(code=complaint.constituency_code).first()
        if complaint.constituency_code
        else None,
        local_authority_code=complaint.local_authority_code,
        system_reason="complaint_submit",
    )
    ComplaintDetails.objects.create(case=case, **complaint.details)
    draft_documents_attach(draft=draft, case=case)
    EqualityMonitoring.objects.create(case=case, **complaint.equality)
    now = timezone.now()
    draft.owner = user
    draft.case = case
    draft.submitted_at = now
    # The case holds the answers now; the draft keeps only what makes a resubmission harmless.
    draft.answers = {}
    draft.current_step = ""
    draft.save(update_fields=["owner", "case", "submitted_at", "answers", "current_step"])
    notification_send(
        channel="email",
        to=user.email,
        template="complaint_received",
        personalisation={
            "name": complaint.details["full_name"],
            "reference": case.reference,
            "link": f"{settings.SITE_URL.rstrip('/')}/complaints/cases/{case.reference}",
        },
        reference=f"complaint-{case.pk}",
    )
    return case


@transaction.atomic
def complaint_drafts_purge(*, now=None) -> int:
    """Delete drafts past their keeping period (sent or not), with their return links.

    Files uploaded to a draft that was never sent belong to no case, so nothing else would ever
    remove them: they are marked deleted, due for purging at once, and the evidence purge
    (casework.tasks.purge_deleted_documents) removes their bytes and text. Files of a sent draft
    are on the case and stay.
    """
    now = now or timezone.now()
    expired = ComplaintDraft.objects.expired(now)
    Document.objects.filter(
        draft_link__draft__in=expired, case__isnull=True, deleted_at__isnull=True
    ).update(deleted_at=now, purge_after=now)
    deleted, _ = expired.delete()
    return deleted


# --- Files uploaded on the pages of the guided form -------------------------------------------


def draft_document_upload(*, draft: ComplaintDraft, user, purpose, files) -> list[Document]:
    """Screen and keep files for a draft (no case yet), each linked to it for one purpose.

    Only the draft's signed-in owner uploads: the files count against their own allowance. Raises
    UploadRefused (casework.services), with nothing kept, when there are no files or too many.
    """
    if not user.is_authenticated or draft.owner_id != user.pk:
        raise PermissionDenied("Only the person writing this complaint can add files to it")
    if draft.submitted:
        raise DraftAlreadySent("This complaint has already been sent")
    with transaction.atomic():
        documents = document_upload(
            case=None,
            uploaded_by=user,
            uploader_role=UploaderRole.COMPLAINANT,
            files=files,
        )
        DraftDocument.objects.bulk_create(
            [DraftDocument(draft=draft, document=d, purpose=purpose) for d in documents]
        )
    return documents


@transaction.atomic
def draft_document_remove(*, draft: ComplaintDraft, user, document: Document) -> Document:
    """Take a file off a draft before it is sent: soft-deleted, so it can never join the case."""
    draft = ComplaintDraft.objects.select_for_update().get(pk=draft.pk)
    if (
        draft.owner_id != user.pk
        or not DraftDocument.objects.filter(draft=draft, document=document).exists()
    ):
        raise PermissionDenied("This file is not part of your complaint")
    if draft.submitted:
        raise DraftAlreadySent("This complaint has already been sent")
    return document_delete(document=document, actor=user)


def draft_documents_attach(*, draft: ComplaintDraft, case: Case) -> int:
    """Move the draft's own files onto its new case; call inside the transaction that sends it.

    Refused and removed files stay off the case. Returns how many files joined the case.
    """
    return (
        Document.objects.filter(draft_link__draft=draft, case__isnull=True)
        .exclude(status=DocumentStatus.REJECTED)
        .filter(deleted_at__isnull=True)
        .update(case=case)
    )
