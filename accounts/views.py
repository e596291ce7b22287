from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.forms import StaffTokenForm
from accounts.otp import (
    staff_confirm_device,
    staff_has_device,
    staff_totp_device_get_or_create,
    staff_verify_token,
)


def admin_login_redirect(request, extra_context=None):
    """The admin has no login form of its own: everyone signs in through the one throttled page."""
    next_url = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


def _safe_next(request, default):
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


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
        return redirect(f"{reverse('accounts:staff_setup')}?{urlencode({'next': next_url})}")
    form = StaffTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if staff_verify_token(request=request, token=form.cleaned_data["token"]):
            return redirect(next_url)
        form.add_error("token", "The security code is not right, or has expired. Enter the newest code")
    return render(request, "accounts/staff_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def staff_setup(request):
    """First sign-in of a staff member with no authenticator yet: enrol one by scanning a QR code."""
    _staff_only(request)
    next_url = _safe_next(request, reverse("casework:home"))
    if staff_has_device(request.user):
        return redirect(f"{reverse('accounts:staff_verify')}?{urlencode({'next': next_url})}")
    device = staff_totp_device_get_or_create(user=request.user)
    form = StaffTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if staff_confirm_device(request=request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, "Your authenticator app is set up.")
            return redirect(next_url)
        form.add_error("token", "The security code is not right. Check the app shows this service, then try the newest code")
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return render(
        request,
        "accounts/staff_setup.html",
        {"form": form, "next": next_url, "qr_svg": qr_svg, "secret": device.config_url.split("secret=")[1].split("&")[0]},
    )
