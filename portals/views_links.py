"""Pages opened from emailed links: accepting an invitation, and a constituent confirming consent
to their MP's referral. A used, expired or unknown link gets a page saying so, and is logged."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from portals.forms import InvitationAccountForm
from portals.models import OrganisationMembership
from portals.services import (
    LinkInvalid,
    PortalRefused,
    case_share_confirm,
    case_share_for_token,
    invitation_accept,
    invitation_for_token,
    link_refusal_record,
    referral_consent_confirm,
    referral_for_consent_token,
)

_STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _link_refused(request, exc: LinkInvalid, *, kind: str):
    link_refusal_record(actor=request.user, reason=exc.reason, kind=kind)
    return render(
        request,
        "portals/link_invalid.html",
        {"reason": exc.reason, "kind": kind},
        status=_STATUS[exc.reason],
    )


def _portal_home(membership):
    if isinstance(membership, OrganisationMembership):
        return redirect("org_portal:home", organisation_id=membership.organisation_id)
    return redirect("mp_portal:home")


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    try:
        invite = invitation_for_token(token)
    except LinkInvalid as exc:
        return _link_refused(request, exc, kind="invitation")
    signed_in = request.user.is_authenticated
    has_account = signed_in or User.objects.filter(email__iexact=invite.email).exists()
    form = InvitationAccountForm(
        request.POST if request.method == "POST" and not has_account else None
    )
    error = ""
    if request.method == "POST" and (signed_in or (not has_account and form.is_valid())):
        try:
            if signed_in:
                membership = invitation_accept(token=token, user=request.user)
            else:
                membership = invitation_accept(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except LinkInvalid as exc:
            return _link_refused(request, exc, kind="invitation")
        except PortalRefused as exc:
            error = str(exc)
        else:
            messages.success(request, "You have accepted the invitation")
            return _portal_home(membership)
    return render(
        request,
        "portals/invitation.html",
        {
            "invitation": invite,
            "form": form,
            "signed_in": signed_in,
            "has_account": has_account,
            "error": error,
            "wrong_account": signed_in and request.user.email.lower() != invite.email.lower(),
        },
    )


@require_http_methods(["GET", "POST"])
def consent(request, token):
    try:
        referral = referral_for_consent_token(token)
    except LinkInvalid as exc:
        return _link_refused(request, exc, kind="consent")
    if request.method == "POST":
        try:
            referral = referral_consent_confirm(token=token)
        except LinkInvalid as exc:
            return _link_refused(request, exc, kind="consent")
        return render(request, "portals/consent_done.html", {"referral": referral})
    return render(request, "portals/consent.html", {"referral": referral})


@login_required
@require_http_methods(["GET", "POST"])
def share_confirm(request, token):
    """The complainant, signed in, lets their MP's office follow their complaint."""
    try:
        share = case_share_for_token(token, user=request.user)
        if request.method == "POST":
            share = case_share_confirm(token=token, user=request.user)
            messages.success(
                request, f"{share.office.mp.name}'s office can now follow your complaint"
            )
            return redirect("complaints:case", reference=share.case.reference)
    except LinkInvalid as exc:
        return _link_refused(request, exc, kind="share")
    return render(request, "portals/share_confirm.html", {"share": share})
