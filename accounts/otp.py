"""Staff second factor (django-otp TOTP): enrolment and verification for this session."""

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


def staff_has_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


@transaction.atomic
def staff_totp_device_get_or_create(*, user, confirmed: bool = False) -> TOTPDevice:
    """The user's pending (unconfirmed) TOTP device, made if there is none yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)
    return device


def staff_verify_token(*, request, token: str) -> bool:
    """Check a code against the user's confirmed devices; on success mark this session verified."""
    device = match_token(request.user, token)
    if device is None:
        return False
    otp_login(request, device)
    return True


@transaction.atomic
def staff_confirm_device(*, request, device: TOTPDevice, token: str) -> bool:
    """First-time enrolment: a correct code from the new device confirms it and verifies the session."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


