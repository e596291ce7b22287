"""The staff second factor: every staff and admin URL, the verify page, enrolment and the admin."""

import logging
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import totp_secret
from accounts.roles import STAFF_ROLES, Role
from accounts.services import user_revoke_role
from tests.conftest import otp_verified_client
from tests.factories import DEFAULT_PASSWORD, UserFactory

STAFF_ONLY_MESSAGE = "This part of the service is for ombudsman staff only."
NON_STAFF_ROLES = [role for role in Role if role not in STAFF_ROLES]


def _sample_for_group(pattern: str) -> str:
    """A value for one URL parameter that its regex accepts (an id, a word, or an app label)."""
    candidates = [
        "1",
        "sample",
        "00000000-0000-4000-8000-000000000000",
        *(config.label for config in apps.get_app_configs()),
    ]
    for candidate in candidates:
        if re.fullmatch(pattern, candidate):
            return candidate
    raise AssertionError(f"No sample value for URL parameter pattern {pattern!r}")


def _sample_path(regex: str) -> str:
    """A concrete path that a URL pattern's regex matches, parameters filled with sample values."""
    regex = regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            start = regex.index(">", i) + 1
            depth, j = 1, start
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
                j += 1
            out.append(_sample_for_group(regex[start : j - 1]))
            i = j
        else:
            out.append(regex[i])
            i += 1
    return re.sub(r"\\(.)", r"\1", "".join(out))


def _walk(patterns, prefix="/"):
    for pattern in patterns:
        path = prefix + _sample_path(pattern.pattern.regex.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _walk(pattern.url_patterns, path)
        else:
            yield path


def staff_paths() -> list[str]:
    """A path for every URL pattern under the staff prefixes, found from the URL resolver itself so
    that a page added later is covered without anyone listing it here."""
    every = _walk(get_resolver().url_patterns)
    return sorted({path for path in every if path.startswith(settings.STAFF_URL_PREFIXES)})


STAFF_PATHS = staff_paths()


def _code(device, drift=0):
    """The device's current code, as the authenticator app on the user's phone would show it."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def _wrong_code(device):
    """A well-formed code the device will not accept now (nor one time step either side)."""
    accepted = {_code(device, drift) for drift in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)


def _confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _verify_url(next_path="/staff/"):
    return f"{reverse('accounts:staff_verify')}?{urlencode({'next': next_path})}"


@pytest.fixture
def all_staff_roles_admin(db):
    """Holds every staff role and the admin flags, so views' own permission checks let them in."""
    return UserFactory(roles=list(STAFF_ROLES), is_staff=True, is_superuser=True)


class TestStaffUrlEnumeration:
    def test_finds_the_staff_area_and_the_admin(self):
        assert "/staff/" in STAFF_PATHS
        assert "/admin/" in STAFF_PATHS
        assert "/admin/login/" in STAFF_PATHS
        assert any(path.startswith("/admin/auth/group/") for path in STAFF_PATHS)

    def test_every_sample_path_resolves(self):
        for path in STAFF_PATHS:
            resolve(path)


@pytest.mark.django_db
class TestStaffSecondFactorMiddleware:
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_anonymous_users_are_sent_to_sign_in(self, client, method):
        login = reverse("account_login")
        wrong = {}
        for path in STAFF_PATHS:
            response = getattr(client, method)(path)
            if response.status_code != 302 or not response["Location"].startswith(f"{login}?next="):
                wrong[path] = (response.status_code, response.get("Location"))
        assert wrong == {}

    @pytest.mark.parametrize("role", NON_STAFF_ROLES)
    def test_signed_in_non_staff_are_refused(self, client, role):
        client.force_login(UserFactory(roles=[role]))
        wrong = {}
        for path in STAFF_PATHS:
            response = client.get(path)
            if response.status_code != 403 or STAFF_ONLY_MESSAGE not in response.content.decode():
                wrong[path] = response.status_code
        assert wrong == {}

    def test_django_staff_flag_without_a_staff_role_is_refused(self, client):
        client.force_login(UserFactory(roles=[Role.COMPLAINANT], is_staff=True))
        assert client.get("/admin/").status_code == 403

    @pytest.mark.parametrize("role", sorted(STAFF_ROLES))
    def test_staff_without_a_verified_device_are_sent_to_verify(self, client, role):
        user = UserFactory(roles=[role])
        _confirmed_device(user)
        client.force_login(user)
        verify = reverse("accounts:staff_verify")
        wrong = {}
        for path in STAFF_PATHS:
            response = client.get(path)
            sent_to_verify = response.get("Location", "").startswith(f"{verify}?next=")
            if response.status_code != 302 or not sent_to_verify:
                wrong[path] = (response.status_code, response.get("Location"))
        assert wrong == {}

    def test_verified_staff_get_through_to_every_page(self, client, all_staff_roles_admin):
        client.raise_request_exception = False
        otp_verified_client(client, all_staff_roles_admin)
        gates = (reverse("account_login"), reverse("accounts:staff_verify"))
        stopped = {}
        for path in STAFF_PATHS:
            response = client.get(path)
            location = response.get("Location", "")
            if location.startswith(gates) or STAFF_ONLY_MESSAGE in response.content.decode():
                stopped[path] = (response.status_code, location)
        assert stopped == {}

    def test_a_device_from_another_user_does_not_verify_the_session(self, client, caseworker):
        someone_else = UserFactory(roles=[Role.CASEWORKER])
        other_device = _confirmed_device(someone_else)
        _confirmed_device(caseworker)
        client.force_login(caseworker)
        session = client.session
        session["otp_device_id"] = other_device.persistent_id
        session.save()
        response = client.get("/staff/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:staff_verify"))

    def test_losing_the_staff_role_closes_the_staff_area_at_once(self, client, caseworker):
        otp_verified_client(client, caseworker)
        assert client.get("/staff/").status_code == 200
        user_revoke_role(user=caseworker, role=Role.CASEWORKER)
        assert client.get("/staff/").status_code == 403


@pytest.mark.django_db
class TestStaffSignIn:
    def test_password_sign_in_leads_staff_to_the_security_code_page(self, client, caseworker):
        device = _confirmed_device(caseworker)
        response = client.post(
            reverse("account_login"),
            {"login": caseworker.email, "password": DEFAULT_PASSWORD},
            follow=True,
        )
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:staff_verify"))
        assert "Enter your security code" in response.content.decode()

        response = client.post(_verify_url(), {"token": _code(device)})
        assert response.status_code == 302
        assert response["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
class TestStaffVerifyView:
    def test_right_code_verifies_the_session_and_follows_next(self, client, caseworker):
        device = _confirmed_device(caseworker)
        client.force_login(caseworker)
        response = client.post(_verify_url(), {"token": _code(device)})
        assert response.status_code == 302
        assert response["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200

    def test_wrong_code_is_refused_and_logged_without_the_code(self, client, caseworker, caplog):
        device = _confirmed_device(caseworker)
        client.force_login(caseworker)
        wrong = _wrong_code(device)
        with caplog.at_level(logging.WARNING, logger="accounts.security"):
            response = client.post(_verify_url(), {"token": wrong})
        assert response.status_code == 200
        body = response.content.decode()
        assert "The security code is not right, or has expired" in body
        assert "govuk-error-summary" in body
        assert client.get("/staff/").status_code == 302
        [record] = [r for r in caplog.records if r.name == "accounts.security"]
        assert f"event=staff_otp_failed user_id={caseworker.pk} " in record.getMessage()
        assert "failure_count=1" in record.getMessage()
        assert wrong not in record.getMessage()

    @pytest.mark.parametrize(
        ("token", "error"),
        [
            ("", "Enter the security code from your authenticator app"),
            ("12 34-56", "Security codes contain only numbers and letters"),
        ],
    )
    def test_malformed_codes_get_a_plain_error(self, client, caseworker, token, error):
        _confirmed_device(caseworker)
        client.force_login(caseworker)
        response = client.post(_verify_url(), {"token": token})
        assert response.status_code == 200
        assert error in response.content.decode()

    def test_a_code_cannot_be_used_twice(self, client, caseworker):
        device = _confirmed_device(caseworker)
        client.force_login(caseworker)
        code = _code(device)
        assert client.post(_verify_url(), {"token": code}).status_code == 302
        client.logout()
        client.force_login(caseworker)
        response = client.post(_verify_url(), {"token": code})
        assert response.status_code == 200

    def test_many_wrong_codes_throttle_even_the_right_code(self, client, caseworker, caplog):
        device = _confirmed_device(caseworker)
        client.force_login(caseworker)
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            for failures in range(1, 6):
                if failures > 1:
                    # Each wrong code doubles the wait before the next one is even checked.
                    clock.shift(timedelta(seconds=2 ** (failures - 2) + 1))
                client.post(_verify_url(), {"token": _wrong_code(device)})
            device.refresh_from_db()
            assert device.throttling_failure_count == 5

            with caplog.at_level(logging.WARNING, logger="accounts.security"):
                response = client.post(_verify_url(), {"token": _code(device)})
            assert response.status_code == 200
            body = response.content.decode()
            assert "You have entered too many wrong codes. Wait 16 seconds" in body
            assert client.get("/staff/").status_code == 302
            assert any("event=staff_otp_throttled" in r.getMessage() for r in caplog.records)

            clock.shift(timedelta(seconds=17))
            response = client.post(_verify_url(), {"token": _code(device)})
            assert response.status_code == 302
            device.refresh_from_db()
            assert device.throttling_failure_count == 0

    def test_next_must_be_on_this_site(self, client, caseworker):
        device = _confirmed_device(caseworker)
        client.force_login(caseworker)
        response = client.post(
            reverse("accounts:staff_verify"),
            {"token": _code(device), "next": "https://evil.example/steal"},
        )
        assert response["Location"] == reverse("casework:home")

    def test_anonymous_users_are_sent_to_sign_in(self, client):
        response = client.get(reverse("accounts:staff_verify"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_non_staff_are_refused(self, client, complainant):
        client.force_login(complainant)
        assert client.get(reverse("accounts:staff_verify")).status_code == 403
        assert client.post(reverse("accounts:staff_verify"), {"token": "123456"}).status_code == 403

    def test_staff_without_a_device_are_sent_to_set_one_up(self, client, caseworker):
        client.force_login(caseworker)
        response = client.get(_verify_url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:staff_setup"))


@pytest.mark.django_db
class TestStaffSetupView:
    def test_first_enrolment_confirms_the_device_and_verifies_the_session(self, client, caseworker):
        client.force_login(caseworker)
        response = client.get("/staff/", follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:staff_setup"))
        body = response.content.decode()
        assert "Set up your authenticator app" in body
        assert "backup codes" not in body
        device = TOTPDevice.objects.get(user=caseworker)
        assert device.confirmed is False
        assert "<svg" in body

        url = f"{reverse('accounts:staff_setup')}?next=/staff/"
        response = client.post(url, {"token": _code(device)})
        assert response.status_code == 302
        assert response["Location"] == "/staff/"
        device.refresh_from_db()
        assert device.confirmed is True
        assert client.get("/staff/").status_code == 200

    def test_the_page_shows_the_same_pending_secret_until_confirmed(self, client, caseworker):
        client.force_login(caseworker)
        first = client.get(reverse("accounts:staff_setup")).content.decode()
        second = client.get(reverse("accounts:staff_setup")).content.decode()
        device = TOTPDevice.objects.get(user=caseworker)
        assert totp_secret(device) in first
        assert totp_secret(device) in second
        assert TOTPDevice.objects.filter(user=caseworker).count() == 1

    def test_wrong_code_leaves_the_device_unconfirmed(self, client, caseworker, caplog):
        client.force_login(caseworker)
        client.get(reverse("accounts:staff_setup"))
        device = TOTPDevice.objects.get(user=caseworker)
        wrong = _wrong_code(device)
        with caplog.at_level(logging.WARNING, logger="accounts.security"):
            response = client.post(reverse("accounts:staff_setup"), {"token": wrong})
        assert response.status_code == 200
        assert "The security code is not right" in response.content.decode()
        device.refresh_from_db()
        assert device.confirmed is False
        assert client.get("/staff/").status_code == 302
        assert any("event=staff_otp_enrol_failed" in r.getMessage() for r in caplog.records)

    def test_no_second_device_once_one_is_confirmed(self, client, caseworker):
        """Someone holding only the password must not be able to enrol their own authenticator."""
        existing = _confirmed_device(caseworker)
        client.force_login(caseworker)
        response = client.get(reverse("accounts:staff_setup"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:staff_verify"))
        response = client.post(reverse("accounts:staff_setup"), {"token": _code(existing)})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:staff_verify"))
        assert list(TOTPDevice.objects.filter(user=caseworker)) == [existing]
        assert client.get("/staff/").status_code == 302

    def test_a_pending_device_cannot_be_confirmed_after_another_was(self, client, caseworker):
        client.force_login(caseworker)
        client.get(reverse("accounts:staff_setup"))
        pending = TOTPDevice.objects.get(user=caseworker, confirmed=False)
        # Meanwhile an administrator gives them a device by another route.
        _confirmed_device(caseworker)
        response = client.post(reverse("accounts:staff_setup"), {"token": _code(pending)})
        assert response.status_code == 302
        pending.refresh_from_db()
        assert pending.confirmed is False

    def test_anonymous_users_are_sent_to_sign_in(self, client):
        response = client.get(reverse("accounts:staff_setup"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_non_staff_are_refused_and_get_no_device(self, client, complainant):
        client.force_login(complainant)
        assert client.get(reverse("accounts:staff_setup")).status_code == 403
        assert not TOTPDevice.objects.filter(user=complainant).exists()


@pytest.mark.django_db
class TestAdmin:
    def test_administrator_reaches_the_admin_index_after_the_security_code(self, client):
        admin_user = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
        device = _confirmed_device(admin_user)
        client.force_login(admin_user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == _verify_url("/admin/")
        response = client.post(_verify_url("/admin/"), {"token": _code(device)})
        assert response["Location"] == "/admin/"
        response = client.get("/admin/")
        assert response.status_code == 200
        assert "Ombudsman service administration" in response.content.decode()

    def test_admin_login_url_sends_people_to_the_one_sign_in_page(self, client):
        response = client.get("/admin/login/?next=/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('account_login')}?next=")

    def test_admin_login_form_cannot_be_posted_to(self, client):
        admin_user = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
        response = client.post(
            "/admin/login/", {"username": admin_user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session

    def test_admin_login_url_forwards_a_verified_administrator(self, client):
        admin_user = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
        otp_verified_client(client, admin_user)
        response = client.get("/admin/login/?next=/admin/auth/group/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/auth/group/"
        response = client.get("/admin/login/?next=https://evil.example/")
        assert response["Location"] == "/admin/"

    def test_verified_caseworker_is_refused_rather_than_looped(self, staff_client):
        response = staff_client.get("/admin/", follow=True)
        assert response.status_code == 403
        assert len(response.redirect_chain) == 1
        assert "The admin is for service administrators only." in response.content.decode()
