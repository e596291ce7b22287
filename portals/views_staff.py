"""Staff pages for the portals (under /staff/, so the staff second-factor gate applies):
organisations' requests for more time, and handing an office over after an election."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from casework.models import Case, CaseOrganisation, Message, MessageParty
from casework.services import audit_record, messages_mark_read
from casework.services_decisions import EvidenceRequestRefused
from portals import selectors
from portals.forms import ExtensionDecisionForm, HandoverForm, MessageForm
from portals.models import ExtensionRequest, ExtensionRequestStatus, MpOffice, Referral
from portals.services import (
    PortalRefused,
    extension_request_decide,
    office_handover,
    portal_reply_send,
)


def _need(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied("You do not have permission to do this.")


@require_safe
def extension_requests(request):
    _need(request, "portals.decide_extension_requests")
    items = list(selectors.extension_requests_waiting())
    return render(request, "portals/staff/extension_requests.html", {"items": items})


@require_http_methods(["GET", "POST"])
def extension_request(request, extension_id):
    _need(request, "portals.decide_extension_requests")
    item = get_object_or_404(
        ExtensionRequest.objects.select_related(
            "evidence_request__case", "evidence_request__organisation"
        ),
        pk=extension_id,
        status=ExtensionRequestStatus.REQUESTED,
    )
    form = ExtensionDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            extension_request_decide(
                extension=item,
                actor=request.user,
                agree=form.cleaned_data["decision"] == "agree",
                note=form.cleaned_data["note"],
            )
        except (PortalRefused, EvidenceRequestRefused) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your decision has been recorded")
            return redirect("portals_staff:extension_requests")
    return render(request, "portals/staff/extension_request.html", {"item": item, "form": form})


@require_safe
def offices(request):
    _need(request, "portals.hand_over_office")
    items = list(
        MpOffice.objects.current()
        .select_related("mp__constituency")
        .order_by("mp__constituency__name")
    )
    return render(request, "portals/staff/offices.html", {"items": items})


@require_http_methods(["GET", "POST"])
def handover(request, office_id):
    _need(request, "portals.hand_over_office")
    office = get_object_or_404(
        MpOffice.objects.current().select_related("mp__constituency"), pk=office_id
    )
    form = HandoverForm(request.POST if request.method == "POST" else None)
    form.fields["new_mp"].queryset = (
        form.fields["new_mp"]
        .queryset.filter(constituency=office.mp.constituency)
        .exclude(pk=office.mp_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            office_handover(
                old_office=office, new_mp=form.cleaned_data["new_mp"], actor=request.user
            )
        except PortalRefused as exc:
            form.add_error("new_mp", str(exc))
        else:
            messages.success(
                request,
                f"Open referrals handed over to {form.cleaned_data['new_mp'].name}'s office",
            )
            return redirect("portals_staff:offices")
    return render(request, "portals/staff/handover.html", {"office": office, "form": form})


@require_safe
def referrals(request):
    """Referrals from MP offices, newest first: who the constituent is and how they consented,
    which the case itself does not hold."""
    _need(request, "casework.view_case_queue")
    items = list(
        Referral.objects.select_related(
            "case", "office__mp__constituency", "organisation"
        ).order_by("-created_at", "-id")[:100]
    )
    return render(request, "portals/staff/referrals.html", {"items": items})


@require_safe
def referral(request, referral_id):
    _need(request, "casework.view_case_queue")
    item = get_object_or_404(
        Referral.objects.select_related(
            "case", "office__mp__constituency", "organisation", "referred_by", "consent_document"
        ),
        pk=referral_id,
    )
    # Constituent contact details are personal data read by staff: the read is audited.
    audit_record(request=request, action="portal.referral.view", case=item.case, obj=item)
    return render(request, "portals/staff/referral.html", {"item": item})


# The MP office and organisation message threads: the back office's case page holds only the
# complainant's thread, so caseworkers read and answer these here.


@require_safe
def portal_messages(request):
    """Threads with MP offices and organisations that have messages no one here has read."""
    _need(request, "casework.work_case")
    threads = list(
        Message.objects.filter(party__in=[MessageParty.MP_OFFICE, MessageParty.ORGANISATION])
        .unread_by_ombudsman()
        .values("case__reference", "party", "organisation_id", "organisation__name")
        .annotate(unread=Count("id"), oldest=Min("created_at"))
        .order_by("oldest")[:200]
    )
    return render(request, "portals/staff/portal_messages.html", {"threads": threads})


def _thread(request, reference, party, organisation_id=None):
    _need(request, "casework.work_case")
    case = get_object_or_404(Case.objects.visible_to(request.user), reference=reference)
    organisation = None
    if party == MessageParty.ORGANISATION:
        link = get_object_or_404(
            CaseOrganisation.objects.select_related("organisation"),
            case=case,
            organisation_id=organisation_id,
        )
        organisation = link.organisation
    form = MessageForm(request.POST if request.method == "POST" else None)
    form.fields["body"].label = "Reply"
    if request.method == "POST" and form.is_valid():
        portal_reply_send(
            case=case,
            author=request.user,
            party=party,
            body=form.cleaned_data["body"],
            organisation=organisation,
        )
        messages.success(request, "Your message has been sent")
        return redirect(request.path)
    thread = list(Message.objects.thread(case=case, party=party, organisation=organisation))
    if request.method == "GET":
        messages_mark_read(
            case=case, party=party, reader_is_ombudsman=True, organisation=organisation
        )
        audit_record(
            request=request,
            action="portal.thread.view",
            case=case,
            detail={"party": party, "organisation_id": organisation_id},
        )
    with_whom = organisation.name if organisation else "the MP's office"
    return render(
        request,
        "portals/staff/thread.html",
        {"case": case, "thread": thread, "form": form, "with_whom": with_whom},
    )


@require_http_methods(["GET", "POST"])
def office_thread(request, reference):
    return _thread(request, reference, MessageParty.MP_OFFICE)


@require_http_methods(["GET", "POST"])
def organisation_thread(request, reference, organisation_id):
    return _thread(request, reference, MessageParty.ORGANISATION, organisation_id)
