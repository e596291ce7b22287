"""Security headers, cookie flags and caching rules on the pages people actually get."""

import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import otp_verified_client
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.phso.test_settings import production_env, run_django

PUBLIC_PAGES = ["home", "accessibility", "privacy", "cookies", "contact"]
ACCOUNT_PAGES = ["account_login", "account_signup", "account_reset_password"]


def _csp(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
class TestSecurityHeaders:
    @pytest.mark.parametrize("name", PUBLIC_PAGES + ACCOUNT_PAGES)
    def test_public_pages_send_the_security_headers(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        csp = _csp(response)
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    @pytest.mark.parametrize("name", PUBLIC_PAGES + ACCOUNT_PAGES)
    def test_pages_need_no_inline_script_or_style(self, client, name):
        """The policy forbids inline code, so a page that relied on it would silently break."""
        body = client.get(reverse(name)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
        assert not re.search(r"<style\b", body)
        assert not re.search(r"\sstyle=", body)
        assert not re.search(r"\son[a-z]+=", body)

    def test_error_pages_send_them_too(self, client):
        response = client.get("/no-such-page")
        assert response.status_code == 404
        assert response["X-Frame-Options"] == "DENY"
        assert "unsafe-inline" not in response["Content-Security-Policy"]

    @override_settings(
        SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
    )
    def test_hsts_on_https_with_production_values(self, client):
        response = client.get(reverse("home"), secure=True)
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )

    def test_no_hsts_outside_production(self, client):
        assert "Strict-Transport-Security" not in client.get(reverse("home"), secure=True)


@pytest.mark.django_db
class TestCookies:
    def test_csrf_cookie_is_http_only_and_same_site(self, client):
        cookie = client.get(reverse("account_login")).cookies["csrftoken"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"

    def test_session_cookie_is_http_only_and_same_site(self, client, complainant):
        response = client.post(
            reverse("account_login"), {"login": complainant.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        cookie = response.cookies["sessionid"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"
        # Ends with the browser session rather than persisting on a shared computer.
        assert not cookie["expires"]
        assert not cookie["max-age"]

    @override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
    def test_cookies_are_secure_with_production_settings(self, client, complainant):
        assert client.get(reverse("account_login"), secure=True).cookies["csrftoken"]["secure"]
        response = client.post(
            reverse("account_login"),
            {"login": complainant.email, "password": DEFAULT_PASSWORD},
            secure=True,
        )
        assert response.cookies["sessionid"]["secure"]

    def test_cookies_are_not_secure_for_the_plain_http_local_run(self, client):
        assert not client.get(reverse("account_login")).cookies["csrftoken"]["secure"]


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
class TestCaching:
    @pytest.mark.parametrize("name", PUBLIC_PAGES)
    def test_anonymous_public_pages_may_be_cached(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert not _no_store(response)

    @pytest.mark.parametrize("name", [*PUBLIC_PAGES, "accounts:home", "mfa_index", "account_email"])
    def test_every_page_for_a_signed_in_person_is_no_store(self, client, complainant, name):
        client.force_login(complainant)
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert _no_store(response)
        assert "private" in response["Cache-Control"]

    def test_refusals_and_errors_for_a_signed_in_person_are_no_store(self, client, complainant):
        client.force_login(complainant)
        refused = client.get("/staff/")
        assert refused.status_code == 403
        assert _no_store(refused)
        missing = client.get("/no-such-page")
        assert missing.status_code == 404
        assert _no_store(missing)

    def test_staff_pages_and_redirects_are_no_store(self, client, caseworker):
        client.force_login(caseworker)
        redirect = client.get("/staff/")
        assert redirect.status_code == 302
        assert _no_store(redirect)
        otp_verified_client(client, caseworker)
        page = client.get("/staff/")
        assert page.status_code == 200
        assert _no_store(page)

    def test_admin_pages_are_no_store(self, client):
        admin_user = UserFactory(roles=["administrator"], is_staff=True, is_superuser=True)
        otp_verified_client(client, admin_user)
        response = client.get("/admin/")
        assert response.status_code == 200
        assert _no_store(response)


class TestProductionHeaders:
    """The real production settings, in a process of their own, serving real requests."""

    def test_https_is_enforced_and_hsts_sent(self, tmp_path):
        script = (
            "import django, json; django.setup()\n"
            "from django.test import Client\n"
            "host = 'complaints.ombudsman.example'\n"
            "plain = Client().get('/', HTTP_HOST=host)\n"
            "proxied = Client().get('/healthz', HTTP_HOST=host, HTTP_X_FORWARDED_PROTO='https')\n"
            "print(json.dumps({'plain': [plain.status_code, plain.get('Location')],"
            " 'proxied': [proxied.status_code, proxied.get('Strict-Transport-Security')]}))\n"
        )
        result = run_django(production_env(tmp_path), "-c", script)
        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout.strip().splitlines()[-1])
        assert values["plain"] == [301, "https://complaints.ombudsman.example/"]
        assert values["proxied"] == [200, "max-age=31536000; includeSubDomains; preload"]
