"""Accounts, sessions and cases for the load test (bench/load/locustfile.py).

    DATABASE_URL=postgres://.../phso_load python bench/load/seed.py --out var/load/people.json

Creates complainants (verified email, each with a complaint saved half-way) and caseworkers
(a confirmed TOTP device), signs each in by writing a session to the database, as the sign-in
and TOTP pages would, and writes their session keys to --out for locust to use as cookies. Going
through sign-in for every simulated person would trip the per-address sign-in limit long before
the form is measured, and the TOTP page has its own tests. Also makes one NHS trust to complain
about and some cases for the caseworkers' queues.
Run it against a database of the load test's own: it adds people and cases.
"""

import argparse
import json
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

# The patient every simulated complaint names: a sandbox record the fake PDS knows.
NHS_NUMBER = "9000000009"


def _signed_in_session(user, **extra) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for key, value in extra.items():
        session[key] = value
    session.create()
    return session.session_key


def _date(day) -> dict:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def saved_answers(organisation_id: int) -> dict:
    """A draft saved after "What happened": the answers as the form's pages store them."""
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "what-is-it-about": {"kind": "health"},
        "your-name": {"full_name": "Amira O’Neill-Smith"},
        "your-email": {"email": "amira@example.org"},
        "your-phone": {"phone": "07700 900 982"},
        "your-postcode": {"postcode": "GU14 7JU"},
        "your-address": {
            "address_line_1": "1 High Street",
            "address_line_2": "",
            "town": "Farnborough",
        },
        "your-date-of-birth": {"day": "17", "month": "5", "year": "1970"},
        "for-someone-else": {"for_someone_else": "no"},
        "nhs-number": {"nhs_number": NHS_NUMBER},
        "organisations": {"organisation_ids": [organisation_id], "unlisted": []},
        "what-happened": {"what_happened": "The ward did not give my mother her medicine."},
        "when-it-happened": _date(today - timedelta(days=200)),
        "where-it-happened": {"where": "Ward 4, St James’s Hospital"},
    }


def seed(*, complainants: int, caseworkers: int, cases: int = 30) -> dict:
    """Create the people and cases; return what locustfile.py reads (see its PEOPLE_FILE)."""
    from accounts.models import Organisation, OrganisationKind, Sector
    from accounts.roles import Role
    from accounts.services import staff_user_create, user_create
    from casework.models import CaseKind
    from casework.services import case_create
    from complaints.services import complaint_draft_start

    run = uuid.uuid4().hex[:8]
    organisation = Organisation.objects.create(
        name=f"Load Test Teaching Hospitals NHS Trust {run}",
        ods_code=f"L{run[:5].upper()}",
        kind=OrganisationKind.NHS_TRUST,
        sector=Sector.HEALTH,
        town="LEEDS",
        postcode="LS1 3EX",
    )
    people = {
        "organisation_id": organisation.pk,
        "nhs_number": NHS_NUMBER,
        "complainants": [],
        "caseworkers": [],
    }
    for n in range(complainants):
        user = user_create(
            email=f"load-{run}-complainant-{n}@example.org",
            password=None,
            full_name=f"Load Complainant {n}",
            roles=[Role.COMPLAINANT],
            email_verified=True,
        )
        # Each comes back to a complaint saved half-way, then starts new ones from the beginning.
        draft = complaint_draft_start(owner=user, answers=saved_answers(organisation.pk))
        people["complainants"].append(
            {"session": _signed_in_session(user), "draft": str(draft.public_id)}
        )
    for n in range(caseworkers):
        user, device = staff_user_create(
            email=f"load-{run}-caseworker-{n}@example.org",
            password=None,
            full_name=f"Load Caseworker {n}",
            roles=[Role.CASEWORKER],
        )
        # What accounts' TOTP page stores once the code is right (django_otp.login).
        session = _signed_in_session(user, otp_device_id=device.persistent_id)
        people["caseworkers"].append({"session": session})
    for n in range(cases):
        # Parliamentary: nothing to look up in PDS, so seeding queues no background work.
        case_create(kind=CaseKind.PARLIAMENTARY, summary=f"Seeded case {n} for the load test")
    return people


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--complainants", type=int, default=50)
    parser.add_argument("--caseworkers", type=int, default=20)
    parser.add_argument("--cases", type=int, default=30)
    args = parser.parse_args(argv)
    import django

    django.setup()
    people = seed(complainants=args.complainants, caseworkers=args.caseworkers, cases=args.cases)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(people, indent=1))
    print(
        f"{len(people['complainants'])} complainants and {len(people['caseworkers'])} "
        f"caseworkers signed in; sessions in {args.out}"
    )


if __name__ == "__main__":
    main()
