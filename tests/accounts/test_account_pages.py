"""Every allauth page renders in the service layout with GOV.UK markup, wording and errors."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests.conftest import otp_verified_client
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_govuk_page(response, heading):
    """The page sits in the service layout, has one GOV.UK h1 and nothing the CSP would block."""
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="govuk-skip-link"' in body
    assert "govuk-phase-banner" in body
    assert re.search(
        rf'<h1 class="govuk-(heading-l|panel__title)">\s*{re.escape(heading)}\s*</h1>', body
    ), body
    assert body.count("<h1") == 1
    assert " style=" not in body
    assert not _INLINE_SCRIPT.search(body)
    return body


def assert_error(response, message, field_id=None):
    """GOV.UK error pattern: "Error: " title, summary linking to the field, inline message."""
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>Error: ", body)
    assert 'class="govuk-error-summary"' in body
    assert "There is a problem" in body
    if field_id:
        assert f'<a href="#{field_id}">{message}</a>' in body
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in body
    return body


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def sign_in(client, user):
    """A real sign-in through allauth, then the password again: allauth asks for it again before
    security changes such as turning two-step sign in on or off."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def current_totp_code(secret):
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def user_with_totp(**kwargs):
    user = UserFactory(**kwargs)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return user, secret


class TestSignInPage:
    def test_renders_gov_uk_sign_in_form(self, client):
        body = assert_govuk_page(client.get(reverse("account_login")), "Sign in")
        assert title(client.get(reverse("account_login"))).startswith("Sign in")
        assert (
            '<label class="govuk-label govuk-label--s" for="id_login">Email address</label>' in body
        )
        assert (
            '<label class="govuk-label govuk-label--s" for="id_password">Password</label>' in body
        )
        assert 'class="govuk-input"' in body
        assert 'class="govuk-button"' in body
        assert "placeholder" not in body
        assert reverse("account_signup") in body
        assert reverse("account_reset_password") in body

    def test_wrong_password_shows_error_summary_and_inline_error(self, client, complainant):
        response = client.post(
            reverse("account_login"), {"login": complainant.email, "password": "not-it"}
        )
        body = assert_error(response, "Enter the correct email address and password")
        assert 'class="govuk-form-group govuk-form-group--error" id="form-errors"' in body

    def test_empty_form_names_each_missing_answer(self, client):
        response = client.post(reverse("account_login"), {"login": "", "password": ""})
        assert_error(response, "Enter your email address", "id_login")
        assert_error(response, "Enter your password", "id_password")

    def test_too_many_attempts_shows_rate_limited_page(self, client, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
        client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
        response = client.post(
            reverse("account_login"), {"login": "a@example.org", "password": "x"}
        )
        assert response.status_code == 429
        body = response.content.decode()
        assert '<h1 class="govuk-heading-l">You have tried too many times</h1>' in body
        assert 'class="govuk-skip-link"' in body


class TestCreateAccountPage:
    def test_renders_with_password_rules(self, client):
        body = assert_govuk_page(client.get(reverse("account_signup")), "Create an account")
        assert 'for="id_email">Email address</label>' in body
        assert 'for="id_password1">Create a password</label>' in body
        assert 'for="id_password2">Confirm your password</label>' in body
        assert (
            '<div id="id_password1-hint" class="govuk-hint">'
            "Your password must be at least 10 characters long." in body
        )
        assert 'aria-describedby="id_password1-hint"' in body
        assert ">Create account</button>" in body

    def test_empty_form_shows_errors_for_every_field(self, client):
        response = client.post(
            reverse("account_signup"), {"email": "", "password1": "", "password2": ""}
        )
        assert_error(response, "Enter your email address", "id_email")
        assert_error(response, "Enter a password", "id_password1")
        assert_error(response, "Enter the password again to confirm it", "id_password2")
        assert 'class="govuk-input govuk-input--error"' in response.content.decode()
        assert title(response).startswith("Error: Create an account")

    def test_email_too_long_for_the_database_is_an_error_not_a_crash(self, client):
        email = "a" * 60 + "." + "b" * 60 + "@" + ("c" * 60 + ".") * 2 + "d" * 50 + ".example.org"
        assert len(email) > 254
        response = client.post(
            reverse("account_signup"),
            {"email": email, "password1": "river-cloud-pencil", "password2": "river-cloud-pencil"},
        )
        assert_error(response, "Email address must be 254 characters or fewer", "id_email")
        assert not User.objects.exists()

    def test_three_hundred_characters_is_an_error(self, client):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "x" * 288 + "@example.org",
                "password1": "river-cloud-pencil",
                "password2": "river-cloud-pencil",
            },
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "There is a problem" in body
        assert '<a href="#id_email">' in body
        assert not User.objects.exists()

    def test_malformed_email_shows_format_error(self, client):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "not-an-email",
                "password1": "river-cloud-pencil",
                "password2": "river-cloud-pencil",
            },
        )
        assert_error(
            response,
            "Enter an email address in the correct format, like name@example.com",
            "id_email",
        )

    def test_short_password_is_explained(self, client):
        response = client.post(
            reverse("account_signup"),
            {"email": "new@example.org", "password1": "short", "password2": "short"},
        )
        body = response.content.decode()
        assert "There is a problem" in body
        assert '<a href="#id_password1">' in body
        assert "at least 10 characters" in body

    def test_duplicate_email_looks_like_success_and_emails_the_owner(self, client, complainant):
        # Enumeration protection (ACCOUNT_PREVENT_ENUMERATION): saying "already registered" here
        # would tell anyone whether a person has complained. The owner is emailed instead.
        response = client.post(
            reverse("account_signup"),
            {
                "email": complainant.email.upper(),
                "password1": "river-cloud-pencil",
                "password2": "river-cloud-pencil",
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("account_email_verification_sent")
        assert User.objects.filter(email__iexact=complainant.email).count() == 1
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [complainant.email]
        assert mail.outbox[0].subject.endswith("You already have an account")
        assert "There is already an account for this address." in mail.outbox[0].body

    def test_valid_form_sends_confirmation_email(self, client):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "New.Person@example.org",
                "password1": "river-cloud-pencil",
                "password2": "river-cloud-pencil",
            },
            follow=True,
        )
        assert_govuk_page(response, "Check your email")
        assert User.objects.filter(email="new.person@example.org").exists()
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.subject == f"{settings.SITE_NAME}: Confirm your email address"
        assert f"an account with {settings.SITE_NAME}" in message.body
        assert "/account/confirm-email/" in message.body


class TestEntrancePages:
    @pytest.mark.parametrize(
        ("name", "heading"),
        [
            ("account_reset_password", "Reset your password"),
            ("account_reset_password_done", "Check your email"),
            ("account_email_verification_sent", "Check your email"),
        ],
    )
    def test_renders(self, client, name, heading):
        assert_govuk_page(client.get(reverse(name)), heading)

    def test_password_reset_with_empty_email_shows_error(self, client):
        response = client.post(reverse("account_reset_password"), {"email": ""})
        assert_error(response, "Enter your email address", "id_email")

    def test_password_reset_for_unknown_email_gives_nothing_away(self, client):
        response = client.post(
            reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True
        )
        body = assert_govuk_page(response, "Check your email")
        assert "If there is an account for the email address you entered" in body


class TestConfirmEmailPage:
    def test_valid_link_asks_to_confirm_then_confirms(self, client):
        user = UserFactory(verified_email=False)
        address = EmailAddress.objects.get(user=user)
        key = EmailConfirmationHMAC(address).key
        url = reverse("account_confirm_email", args=[key])
        body = assert_govuk_page(client.get(url), "Confirm your email address")
        assert user.email in body
        assert ">Confirm email address</button>" in body
        response = client.post(url)
        assert response.status_code == 302
        address.refresh_from_db()
        assert address.verified

    def test_broken_link_says_so(self, client):
        response = client.get(reverse("account_confirm_email", args=["not-a-key"]))
        assert_govuk_page(response, "This link does not work")


class TestPasswordResetFromKeyPage:
    def _reset_link(self, client, user):
        client.post(reverse("account_reset_password"), {"email": user.email})
        return re.search(
            r"https?://[^/]+(/account/password/reset/key/\S+)", mail.outbox[-1].body
        ).group(1)

    def test_link_leads_to_new_password_form_then_done(self, client, complainant):
        response = client.get(self._reset_link(client, complainant), follow=True)
        body = assert_govuk_page(response, "Create a new password")
        assert 'for="id_password1">New password</label>' in body
        form_url = response.redirect_chain[-1][0]
        response = client.post(form_url, {"password1": "short", "password2": "short"})
        assert "There is a problem" in response.content.decode()
        response = client.post(
            form_url,
            {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
            follow=True,
        )
        assert_govuk_page(response, "Your password has been changed")

    def test_used_or_bad_link_says_so(self, client, complainant):
        response = client.get(
            reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}),
            follow=True,
        )
        assert_govuk_page(response, "This link does not work")


class TestManageAccountPages:
    @pytest.mark.parametrize(
        ("name", "heading"),
        [
            ("account_email", "Your email addresses"),
            ("account_change_password", "Change your password"),
            ("account_logout", "Sign out"),
            ("mfa_index", "Two-step sign in"),
            ("mfa_activate_totp", "Set up an authenticator app"),
        ],
    )
    def test_renders_with_back_link(self, client, complainant, name, heading):
        sign_in(client, complainant)
        body = assert_govuk_page(client.get(reverse(name)), heading)
        assert f'<a href="{reverse("accounts:home")}" class="govuk-back-link">' in body

    def test_pages_need_sign_in(self, client):
        response = client.get(reverse("account_email"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    def test_email_page_with_one_address_shows_it_and_its_status(self, client, complainant):
        sign_in(client, complainant)
        body = client.get(reverse("account_email")).content.decode()
        assert complainant.email in body
        assert '<strong class="govuk-tag govuk-tag--green">Confirmed</strong>' in body
        assert "action_remove" not in body

    def test_email_page_lists_several_addresses_as_gov_uk_radios(self, client, complainant):
        EmailAddress.objects.create(user=complainant, email="second@example.org", verified=False)
        sign_in(client, complainant)
        body = client.get(reverse("account_email")).content.decode()
        assert body.count('class="govuk-radios__input"') == 2
        assert "Main email address. Confirmed" in body
        assert "Not confirmed yet" in body
        assert 'name="action_remove"' in body

    def test_adding_a_malformed_email_shows_error(self, client, complainant):
        sign_in(client, complainant)
        response = client.post(reverse("account_email"), {"action_add": "", "email": "nope"})
        assert_error(
            response,
            "Enter an email address in the correct format, like name@example.com",
            "id_email",
        )

    def test_change_password_with_wrong_current_password_shows_error(self, client, complainant):
        sign_in(client, complainant)
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": "wrong",
                "password1": "a-brand-new-passphrase",
                "password2": "a-brand-new-passphrase",
            },
        )
        body = assert_error(
            response, "Your current password is not right. Enter it again", "id_oldpassword"
        )
        assert 'for="id_oldpassword">Current password</label>' in body

    def test_sign_out_page_signs_out(self, client, complainant):
        sign_in(client, complainant)
        response = client.post(reverse("account_logout"), follow=True)
        assert "You have signed out." in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated

    def test_reauthenticate_page_asks_for_password(self, client, complainant):
        client.force_login(complainant)  # not a fresh sign-in, so allauth asks again
        response = client.get(reverse("mfa_activate_totp"), follow=True)
        body = assert_govuk_page(response, "Confirm it is you")
        assert 'for="id_password">Password</label>' in body
        response = client.post(response.redirect_chain[-1][0], {"password": ""})
        assert_error(response, "Enter your password", "id_password")


class TestTwoStepSignInPages:
    def test_activate_shows_qr_code_secret_and_code_field(self, client, complainant):
        sign_in(client, complainant)
        body = assert_govuk_page(
            client.get(reverse("mfa_activate_totp")), "Set up an authenticator app"
        )
        assert re.search(
            r'<img class="app-qr-code-image" src="data:image/svg\+xml;base64,[^"]+" alt="QR code',
            body,
        )
        assert re.search(
            r'<p class="govuk-body app-secret" id="authenticator-secret">[A-Z2-7]{32}</p>', body
        )
        assert 'for="id_code">Security code</label>' in body

    def test_activate_with_wrong_code_shows_error(self, client, complainant):
        sign_in(client, complainant)
        client.get(reverse("mfa_activate_totp"))
        response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        body = response.content.decode()
        assert response.status_code == 200
        assert title(response).startswith("Error: ")
        assert '<a href="#id_code">' in body
        assert "govuk-input--error" in body

    @pytest.mark.django_db(transaction=True)
    def test_activate_with_right_code_turns_it_on(self, client, complainant):
        # transaction=True: allauth adds its message when the activation commits.
        sign_in(client, complainant)
        client.get(reverse("mfa_activate_totp"))
        secret = client.session["mfa.totp.secret"]
        response = client.post(
            reverse("mfa_activate_totp"), {"code": current_totp_code(secret)}, follow=True
        )
        assert Authenticator.objects.filter(user=complainant, type=Authenticator.Type.TOTP).exists()
        body = assert_govuk_page(response, "Your recovery codes")
        assert "Two-step sign in is on." in body

    def test_index_shows_status_and_actions_when_on(self, client):
        user, _ = user_with_totp()
        client.force_login(user)
        body = assert_govuk_page(client.get(reverse("mfa_index")), "Two-step sign in")
        assert "govuk-summary-card" in body
        assert '<strong class="govuk-tag govuk-tag--green">On</strong>' in body
        assert reverse("mfa_deactivate_totp") in body
        assert reverse("mfa_view_recovery_codes") in body

    def test_recovery_codes_view_generate_and_download(self, client):
        user, secret = user_with_totp()
        sign_in_with_code(client, user, secret)
        body = assert_govuk_page(
            client.get(reverse("mfa_view_recovery_codes")), "Your recovery codes"
        )
        codes = RecoveryCodes(
            Authenticator.objects.get(user=user, type="recovery_codes")
        ).get_unused_codes()
        assert all(code in body for code in codes)
        assert_govuk_page(
            client.get(reverse("mfa_generate_recovery_codes")), "Create new recovery codes"
        )
        download = client.get(reverse("mfa_download_recovery_codes"))
        assert download.status_code == 200
        assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
        response = client.post(reverse("mfa_generate_recovery_codes"), follow=True)
        new_codes = RecoveryCodes(
            Authenticator.objects.get(user=user, type="recovery_codes")
        ).get_unused_codes()
        assert set(new_codes).isdisjoint(codes)
        assert_govuk_page(response, "Your recovery codes")

    def test_deactivate_page(self, client):
        user, secret = user_with_totp()
        sign_in_with_code(client, user, secret)
        body = assert_govuk_page(
            client.get(reverse("mfa_deactivate_totp")), "Turn off your authenticator app"
        )
        assert "govuk-button--warning" in body
        client.post(reverse("mfa_deactivate_totp"))
        assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    def test_sign_in_asks_for_security_code(self, client):
        user, _ = user_with_totp()
        response = client.post(
            reverse("account_login"),
            {"login": user.email, "password": DEFAULT_PASSWORD},
            follow=True,
        )
        body = assert_govuk_page(response, "Enter your security code")
        assert 'for="id_code">Security code</label>' in body
        assert 'form="logout-from-stage"' in body
        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert_error(
            response,
            "The security code is not right. Enter the newest code from your app",
            "id_code",
        )
        response = client.post(reverse("mfa_authenticate"), {"code": ""})
        assert_error(response, "Enter the security code", "id_code")


def sign_in_with_code(client, user, secret):
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


class TestComplaintStartPage:
    def test_start_now_starts_the_checker(self, client):
        body = client.get(reverse("complaints:start")).content.decode()
        assert re.search(
            rf'<a href="{reverse("checker:start")}" role="button" draggable="false" '
            r'class="govuk-button govuk-button--start"',
            body,
        )
        assert "Before you start" in body

    def test_signed_in_person_is_told_the_next_step(self, client, complainant):
        client.force_login(complainant)
        body = client.get(reverse("complaints:start")).content.decode()
        assert "govuk-button--start" not in body
        assert f"You are signed in as {complainant.email}" in body
        assert reverse("contact") in body


class TestStaffHomePage:
    def test_shows_who_is_signed_in_and_their_roles(self, staff_client, caseworker):
        body = staff_client.get(reverse("casework:home")).content.decode()
        assert caseworker.email in body
        assert "<li>Caseworker</li>" in body
        assert reverse("admin:index") not in body

    def test_administrators_get_a_link_to_the_admin_site(self, client, user_with_role):
        administrator = user_with_role(Role.ADMINISTRATOR)
        body = (
            otp_verified_client(client, administrator)
            .get(reverse("casework:home"))
            .content.decode()
        )
        assert "<li>Administrator</li>" in body
        assert reverse("admin:index") in body
