"""Password guessing is throttled on the shared cache, per account and per address, on every path
to the one sign-in page (the admin has no login form of its own)."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, UserFactory

# settings.ACCOUNT_RATE_LIMITS["login_failed"] is "10/m/ip,5/5m/key".
PER_ACCOUNT = 5
ACCOUNT_WINDOW = timedelta(minutes=5)
PER_ADDRESS = 10
THROTTLED_HEADING = "You have tried too many times"


def _attempt(client, email, password, ip="192.0.2.1", path=None):
    return client.post(
        path or reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


def _signed_in(client):
    return "_auth_user_id" in client.session


def _assert_throttled(response):
    assert response.status_code == 429
    assert THROTTLED_HEADING in response.content.decode()


@pytest.mark.django_db
class TestFailedLoginsForOneAccount:
    def test_after_the_limit_even_the_right_password_is_refused_until_the_window_passes(
        self, client, caplog
    ):
        user = UserFactory()
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for _ in range(PER_ACCOUNT):
                response = _attempt(client, user.email, "wrong-guess")
                assert response.status_code == 200
            with caplog.at_level(logging.WARNING, logger="accounts.security"):
                response = _attempt(client, user.email, DEFAULT_PASSWORD)
            _assert_throttled(response)
            assert not _signed_in(client)
            assert any("event=login_throttled" in r.getMessage() for r in caplog.records)

            clock.shift(ACCOUNT_WINDOW - timedelta(seconds=5))
            _assert_throttled(_attempt(client, user.email, DEFAULT_PASSWORD))

            clock.shift(timedelta(seconds=6))
            response = _attempt(client, user.email, DEFAULT_PASSWORD)
            assert response.status_code == 302
            assert _signed_in(client)

    def test_spreading_guesses_across_addresses_does_not_help(self, client):
        user = UserFactory()
        for n in range(PER_ACCOUNT):
            response = _attempt(client, user.email, "wrong-guess", ip=f"198.51.100.{n}")
            assert response.status_code == 200
        _assert_throttled(_attempt(client, user.email, DEFAULT_PASSWORD, ip="203.0.113.99"))
        assert not _signed_in(client)

    def test_the_address_is_matched_whatever_its_case(self, client):
        user = UserFactory()
        for n in range(PER_ACCOUNT):
            _attempt(client, user.email.upper() if n % 2 else user.email, "wrong-guess")
        _assert_throttled(_attempt(client, user.email.title(), DEFAULT_PASSWORD))

    def test_other_accounts_are_not_locked_out_by_it(self, client):
        victim, bystander = UserFactory(), UserFactory()
        for n in range(PER_ACCOUNT):
            _attempt(client, victim.email, "wrong-guess", ip=f"198.51.100.{n}")
        response = _attempt(client, bystander.email, DEFAULT_PASSWORD, ip="203.0.113.7")
        assert response.status_code == 302
        assert _signed_in(client)

    def test_a_few_mistakes_do_not_lock_the_owner_out(self, client):
        user = UserFactory()
        for _ in range(PER_ACCOUNT - 1):
            _attempt(client, user.email, "wrong-guess")
        assert _attempt(client, user.email, DEFAULT_PASSWORD).status_code == 302


@pytest.mark.django_db
class TestFailedLoginsFromOneAddress:
    def test_guessing_many_accounts_from_one_address_is_throttled(self, client):
        users = [UserFactory() for _ in range(PER_ADDRESS + 1)]
        for user in users[:PER_ADDRESS]:
            assert _attempt(client, user.email, "wrong-guess", ip="192.0.2.50").status_code == 200
        _assert_throttled(_attempt(client, users[-1].email, DEFAULT_PASSWORD, ip="192.0.2.50"))
        assert not _signed_in(client)
        # Someone else, elsewhere, can still sign in.
        response = _attempt(client, users[-1].email, DEFAULT_PASSWORD, ip="192.0.2.51")
        assert response.status_code == 302


@pytest.mark.django_db
class TestAdminLoginPath:
    def test_admin_login_leads_to_the_same_throttled_page(self, client):
        admin_user = UserFactory(roles=["administrator"], is_staff=True, is_superuser=True)
        response = client.get("/admin/login/?next=/admin/")
        assert response.status_code == 302
        login_url = response["Location"]
        assert login_url.startswith(reverse("account_login"))

        for n in range(PER_ACCOUNT):
            response = _attempt(
                client, admin_user.email, "wrong-guess", ip=f"198.51.100.{n}", path=login_url
            )
            assert response.status_code == 200
        _assert_throttled(_attempt(client, admin_user.email, DEFAULT_PASSWORD, path=login_url))
        assert not _signed_in(client)

    def test_posting_guesses_to_the_admin_login_url_checks_nothing(self, client):
        admin_user = UserFactory(roles=["administrator"], is_staff=True, is_superuser=True)
        for _ in range(PER_ACCOUNT + 1):
            response = _attempt(client, admin_user.email, DEFAULT_PASSWORD, path="/admin/login/")
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        assert not _signed_in(client)
