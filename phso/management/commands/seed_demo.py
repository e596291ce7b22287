"""Demo data for a local run: a few accounts of every role, safe to run again and again.

Every kind of data has its own seed_<kind>() function, listed in SEED_STEPS in the order they
must run; each one is idempotent (looks its rows up by a natural key before creating them) and
returns the credentials it wants printed, if any.
"""

import hashlib
import hmac
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.otp import DEVICE_NAME, staff_device_create, totp_secret
from accounts.roles import STAFF_ROLES, Role
from accounts.services import user_create, user_grant_role

# Published in the README and printed on every run: this must never reach a real deployment,
# which is why the command refuses to run with production settings.
DEMO_PASSWORD = "demo-password-for-local-use"  # noqa: S105
DEMO_EMAIL_DOMAIN = "example.org"
USERS_PER_ROLE = 2


@dataclass(frozen=True)
class Credential:
    email: str
    role: str
    totp_secret: str = ""
    totp_uri: str = ""


def demo_email(role: Role, number: int) -> str:
    """caseworker@example.org, caseworker2@example.org, mp-office-staff@example.org, ..."""
    local = role.value.replace("_", "-")
    return f"{local}{number if number > 1 else ''}@{DEMO_EMAIL_DOMAIN}"


def demo_totp_key(email: str) -> str:
    """A TOTP key fixed per email address, so that every run prints the same secret.

    Keyed with SECRET_KEY so that knowing the demo addresses is not enough to compute the codes
    of an installation that someone has exposed to a network.
    """
    message = f"seed_demo totp {email}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha1).hexdigest()


def _demo_user(*, email: str, role: Role, full_name: str) -> User:
    """Create the account, or put an existing one back into its documented demo state."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return user_create(
            email=email,
            password=DEMO_PASSWORD,
            full_name=full_name,
            roles=[role],
            email_verified=True,
        )
    user_grant_role(user=user, role=role)
    if not user.check_password(DEMO_PASSWORD) or not user.is_active:
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _demo_device(*, user: User) -> TOTPDevice:
    key = demo_totp_key(user.email)
    device = TOTPDevice.objects.filter(user=user, name=DEVICE_NAME, confirmed=True).first()
    if device is None:
        return staff_device_create(user=user, key=key, confirmed=True)
    if device.key != key:
        device.key = key
        device.save(update_fields=["key"])
    return device


def seed_users() -> list[Credential]:
    credentials = []
    for role in Role:
        for number in range(1, USERS_PER_ROLE + 1):
            email = demo_email(role, number)
            full_name = f"Demo {role.label.lower()} {number}"
            user = _demo_user(email=email, role=role, full_name=full_name)
            if role in STAFF_ROLES:
                device = _demo_device(user=user)
                credentials.append(
                    Credential(email, role.value, totp_secret(device), device.config_url)
                )
            else:
                credentials.append(Credential(email, role.value))
    return credentials


def seed_directories() -> list[Credential]:
    """Sample organisations, constituencies and MPs (the full directories come from import_*)."""
    from accounts.directory_seed import seed_reference_data

    seed_reference_data()
    return []


def seed_postcodes() -> list[Credential]:
    """A few real postcodes in the sample constituencies, so that "find your MP" works locally.

    The packaged postcode subset has no constituencies; this small ONSPD-format file adds them
    through the same importer as a full ONSPD release.
    """
    from accounts.directory_seed import DATA_DIR
    from accounts.importers.postcodes import postcodes_import_onspd

    postcodes_import_onspd(path=DATA_DIR / "onspd_demo_postcodes.csv")
    return []


# Later kinds of demo data (cases, requests, ...) add their seed_<kind> function here.
SEED_STEPS = [seed_users, seed_directories, seed_postcodes]


class Command(BaseCommand):
    help = (
        "Create demo accounts of every role (and other demo data) for a local run. Safe to run "
        "more than once. Refuses to run in production."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo makes accounts with a published password, so it does not run "
                "in production (DJANGO_ENV=production)"
            )
        credentials = []
        for step in SEED_STEPS:
            with transaction.atomic():
                credentials.extend(step() or [])
        self._print_credentials(credentials)

    def _print_credentials(self, credentials):
        if not credentials:
            return
        rows = [("Email", "Role", "Authenticator secret (staff only)")]
        rows += [(c.email, c.role, c.totp_secret or "-") for c in credentials]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write(self.style.SUCCESS("Demo accounts ready."))
        self.stdout.write(f"Every account's password is: {DEMO_PASSWORD}\n")
        for index, row in enumerate(rows):
            cells = zip(row, widths, strict=True)
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        staff = [c for c in credentials if c.totp_uri]
        if staff:
            self.stdout.write("\nStaff also need an authenticator app. Add these to it:")
            for credential in staff:
                self.stdout.write(f"{credential.email}: {credential.totp_uri}")
