"""Staff second factor (django-otp TOTP): enrolment and verification for this session."""

import logging
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

# One line per failed or throttled staff check, in key=value form so that a log shipper can
# alert on repeated failures for one account or one address. Codes are never logged.
audit_log = logging.getLogger("accounts.security")

DEVICE_NAME = "Authenticator app"


class StaffAlreadyEnrolled(Exception):
    """The user already has a confirmed device: a new one may only be added by an administrator."""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    # Set when every device refused to check the code because of too many recent wrong codes.
    locked_until: datetime | None = None


def staff_has_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app asks for when the QR code cannot be scanned."""
    return b32encode(device.bin_key).decode("ascii")


def client_ip(request) -> str:
    """The address rate limits are counted against (see ALLAUTH_TRUSTED_PROXY_COUNT)."""
    try:
        return get_account_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return "-"


def _audit_failure(*, request, event: str, device=None, locked_until=None) -> None:
    audit_log.warning(
        "event=%s user_id=%s ip=%s path=%s failure_count=%s locked_until=%s",
        event,
        request.user.pk,
        client_ip(request),
        request.path,
        getattr(device, "throttling_failure_count", "-"),
        locked_until.isoformat() if locked_until else "-",
    )


def _most_failed(devices):
    return max(devices, key=lambda d: getattr(d, "throttling_failure_count", 0), default=None)


def _locked_until(devices) -> datetime | None:
    """When every device is throttled, the earliest moment one of them will accept a code again."""
    until = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return None
        until.append((data or {}).get("locked_until"))
    known = [moment for moment in until if moment is not None]
    return min(known) if known else None


@transaction.atomic
def staff_device_create(
    *, user: User, key: str | None = None, confirmed: bool = True
) -> TOTPDevice:
    """A TOTP device for a staff member, made by an operator (command line or demo data)."""
    fields = {"user": user, "name": DEVICE_NAME, "confirmed": confirmed}
    if key is not None:
        fields["key"] = key
    return TOTPDevice.objects.create(**fields)


@transaction.atomic
def staff_pending_device_get_or_create(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device for first-time enrolment, made if there is none yet.

    Refused once any device is confirmed: otherwise anyone holding only the password could add
    an authenticator of their own and defeat the second factor.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    if staff_has_device(user):
        raise StaffAlreadyEnrolled
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = staff_device_create(user=user, confirmed=False)
    return device


@transaction.atomic
def staff_token_verify(*, request, token: str) -> VerifyResult:
    """Check a code against the user's confirmed devices; on success mark this session verified."""
    user = request.user
    devices = list(devices_for_user(user, confirmed=True, for_verify=True))
    locked_until = _locked_until(devices)
    if locked_until is not None:
        _audit_failure(
            request=request,
            event="staff_otp_throttled",
            device=_most_failed(devices),
            locked_until=locked_until,
        )
        return VerifyResult(ok=False, locked_until=locked_until)
    device = match_token(user, token)
    if device is None:
        refreshed = list(devices_for_user(user, confirmed=True))
        _audit_failure(request=request, event="staff_otp_failed", device=_most_failed(refreshed))
        return VerifyResult(ok=False)
    otp_login(request, device)
    return VerifyResult(ok=True)


@transaction.atomic
def staff_device_confirm(*, request, device: TOTPDevice, token: str) -> VerifyResult:
    """Enrolment: a right code from the new device confirms it and verifies this session."""
    user = request.user
    User.objects.select_for_update().filter(pk=user.pk).first()
    # Re-checked under the lock: two tabs (or an attacker racing the owner) cannot both enrol.
    if staff_has_device(user):
        raise StaffAlreadyEnrolled
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    locked_until = _locked_until([device])
    if locked_until is not None:
        _audit_failure(
            request=request,
            event="staff_otp_enrol_throttled",
            device=device,
            locked_until=locked_until,
        )
        return VerifyResult(ok=False, locked_until=locked_until)
    if not device.verify_token(token):
        _audit_failure(request=request, event="staff_otp_enrol_failed", device=device)
        return VerifyResult(ok=False)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Any other half-finished enrolment is now meaningless; leave only the confirmed device.
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    otp_login(request, device)
    audit_log.info(
        "event=staff_otp_enrolled user_id=%s ip=%s device_id=%s",
        user.pk,
        client_ip(request),
        device.pk,
    )
    return VerifyResult(ok=True)
