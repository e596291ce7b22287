"""The MP office portal: referrals and their progress, messages with the caseworker, the office's
users, and constituency insight. Every page finds the office through portals.access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Organisation
from casework.models import CaseEventKind, Message, MessageParty
from casework.services import UploadRefused, audit_record, message_send, messages_mark_read
from casework.state import CaseStatus
from casework.views import upload_view
from complaints.account import PUBLIC_STATUS, public_status
from phso.ratelimit import limit_invitations, limit_share_requests
from portals import access, insight, selectors
from portals.forms import (
    ComplaintForm,
    ConsentForm,
    ConstituentForm,
    MessageForm,
    OfficeInviteForm,
    RoleForm,
    ShareRequestForm,
)
from portals.models import Invitation, MpOfficeMembership, Referral
from portals.services import (
    PortalRefused,
    case_share_request,
    invitation_create,
    office_membership_remove,
    office_membership_role_set,
    referral_submit,
)

SESSION_KEY = "mp_referral"


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_safe
def home(request):
    membership = access.office_for(request)
    referrals = list(selectors.office_referrals_for_list(membership.office))
    rows = [
        {"referral": r, "status": public_status(r.case) if r.case_id else None} for r in referrals
    ]
    shared = [
        {"share": s, "status": public_status(s.case)}
        for s in selectors.office_shares_for_list(membership.office)
    ]
    return render(
        request,
        "portals/mp/home.html",
        {"membership": membership, "office": membership.office, "rows": rows, "shared": shared},
    )


def _timeline(case):
    entries = []
    for event in selectors.office_public_events(case):
        if event.kind == CaseEventKind.RECEIVED:
            title = "Complaint received"
        elif event.kind == CaseEventKind.MESSAGE_SENT:
            sender = "the caseworker" if event.payload.get("from_ombudsman") else "your office"
            title = f"Message from {sender}"
        else:
            title = f"Status: {PUBLIC_STATUS[CaseStatus(event.to_status)].tag.lower()}"
        entries.append({"at": event.created_at, "title": title})
    return entries


@login_required
@require_safe
def case_detail(request, reference):
    membership, case = access.office_case_for(request, reference)
    audit_record(request=request, action="portal.mp.case_view", case=case, obj=case)
    return render(
        request,
        "portals/mp/case_detail.html",
        {
            "office": membership.office,
            "case": case,
            "referral": Referral.objects.filter(case=case).first(),
            "status": public_status(case),
            "timeline": _timeline(case),
            "organisations": case.organisations.order_by("name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_messages(request, reference):
    membership, case = access.office_case_for(request, reference)
    form = MessageForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        message_send(
            case=case,
            author=request.user,
            party=MessageParty.MP_OFFICE,
            body=form.cleaned_data["body"],
            from_ombudsman=False,
        )
        messages.success(request, "Your message has been sent")
        return redirect("mp_portal:case_messages", reference=case.reference)
    thread = list(Message.objects.thread(case=case, party=MessageParty.MP_OFFICE))
    if request.method == "GET":
        messages_mark_read(case=case, party=MessageParty.MP_OFFICE, reader_is_ombudsman=False)
    return render(
        request,
        "portals/mp/messages.html",
        {"office": membership.office, "case": case, "thread": thread, "form": form},
    )


# Referring a complaint: three short pages, kept in the session until the last one sends it.


def _referral_data(request) -> dict:
    return dict(request.session.get(SESSION_KEY, {}))


@login_required
@require_http_methods(["GET", "POST"])
def refer_constituent(request):
    membership = access.office_for(request)
    data = _referral_data(request)
    form = ConstituentForm(_posted(request), initial=data)
    if request.method == "POST" and form.is_valid():
        data.update(form.cleaned_data)
        request.session[SESSION_KEY] = data
        return redirect("mp_portal:refer_complaint")
    return render(
        request, "portals/mp/refer_constituent.html", {"office": membership.office, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def refer_complaint(request):
    membership = access.office_for(request)
    data = _referral_data(request)
    if "constituent_name" not in data:
        return redirect("mp_portal:refer_constituent")
    form = ComplaintForm(_posted(request), initial=data)
    if request.method == "POST" and form.is_valid():
        data.update(
            kind=form.cleaned_data["kind"],
            organisation=form.cleaned_data["organisation"].pk,
            summary=form.cleaned_data["summary"],
        )
        request.session[SESSION_KEY] = data
        return redirect("mp_portal:refer_consent")
    return render(
        request, "portals/mp/refer_complaint.html", {"office": membership.office, "form": form}
    )


@login_required
@upload_view
@require_http_methods(["GET", "POST"])
def refer_consent(request):
    membership = access.office_for(request)
    data = _referral_data(request)
    if "summary" not in data:
        return redirect("mp_portal:refer_complaint")
    posted = request.method == "POST"
    form = ConsentForm(
        _posted(request),
        request.FILES if posted else None,
        constituent_email=data.get("constituent_email", ""),
    )
    if posted and form.is_valid():
        try:
            referral = referral_submit(
                office=membership.office,
                actor=request.user,
                kind=data["kind"],
                organisation=Organisation.objects.get(pk=data["organisation"]),
                summary=data["summary"],
                constituent_name=data["constituent_name"],
                constituent_email=data.get("constituent_email", ""),
                constituent_phone=data.get("constituent_phone", ""),
                constituent_postcode=data["constituent_postcode"],
                consent_method=form.cleaned_data["consent_method"],
                consent_files=form.cleaned_data["files"],
            )
        except (PortalRefused, UploadRefused) as exc:
            form.add_error(
                "files" if form.cleaned_data["consent_method"] == "upload" else None, str(exc)
            )
        else:
            del request.session[SESSION_KEY]
            if referral.case_id:
                messages.success(
                    request, f"Complaint referred. Its reference is {referral.case.reference}"
                )
                return redirect("mp_portal:case", reference=referral.case.reference)
            messages.success(
                request,
                "We have emailed the constituent a link to confirm their consent. "
                "The complaint will be sent to us when they do",
            )
            return redirect("mp_portal:home")
    return render(
        request,
        "portals/mp/refer_consent.html",
        {"office": membership.office, "form": form, "data": data},
    )


# The office's users: managers only.


@login_required
@require_safe
def team(request):
    membership = access.office_manager_for(request)
    office = membership.office
    members = list(selectors.office_members_for_list(office))
    invitations = [
        i
        for i in Invitation.objects.filter(
            office=office, used_at__isnull=True, cancelled_at__isnull=True
        )[:50]
        if i.is_pending
    ]
    return render(
        request,
        "portals/mp/team.html",
        {"office": office, "members": members, "invitations": invitations, "me": membership},
    )


@login_required
@limit_invitations
@require_http_methods(["GET", "POST"])
def team_invite(request):
    membership = access.office_manager_for(request)
    form = OfficeInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                office=membership.office,
            )
        except PortalRefused as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}")
            return redirect("mp_portal:team")
    return render(
        request, "portals/mp/team_invite.html", {"office": membership.office, "form": form}
    )


def _member(request, membership_id) -> tuple[MpOfficeMembership, MpOfficeMembership]:
    me = access.office_manager_for(request)
    member = (
        MpOfficeMembership.objects.active()
        .select_related("user")
        .filter(office=me.office, pk=membership_id)
        .first()
    )
    if member is None:
        raise Http404("No member found")
    return me, member


@login_required
@require_http_methods(["GET", "POST"])
def team_member(request, membership_id):
    """Change a member's role, or remove them from the office."""
    me, member = _member(request, membership_id)
    removing = request.POST.get("action") == "remove"
    form = RoleForm(None if removing else _posted(request), initial={"role": member.role})
    error = ""
    if request.method == "POST":
        try:
            if removing:
                office_membership_remove(membership=member, actor=request.user)
                messages.success(request, f"{member.user} no longer has access to the office")
                return redirect("mp_portal:team")
            if form.is_valid():
                office_membership_role_set(
                    membership=member, role=form.cleaned_data["role"], actor=request.user
                )
                messages.success(request, f"{member.user}'s role has been changed")
                return redirect("mp_portal:team")
        except PortalRefused as exc:
            error = str(exc)
    return render(
        request,
        "portals/mp/team_member.html",
        {"office": me.office, "member": member, "form": form, "error": error},
    )


# Constituency insight.


@login_required
@require_safe
def insight_page(request):
    membership = access.office_for(request)
    constituency = membership.office.mp.constituency
    tables = insight.constituency_tables(constituency)
    return render(
        request,
        "portals/mp/insight.html",
        {
            "office": membership.office,
            "constituency": constituency,
            "tables": tables,
            "suppress_below": insight.SUPPRESS_BELOW,
        },
    )


@login_required
@require_safe
def insight_csv(request):
    membership = access.office_for(request)
    constituency = membership.office.mp.constituency
    body = insight.tables_csv(
        insight.constituency_tables(constituency), local_name=constituency.name
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="complaints-{constituency.code}.csv"'
    return response


@login_required
@limit_share_requests
@require_http_methods(["GET", "POST"])
def share_request(request):
    """Ask a constituent who complained to us directly to let the office follow their case."""
    membership = access.office_for(request)
    form = ShareRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        case_share_request(
            office=membership.office, actor=request.user, reference=form.cleaned_data["reference"]
        )
        messages.success(
            request,
            "If this is the reference of a complaint from your constituency, we have emailed the "
            "person who made it to ask whether your office may follow it",
        )
        return redirect("mp_portal:home")
    return render(
        request, "portals/mp/share_request.html", {"office": membership.office, "form": form}
    )
