"""The organisation portal: the cases the organisation is party to and only the parts shared with
it (its evidence requests, its own message thread, the provisional report, recommendations
addressed to it), its users, and its own figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from casework.models import CommentParty, Decision, MessageParty, ProvisionalComment
from casework.services import UploadRefused, audit_record, message_send, messages_mark_read
from casework.services_decisions import (
    DecisionRefused,
    EvidenceRequestRefused,
    provisional_comment_record,
)
from casework.views import upload_view
from phso.ratelimit import limit_invitations
from portals import access, insight, selectors
from portals.forms import (
    CommentForm,
    ComplianceForm,
    EvidenceAnswerForm,
    ExtensionForm,
    MessageForm,
    OrganisationInviteForm,
)
from portals.models import ExtensionRequest, Invitation, OrganisationMembership
from portals.services import (
    PortalRefused,
    compliance_submit,
    evidence_request_answer,
    extension_request_create,
    invitation_create,
    organisation_membership_remove,
)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


@login_required
@require_safe
def choose(request):
    memberships = list(selectors.organisation_memberships(request.user))
    if not memberships:
        raise Http404("Not found")
    if len(memberships) == 1:
        return redirect("org_portal:home", organisation_id=memberships[0].organisation_id)
    return render(request, "portals/org/choose.html", {"memberships": memberships})


@login_required
@require_safe
def home(request, organisation_id):
    membership = access.organisation_for(request, organisation_id)
    organisation = membership.organisation
    cases = list(selectors.organisation_cases_for_list(organisation)[:200])
    return render(
        request,
        "portals/org/home.html",
        {"membership": membership, "organisation": organisation, "cases": cases},
    )


@login_required
@require_safe
def evidence_requests(request, organisation_id):
    membership = access.organisation_for(request, organisation_id)
    requests = list(selectors.organisation_evidence_requests_for_list(membership.organisation))
    return render(
        request,
        "portals/org/evidence_requests.html",
        {
            "organisation": membership.organisation,
            "requests": requests,
            "today": timezone.localdate(),
        },
    )


@login_required
@upload_view
@require_http_methods(["GET", "POST"])
def evidence_request(request, organisation_id, evidence_request_id):
    """One request: what is asked, by when, and the form to answer it with files and a note."""
    membership, item = access.organisation_object_for(
        request, organisation_id, selectors.organisation_evidence_request, evidence_request_id
    )
    form = EvidenceAnswerForm(_posted(request), _files(request))
    documents = []
    if request.method == "POST" and form.is_valid():
        try:
            documents = evidence_request_answer(
                evidence_request=item,
                actor=request.user,
                files=form.cleaned_data["files"],
                note=form.cleaned_data["note"],
            )
        except (UploadRefused, EvidenceRequestRefused) as exc:
            form.add_error("files", str(exc))
        else:
            item.refresh_from_db()
            if item.status != "open":
                messages.success(request, "Your evidence has been sent")
                return redirect(
                    "org_portal:evidence_request",
                    organisation_id=organisation_id,
                    evidence_request_id=item.pk,
                )
            form.add_error(
                "files", "None of the files could be accepted. " + documents[0].rejection_reason
            )
    extensions = list(ExtensionRequest.objects.filter(evidence_request=item))
    return render(
        request,
        "portals/org/evidence_request.html",
        {
            "organisation": membership.organisation,
            "item": item,
            "form": form,
            "extensions": extensions,
            "documents": documents,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_request_more_time(request, organisation_id, evidence_request_id):
    membership, item = access.organisation_object_for(
        request, organisation_id, selectors.organisation_evidence_request, evidence_request_id
    )
    form = ExtensionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            extension_request_create(evidence_request=item, actor=request.user, **form.cleaned_data)
        except PortalRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "You have asked for more time. We will tell you our answer")
            return redirect(
                "org_portal:evidence_request",
                organisation_id=organisation_id,
                evidence_request_id=item.pk,
            )
    return render(
        request,
        "portals/org/more_time.html",
        {"organisation": membership.organisation, "item": item, "form": form},
    )


def _shared_decision(case):
    """The decision only once its provisional report has been shared with the parties."""
    decision = Decision.objects.filter(case=case, provisional_shared_at__isnull=False).first()
    return decision


@login_required
@require_safe
def case_detail(request, organisation_id, reference):
    membership, case = access.organisation_object_for(
        request, organisation_id, selectors.organisation_case, reference
    )
    organisation = membership.organisation
    audit_record(request=request, action="portal.organisation.case_view", case=case, obj=case)
    return render(
        request,
        "portals/org/case_detail.html",
        {
            "organisation": organisation,
            "case": case,
            "requests": case.evidence_requests.filter(organisation=organisation),
            "decision": _shared_decision(case),
            "recommendations": selectors.organisation_recommendations(organisation).filter(
                decision__case=case
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_messages(request, organisation_id, reference):
    membership, case = access.organisation_object_for(
        request, organisation_id, selectors.organisation_case, reference
    )
    organisation = membership.organisation
    form = MessageForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        message_send(
            case=case,
            author=request.user,
            party=MessageParty.ORGANISATION,
            body=form.cleaned_data["body"],
            from_ombudsman=False,
            organisation=organisation,
        )
        messages.success(request, "Your message has been sent")
        return redirect(
            "org_portal:case_messages", organisation_id=organisation_id, reference=reference
        )
    thread = list(selectors.organisation_thread(case, organisation))
    if request.method == "GET":
        messages_mark_read(
            case=case,
            party=MessageParty.ORGANISATION,
            reader_is_ombudsman=False,
            organisation=organisation,
        )
    return render(
        request,
        "portals/org/messages.html",
        {"organisation": organisation, "case": case, "thread": thread, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def provisional_report(request, organisation_id, reference):
    membership, case = access.organisation_object_for(
        request, organisation_id, selectors.organisation_case, reference
    )
    organisation = membership.organisation
    decision = _shared_decision(case)
    if decision is None:
        raise Http404("No provisional report shared")
    form = CommentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            provisional_comment_record(
                case=case,
                actor=request.user,
                party=CommentParty.ORGANISATION,
                body=form.cleaned_data["body"],
                received_on=timezone.localdate(),
                organisation=organisation,
            )
        except DecisionRefused as exc:
            form.add_error("body", str(exc))
        else:
            messages.success(request, "Your comments have been sent")
            return redirect(
                "org_portal:provisional_report",
                organisation_id=organisation_id,
                reference=reference,
            )
    comments = ProvisionalComment.objects.filter(decision=decision, organisation=organisation)
    return render(
        request,
        "portals/org/provisional_report.html",
        {
            "organisation": organisation,
            "case": case,
            "decision": decision,
            "form": form,
            "comments": comments,
            "open": decision.comments_due >= timezone.localdate(),
        },
    )


@login_required
@require_safe
def recommendations(request, organisation_id):
    membership = access.organisation_for(request, organisation_id)
    items = list(selectors.organisation_recommendations(membership.organisation))
    return render(
        request,
        "portals/org/recommendations.html",
        {"organisation": membership.organisation, "items": items},
    )


@login_required
@upload_view
@require_http_methods(["GET", "POST"])
def recommendation(request, organisation_id, recommendation_id):
    membership, item = access.organisation_object_for(
        request, organisation_id, selectors.organisation_recommendation, recommendation_id
    )
    form = ComplianceForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            documents = compliance_submit(
                recommendation=item,
                actor=request.user,
                files=form.cleaned_data["files"],
                note=form.cleaned_data["note"],
            )
        except UploadRefused as exc:
            form.add_error("files", str(exc))
        else:
            if any(d.status != "rejected" for d in documents):
                messages.success(request, "Your evidence of compliance has been sent")
                return redirect(
                    "org_portal:recommendation",
                    organisation_id=organisation_id,
                    recommendation_id=item.pk,
                )
            form.add_error(
                "files", "None of the files could be accepted. " + documents[0].rejection_reason
            )
    return render(
        request,
        "portals/org/recommendation.html",
        {
            "organisation": membership.organisation,
            "item": item,
            "form": form,
            "submissions": item.compliance_submissions.all(),
        },
    )


@login_required
@require_safe
def users(request, organisation_id):
    membership = access.organisation_admin_for(request, organisation_id)
    organisation = membership.organisation
    invitations = [
        i
        for i in Invitation.objects.filter(organisation=organisation, used_at__isnull=True)[:50]
        if i.is_pending
    ]
    return render(
        request,
        "portals/org/users.html",
        {
            "organisation": organisation,
            "members": list(selectors.organisation_members_for_list(organisation)),
            "invitations": invitations,
            "me": membership,
        },
    )


@login_required
@limit_invitations
@require_http_methods(["GET", "POST"])
def users_invite(request, organisation_id):
    membership = access.organisation_admin_for(request, organisation_id)
    form = OrganisationInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=membership.organisation,
            )
        except PortalRefused as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}")
            return redirect("org_portal:users", organisation_id=organisation_id)
    return render(
        request,
        "portals/org/users_invite.html",
        {"organisation": membership.organisation, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def users_remove(request, organisation_id, membership_id):
    me = access.organisation_admin_for(request, organisation_id)
    member = (
        OrganisationMembership.objects.active()
        .select_related("user")
        .filter(organisation=me.organisation, pk=membership_id)
        .first()
    )
    if member is None:
        raise Http404("No user found")
    error = ""
    if request.method == "POST":
        try:
            organisation_membership_remove(membership=member, actor=request.user)
        except PortalRefused as exc:
            error = str(exc)
        else:
            messages.success(request, f"{member.user} no longer has access")
            return redirect("org_portal:users", organisation_id=organisation_id)
    return render(
        request,
        "portals/org/users_remove.html",
        {"organisation": me.organisation, "member": member, "error": error},
    )


@login_required
@require_safe
def insight_page(request, organisation_id):
    membership = access.organisation_for(request, organisation_id)
    organisation = membership.organisation
    return render(
        request,
        "portals/org/insight.html",
        {
            "organisation": organisation,
            "figures": insight.organisation_figures(organisation),
            "sector": organisation.get_sector_display(),
        },
    )
