"""Benchmark the staff queues on PostgreSQL at a million cases: the queue query and the whole page.

    DATABASE_URL=postgres://.../phso_bench python bench/queues/bench_queue.py [--rows N]

Migrates the database and, unless it already holds --rows generated cases, replaces its cases with
N generated ones (default 1,000,000) written with COPY: most of them closed long ago, as in a real
case history, about 15% open, spread over staff, teams, organisations and constituencies, with
some overdue and some unread messages. Then, for each queue and a set of filters, it times R runs
of the queue query alone (count and one page of rows, as the page asks for them) and R renders of
the whole page through Django's test client (middleware, session, second factor, template), and
prints p50/p95 in milliseconds against the targets (query p95 within 100 ms, page p95 within
300 ms). Exits non-zero if a target is missed.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

TARGET_QUERY_MS = 100
TARGET_PAGE_MS = 300
SEED = 20260
STAFF = 120
TEAMS = 8
ORGANISATIONS = 4_000
CONSTITUENCIES = 650
COMPLAINANTS = 200_000
# Where a case is now, as shares of the whole history (most complaints ended long ago).
STATUS_SHARES = [
    ("closed", 0.55),
    ("premature", 0.15),
    ("out_of_remit", 0.10),
    ("withdrawn", 0.05),
    ("submitted", 0.03),
    ("assessment", 0.04),
    ("awaiting_information", 0.02),
    ("investigation", 0.05),
    ("provisional_decision", 0.007),
    ("final_decision", 0.003),
]
OPEN = {
    "submitted",
    "assessment",
    "awaiting_information",
    "investigation",
    "provisional_decision",
    "final_decision",
}
BENCH_DOMAIN = "bench.example.org"


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples of text or None) into a table, a few megabytes at a time."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
            count += 1
            if buffer.tell() > 4_000_000:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def generate(rows: int) -> None:
    """Replace the database's cases and bench people with `rows` generated cases."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_grant_role

    rng = random.Random(SEED)  # noqa: S311 - made-up data, not security
    now = datetime.now(UTC)
    today = date.today()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE casework_caselink, casework_casenote, casework_casedemographics, "
            "casework_message, casework_caseorganisation, casework_caseevent, "
            "casework_auditentry, casework_pdsmatch, casework_document, casework_case, "
            "casework_team_members, casework_team CASCADE"
        )
        cursor.execute("DELETE FROM accounts_organisation WHERE ods_code LIKE 'BENCH%'")
        cursor.execute("DELETE FROM accounts_constituency WHERE code LIKE 'B%'")
        bench_users = "SELECT id FROM accounts_user WHERE email LIKE %s"
        pattern = [f"%@{BENCH_DOMAIN}"]
        for table in ("accounts_user_groups", "otp_totp_totpdevice"):
            cursor.execute(f"DELETE FROM {table} WHERE user_id IN ({bench_users})", pattern)  # noqa: S608
        cursor.execute("DELETE FROM accounts_user WHERE email LIKE %s", pattern)

    password = make_password(None)
    staff = [
        User.objects.create(
            email=f"staff{n}@{BENCH_DOMAIN}", password=password, full_name=f"Bench Staff {n}"
        )
        for n in range(STAFF)
    ]
    for number, user in enumerate(staff):
        user_grant_role(user=user, role=Role.MANAGER if number == 0 else Role.CASEWORKER)
    with connection.cursor() as cursor:
        _copy(
            cursor,
            "accounts_user",
            [
                "password",
                "is_superuser",
                "email",
                "full_name",
                "is_staff",
                "is_active",
                "date_joined",
                "first_name",
                "last_name",
            ],
            (
                (
                    password,
                    "f",
                    f"person{n}@{BENCH_DOMAIN}",
                    f"Person {n}",
                    "f",
                    "t",
                    now.isoformat(),
                    "",
                    "",
                )
                for n in range(COMPLAINANTS)
            ),
        )
        cursor.execute(
            "SELECT id FROM accounts_user WHERE email LIKE %s", [f"person%@{BENCH_DOMAIN}"]
        )
        complainants = [row[0] for row in cursor.fetchall()]
        _copy(
            cursor,
            "accounts_organisation",
            [
                "name",
                "ods_code",
                "kind",
                "sector",
                "region",
                "town",
                "postcode",
                "is_active",
                "created_at",
                "updated_at",
            ],
            (
                (
                    f"Bench NHS Trust {n}",
                    f"BENCH{n:05d}",
                    "nhs_trust",
                    "health",
                    "",
                    f"Town {n % 300}",
                    "",
                    "t",
                    now.isoformat(),
                    now.isoformat(),
                )
                for n in range(ORGANISATIONS)
            ),
        )
        cursor.execute("SELECT id FROM accounts_organisation WHERE ods_code LIKE 'BENCH%%'")
        organisations = [row[0] for row in cursor.fetchall()]
        _copy(
            cursor,
            "accounts_constituency",
            ["code", "name", "created_at", "updated_at"],
            (
                (f"B{n:08d}", f"Bench constituency {n}", now.isoformat(), now.isoformat())
                for n in range(CONSTITUENCIES)
            ),
        )
        cursor.execute("SELECT id FROM accounts_constituency WHERE code LIKE 'B%%'")
        constituencies = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO casework_team (name, created_at) SELECT 'Bench team ' || n, now() "
            "FROM generate_series(1, %s) n RETURNING id",
            [TEAMS],
        )
        teams = [row[0] for row in cursor.fetchall()]
        _copy(
            cursor,
            "casework_team_members",
            ["team_id", "user_id"],
            ((teams[n % TEAMS], user.pk) for n, user in enumerate(staff)),
        )
        team_of = {user.pk: teams[n % TEAMS] for n, user in enumerate(staff)}

        statuses, weights = zip(*STATUS_SHARES, strict=True)
        eight_years = 8 * 365 * 86400

        def case_rows():
            for number in range(1, rows + 1):
                status = rng.choices(statuses, weights)[0]
                is_open = status in OPEN
                # Open cases are recent; ended ones spread over eight years.
                age = (
                    rng.randint(0, 200 * 86400) if is_open else rng.randint(60 * 86400, eight_years)
                )
                received = now - timedelta(seconds=age)
                assignee = None
                if not is_open or status not in {"submitted", "assessment"} or rng.random() < 0.6:
                    assignee = rng.choice(staff).pk
                target = None
                if is_open:
                    # About a fifth of open cases overdue, the rest due over the next three months.
                    target = today + timedelta(
                        days=rng.randint(-40, 90) if rng.random() < 0.2 else rng.randint(0, 90)
                    )
                    if target < today and rng.random() < 0.5:
                        target = today + timedelta(days=rng.randint(0, 90))
                kind = "health" if number % 5 else "parliamentary"
                yield (
                    f"{'HC' if kind == 'health' else 'PC'}-{received.year}-{number:07d}",
                    kind,
                    status,
                    received.isoformat(),
                    rng.choice(complainants),
                    "Bench complaint",
                    "",
                    rng.choice(constituencies),
                    "",
                    assignee,
                    team_of[assignee] if assignee else None,
                    received.isoformat(),
                    target.isoformat() if target else None,
                    received.isoformat(),
                    received.isoformat(),
                )

        written = _copy(
            cursor,
            "casework_case",
            [
                "reference",
                "kind",
                "status",
                "status_changed_at",
                "complainant_id",
                "summary",
                "patient_nhs_number",
                "constituency_id",
                "local_authority_code",
                "assignee_id",
                "team_id",
                "received_at",
                "target_date",
                "created_at",
                "updated_at",
            ],
            case_rows(),
        )
        # One organisation per case, a second for one case in five.
        cursor.execute(
            "INSERT INTO casework_caseorganisation (case_id, organisation_id) "
            "SELECT c.id, (%s::bigint[])[1 + (c.id * 7919) %% %s] FROM casework_case c",
            [organisations, len(organisations)],
        )
        cursor.execute(
            "INSERT INTO casework_caseorganisation (case_id, organisation_id, confirmed_at) "
            "SELECT c.id, (%s::bigint[])[1 + (c.id * 104729 + 1) %% %s], now() "
            "FROM casework_case c WHERE c.id %% 5 = 0 ON CONFLICT DO NOTHING",
            [organisations, len(organisations)],
        )
        # Unread messages from the complainant on one open case in twenty.
        cursor.execute(
            "INSERT INTO casework_message "
            "(case_id, party, from_ombudsman, author_id, body, created_at) "
            "SELECT id, 'complainant', false, complainant_id, 'Any news?', now() "
            "FROM casework_case WHERE status = ANY(%s) AND id %% 20 = 0",
            [sorted(OPEN)],
        )
    # VACUUM (outside a transaction: Django autocommits) so that index-only scans can be used.
    with connection.cursor() as cursor:
        for table in (
            "casework_case",
            "casework_caseorganisation",
            "casework_message",
            "accounts_user",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - fixed table names
    print(f"generated {written:,} cases in {time.perf_counter() - started:.0f} s")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure(repeat: int) -> bool:
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Constituency, Organisation, User
    from casework.filters import CaseFilterForm
    from casework.selectors import QUEUES, queue_cases

    manager = User.objects.get(email=f"staff0@{BENCH_DOMAIN}")
    caseworker = User.objects.get(email=f"staff1@{BENCH_DOMAIN}")
    organisation = Organisation.objects.filter(ods_code__startswith="BENCH").order_by("pk")[17]
    constituency = Constituency.objects.filter(code__startswith="B").order_by("pk")[42]
    week_ago = (timezone.localdate() - timedelta(days=30)).strftime("%d/%m/%Y")
    scenarios = [
        ("unassigned", {}, manager),
        ("unassigned", {"sort": "target"}, manager),
        ("unassigned", {"sort": "-reference"}, manager),
        ("mine", {}, caseworker),
        ("team", {}, caseworker),
        ("awaiting-information", {}, manager),
        ("overdue", {}, manager),
        ("overdue", {"page": "40"}, manager),
        ("due-this-week", {}, manager),
        ("unassigned", {"organisation": organisation.ods_code}, manager),
        ("unassigned", {"organisation": "trust 17"}, manager),
        ("overdue", {"constituency": constituency.name}, manager),
        ("overdue", {"caseworker": str(caseworker.pk)}, manager),
        ("mine", {"flags": "unread_messages"}, caseworker),
        ("unassigned", {"received_from": week_ago, "kind": "parliamentary"}, manager),
        ("overdue", {"status": "investigation"}, manager),
    ]
    clients = {}
    for user in (manager, caseworker):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        clients[user.pk] = client

    print(
        f"\n{'queue':<22} {'filters':<38} {'rows':>8} {'queries':>7} "
        f"{'query p50/p95 ms':>17} {'page p50/p95 ms':>16}"
    )
    ok = True
    today = timezone.localdate()
    for slug, params, user in scenarios:
        queue = QUEUES[slug]
        query_times, page_times = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            data = QueryDict(urlencode({k: v for k, v in params.items() if k != "page"}))
            filters = CaseFilterForm(data or None)
            cases = filters.apply(
                queue_cases(
                    queue=queue, user=user, today=today, sort=params.get("sort", queue.default_sort)
                )
            )
            count = cases.count()
            page = int(params.get("page", 1))
            list(cases.for_queue_list()[(page - 1) * 25 : page * 25])
            query_times.append((time.perf_counter() - started) * 1000)
        url = f"/staff/queues/{slug}"
        client = clients[user.pk]
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params)
                page_times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, params, response.status_code)
        q50, q95 = _percentiles(query_times)
        p50, p95 = _percentiles(page_times)
        missed = q95 > TARGET_QUERY_MS or p95 > TARGET_PAGE_MS
        ok = ok and not missed
        shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "-"
        print(
            f"{slug:<22} {shown[:38]:<38} {count:>8,} {len(queries):>7} "
            f"{q50:>8.1f}/{q95:<8.1f} {p50:>7.1f}/{p95:<8.1f}{'  MISSED' if missed else ''}"
        )
    print(f"\ntargets: query p95 <= {TARGET_QUERY_MS} ms, page p95 <= {TARGET_PAGE_MS} ms")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each measurement")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate even if the cases exist"
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database of its own "
            "(the benchmark replaces its cases)."
        )

    import django
    from django.core.management import call_command

    django.setup()
    from casework.models import Case

    call_command("migrate", verbosity=0)
    existing = Case.objects.filter(summary="Bench complaint").count()
    if args.regenerate or existing != args.rows:
        generate(args.rows)
    else:
        print(f"using the {existing:,} generated cases already in the database")
    return 0 if measure(args.repeat) else 1


if __name__ == "__main__":
    sys.exit(main())
