"""Create an ombudsman staff account that can sign in straight away, second factor included."""

import getpass
import sys

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import User
from accounts.otp import totp_secret
from accounts.services import InvalidRole, roles_parse, staff_user_create


class Command(BaseCommand):
    help = (
        "Create a staff user with a verified email address and a confirmed authenticator (TOTP) "
        "device, then print the secret to load into their authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The email address they sign in with.")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            help="A staff role (caseworker, manager, foi_officer, analyst, administrator). "
            "Repeat the option, or separate roles with commas, to give more than one.",
        )
        parser.add_argument("--name", default="", help="Their full name.")
        parser.add_argument(
            "--password",
            help="Their password. Leave out to be asked for it (keeps it out of shell history).",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never prompt: fail instead if --password is not given.",
        )

    def handle(self, *args, email, role, name, password, interactive, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                "Enter an email address in the correct format, like name@example.org"
            ) from None
        names = [part for value in role for part in value.split(",") if part.strip()]
        try:
            roles = roles_parse(names, staff_only=True)
        except InvalidRole as error:
            raise CommandError(str(error)) from None
        if not roles:
            raise CommandError("Give at least one staff role with --role")
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise CommandError(f"A user with the email address {email} already exists")

        if password is None:
            password = self._prompt_password(interactive)
        try:
            validate_password(password, User(email=email, full_name=name))
        except ValidationError as error:
            raise CommandError("Password not accepted: " + " ".join(error.messages)) from None

        user, device = staff_user_create(
            email=email, password=password, full_name=name, roles=roles
        )
        role_list = ", ".join(r.value for r in roles)
        self.stdout.write(self.style.SUCCESS(f"Created staff user {user.email} ({role_list})"))
        self.stdout.write(
            "Give them these by a secure channel, to add to their authenticator app.\n"
            f"Secret (base32): {totp_secret(device)}\n"
            f"Provisioning URI: {device.config_url}"
        )

    def _prompt_password(self, interactive):
        if not interactive or not sys.stdin.isatty():
            raise CommandError("Give a password with --password, or run the command in a terminal")
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("The passwords do not match")
        if not first:
            raise CommandError("Enter a password")
        return first
