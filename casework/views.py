import logging
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from casework.coding.statuses import PRESENT
from casework.documents import document_bytes_open
from casework.evidence.filenames import rfc6266_content_disposition
from casework.filters import CaseFilterForm
from casework.forms import (
    AssignForm,
    BulkAssignForm,
    CaseLinkForm,
    DemographicsForm,
    NoteForm,
    PdsDecisionForm,
    PersonMergeForm,
    PersonMergeReverseForm,
    PersonSearchForm,
    StaffDocumentUploadForm,
    StaffMessageForm,
    TransitionForm,
)
from casework.models import (
    OPEN_STATUS_VALUES,
    Case,
    CodeReview,
    Document,
    DocumentStatus,
    Message,
    MessageParty,
    PdsMatchStatus,
    PersonMerge,
    Team,
    UploaderRole,
)
from casework.selectors import (
    QUEUES,
    REASON_NEEDED,
    SORTS,
    assignable_staff,
    audit_rows_with_people,
    case_audit_trail,
    case_clock,
    case_equality_information,
    case_likely_duplicates,
    case_missing_for,
    case_timeline,
    person_holdings,
    person_merge_candidates,
    person_merges,
    person_records,
    queue_cases,
    queue_counts,
    team_workload,
    user_activity,
)
from casework.services import (
    AssignmentRefused,
    CaseIncomplete,
    LinkRefused,
    MergeRefused,
    ReassignReasonMissing,
    StaleCase,
    StaleDecision,
    UploadRefused,
    audit_record,
    case_actions_available,
    case_assign,
    case_demographics_record,
    case_link,
    case_note_add,
    case_organisation_confirm,
    case_page_view_record,
    case_transition,
    cases_assign,
    document_delete,
    document_upload,
    message_send,
    pds_match_decide,
    person_merge,
    person_merge_reverse,
)
from casework.state import CaseAction, CaseStatus, IllegalTransition

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    """Staff area home: the user's workload. StaffSecondFactorMiddleware has already required
    staff + verified TOTP; analysts and FOI officers, who work no cases, see no queues."""
    context = {}
    if request.user.has_perm("casework.view_case_queue"):
        today = timezone.localdate()
        counts = queue_counts(user=request.user, today=today)
        context = {
            "queues": [(queue, counts[slug]) for slug, queue in QUEUES.items()],
            "my_overdue": Case.objects.open().assigned_to(request.user).overdue(today).count(),
            "my_teams": list(request.user.teams.all()),
        }
    return render(request, "casework/home.html", context)


def case_for_staff(request, reference, *, related: tuple[str, ...] = ()) -> Case:
    """The one way staff views fetch a case: 404 for anything the user may not see. `related`
    names one-to-one relations the page reads, fetched in the same query."""
    if not request.user.has_perm("casework.view_case_queue"):
        raise PermissionDenied("Only caseworkers and managers can open cases.")
    cases = Case.objects.visible_to(request.user).select_related(*related)
    return get_object_or_404(cases, reference=reference)


def case_to_work(
    request, reference, message="Only caseworkers and managers can work cases."
) -> Case:
    """case_for_staff, then 403 unless the user may work the case (change it, not only read it)."""
    case = case_for_staff(request, reference)
    if not request.user.has_perm("casework.work_case", case):
        raise PermissionDenied(message)
    return case


@require_http_methods(["GET", "POST"])
def pds_match(request, reference):
    case = case_for_staff(request, reference)
    match = case.pds_matches.select_related("decided_by").first()
    form = PdsDecisionForm(request.POST or None)
    if request.method == "POST" and match is not None and form.is_valid():
        try:
            pds_match_decide(
                match_id=match.pk,
                actor=request.user,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"].strip(),
            )
        except StaleDecision as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your decision about the NHS patient record has been saved.")
        return redirect("casework:pds_match", reference=case.reference)
    return render(
        request,
        "casework/pds_match.html",
        {
            "case": case,
            "match": match,
            "form": form,
            "pending": match is not None and match.status == PdsMatchStatus.PENDING,
        },
    )


# Documents: uploads, downloads and the scanner's queue.

# Documents pending longer than this suggest the virus scanner is behind or stopped.
SCAN_BEHIND_AFTER = timedelta(minutes=10)
PENDING_LIST_LIMIT = 200
# Served documents may not run script, load anything or be framed, whatever is in them.
DOCUMENT_CSP = "sandbox; default-src 'none'"


class _CutOffDetector(FileUploadHandler):
    """Notices a request body that ends inside a file: Django drops that file without a word."""

    def __init__(self, request=None):
        super().__init__(request)
        self.cut_off = False

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None

    def upload_interrupted(self):
        self.cut_off = True


def upload_view(view):
    """For views that take files: an upload cut off part-way keeps nothing and says so plainly.

    Django keeps the files that arrived whole and drops the one cut off, and reading the body of a
    client that went away can raise: either way the view is not called and nothing is stored.
    Upload handlers cannot change once the body is read, and the CSRF check reads it, so the body
    is read here first (csrf_exempt) and the view itself is still CSRF-protected.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            detector = _CutOffDetector(request)
            request.upload_handlers.insert(0, detector)
            try:
                request.POST  # noqa: B018 - reading parses the body, with the detector in place
                request.FILES  # noqa: B018
            except (UnreadablePostError, MultiPartParserError):
                detector.cut_off = True
            if detector.cut_off:
                return render(
                    request,
                    "casework/documents/upload_interrupted.html",
                    {"back_url": request.path},
                    status=400,
                )
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def document_file_response(document: Document, *, inline: bool = False) -> FileResponse:
    """The stored bytes with headers that stop a browser running or sniffing anything in them."""
    try:
        stream = document_bytes_open(document)
    except FileNotFoundError:
        logger.error("Document %s is clean but its bytes are missing", document.pk)
        raise Http404("No document found") from None
    content_type = document.content_type or "application/octet-stream"
    response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = rfc6266_content_disposition(
        document.original_filename, disposition="inline" if inline else "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response


def uploaded_ids(request) -> list[int]:
    """The document ids an upload results page was sent to show (its own documents only)."""
    ids = []
    for value in request.GET.getlist("d")[:50]:
        if value.isdigit():
            ids.append(int(value))
    return ids


def uploaded_url(url: str, documents) -> str:
    return f"{url}?{urlencode([('d', d.pk) for d in documents])}"


def _staff_document(request, case, document_id, *, usable=True) -> Document:
    documents = Document.objects.visible_to(request.user).filter(case=case)
    documents = documents.usable() if usable else documents.not_deleted()
    return get_object_or_404(documents, pk=document_id)


@upload_view
@require_http_methods(["GET", "POST"])
def case_documents(request, reference):
    """A case's documents, and the form staff upload more with."""
    case = case_for_staff(request, reference)
    posted = request.method == "POST"
    form = StaffDocumentUploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        try:
            documents = document_upload(
                case=case,
                uploaded_by=request.user,
                uploader_role=UploaderRole.STAFF,
                files=form.cleaned_data["files"],
                sensitivity=form.cleaned_data["sensitivity"],
                internal=not form.cleaned_data["shared_with_complainant"],
            )
        except UploadRefused as exc:
            form.add_error("files", str(exc))
        else:
            url = reverse("casework:case_documents_uploaded", kwargs={"reference": case.reference})
            return redirect(uploaded_url(url, documents))
    documents = case.documents.not_deleted().select_related("uploaded_by")
    return render(
        request,
        "casework/documents/list.html",
        {"case": case, "documents": documents, "form": form},
    )


@require_safe
def case_documents_uploaded(request, reference):
    """What became of each file in an upload; reloading shows the latest scan results."""
    case = case_for_staff(request, reference)
    documents = list(
        Document.objects.visible_to(request.user)
        .filter(case=case, uploaded_by=request.user, pk__in=uploaded_ids(request))
        .order_by("id")
    )
    return render(
        request,
        "casework/documents/uploaded.html",
        {"case": case, "documents": documents, **upload_outcome(documents)},
    )


def upload_outcome(documents) -> dict:
    """What the results page's heading says: whether any (or all) files were refused or wait."""
    documents = list(documents)
    rejected = sum(1 for d in documents if d.status == DocumentStatus.REJECTED)
    return {
        "any_rejected": rejected > 0,
        "all_rejected": bool(documents) and rejected == len(documents),
        "any_pending": any(d.status == DocumentStatus.PENDING for d in documents),
    }


@require_safe
def document_download(request, reference, document_id):
    """Send a clean document to staff, as a download or (PDFs and images) shown in the browser."""
    case = case_for_staff(request, reference)
    document = _staff_document(request, case, document_id)
    inline = request.GET.get("inline") == "1" and document.can_preview
    audit_record(
        request=request,
        action="document.preview" if inline else "document.download",
        case=case,
        obj=document,
    )
    return document_file_response(document, inline=inline)


@require_http_methods(["GET", "POST"])
def document_delete_confirm(request, reference, document_id):
    case = case_for_staff(request, reference)
    document = _staff_document(request, case, document_id, usable=False)
    if request.method == "POST":
        document = document_delete(document=document, actor=request.user)
        messages.success(
            request,
            f"{document.original_filename} has been deleted. It will be removed permanently "
            f"on {timezone.localtime(document.purge_after):%-d %B %Y}.",
        )
        return redirect("casework:case_documents", reference=case.reference)
    return render(
        request,
        "casework/documents/delete.html",
        {"case": case, "document": document, "retention_days": settings.EVIDENCE_RETENTION_DAYS},
    )


@require_safe
def documents_pending(request):
    """Documents waiting for a virus scan, oldest first, so staff can see the scanner is behind."""
    if not request.user.has_perm("casework.view_case_queue"):
        raise PermissionDenied("Only caseworkers and managers can see documents awaiting a scan.")
    waiting = Document.objects.visible_to(request.user).awaiting_scan()
    oldest_first = waiting.select_related("case").order_by("created_at", "id")
    documents = list(oldest_first[:PENDING_LIST_LIMIT])
    count = len(documents) if len(documents) < PENDING_LIST_LIMIT else waiting.count()
    now = timezone.now()
    for document in documents:
        document.waiting = now - document.created_at
    oldest = documents[0].created_at if documents else None
    return render(
        request,
        "casework/documents/pending.html",
        {
            "documents": documents,
            "count": count,
            "now": now,
            "oldest": oldest,
            "behind": oldest is not None and now - oldest > SCAN_BEHIND_AFTER,
            "behind_minutes": int(SCAN_BEHIND_AFTER.total_seconds() // 60),
        },
    )


# The back office: queues, the case page and its actions, teams, audit trails, people.

QUEUE_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50


def _require(request, permission, message, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied(message)


def _audit_case_page(request, case, page: str) -> None:
    """Record a staff read of one of a case's own pages (the case page records its own)."""
    if request.method == "GET":
        audit_record(request=request, action="case.view", case=case, detail={"page": page})


def _posted(request):
    """The form data of a POST (even an empty one, which must still be checked), else None."""
    return request.POST if request.method == "POST" else None


def _case_anchor(case, anchor: str) -> str:
    return f"{reverse('casework:case_detail', kwargs={'reference': case.reference})}#{anchor}"


def _page_range(page):
    return page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)


def _assignees_for(user):
    """Managers may give cases to anyone who can take them; a caseworker only to themself."""
    if user.has_perm("casework.allocate_cases"):
        return assignable_staff()
    return get_user_model().objects.filter(pk=user.pk)


def _sort_headers(sort: str) -> dict:
    """For each sortable column: its aria-sort, and the order its header link asks for next."""
    headers = {}
    for key, (label, _) in SORTS.items():
        if sort == key:
            aria, following = "ascending", f"-{key}"
        elif sort == f"-{key}":
            aria, following = "descending", key
        else:
            aria, following = "none", key
        headers[key] = {
            "label": label,
            "aria": aria,
            "next": following,
            "next_direction": "descending" if following.startswith("-") else "ascending",
        }
    return headers


def _sort_caption(sort: str) -> str:
    label, _ = SORTS[sort.removeprefix("-")]
    return f"{label.lower()}, {'descending' if sort.startswith('-') else 'ascending'}"


@require_http_methods(["GET", "POST"])
def queue(request, queue):
    """A queue of cases with filters, sorting, pages, and assignment of the cases ticked."""
    selected = QUEUES.get(queue)
    if selected is None:
        raise Http404("No such queue")
    _require(request, "casework.view_case_queue", "Only caseworkers and managers can see queues.")
    filters = CaseFilterForm(request.GET or None)
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in SORTS:
        sort = selected.default_sort
    assign_form = BulkAssignForm(
        request.POST if request.method == "POST" else None,
        assignees=_assignees_for(request.user),
    )
    if request.method == "POST" and assign_form.is_valid():
        who = assign_form.cleaned_data["assignee"]
        try:
            assigned = cases_assign(
                case_ids=assign_form.cleaned_data["cases"],
                assignee=who,
                actor=request.user,
                reason=assign_form.cleaned_data["reason"],
            )
        except (AssignmentRefused, PermissionDenied) as exc:
            assign_form.add_error(None, str(exc))
        else:
            count = len(assigned)
            name = "you" if who == request.user else who
            messages.success(request, f"{count} case{pluralize(count)} assigned to {name}.")
            return redirect(request.get_full_path())
    today = timezone.localdate()
    cases = filters.apply(queue_cases(queue=selected, user=request.user, today=today, sort=sort))
    page = Paginator(cases.for_queue_list(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/queue.html",
        {
            "queue": selected,
            "filters": filters,
            "assign_form": assign_form,
            "page": page,
            "page_range": _page_range(page),
            "sort": sort,
            "sort_headers": _sort_headers(sort),
            "sort_caption": _sort_caption(sort),
            "today": today,
            "open_statuses": OPEN_STATUS_VALUES,
            "ticked": set(assign_form["cases"].value() or []) if assign_form.is_bound else set(),
        },
        status=400 if assign_form.errors else 200,
    )


def _case_page_context(request, case) -> dict:
    today = timezone.localdate()
    user = request.user
    version = case.status_changed_at.isoformat()
    action_forms = [
        {
            "action": action,
            # Many of these forms share the page: their fields need ids of their own.
            "form": TransitionForm(
                auto_id=f"{action.value}-%s",
                initial={"action": action.value, "version": version},
            ),
            "missing": case_missing_for(case=case, action=action, reason="-"),
            "reason_needed": action in REASON_NEEDED,
        }
        for action in case_actions_available(case=case, user=user)
    ]
    thread = []
    if case.complainant_id:
        thread = list(Message.objects.thread(case=case, party=MessageParty.COMPLAINANT))
    being_assessed = case.status in {
        CaseStatus.SUBMITTED,
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_INFORMATION,
    }
    return {
        "case": case,
        "clock": case_clock(case, today),
        "organisations": list(
            case.case_organisations.select_related("organisation", "confirmed_by")
        ),
        "pds_match": case.pds_matches.first(),
        "equality": case_equality_information(case),
        "document_count": case.documents.not_deleted().count(),
        # Present conditions and themes the coder suggested that no one has confirmed or rejected.
        "codes_to_review": case.clinical_codes.filter(
            review=CodeReview.SUGGESTED, status=PRESENT
        ).count(),
        "precedent_count": case.precedent_suggestions.count(),
        "thread": thread,
        # Both forms have a "body": their ids must differ, or each label would name the first.
        "message_form": StaffMessageForm(auto_id="message-%s"),
        "notes": list(case.notes.select_related("author")),
        "note_form": NoteForm(auto_id="note-%s"),
        "timeline": case_timeline(case),
        "links": list(case.links.select_related("other", "created_by")),
        "duplicates": list(case_likely_duplicates(case)[:10]) if being_assessed else [],
        "action_forms": action_forms,
        "can_take": case.assignee_id is None and user.has_perm("casework.work_case", case),
        "can_allocate": user.has_perm("casework.allocate_cases"),
        "can_audit": user.has_perm("casework.view_audit_log"),
        "can_work": user.has_perm("casework.work_case", case),
    }


def _case_for_staff_page(request, reference) -> Case:
    """case_for_staff, with the people and places the case page shows fetched along with it."""
    return case_for_staff(
        request,
        reference,
        related=(
            "complainant",
            "representative",
            "referring_mp__constituency",
            "constituency",
            "assignee",
            "team",
            # What the complainant told the complaint form (the complaints app), if they used it.
            "complaint_details",
        ),
    )


@require_safe
def case_detail(request, reference):
    """The case page: everything about a case for the staff working it. Every view is audited."""
    case = _case_for_staff_page(request, reference)
    case_page_view_record(request=request, case=case)
    return render(request, "casework/case.html", _case_page_context(request, case))


@require_http_methods(["GET", "POST"])
def case_transition_view(request, reference):
    """Change a case's status with one of the actions the state machine allows.

    The case page posts here. A stale form (the status changed since the page was loaded) and an
    action the state machine forbids answer 409 with the reason; missing data is listed.
    """
    case = case_for_staff(request, reference)
    action_value = request.POST.get("action") or request.GET.get("action", "")
    action = CaseAction(action_value) if action_value in CaseAction.values else None
    if request.method == "GET":
        if action is None:
            return redirect("casework:case_detail", reference=case.reference)
        form = TransitionForm(
            initial={"action": action.value, "version": case.status_changed_at.isoformat()}
        )
        _audit_case_page(request, case, "transition")
        return _transition_page(request, case, action, form)
    form = TransitionForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            case_transition(
                case_id=case.pk,
                action=action,
                actor=request.user,
                reason=form.cleaned_data["reason"].strip(),
                seen_status_changed_at=form.cleaned_data["version"],
            )
        except (IllegalTransition, StaleCase) as exc:
            form.add_error(None, str(exc))
            status = 409
        except CaseIncomplete as exc:
            for missing in exc.missing:
                field = "reason" if missing in REASON_NEEDED.values() else None
                form.add_error(field, missing)
        else:
            case.refresh_from_db(fields=["status"])
            now = case.get_status_display().lower()
            messages.success(request, f"{action.label}: the case is now {now}.")
            return redirect("casework:case_detail", reference=case.reference)
    elif "version" in form.errors:
        status = 409
    elif action is None:
        status = 400
    case.refresh_from_db()
    return _transition_page(request, case, action, form, status=status)


def _transition_page(request, case, action, form, status=200):
    return render(
        request,
        "casework/transition.html",
        {
            "case": case,
            "action": action,
            "form": form,
            "missing": case_missing_for(case=case, action=action, reason="-") if action else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def case_assign_view(request, reference):
    """Assign a case: managers to anyone (and a team), caseworkers take it for themselves."""
    case = _case_for_staff_page(request, reference)
    _require(request, "casework.work_case", "Only caseworkers and managers can assign cases.", case)
    form = AssignForm(
        _posted(request),
        assignees=_assignees_for(request.user),
        teams=Team.objects.all(),
        initial={"assignee": request.user.pk if case.assignee_id is None else None},
    )
    if request.method == "POST" and form.is_valid():
        who = form.cleaned_data["assignee"]
        try:
            case_assign(
                case=case,
                assignee=who,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                team=form.cleaned_data["team"],
            )
        except ReassignReasonMissing as exc:
            form.add_error("reason", str(exc))
        except (AssignmentRefused, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            name = "you" if who == request.user else who
            messages.success(request, f"{case.reference} is assigned to {name}.")
            return redirect("casework:case_detail", reference=case.reference)
    _audit_case_page(request, case, "assign")
    return render(request, "casework/assign.html", {"case": case, "form": form})


@require_POST
def case_organisation_confirm_view(request, reference, case_organisation_id):
    case = case_for_staff(request, reference)
    _require(request, "casework.work_case", "Only caseworkers can confirm organisations.", case)
    link = get_object_or_404(case.case_organisations, pk=case_organisation_id)
    link = case_organisation_confirm(case_organisation_id=link.pk, actor=request.user)
    messages.success(request, f"{link.organisation.name} is confirmed as complained about.")
    return redirect(_case_anchor(case, "organisations"))


@require_http_methods(["GET", "POST"])
def case_demographics_view(request, reference):
    case = case_for_staff(request, reference)
    _require(
        request, "casework.work_case", "Only caseworkers can record equality information.", case
    )
    # Never filled in from earlier answers: staff record equality information, they do not read it.
    form = DemographicsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case_demographics_record(
            case=case,
            actor=request.user,
            declined=data["given"] == "declined",
            age_band=data["age_band"],
            sex=data["sex"],
            ethnic_group=data["ethnic_group"],
            disability=data["disability"],
        )
        messages.success(request, "The equality information has been recorded.")
        return redirect(_case_anchor(case, "equality-information"))
    _audit_case_page(request, case, "equality_information")
    return render(
        request,
        "casework/demographics.html",
        {"case": case, "form": form, "equality": case_equality_information(case)},
    )


@require_POST
def case_note_add_view(request, reference):
    case = case_for_staff(request, reference)
    _require(request, "casework.work_case", "Only caseworkers can add notes.", case)
    form = NoteForm(request.POST)
    if form.is_valid():
        case_note_add(case=case, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your note has been added.")
        return redirect(_case_anchor(case, "notes"))
    return render(request, "casework/note_form.html", {"case": case, "form": form}, status=400)


@require_POST
def case_message_send_view(request, reference):
    case = _case_for_staff_page(request, reference)
    _require(request, "casework.work_case", "Only caseworkers can send messages.", case)
    if case.complainant_id is None:
        raise Http404("This case has no complainant to write to")
    form = StaffMessageForm(request.POST)
    if form.is_valid():
        message_send(
            case=case,
            author=request.user,
            party=MessageParty.COMPLAINANT,
            body=form.cleaned_data["body"],
            from_ombudsman=True,
        )
        messages.success(request, "Your message has been sent.")
        return redirect(_case_anchor(case, "messages"))
    return render(request, "casework/message_form.html", {"case": case, "form": form}, status=400)


@require_http_methods(["GET", "POST"])
def case_links_view(request, reference):
    """Link the case to a duplicate or related case; likely duplicates are offered."""
    case = case_for_staff(request, reference)
    _require(request, "casework.work_case", "Only caseworkers can link cases.", case)
    form = CaseLinkForm(_posted(request), initial={"other": request.GET.get("other", "")})
    if request.method == "POST" and form.is_valid():
        visible = Case.objects.visible_to(request.user)
        other = visible.filter(reference=form.cleaned_data["other"]).first()
        if other is None:
            form.add_error("other", "There is no case with that reference")
        else:
            try:
                case_link(
                    case=case,
                    other=other,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except LinkRefused as exc:
                form.add_error("other", str(exc))
            else:
                messages.success(request, f"{case.reference} is linked to {other.reference}.")
                return redirect(_case_anchor(case, "links"))
    _audit_case_page(request, case, "links")
    return render(
        request,
        "casework/links.html",
        {"case": case, "form": form, "duplicates": list(case_likely_duplicates(case)[:10])},
    )


@require_safe
def case_audit(request, reference):
    """Every read of a case and every change to it, for managers."""
    case = case_for_staff(request, reference)
    _require(request, "casework.view_audit_log", "Only managers can see a case's audit log.")
    page = Paginator(case_audit_trail(case), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    # Read before this look is recorded, so that the page shows what was there when it opened.
    rows = audit_rows_with_people(page.object_list)
    audit_record(request=request, action="case.audit_log.view", case=case, obj=case)
    return render(
        request,
        "casework/audit.html",
        {"case": case, "page": page, "rows": rows, "page_range": _page_range(page)},
    )


@require_safe
def user_activity_view(request, user_id):
    """What one person read in the back office and changed on cases, for managers."""
    _require(request, "casework.view_audit_log", "Only managers can see what people have done.")
    person = get_object_or_404(get_user_model(), pk=user_id)
    page = Paginator(user_activity(person), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = audit_rows_with_people(page.object_list)
    audit_record(request=request, action="user.activity.view", obj=person)
    return render(
        request,
        "casework/user_activity.html",
        {"person": person, "page": page, "rows": rows, "page_range": _page_range(page)},
    )


@require_safe
def person(request, user_id):
    """Everything held about one person: their cases, messages and documents. Audited."""
    _require(
        request, "casework.view_case_queue", "Only caseworkers and managers can look people up."
    )
    account = get_object_or_404(get_user_model(), pk=user_id)
    audit_record(request=request, action="person.view", obj=account)
    return render(
        request,
        "casework/person.html",
        {
            "records": person_records(accounts=[account]),
            "person": account,
            "merges": list(person_merges(person=account)),
            "can_merge": request.user.has_perm("casework.merge_people"),
        },
    )


@require_safe
def teams(request):
    _require(request, "casework.view_case_queue", "Only caseworkers and managers can see teams.")
    today = timezone.localdate()
    open_cases = Q(cases__status__in=OPEN_STATUS_VALUES)
    overdue = open_cases & Q(cases__target_date__lt=today)
    all_teams = Team.objects.annotate(
        member_count=Count("members", distinct=True),
        open_cases=Count("cases", filter=open_cases, distinct=True),
        overdue_cases=Count("cases", filter=overdue, distinct=True),
    ).order_by("name")
    return render(request, "casework/teams.html", {"teams": all_teams})


@require_safe
def team_detail(request, team_id):
    """A team's members and each one's workload: open cases and how many are overdue."""
    _require(request, "casework.view_case_queue", "Only caseworkers and managers can see teams.")
    team = get_object_or_404(Team, pk=team_id)
    members = list(team_workload(team=team, today=timezone.localdate()))
    return render(
        request,
        "casework/team.html",
        {
            "team": team,
            "members": members,
            "unassigned": team.cases.open().unassigned().count(),
            "total_open": sum(m.open_cases for m in members),
            "total_overdue": sum(m.overdue_cases for m in members),
        },
    )


_MERGE_REFUSED = "Only managers can merge people's records."


@require_safe
def person_merge_search(request, user_id):
    """Find the other account of the person on this page, by email address, to merge into it."""
    _require(request, "casework.merge_people", _MERGE_REFUSED)
    account = get_object_or_404(get_user_model(), pk=user_id)
    form = PersonSearchForm(request.GET or None)
    candidates = None
    if form.is_valid():
        candidates = list(person_merge_candidates(person=account, email=form.cleaned_data["email"]))
    return render(
        request,
        "casework/person_merge_search.html",
        {"person": account, "form": form, "candidates": candidates},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def person_merge_confirm(request, user_id, other_id):
    """Both records side by side; on confirming, the other record becomes part of this one."""
    _require(request, "casework.merge_people", _MERGE_REFUSED)
    keep = get_object_or_404(get_user_model(), pk=user_id)
    merge = get_object_or_404(get_user_model(), pk=other_id)
    form = PersonMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_merge(
                keep=keep, merge=merge, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except MergeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"{merge.email} has been merged into this record and can no longer sign in.",
            )
            return redirect("casework:person", user_id=keep.pk)
    return render(
        request,
        "casework/person_merge_confirm.html",
        {
            "keep": keep,
            "merge": merge,
            "keep_holdings": person_holdings(person=keep),
            "merge_holdings": person_holdings(person=merge),
            "form": form,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def person_merge_reverse_confirm(request, merge_id):
    """Undo a merge: every row it moved goes back, and the merged record can sign in again."""
    _require(request, "casework.merge_people", _MERGE_REFUSED)
    merge = get_object_or_404(
        PersonMerge.objects.select_related("kept", "merged", "by", "reversed_by"), pk=merge_id
    )
    form = PersonMergeReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_merge_reverse(
                merge=merge, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except MergeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"The merge has been reversed: {merge.merged.email} is a separate record again.",
            )
            return redirect("casework:person", user_id=merge.kept_id)
    return render(request, "casework/person_merge_reverse.html", {"merge": merge, "form": form})
