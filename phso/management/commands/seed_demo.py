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


# Demo cases for the staff queues: (status to reach, how many, received how many days ago).
DEMO_CASE_PLAN = [
    ("submitted", 15, (0, 40)),
    ("assessment", 10, (5, 45)),
    ("awaiting_information", 6, (20, 60)),
    ("investigation", 12, (40, 160)),
    ("provisional_decision", 4, (120, 220)),
    ("final_decision", 3, (150, 250)),
    ("closed", 5, (200, 330)),
    ("premature", 3, (10, 90)),
    ("withdrawn", 2, (20, 120)),
]
# The actions that take a submitted case to each status.
DEMO_ROUTES = {
    "submitted": [],
    "assessment": ["start_assessment"],
    "awaiting_information": ["start_assessment", "request_information"],
    "investigation": ["start_assessment", "start_investigation"],
    "provisional_decision": [
        "start_assessment",
        "start_investigation",
        "issue_provisional_decision",
    ],
    "final_decision": ["start_assessment", "start_investigation", "issue_final_decision"],
    "closed": ["start_assessment", "start_investigation", "issue_final_decision", "close"],
    "premature": ["start_assessment", "mark_premature"],
    "withdrawn": ["withdraw"],
}
DEMO_COMPLAINANTS = [
    "Aisha Rahman",
    "Brian O'Connor",
    "Chloe Davies",
    "Daniel Okafor",
    "Eleanor Hughes",
    "Farid Haddad",
    "Grace MacLeod",
    "Harry Patel",
]
DEMO_COMPLAINTS = [
    "My mother was discharged from hospital without her medication and was readmitted.",
    "The practice refused to register me and would not explain why.",
    "A delay in diagnosing my cancer meant I needed more invasive treatment.",
    "My benefit claim was lost twice and nobody replied to my letters.",
    "The ward did not make reasonable adjustments for my son's autism.",
    "I was charged a penalty for a tax return the department had already received.",
    "The trust's complaint response did not answer any of my questions.",
    "My father's pain was not managed properly in his last days.",
]


def seed_cases() -> list[Credential]:
    """About sixty demo cases across every status, many assigned to the demo caseworkers and
    their teams, so that the staff queues have something in them.

    Each case is found again by its summary, so running this twice adds nothing. Statuses are
    reached through case_transition like any case; only the received date is moved back, so that
    some cases are overdue (their timeline entries are dated when the demo was seeded).
    """
    import random
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Constituency, Organisation, Sector
    from casework.models import Case, CaseKind, Team
    from casework.services import (
        CaseIncomplete,
        case_assign,
        case_create,
        case_demographics_record,
        case_organisation_confirm,
        case_target_date,
        case_transition,
    )

    caseworkers = [User.objects.get(email=demo_email(Role.CASEWORKER, n)) for n in (1, 2)]
    manager = User.objects.get(email=demo_email(Role.MANAGER, 1))
    teams = {}
    for name, members in (
        ("Health team", [caseworkers[0], manager]),
        ("Parliamentary team", [caseworkers[1], manager]),
    ):
        teams[name], _ = Team.objects.get_or_create(name=name)
        teams[name].members.add(*members)
    complainants = []
    for number, name in enumerate(DEMO_COMPLAINANTS, start=1):
        email = f"demo-public-{number}@{DEMO_EMAIL_DOMAIN}"
        complainants.append(_demo_user(email=email, role=Role.COMPLAINANT, full_name=name))
    health = list(Organisation.objects.filter(sector=Sector.HEALTH).order_by("pk")[:12])
    parliamentary = list(
        Organisation.objects.filter(sector=Sector.PARLIAMENTARY).order_by("pk")[:6]
    )
    constituencies = list(Constituency.objects.order_by("pk")[:10])
    # Fixed, so that every run of a fresh database makes the same demo.
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    number = 0
    for status, count, (newest, oldest) in DEMO_CASE_PLAN:
        for _ in range(count):
            number += 1
            summary = f"{DEMO_COMPLAINTS[number % len(DEMO_COMPLAINTS)]} (demo case {number})"
            if Case.objects.filter(summary=summary).exists():
                continue
            parliamentary_case = number % 4 == 0 and parliamentary
            kind = CaseKind.PARLIAMENTARY if parliamentary_case else CaseKind.HEALTH
            choices = parliamentary if parliamentary_case else health
            worker = caseworkers[1] if parliamentary_case else caseworkers[0]
            team = teams["Parliamentary team" if parliamentary_case else "Health team"]
            case = case_create(
                kind=kind,
                complainant=complainants[number % len(complainants)],
                summary=summary,
                organisations=[rng.choice(choices)] if choices else [],
                constituency=rng.choice(constituencies) if constituencies else None,
                system_reason="seed_demo",
            )
            received = timezone.now() - timedelta(days=rng.randint(newest, oldest))
            Case.objects.filter(pk=case.pk).update(
                received_at=received,
                status_changed_at=received,
                target_date=case_target_date(
                    status="submitted", received_at=received, stage_started_at=received
                ),
            )
            # A few submitted cases are already with someone; the rest wait unassigned.
            if status != "submitted" or number % 5 == 0:
                case_assign(case=case, assignee=worker, actor=manager, team=team)
            if status in {"investigation", "provisional_decision", "final_decision", "closed"}:
                case_demographics_record(
                    case=case,
                    actor=worker,
                    declined=number % 3 == 0,
                    **(
                        {}
                        if number % 3 == 0
                        else {
                            "age_band": "45_54",
                            "sex": "female" if number % 2 else "male",
                            "ethnic_group": "prefer_not",
                            "disability": "no",
                        }
                    ),
                )
                for link in case.case_organisations.all():
                    case_organisation_confirm(case_organisation_id=link.pk, actor=worker)
            for action in DEMO_ROUTES[status]:
                try:
                    case_transition(
                        case_id=case.pk, action=action, actor=worker, reason="Demo data"
                    )
                except CaseIncomplete:
                    # A stage that later needs more (a decision record, say) stops the demo
                    # case where it is rather than faking what that stage needs.
                    break
    return []


def seed_portals() -> list[Credential]:
    """An MP office for the first seeded MP with the demo MP and office users, and the demo
    organisation users on the organisation with the most demo evidence requests (or cases)."""
    from django.db.models import Count

    from accounts.models import MemberOfParliament, Organisation
    from portals.models import MpOffice, MpOfficeMembership, OfficeRole, OrganisationMembership

    member = MemberOfParliament.objects.current().order_by("pk").first()
    if member is not None:
        office, _ = MpOffice.objects.get_or_create(mp=member)
        for role, number, office_role in (
            (Role.MP, 1, OfficeRole.MANAGER),
            (Role.MP_OFFICE_STAFF, 1, OfficeRole.MANAGER),
            (Role.MP_OFFICE_STAFF, 2, OfficeRole.CASEWORKER),
        ):
            user = User.objects.get(email=demo_email(role, number))
            if not MpOfficeMembership.objects.active().filter(user=user).exists():
                MpOfficeMembership.objects.create(user=user, office=office, role=office_role)
    organisation = (
        Organisation.objects.annotate(
            requests=Count("evidence_requests", distinct=True), demo_cases=Count("cases")
        )
        .order_by("-requests", "-demo_cases", "pk")
        .first()
    )
    if organisation is not None:
        for number, is_admin in ((1, True), (2, False)):
            user = User.objects.get(email=demo_email(Role.ORGANISATION_USER, number))
            OrganisationMembership.objects.get_or_create(
                user=user, organisation=organisation, active=True, defaults={"is_admin": is_admin}
            )
    return []


def seed_clinical_codes() -> list[Credential]:
    """Code the narrative of every demo case not coded yet (a queued task does this for real
    cases), and confirm the present conditions of closed ones as their caseworker would, so
    that insight has confirmed codes to show. Only demo cases: a database loaded with the bench
    dataset's million cases is not coded here."""
    from casework.models import Case, CaseEventKind, CodingRun
    from casework.services_coding import case_narrative_code, clinical_codes_confirm_present
    from casework.state import CaseStatus

    demo = Case.objects.filter(
        events__kind=CaseEventKind.RECEIVED, events__system_reason="seed_demo"
    )
    coded = CodingRun.objects.filter(document__isnull=True).values("case_id")
    for case_id in demo.exclude(pk__in=coded).values_list("pk", flat=True):
        case_narrative_code(case_id=case_id)
    closed = CodingRun.objects.filter(
        document__isnull=True,
        case__in=demo.filter(status=CaseStatus.CLOSED, assignee__isnull=False),
    ).select_related("case__assignee")
    for run in closed:
        clinical_codes_confirm_present(run=run, reviewer=run.case.assignee)
    return []


SEED_STEPS = [
    seed_users,
    seed_directories,
    seed_postcodes,
    seed_cases,
    seed_clinical_codes,
    seed_portals,
]


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
