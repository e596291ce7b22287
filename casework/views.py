import logging
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from casework.documents import document_bytes_open
from casework.evidence.filenames import rfc6266_content_disposition
from casework.forms import PdsDecisionForm, StaffDocumentUploadForm
from casework.models import Case, Document, DocumentStatus, PdsMatchStatus, UploaderRole
from casework.services import (
    StaleDecision,
    UploadRefused,
    audit_record,
    document_delete,
    document_upload,
    pds_match_decide,
)

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    """Staff area home. StaffSecondFactorMiddleware has already required staff + verified TOTP."""
    return render(request, "casework/home.html")


def case_for_staff(request, reference) -> Case:
    """The one way staff views fetch a case: 404 for anything the user may not see."""
    if not request.user.has_perm("casework.view_case_queue"):
        raise PermissionDenied("Only caseworkers and managers can open cases.")
    return get_object_or_404(Case.objects.visible_to(request.user), reference=reference)


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
        {"case": case, "match": match, "form": form, "pending": match is not None and match.status == PdsMatchStatus.PENDING},
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
    form = StaffDocumentUploadForm(request.POST if posted else None, request.FILES if posted else None)
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
        Document.objects.visible_to(request.user).filter(
            case=case, uploaded_by=request.user, pk__in=uploaded_ids(request)
        ).order_by("id")
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
