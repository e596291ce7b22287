"""Public account journeys through allauth: sign up, verify, two-step sign in, password reset."""

import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import int_to_base36

from accounts.models import User
from accounts.roles import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "a-brand-new-passphrase"


def _totp_code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows for this secret now (offset in 30-second steps)."""
    counter = int(timezone.now().timestamp()) // 30 + offset
    return format_hotp_value(hotp_value(secret, counter))


def _link(message, pattern):
    match = re.search(rf"https?://[^/\s]+({pattern})", message.body)
    assert match, message.body
    return match.group(1)


def _login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _reauthenticate(client, password):
    """allauth asks for the password again before a security setting changes."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def _signed_in_user(client):
    return client.get(reverse("accounts:home")).wsgi_request.user


@pytest.mark.django_db
class TestSignUpAndTwoStepSignIn:
    def test_whole_journey(self, client):
        email = "new.person@example.org"
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            # Sign up: nobody is signed in until the address is verified.
            response = client.post(
                reverse("account_signup"),
                {"email": email, "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
            )
            assert response.status_code == 302
            assert response["Location"] == reverse("account_email_verification_sent")
            user = User.objects.get(email=email)
            assert user.role_names == {Role.COMPLAINANT.value}
            assert not EmailAddress.objects.get(user=user).verified
            assert not _signed_in_user(client).is_authenticated

            # Verify the address from the link in the email: GET shows a page, POST confirms.
            [message] = mail.outbox
            assert message.to == [email]
            confirm_path = _link(message, r"/account/confirm-email/[^/\s]+/")
            response = client.get(confirm_path)
            assert response.status_code == 200
            assert not EmailAddress.objects.get(user=user).verified
            response = client.post(confirm_path)
            assert response.status_code == 302
            assert EmailAddress.objects.get(user=user).verified

            # Sign in with the password alone.
            response = _login(client, email, DEFAULT_PASSWORD)
            assert response.status_code == 302
            assert response["Location"] == reverse("accounts:home")
            assert _signed_in_user(client) == user

            # Turn on an authenticator app (after giving the password again): the page holds the
            # secret until a code confirms it.
            _reauthenticate(client, DEFAULT_PASSWORD)
            response = client.get(reverse("mfa_activate_totp"))
            assert response.status_code == 200
            secret = client.session["mfa.totp.secret"]
            assert secret in response.content.decode()
            response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
            assert response.status_code == 200
            assert not Authenticator.objects.filter(user=user).exists()
            response = client.post(reverse("mfa_activate_totp"), {"code": _totp_code(secret)})
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_view_recovery_codes")
            totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
            assert decrypt(totp.data["secret"]) == secret

            # Recovery codes are shown once activation is done.
            response = client.get(reverse("mfa_view_recovery_codes"))
            assert response.status_code == 200
            recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
            codes = RecoveryCodes(recovery).get_unused_codes()
            assert len(codes) >= 10
            body = response.content.decode()
            assert all(code in body for code in codes)

            # Sign out, then signing in again needs the code as well as the password.
            response = client.post(reverse("account_logout"))
            assert response.status_code == 302
            assert not _signed_in_user(client).is_authenticated

            clock.shift(60)
            response = _login(client, email, DEFAULT_PASSWORD)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("mfa_authenticate"))
            assert not _signed_in_user(client).is_authenticated

            wrong = next(
                c
                for c in ("000000", "111111", "222222")
                if c not in {_totp_code(secret, d) for d in (-1, 0, 1)}
            )
            response = client.post(reverse("mfa_authenticate"), {"code": wrong})
            assert response.status_code == 200
            assert "govuk-error-summary" in response.content.decode()
            assert not _signed_in_user(client).is_authenticated

            response = client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret)})
            assert response.status_code == 302
            assert _signed_in_user(client) == user

    def test_a_recovery_code_signs_in_once(self, client):
        user = UserFactory(roles=[Role.COMPLAINANT])
        assert _login(client, user.email, DEFAULT_PASSWORD).status_code == 302
        _reauthenticate(client, DEFAULT_PASSWORD)
        client.get(reverse("mfa_activate_totp"))
        secret = client.session["mfa.totp.secret"]
        client.post(reverse("mfa_activate_totp"), {"code": _totp_code(secret)})
        recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        code = RecoveryCodes(recovery).get_unused_codes()[0]
        client.post(reverse("account_logout"))

        _login(client, user.email, DEFAULT_PASSWORD)
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
        assert _signed_in_user(client) == user
        client.post(reverse("account_logout"))

        _login(client, user.email, DEFAULT_PASSWORD)
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
        assert not _signed_in_user(client).is_authenticated

    def test_unverified_address_cannot_sign_in(self, client):
        user = UserFactory(verified_email=False)
        response = _login(client, user.email, DEFAULT_PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("account_email_verification_sent")
        assert not _signed_in_user(client).is_authenticated
        assert len(mail.outbox) == 1

    def test_wrong_password_is_refused(self, client, complainant):
        response = _login(client, complainant.email, "not-the-password")
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
        assert not _signed_in_user(client).is_authenticated

    def test_a_made_up_confirmation_link_confirms_nothing(self, client):
        user = UserFactory(verified_email=False)
        response = client.post("/account/confirm-email/not-a-real-key/")
        assert response.status_code == 404
        assert not EmailAddress.objects.get(user=user).verified

    def test_sign_up_cannot_choose_a_staff_role(self, client):
        client.post(
            reverse("account_signup"),
            {
                "email": "sneaky@example.org",
                "password1": DEFAULT_PASSWORD,
                "password2": DEFAULT_PASSWORD,
                "roles": "administrator",
                "is_staff": "on",
                "is_superuser": "on",
            },
        )
        user = User.objects.get(email="sneaky@example.org")
        assert user.role_names == {Role.COMPLAINANT.value}
        assert not (user.is_staff or user.is_superuser or user.is_ombudsman_staff)


@pytest.mark.django_db
class TestPasswordReset:
    def test_reset_by_email_link(self, client, complainant):
        response = client.post(reverse("account_reset_password"), {"email": complainant.email})
        assert response.status_code == 302
        [message] = mail.outbox
        assert message.to == [complainant.email]
        key_path = _link(message, r"/account/password/reset/key/[^/\s]+/")

        # allauth moves the key out of the address into the session before showing the form.
        response = client.get(key_path)
        assert response.status_code == 302
        form_path = response["Location"]
        response = client.get(form_path)
        assert response.status_code == 200
        response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("account_reset_password_from_key_done")

        assert _login(client, complainant.email, DEFAULT_PASSWORD).status_code == 200
        assert _login(client, complainant.email, NEW_PASSWORD).status_code == 302
        assert _signed_in_user(client) == complainant

    def test_reset_link_works_only_once(self, client, complainant):
        client.post(reverse("account_reset_password"), {"email": complainant.email})
        key_path = _link(mail.outbox[0], r"/account/password/reset/key/[^/\s]+/")
        form_path = client.get(key_path)["Location"]
        client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

        response = client.get(key_path)
        assert response.status_code == 200
        assert response.context["token_fail"]
        again = "yet-another-passphrase"
        client.post(key_path, {"password1": again, "password2": again})
        complainant.refresh_from_db()
        assert complainant.check_password(NEW_PASSWORD)

    def test_a_forged_key_changes_nothing(self, client, complainant):
        path = f"/account/password/reset/key/{int_to_base36(complainant.pk)}-forged-key/"
        response = client.get(path)
        assert response.status_code == 200
        assert response.context["token_fail"]
        client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        complainant.refresh_from_db()
        assert complainant.check_password(DEFAULT_PASSWORD)

    def test_unknown_address_gets_no_reset_link(self, client):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
        # Same answer as for a real account, so the form cannot be used to find out who has one.
        assert response.status_code == 302
        assert all("/password/reset/key/" not in m.body for m in mail.outbox)
