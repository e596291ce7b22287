"""Staff pages for FOI officers and managers (under /staff/, so a verified second factor)."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules import has_perm as rule_allows

from casework.models import Document
from casework.services import audit_record
from casework.views import document_file_response
from foi import forms, services, state
from foi.models import InformationRequest, Kind, RequestDocument, RequestDocumentPurpose
from foi.redaction import find_personal_data, redact
from foi.responses import response_draft_text
from foi.selectors import request_for_staff
from foi.services import RequestRefused

PAGE_SIZE = 50
QUEUES = {
    "open": "Open requests",
    "overdue": "Overdue",
    "due_this_week": "Due this week",
    "identity": "Identity to check",
    "flagged": "Possible repeat requests",
}


def _queue(name: str, today):
    requests = InformationRequest.objects.for_staff_list()
    if name == "overdue":
        return requests.overdue(today)
    if name == "due_this_week":
        monday = today - timedelta(days=today.weekday())
        return requests.due_between(today, monday + timedelta(days=6))
    if name == "identity":
        return requests.filter(status=state.Status.AWAITING_IDENTITY)
    if name == "flagged":
        return requests.open().filter(possible_repeat_of__isnull=False)
    return requests.open()


@require_safe
def request_list(request):
    if not request.user.has_perm("foi.manage_requests"):
        raise PermissionDenied
    name = request.GET.get("queue", "open")
    if name not in QUEUES:
        raise Http404
    page = Paginator(_queue(name, timezone.localdate()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "foi/staff/list.html",
        {
            "page": page,
            "queue": name,
            "queue_label": QUEUES[name],
            "queues": QUEUES,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def request_log(request):
    """Log a request that arrived by email or post: the same model and clock as an online one."""
    if not request.user.has_perm("foi.manage_requests"):
        raise PermissionDenied
    form = forms.LogRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logged = services.information_request_submit(
            kind=data["kind"],
            channel=data["channel"],
            received_on=data["received_on"],
            requester_name=data["name"],
            requester_email=data["email"],
            requester_address=data["address"],
            answer_format=data["answer_format"],
            text=data["text"],
            logged_by=request.user,
        )
        return redirect("foi_staff:detail", logged.reference)
    return render(request, "foi/staff/log.html", {"form": form})


FORM_CLASSES = {
    "assign": forms.AssignForm,
    "clarify": forms.ClarificationForm,
    "extend": forms.ExtendForm,
    "search": forms.SearchForm,
    "exemption": forms.ExemptionForm,
    "draft": forms.DraftForm,
    "return": forms.ReasonForm,
    "send": forms.SendForm,
    "close": forms.CloseForm,
    "withdraw": forms.ReasonForm,
    "review": forms.ReviewForm,
    "ico": forms.IcoAppealForm,
    "attach": forms.AttachmentForm,
}


def _form(name, info, *args, **kwargs):
    """An action form, prefixed so that many fit on one page; the extension form by law."""
    if name == "extend":
        kwargs["kind"] = info.kind
    return FORM_CLASSES[name](*args, prefix=name, **kwargs)


def _detail_context(request, info, **overrides):
    template_form = forms.TemplateChoiceForm(request.GET or None)
    draft_initial = {"response_text": info.response_text}
    if "template" in request.GET and template_form.is_valid():
        draft_initial["response_text"] = response_draft_text(
            template=template_form.cleaned_data["template"],
            name=info.requester_name,
            reference=info.reference,
            received=f"{info.received_on.day} {info.received_on:%B %Y}",
        )
    clock = info.statutory_clock
    today = timezone.localdate()
    initial = {
        "assign": {"assignee": info.assigned_to_id},
        "draft": draft_initial,
        "send": {"sent_on": today.strftime("%d/%m/%Y")},
    }
    context = {
        "info": info,
        "clock": clock,
        "days_remaining": clock.days_remaining(today) if clock and not clock.is_stopped else None,
        "events": info.events.select_related("actor"),
        "exemptions": info.exemptions.select_related("applied_by"),
        "documents": info.documents.select_related("document"),
        "reviews": info.reviews.all(),
        "actions": set(state.available(info.status)),
        "can_sign_off": _may_sign_off(request.user) and info.drafted_by_id != request.user.pk,
        "template_form": template_form,
        "forms": {name: _form(name, info, initial=initial.get(name)) for name in FORM_CLASSES},
    }
    context["forms"].update(overrides)
    # A form sent back with errors: the page title and error summary speak about it.
    context["form"] = next(iter(overrides.values()), None)
    return context


@require_safe
def request_detail(request, reference):
    info = request_for_staff(request, reference)
    audit_record(request=request, action="foi.request_viewed", obj=info)
    return render(request, "foi/staff/detail.html", _detail_context(request, info))


def _may_sign_off(user) -> bool:
    """Signing off and publishing are for FOI officers and managers only. The rule is asked
    directly because user.has_perm lets every superuser through, and administrators are
    superusers (for the Django admin)."""
    return user.is_active and rule_allows("foi.sign_off_responses", user)


@dataclass(frozen=True)
class Action:
    form: type | None
    run: object  # (request, info, cleaned_data) -> result
    done: str


ACTIONS = {
    "verify_identity": Action(
        None,
        lambda r, i, d: services.request_identity_verify(request=i, actor=r.user),
        "Identity confirmed: the clock has started",
    ),
    "assign": Action(
        forms.AssignForm,
        lambda r, i, d: services.request_assign(request=i, assignee=d["assignee"], actor=r.user),
        "Request assigned",
    ),
    "clarify": Action(
        forms.ClarificationForm,
        lambda r, i, d: services.request_clarification_ask(
            request=i, actor=r.user, reason=d["reason"]
        ),
        "Clock paused for clarification",
    ),
    "clarified": Action(
        None,
        lambda r, i, d: services.request_clarification_receive(request=i, actor=r.user),
        "Clarification received: the clock is running again",
    ),
    "extend": Action(
        forms.ExtendForm,
        lambda r, i, d: services.request_extend(
            request=i,
            actor=r.user,
            reason=d["reason"],
            to_working_days=d.get("to_working_days"),
            by_months=d.get("by_months"),
            notified_on=d.get("notified_on"),
        ),
        "Deadline extended",
    ),
    "search": Action(
        forms.SearchForm,
        lambda r, i, d: services.request_search_record(
            request=i, actor=r.user, searched=d["searched"], found=d["found"]
        ),
        "Search recorded",
    ),
    "exemption": Action(
        forms.ExemptionForm,
        lambda r, i, d: services.request_exemption_apply(
            request=i,
            actor=r.user,
            code=d["code"],
            public_interest_notes=d["public_interest_notes"],
        ),
        "Exemption applied",
    ),
    "draft": Action(
        forms.DraftForm,
        lambda r, i, d: services.request_draft_submit(
            request=i, actor=r.user, response_text=d["response_text"]
        ),
        "Draft submitted for sign-off by a second officer",
    ),
    "return": Action(
        forms.ReasonForm,
        lambda r, i, d: services.request_draft_return(request=i, actor=r.user, reason=d["reason"]),
        "Draft returned",
    ),
    "sign_off": Action(
        None,
        lambda r, i, d: services.request_sign_off(request=i, actor=r.user),
        "Response signed off",
    ),
    "send": Action(
        forms.SendForm,
        lambda r, i, d: services.request_send(request=i, actor=r.user, on=d["sent_on"]),
        "Response recorded as sent",
    ),
    "close": Action(
        forms.CloseForm,
        lambda r, i, d: services.request_close(
            request=i, actor=r.user, outcome=d["outcome"], publish=d["publish"], topic=d["topic"]
        ),
        "Request closed",
    ),
    "withdraw": Action(
        forms.ReasonForm,
        lambda r, i, d: services.request_withdraw(request=i, actor=r.user, reason=d["reason"]),
        "Request withdrawn",
    ),
    "review": Action(
        forms.ReviewForm,
        lambda r, i, d: services.review_open(request=i, actor=r.user, text=d["text"]),
        "Internal review opened",
    ),
    "ico": Action(
        forms.IcoAppealForm,
        lambda r, i, d: services.ico_appeal_record(
            request=i,
            actor=r.user,
            received_on=d["received_on"],
            ico_reference=d["ico_reference"],
            ico_outcome=d["ico_outcome"],
        ),
        "Appeal to the Information Commissioner recorded",
    ),
}
SIGN_OFF_ACTIONS = {"sign_off"}


@require_POST
def request_action(request, reference, action):
    info = request_for_staff(request, reference)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if action in SIGN_OFF_ACTIONS and not _may_sign_off(request.user):
        raise PermissionDenied
    form = _form(action, info, request.POST) if spec.form else None
    if form is not None and not form.is_valid():
        return render(
            request,
            "foi/staff/detail.html",
            _detail_context(request, info, **{action: form}),
            status=400,
        )
    try:
        result = spec.run(request, info, form.cleaned_data if form else {})
    except RequestRefused as exc:
        messages.error(request, str(exc))
        return redirect("foi_staff:detail", info.reference)
    messages.success(request, spec.done)
    if isinstance(result, InformationRequest) and result.pk != info.pk:
        return redirect("foi_staff:detail", result.reference)
    return redirect("foi_staff:detail", info.reference)


@require_POST
def request_attach(request, reference):
    """Attach proof of identity (while it is being checked) or a file for the response."""
    info = request_for_staff(request, reference)
    form = _form("attach", info, request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "foi/staff/detail.html",
            _detail_context(request, info, attach=form),
            status=400,
        )
    try:
        services.request_document_attach(
            request=info, upload=form.cleaned_data["files"], actor=request.user
        )
    except RequestRefused as exc:
        messages.error(request, str(exc))
        return redirect("foi_staff:detail", info.reference)
    messages.success(request, "File attached; it is checked for viruses before it can be opened")
    return redirect("foi_staff:detail", info.reference)


@require_safe
def request_document(request, reference, document_id):
    info = request_for_staff(request, reference)
    link = get_object_or_404(
        RequestDocument.objects.select_related("document").filter(
            document__in=Document.objects.usable()
        ),
        request=info,
        document_id=document_id,
    )
    audit_record(
        request=request,
        action="foi.document_downloaded",
        obj=link.document,
        detail={"request": info.reference},
    )
    return document_file_response(link.document)


@require_http_methods(["GET", "POST"])
def request_publish(request, reference):
    """The redaction check: suggested redactions shown, the officer confirms the text to publish."""
    info = request_for_staff(request, reference)
    if not _may_sign_off(request.user):
        raise PermissionDenied
    attachments = [
        (str(link.document_id), link.document.original_filename)
        for link in info.documents.select_related("document").filter(
            purpose=RequestDocumentPurpose.RESPONSE,
            document__in=Document.objects.usable().filter(internal=False),
        )
    ]
    form = forms.PublishForm(
        request.POST or None,
        attachment_choices=attachments,
        requester_name=info.requester_name,
        initial={
            "redacted_text": redact(info.response_text, names=[info.requester_name]),
            "title": info.text[:120],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.disclosure_publish(
                request=info,
                actor=request.user,
                title=data["title"],
                redacted_text=data["redacted_text"],
                confirmed=data["confirmed"],
                attachment_ids=[int(x) for x in data.get("attachments", [])],
            )
        except RequestRefused as exc:
            form.add_error("redacted_text", str(exc))
        else:
            messages.success(request, "Published in the disclosure log")
            return redirect("foi:disclosure_detail", entry.reference)
    findings = find_personal_data(info.response_text, names=[info.requester_name])
    return render(
        request,
        "foi/staff/publish.html",
        {"info": info, "form": form, "findings": findings, "is_sar": info.kind == Kind.SAR},
    )
