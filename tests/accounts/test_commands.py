from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.otp import totp_secret
from accounts.roles import STAFF_ROLES, Role
from phso.management.commands.seed_demo import DEMO_PASSWORD, demo_email
from tests.factories import UserFactory

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
class TestCreateStaffUser:
    def test_creates_a_staff_user_ready_to_sign_in(self):
        out = run(
            "createstaffuser",
            "--email",
            "Case.Worker@Example.org",
            "--role",
            "caseworker",
            "--name",
            "Casey Worker",
            "--password",
            GOOD_PASSWORD,
        )
        user = User.objects.get(email="case.worker@example.org")
        assert user.full_name == "Casey Worker"
        assert user.check_password(GOOD_PASSWORD)
        assert user.role_names == {"caseworker"}
        assert user.is_ombudsman_staff
        assert not user.is_superuser
        assert EmailAddress.objects.get(user=user).verified
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        secret = totp_secret(device)
        assert f"Secret (base32): {secret}" in out
        uri = next(line for line in out.splitlines() if "otpauth://" in line).split(": ", 1)[1]
        parsed = urlparse(uri)
        assert parsed.scheme == "otpauth"
        assert parse_qs(parsed.query)["secret"] == [secret]
        assert GOOD_PASSWORD not in out

    def test_several_roles_repeated_or_comma_separated(self):
        run(
            "createstaffuser",
            "--email",
            "lead@example.org",
            "--role",
            "caseworker,manager",
            "--role",
            "foi_officer",
            "--password",
            GOOD_PASSWORD,
        )
        user = User.objects.get(email="lead@example.org")
        assert user.role_names == {"caseworker", "manager", "foi_officer"}

    def test_administrator_can_use_the_admin(self):
        run(
            "createstaffuser",
            "--email",
            "admin@example.org",
            "--role",
            "administrator",
            "--password",
            GOOD_PASSWORD,
        )
        user = User.objects.get(email="admin@example.org")
        assert user.is_staff and user.is_superuser

    def test_refuses_an_email_address_already_in_use(self):
        UserFactory(email="taken@example.org")
        with pytest.raises(CommandError, match="A user with the email address taken@example.org"):
            run(
                "createstaffuser",
                "--email",
                "TAKEN@example.org",
                "--role",
                "caseworker",
                "--password",
                GOOD_PASSWORD,
            )
        assert User.objects.filter(email__iexact="taken@example.org").count() == 1
        assert not TOTPDevice.objects.exists()

    @pytest.mark.parametrize("role", ["complainant", "mp", "superhero", ""])
    def test_refuses_a_role_that_is_not_a_staff_role(self, role):
        with pytest.raises(CommandError) as error:
            run(
                "createstaffuser",
                "--email",
                "x@example.org",
                "--role",
                role,
                "--password",
                GOOD_PASSWORD,
            )
        message = str(error.value)
        if role:
            assert f"'{role}' is not a staff role. Use one of: caseworker, manager" in message
        else:
            assert message == "Give at least one staff role with --role"
        assert not User.objects.exists()

    def test_refuses_a_badly_formed_email_address(self):
        with pytest.raises(CommandError, match="Enter an email address in the correct format"):
            run(
                "createstaffuser",
                "--email",
                "not-an-address",
                "--role",
                "caseworker",
                "--password",
                GOOD_PASSWORD,
            )

    def test_refuses_a_weak_password(self):
        with pytest.raises(CommandError, match="Password not accepted: This password is too short"):
            run(
                "createstaffuser",
                "--email",
                "x@example.org",
                "--role",
                "caseworker",
                "--password",
                "short",
            )
        assert not User.objects.exists()

    def test_without_a_password_and_no_terminal_it_fails_rather_than_hangs(self):
        with pytest.raises(CommandError, match="Give a password with --password"):
            run("createstaffuser", "--email", "x@example.org", "--role", "caseworker", "--no-input")

    def test_prompts_for_the_password_twice(self, monkeypatch):
        answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
        monkeypatch.setattr("sys.stdin.isatty", lambda: True)
        monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
        run("createstaffuser", "--email", "x@example.org", "--role", "analyst")
        assert User.objects.get(email="x@example.org").check_password(GOOD_PASSWORD)

    def test_prompted_passwords_must_match(self, monkeypatch):
        answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
        monkeypatch.setattr("sys.stdin.isatty", lambda: True)
        monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
        with pytest.raises(CommandError, match="The passwords do not match"):
            run("createstaffuser", "--email", "x@example.org", "--role", "analyst")


def _counts():
    return {
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "verified": EmailAddress.objects.filter(verified=True).count(),
        "devices": TOTPDevice.objects.count(),
        "confirmed": TOTPDevice.objects.filter(confirmed=True).count(),
        "memberships": User.groups.through.objects.count(),
        "groups": Group.objects.count(),
    }


@pytest.mark.django_db
class TestSeedDemo:
    def test_creates_users_of_every_role(self):
        run("seed_demo")
        for role in Role:
            users = User.objects.filter(groups__name=role.value)
            assert users.count() >= 2, role
            user = users.get(email=demo_email(role, 1))
            assert user.check_password(DEMO_PASSWORD)
            assert EmailAddress.objects.get(user=user).verified
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            assert has_device == (role in STAFF_ROLES)
        assert User.objects.get(email="caseworker@example.org").is_ombudsman_staff
        assert User.objects.get(email="administrator@example.org").is_superuser

    def test_is_idempotent_and_prints_the_same_secrets(self):
        first = run("seed_demo")
        counts = _counts()
        second = run("seed_demo")
        assert _counts() == counts
        assert first == second
        device = TOTPDevice.objects.get(user__email="caseworker@example.org")
        assert totp_secret(device) in second
        assert device.config_url in second
        assert f"password is: {DEMO_PASSWORD}" in second

    def test_puts_a_changed_demo_account_back(self):
        run("seed_demo")
        user = User.objects.get(email="manager@example.org")
        user.set_password("something-else-entirely")
        user.save()
        device = TOTPDevice.objects.get(user=user)
        original_key = device.key
        device.key = "00" * 20
        device.save()
        run("seed_demo")
        user.refresh_from_db()
        device.refresh_from_db()
        assert user.check_password(DEMO_PASSWORD)
        assert device.key == original_key

    @override_settings(PRODUCTION=True)
    def test_refuses_to_run_in_production(self):
        with pytest.raises(CommandError, match="does not run in production"):
            run("seed_demo")
        assert not User.objects.exists()
