"""Staff pages for evidence requests to organisations, letters and decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Organisation
from casework.forms_decisions import (
    ComplianceForm,
    DecisionForm,
    EvidenceExtendForm,
    EvidenceRequestForm,
    EvidenceResponseForm,
    EvidenceWithdrawForm,
    LetterForm,
    ProvisionalCommentForm,
    ProvisionalReportForm,
    PublicSummaryForm,
    RecommendationForm,
    RedactionConfirmForm,
)
from casework.models import Decision, Document, EvidenceRequest, Recommendation
from casework.selectors_decisions import case_letters, organisation_evidence_requests
from casework.services import audit_record
from casework.services_decisions import (
    DECISION_FIXED_STATUSES,
    DecisionRefused,
    EvidenceRequestRefused,
    LetterKind,
    LetterRefused,
    decision_publish,
    decision_record,
    decision_redaction_confirm,
    decision_summary_redact,
    evidence_request_create,
    evidence_request_extend,
    evidence_request_respond,
    evidence_request_withdraw,
    letter_generate,
    letter_html,
    letter_pdf,
    letter_send,
    provisional_comment_record,
    provisional_report_share,
    recommendation_add,
    recommendation_compliance_record,
)
from casework.views import case_for_staff, case_to_work

ORGANISATION_PAGE_LIMIT = 100


def _posted(request):
    """The form data of a POST (even an empty one, so that it shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def _field_of(exc, form):
    """The form field a refusal is about, so the error shows beside it (else above the form)."""
    return exc.field if exc.field in form.fields else None


def _case_organisations(case):
    return Organisation.objects.filter(
        pk__in=case.case_organisations.values("organisation_id")
    ).order_by("name")


def _request_of(case, evidence_request_id) -> EvidenceRequest:
    return get_object_or_404(
        EvidenceRequest.objects.select_related("organisation"), pk=evidence_request_id, case=case
    )


# Evidence requests ----------------------------------------------------------------------------


@require_safe
def evidence_requests(request, reference):
    """The case's evidence requests with their due dates and whether they were met."""
    case = case_for_staff(request, reference)
    audit_record(request=request, action="evidence_requests.view", case=case)
    rows = list(case.evidence_requests.select_related("organisation", "requested_by"))
    return render(
        request,
        "casework/requests/list.html",
        {
            "case": case,
            "requests": rows,
            "can_work": request.user.has_perm("casework.work_case", case),
        },
    )


@require_http_methods(["GET", "POST"])
def evidence_request_new(request, reference):
    case = case_to_work(request, reference)
    form = EvidenceRequestForm(_posted(request), organisations=_case_organisations(case))
    if request.method == "POST" and form.is_valid():
        try:
            evidence_request = evidence_request_create(
                case=case, actor=request.user, **form.cleaned_data
            )
        except EvidenceRequestRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            messages.success(
                request,
                f"Evidence requested from {evidence_request.organisation.name}, due by "
                f"{evidence_request.due_date:%-d %B %Y}.",
            )
            return redirect("casework:evidence_requests", reference=case.reference)
    return render(request, "casework/requests/new.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
def evidence_request_response(request, reference, evidence_request_id):
    case = case_to_work(request, reference)
    evidence_request = _request_of(case, evidence_request_id)
    form = EvidenceResponseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            evidence_request = evidence_request_respond(
                evidence_request_id=evidence_request.pk, actor=request.user, **form.cleaned_data
            )
        except EvidenceRequestRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            messages.success(
                request,
                f"Response recorded: {evidence_request.get_status_display().lower()}.",
            )
            return redirect("casework:evidence_requests", reference=case.reference)
    return render(
        request,
        "casework/requests/response.html",
        {"case": case, "evidence_request": evidence_request, "form": form},
    )


@require_http_methods(["GET", "POST"])
def evidence_request_extension(request, reference, evidence_request_id):
    case = case_to_work(request, reference)
    evidence_request = _request_of(case, evidence_request_id)
    form = EvidenceExtendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            evidence_request = evidence_request_extend(
                evidence_request_id=evidence_request.pk, actor=request.user, **form.cleaned_data
            )
        except EvidenceRequestRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            messages.success(
                request, f"Extension agreed: now due by {evidence_request.due_date:%-d %B %Y}."
            )
            return redirect("casework:evidence_requests", reference=case.reference)
    return render(
        request,
        "casework/requests/extend.html",
        {"case": case, "evidence_request": evidence_request, "form": form},
    )


@require_http_methods(["GET", "POST"])
def evidence_request_withdrawal(request, reference, evidence_request_id):
    case = case_to_work(request, reference)
    evidence_request = _request_of(case, evidence_request_id)
    form = EvidenceWithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            evidence_request_withdraw(
                evidence_request_id=evidence_request.pk, actor=request.user, **form.cleaned_data
            )
        except EvidenceRequestRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            messages.success(request, f"Request to {evidence_request.organisation.name} withdrawn.")
            return redirect("casework:evidence_requests", reference=case.reference)
    return render(
        request,
        "casework/requests/withdraw.html",
        {"case": case, "evidence_request": evidence_request, "form": form},
    )


@require_safe
def organisation_detail(request, organisation_id):
    """An organisation's responsiveness to our evidence requests, and its latest requests."""
    if not request.user.has_perm("casework.view_case_queue"):
        raise PermissionDenied("Only caseworkers and managers can see organisations' requests.")
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    requests = organisation_evidence_requests(organisation)
    return render(
        request,
        "casework/requests/organisation.html",
        {
            "organisation": organisation,
            "figures": requests.responsiveness(),
            "requests": list(requests[:ORGANISATION_PAGE_LIMIT]),
            "limit": ORGANISATION_PAGE_LIMIT,
        },
    )


# Letters --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def letters(request, reference):
    """Preview a letter (the PDF, not filed) or generate it and file it on the case."""
    case = case_to_work(request, reference)
    form = LetterForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        if request.method == "GET":
            audit_record(
                request=request, action="letter.preview", case=case, detail={"letter": kind}
            )
            response = HttpResponse(
                letter_pdf(letter_html(case=case, kind=kind)), content_type="application/pdf"
            )
            response["Content-Disposition"] = (
                f'inline; filename="{case.reference}-{kind}-preview.pdf"'
            )
            return response
        document = letter_generate(case=case, kind=kind, actor=request.user)
        messages.success(
            request,
            f"{LetterKind(kind).label} letter filed on the case: {document.original_filename}.",
        )
        return redirect("casework:letters", reference=case.reference)
    return render(
        request,
        "casework/letters/page.html",
        {
            "case": case,
            "form": form,
            "letters": list(case_letters(case)),
            "kinds": LetterKind.choices,
            "can_send": case.complainant_id is not None,
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def letter_send_view(request, reference, document_id):
    """Send a filed letter to the complainant (it is staff-only until then)."""
    case = case_to_work(request, reference)
    try:
        document = letter_send(case=case, document_id=document_id, actor=request.user)
    except Document.DoesNotExist:
        raise Http404 from None
    except LetterRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{document.original_filename} sent. The complainant can read it on their case and "
            "has been emailed to say so.",
        )
    return redirect("casework:letters", reference=case.reference)


# Decisions ------------------------------------------------------------------------------------


def _decision_of(case) -> Decision | None:
    return (
        Decision.objects.filter(case=case)
        .prefetch_related(
            "comments__organisation", "recommendations__organisation", "recommendations__evidence"
        )
        .first()
    )


@require_http_methods(["GET", "POST"])
def decision(request, reference):
    """The decision on a case: outcome, findings and reasons, with everything around them."""
    case = case_for_staff(request, reference)
    current = _decision_of(case)
    initial = (
        {"outcome": current.outcome, "findings": current.findings, "reasons": current.reasons}
        if current
        else {}
    )
    form = DecisionForm(_posted(request), initial=initial)
    if request.method == "POST":
        case = case_to_work(request, reference)
        if form.is_valid():
            try:
                decision_record(case=case, actor=request.user, **form.cleaned_data)
            except DecisionRefused as exc:
                form.add_error(_field_of(exc, form), str(exc))
            else:
                messages.success(request, "Decision saved.")
                return redirect("casework:decision", reference=case.reference)
    else:
        audit_record(request=request, action="decision.view", case=case)
    return _decision_page(request, case, current, form)


def _decision_page(request, case, current, form, *, publish_error="", status=200):
    return render(
        request,
        "casework/decisions/decision.html",
        {
            "case": case,
            "decision": current,
            "form": form,
            "publish_error": publish_error,
            # Once the final decision is issued it is shown, no longer offered for editing.
            "fixed": case.status in DECISION_FIXED_STATUSES,
            "can_work": request.user.has_perm("casework.work_case", case),
        },
        status=status,
    )


def _decision_step(request, reference, *, form_class, template, save, success, form_kwargs=None):
    """A decision page with one form and one service: bind, check access, call, redirect."""
    case = case_to_work(request, reference)
    kwargs = form_kwargs(case) if form_kwargs else {}
    form = form_class(_posted(request), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form)
        except DecisionRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            messages.success(request, success)
            return redirect("casework:decision", reference=case.reference)
    return render(request, template, {"case": case, "form": form, "decision": _decision_of(case)})


@require_http_methods(["GET", "POST"])
def provisional_report(request, reference):
    return _decision_step(
        request,
        reference,
        form_class=ProvisionalReportForm,
        template="casework/decisions/provisional_report.html",
        save=lambda case, form: provisional_report_share(
            case=case, actor=request.user, report=form.cleaned_data["report"]
        ),
        success="Provisional report shared for comments.",
    )


@require_http_methods(["GET", "POST"])
def provisional_comment(request, reference):
    def save(case, form):
        party, organisation = form.party_and_organisation()
        provisional_comment_record(
            case=case,
            actor=request.user,
            party=party,
            organisation=organisation,
            body=form.cleaned_data["body"],
            received_on=form.cleaned_data["received_on"],
        )

    return _decision_step(
        request,
        reference,
        form_class=ProvisionalCommentForm,
        template="casework/decisions/comment.html",
        save=save,
        success="Comments recorded.",
        form_kwargs=lambda case: {"organisations": _case_organisations(case)},
    )


@require_http_methods(["GET", "POST"])
def recommendation_new(request, reference):
    return _decision_step(
        request,
        reference,
        form_class=RecommendationForm,
        template="casework/decisions/recommendation.html",
        save=lambda case, form: recommendation_add(
            case=case, actor=request.user, **form.cleaned_data
        ),
        success="Recommendation added.",
        form_kwargs=lambda case: {"organisations": _case_organisations(case)},
    )


@require_http_methods(["GET", "POST"])
def recommendation_compliance(request, reference, recommendation_id):
    case = case_to_work(request, reference)
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("organisation"),
        pk=recommendation_id,
        decision__case=case,
    )
    documents = case.documents.usable().order_by("-created_at")
    form = ComplianceForm(_posted(request), documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation_compliance_record(
                recommendation_id=recommendation.pk,
                actor=request.user,
                complied=form.cleaned_data["complied"] == "yes",
                note=form.cleaned_data["note"],
                evidence_ids=[int(pk) for pk in form.cleaned_data["evidence"]],
            )
        except DecisionRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            messages.success(request, "Compliance recorded.")
            return redirect("casework:decision", reference=case.reference)
    return render(
        request,
        "casework/decisions/compliance.html",
        {"case": case, "recommendation": recommendation, "form": form},
    )


@require_http_methods(["GET", "POST"])
def public_summary(request, reference):
    case = case_to_work(request, reference)
    current = _decision_of(case)
    form = PublicSummaryForm(
        _posted(request), initial={"public_summary": current.public_summary if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision_summary_redact(case=case, actor=request.user, **form.cleaned_data)
        except DecisionRefused as exc:
            form.add_error(_field_of(exc, form), str(exc))
        else:
            return redirect("casework:decision_redaction", reference=case.reference)
    return render(
        request,
        "casework/decisions/summary.html",
        {"case": case, "form": form, "decision": current},
    )


@require_http_methods(["GET", "POST"])
def redaction_check(request, reference):
    """Show what redaction masked; staff may mask more, then confirm the text to publish."""
    case = case_to_work(request, reference)
    current = _decision_of(case)
    if current is None or not current.redacted_summary:
        return redirect("casework:decision_summary", reference=case.reference)
    form = RedactionConfirmForm(
        _posted(request), initial={"redacted_summary": current.redacted_summary}
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision_redaction_confirm(
                case=case,
                actor=request.user,
                redacted_summary=form.cleaned_data["redacted_summary"],
            )
        except DecisionRefused as exc:
            form.add_error(_field_of(exc, form) or "redacted_summary", str(exc))
        else:
            messages.success(request, "Redacted summary confirmed.")
            return redirect("casework:decision", reference=case.reference)
    return render(
        request,
        "casework/decisions/redaction.html",
        {"case": case, "form": form, "decision": current},
    )


@require_POST
def publish(request, reference):
    case = case_to_work(request, reference)
    try:
        decision_publish(case=case, actor=request.user)
    except DecisionRefused as exc:
        current = _decision_of(case)
        form = DecisionForm(
            initial={
                "outcome": current.outcome,
                "findings": current.findings,
                "reasons": current.reasons,
            }
            if current
            else {}
        )
        return _decision_page(request, case, current, form, publish_error=str(exc), status=400)
    messages.success(request, "Decision published.")
    return redirect("casework:decision", reference=case.reference)
