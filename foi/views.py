"""Public pages: asking for information or personal data, the disclosure log and the figures."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from casework.evidence.filenames import rfc6266_content_disposition
from casework.models import Document
from casework.views import document_file_response
from foi.export import data_export_open
from foi.forms import (
    AnonymousSubjectAccessForm,
    DisclosureSearchForm,
    InformationRequestForm,
    SubjectAccessForm,
)
from foi.models import (
    AnswerFormat,
    DataExport,
    DisclosureEntry,
    ExportStatus,
    InformationRequest,
    Kind,
)
from foi.selectors import (
    disclosure_entries,
    disclosure_topics,
    export_for_owner,
    performance_by_quarter,
    request_for_requester,
)
from foi.services import (
    RequestRefused,
    data_export_download_record,
    data_export_request,
    identity_proof_upload,
    information_request_submit,
)
from phso.ratelimit import limit_public_posts

ASK_SESSION = "foi_ask"
SAR_SESSION = "foi_sar"
DONE_SESSION = "foi_done"
DISCLOSURE_PAGE_SIZE = 20


@require_safe
def start(request):
    return render(request, "foi/start.html")


@require_http_methods(["GET", "POST"])
def ask(request):
    form = InformationRequestForm(request.POST or None, initial=request.session.get(ASK_SESSION))
    if request.method == "POST" and form.is_valid():
        request.session[ASK_SESSION] = {**form.cleaned_data, "kind": form.kind}
        return redirect("foi:ask_check")
    return render(request, "foi/ask.html", {"form": form})


@limit_public_posts
@require_http_methods(["GET", "POST"])
def ask_check(request):
    answers = request.session.get(ASK_SESSION)
    if not answers:
        return redirect("foi:ask")
    if request.method == "POST":
        submitted = information_request_submit(
            kind=answers["kind"],
            requester_name=answers["name"],
            requester_email=answers["email"],
            requester_address=answers["address"],
            answer_format=answers["answer_format"],
            text=answers["text"],
            user=request.user if request.user.is_authenticated else None,
        )
        del request.session[ASK_SESSION]
        request.session[DONE_SESSION] = submitted.pk
        return redirect("foi:confirmation")
    return render(
        request,
        "foi/ask_check.html",
        {
            "answers": answers,
            "kind_label": Kind(answers["kind"]).label,
            "answer_label": AnswerFormat(answers["answer_format"]).label,
        },
    )


@require_safe
def confirmation(request):
    """Shown to the person who just sent the request (remembered in their session only)."""
    pk = request.session.get(DONE_SESSION)
    if pk is None:
        raise Http404
    submitted = get_object_or_404(InformationRequest, pk=pk)
    return render(request, "foi/confirmation.html", {"submitted": submitted})


@limit_public_posts
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """A SAR with or without an account; without one, proof of identity is always uploaded."""
    signed_in = request.user.is_authenticated
    form_class = SubjectAccessForm if signed_in else AnonymousSubjectAccessForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("identity_document")
        proof = None
        if not signed_in or form.cleaned_data["whose"] == "someone_else":
            try:
                proof = identity_proof_upload(
                    user=request.user if signed_in else None, upload=upload
                )
            except RequestRefused as exc:
                form.add_error("identity_document", str(exc))
        if not form.errors:
            data = {k: v for k, v in form.cleaned_data.items() if k != "identity_document"}
            request.session[SAR_SESSION] = {
                **data,
                "signed_in": signed_in,
                "document_ids": [proof.pk] if proof else [],
                "document_names": [proof.original_filename] if proof else [],
            }
            return redirect("foi:personal_data_check")
    return render(request, "foi/personal_data.html", {"form": form})


@limit_public_posts
@require_http_methods(["GET", "POST"])
def personal_data_check(request):
    answers = request.session.get(SAR_SESSION)
    signed_in = request.user.is_authenticated
    # Answers given before signing in or out were checked against the other form: ask again.
    if not answers or answers.get("signed_in") != signed_in:
        return redirect("foi:personal_data")
    if request.method == "POST":
        someone_else = answers["whose"] == "someone_else"
        if signed_in:
            contact = {
                "requester_name": request.user.full_name or request.user.email.split("@")[0],
                "requester_email": request.user.email,
            }
        else:
            contact = {
                "requester_name": answers["name"],
                "requester_email": answers["email"],
                "requester_address": answers["address"],
            }
        try:
            submitted = information_request_submit(
                kind=Kind.SAR,
                answer_format=answers["answer_format"],
                text=answers["text"],
                user=request.user if signed_in else None,
                on_behalf_of=answers["on_behalf_of"] if someone_else else "",
                identity_document_ids=Document.objects.filter(
                    pk__in=answers["document_ids"],
                    uploaded_by=request.user if signed_in else None,
                ).values_list("pk", flat=True),
                **contact,
            )
        except RequestRefused:
            return redirect("foi:personal_data")
        del request.session[SAR_SESSION]
        request.session[DONE_SESSION] = submitted.pk
        return redirect("foi:confirmation")
    return render(
        request,
        "foi/personal_data_check.html",
        {"answers": answers, "answer_label": AnswerFormat(answers["answer_format"]).label},
    )


@login_required
@require_safe
def mine(request):
    requests = InformationRequest.objects.of_requester(request.user).order_by("-received_on", "-id")
    return render(request, "foi/mine.html", {"requests": requests})


@login_required
@require_safe
def mine_detail(request, reference):
    own = request_for_requester(request, reference)
    return render(request, "foi/mine_detail.html", {"own": own})


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    if request.method == "POST":
        data_export_request(user=request.user)
        return redirect("foi:my_data")
    exports = DataExport.objects.filter(user=request.user)[:5]
    return render(request, "foi/my_data.html", {"exports": exports})


@login_required
@require_safe
def my_data_download(request, export_id):
    export = export_for_owner(request, export_id)
    if export.status != ExportStatus.READY:
        raise Http404
    data_export_download_record(request=request, export=export)
    response = FileResponse(data_export_open(export), content_type="application/zip")
    response["Content-Disposition"] = rfc6266_content_disposition(
        f"my-data-{export.created_at:%Y-%m-%d}.zip", disposition="attachment"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def disclosure_log(request):
    form = DisclosureSearchForm(request.GET or None, topics=disclosure_topics())
    filters = form.cleaned_data if form.is_valid() else {}
    entries = disclosure_entries(**{k: v for k, v in filters.items() if v})
    page = Paginator(entries, DISCLOSURE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "foi/disclosure_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@require_safe
def disclosure_detail(request, reference):
    entry = get_object_or_404(DisclosureEntry, reference=reference)
    attachments = entry.attachments.usable().filter(internal=False)
    return render(
        request, "foi/disclosure_detail.html", {"entry": entry, "attachments": attachments}
    )


@require_safe
def disclosure_attachment(request, reference, document_id):
    entry = get_object_or_404(DisclosureEntry, reference=reference)
    document = get_object_or_404(entry.attachments.usable().filter(internal=False), pk=document_id)
    return document_file_response(document)


@require_safe
def performance(request):
    return render(request, "foi/performance.html", {"quarters": performance_by_quarter()})
