from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from casework.forms import DocumentUploadForm
from casework.models import Case, Document, UploaderRole
from casework.services import UploadRefused, document_upload
from casework.views import (
    document_file_response,
    upload_outcome,
    upload_view,
    uploaded_ids,
    uploaded_url,
)


@require_safe
def start(request):
    return render(request, "complaints/start.html")


def case_for_complainant(request, reference) -> Case:
    """The one way complainant views fetch a case: their own, or 404 (never revealing others)."""
    return get_object_or_404(Case.objects.for_complainant(request.user), reference=reference)


@login_required
@upload_view
@require_http_methods(["GET", "POST"])
def evidence(request, reference):
    """The complainant sends evidence for their case and sees what became of each file."""
    case = case_for_complainant(request, reference)
    posted = request.method == "POST"
    form = DocumentUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            documents = document_upload(
                case=case,
                uploaded_by=request.user,
                uploader_role=UploaderRole.COMPLAINANT,
                files=form.cleaned_data["files"],
            )
        except UploadRefused as exc:
            form.add_error("files", str(exc))
        else:
            url = reverse("complaints:evidence_uploaded", kwargs={"reference": case.reference})
            return redirect(uploaded_url(url, documents))
    documents = list(Document.objects.visible_to(request.user).filter(case=case).not_deleted())
    return render(
        request,
        "complaints/evidence/evidence.html",
        {
            "case": case,
            "form": form,
            # What we sent them (letters, shared files) has a page of its own.
            "from_us": sum(d.uploader_role == UploaderRole.STAFF for d in documents),
            "documents": [d for d in documents if d.uploader_role != UploaderRole.STAFF],
        },
    )


@login_required
@require_safe
def evidence_uploaded(request, reference):
    """What became of each file in an upload; reloading shows the latest scan results."""
    case = case_for_complainant(request, reference)
    documents = list(
        Document.objects.visible_to(request.user)
        .filter(case=case, uploaded_by=request.user, pk__in=uploaded_ids(request))
        .order_by("id")
    )
    return render(
        request,
        "complaints/evidence/uploaded.html",
        {"case": case, "documents": documents, **upload_outcome(documents)},
    )


@login_required
@require_safe
def document_download(request, reference, document_id):
    case = case_for_complainant(request, reference)
    document = get_object_or_404(
        Document.objects.visible_to(request.user).usable(), case=case, pk=document_id
    )
    return document_file_response(document)
