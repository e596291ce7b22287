from math import ceil
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.forms import StaffEnrolmentTokenForm, StaffTokenForm
from accounts.otp import (
    StaffAlreadyEnrolled,
    staff_device_confirm,
    staff_has_device,
    staff_pending_device_get_or_create,
    staff_token_verify,
    totp_secret,
)

WRONG_CODE = "The security code is not right, or has expired. Enter the newest code"
WRONG_ENROLMENT_CODE = (
    "The security code is not right. Check the app shows this service, then enter the newest code"
)


def _safe_next(request, default):
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _locked_message(locked_until):
    seconds = max(1, ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 60:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = ceil(seconds / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"You have entered too many wrong codes. Wait {wait}, then enter the newest code"


def admin_login_redirect(request, extra_context=None):
    """The admin has no login form of its own: everyone signs in through the one throttled page.

    StaffSecondFactorMiddleware has already sent anonymous, non-staff and unverified users away,
    so a user here is verified staff; one who may not use the admin is refused rather than sent
    back to the admin, which would send them here again.
    """
    next_url = _safe_next(request, reverse("admin:index"))
    if not request.user.is_authenticated:
        return redirect(_with_next("account_login", next_url))
    if not admin.site.has_permission(request):
        raise PermissionDenied("The admin is for service administrators only.")
    return redirect(next_url)


@login_required
def home(request):
    return render(request, "accounts/home.html")


def _staff_only(request):
    if not request.user.is_ombudsman_staff:
        raise PermissionDenied("Only ombudsman staff use a staff security code.")


@never_cache
@login_required
def staff_verify(request):
    _staff_only(request)
    next_url = _safe_next(request, reverse("casework:home"))
    if request.user.is_verified():
        return redirect(next_url)
    if not staff_has_device(request.user):
        return redirect(_with_next("accounts:staff_setup", next_url))
    form = StaffTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = staff_token_verify(request=request, token=form.cleaned_data["token"])
        if result.ok:
            return redirect(next_url)
        form.add_error(
            "token", _locked_message(result.locked_until) if result.locked_until else WRONG_CODE
        )
    return render(request, "accounts/staff_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def staff_setup(request):
    """First sign-in of staff with no authenticator yet: enrol one by scanning a QR code."""
    _staff_only(request)
    next_url = _safe_next(request, reverse("casework:home"))
    try:
        device = staff_pending_device_get_or_create(user=request.user)
    except StaffAlreadyEnrolled:
        return redirect(_with_next("accounts:staff_verify", next_url))
    form = StaffEnrolmentTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = staff_device_confirm(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except StaffAlreadyEnrolled:
            return redirect(_with_next("accounts:staff_verify", next_url))
        if result.ok:
            messages.success(request, "Your authenticator app is set up.")
            return redirect(next_url)
        form.add_error(
            "token",
            _locked_message(result.locked_until) if result.locked_until else WRONG_ENROLMENT_CODE,
        )
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    return render(
        request,
        "accounts/staff_setup.html",
        {"form": form, "next": next_url, "qr_svg": qr_svg, "secret": totp_secret(device)},
    )
