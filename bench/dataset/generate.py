"""Generate a realistic synthetic casework dataset in PostgreSQL, for benchmarks at full size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phso_bench_dataset \\
        python bench/dataset/generate.py --cases 1000000 --seed 1

Migrates the database, empties every table it writes (so it refuses SQLite, and a database whose
name does not start with "phso_bench" unless --force), then loads with COPY: organisations of
every kind, constituencies with their MPs, people of every role (complainants a pool reused
across cases), the cases with their status history, organisations, evidence letters (metadata and
extracted text, no files), decisions and published summaries, clinical codes with their coding
runs, FOI/EIR/SAR requests, and finally builds the insight reporting store and search index with
insight's own refresh services and ANALYZEs. The same --seed gives the same data (dates are laid
out backwards from --today, which defaults to today).

Cases are received over six years, more each year, more on weekdays and in January, fewer in
August and at Christmas, with four injected spikes for trend detection (see SPIKES). A case's
status is where its planned path (assessment, investigation, decisions, or an early exit) had
reached by today, and its CaseEvents are exactly the steps of that path.
"""

import argparse
import bisect
import hashlib
import importlib.util
import math
import os
import random
import resource
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

BENCH_DOMAIN = "bench.example.org"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - every generated person's password
YEARS = 6
CONSTITUENCIES = 650
STAFF = {  # role: how many
    "caseworker": 150,
    "manager": 12,
    "foi_officer": 8,
    "analyst": 6,
    "administrator": 2,
}
TEAMS = 8
ORGANISATION_USERS = 2_000
COMPLAINANT_POOL_PER_CASE = 0.4  # 400,000 complainants for a million cases
DOCUMENT_SHARE = 0.2  # 200,000 evidence letters for a million cases
FOI_PER_CASE = 0.05  # 50,000 information requests for a million cases
CODED_DOCUMENT_SHARE = 0.35
CODED_NARRATIVE_SHARE = 0.04
PUBLISHED_SHARE_OF_DECIDED = 0.3
SPIKE_SHARE = 0.006  # of all cases, split between the spikes

# Each spike: (label, what it concerns, weeks ago it started, how many weeks)
SPIKES = [
    ("trust", "nhs_trust", 60, 10),
    ("department", "government_department", 130, 8),
    ("icb", "icb", 36, 6),
    ("theme", "medication", 17, 6),
]
CONSTITUENCY_NATIONS = [("E14001", 543), ("W07000", 32), ("S14000", 57), ("N05000", 18)]
PARTIES = ["Labour", "Conservative", "Liberal Democrat", "Reform UK", "Green", "SNP", "Plaid Cymru"]
TOWNS = (
    "Ashford Barnsley Bedford Bolton Bristol Burnley Cardiff Carlisle Chester Derby Dover Dudley "
    "Durham Exeter Glasgow Gloucester Halifax Hull Ipswich Kendal Leeds Leicester Lincoln Luton "
    "Newport Norwich Oldham Oxford Perth Plymouth Preston Reading Salford Sheffield Slough "
    "Stafford "
    "Stockport Sunderland Swansea Swindon Telford Truro Wakefield Walsall Warrington Wigan "
    "Worcester "
    "York Belfast Bangor Inverness Dundee Aberdeen Lisburn Wrexham Hereford Wells Ely"
).split()
FIRST = (
    "Amara Ben Chloe Dev Ellen Farah George Hana Imran Jack Keisha Liam Maya Noah Olivia Priya "
    "Quentin Rosa Sam Tariq Uma Victor Wendy Xavier Yusuf Zara Aled Bronwen Callum Deirdre"
).split()
LAST = (
    "Adams Begum Campbell Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Murphy Nguyen "
    "Owen Patel Quinn Roberts Smith Taylor Usman Vaughan Williams Young Zhang Okafor Kowalski"
).split()
SUMMARY_OPENINGS = [
    "My father was discharged too early and readmitted two days later",
    "The trust did not answer the questions in my complaint",
    "There was a long delay in diagnosing my condition",
    "The department took eleven months to decide my claim",
    "Staff did not explain the risks before the operation",
    "My mother was left without food or water on the ward",
    "The practice refused to register me and gave no reason",
    "The letters I received gave the wrong appeal deadline",
]
THEME_SENTENCES = {
    "medication": "the ward gave the wrong dose of medication",
    "diagnosis": "they failed to diagnose the problem",
    "discharge": "she was discharged too early",
    "communication": "nobody explained what was happening",
    "complaint_handling": "the complaint response did not answer my questions",
    "waiting_times": "there was a delay in treatment",
}
LETTER_HEADS = [
    "Dear Sir or Madam,",
    "Re: complaint about the care of my mother",
    "Final response to your complaint",
    "Clinic letter: summary of today's appointment",
    "Discharge summary",
]
CONTEXT_STATUS = [
    "present",
    "negated",
    "historical",
    "family",
    "hypothetical",
    "present",
    "hypothetical",
    "negated",
    "present",
    "present",
]  # the status of each of bench/coding's CONTEXTS, in order


def _load(name: str, path: Path):
    """Import a sibling benchmark by path: bench/ is not a package and shares app names."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished children, in MB (Linux: kB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


class Cumulative:
    """Weighted choice by bisecting a cumulative table: O(log n) a draw, no list copies."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum, total = [], 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _gamma_days(rng, shape, scale) -> timedelta:
    return timedelta(days=rng.gammavariate(shape, scale), hours=rng.random() * 8)


class Generator:
    def __init__(self, *, cases: int, seed: int, today: date, dsn: str, progress: bool = True):
        self.cases = cases
        self.seed = seed
        self.today = today
        self.now = datetime.combine(today, dtime(7, 0), tzinfo=UTC)
        self.dsn = dsn
        self.progress = progress
        self.timings: list[tuple[str, int, float]] = []
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, not security

    # -- plumbing --------------------------------------------------------------------------------

    def connect(self):
        import psycopg

        return psycopg.connect(self.dsn)

    def timed(self, label: str, rows: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.timings.append((label, rows, elapsed))
        if self.progress:
            print(f"  {label}: {rows:,} rows in {elapsed:.1f} s", flush=True)

    def bar(self, total: int, label: str):
        from tqdm import tqdm

        return tqdm(total=total, desc=label, unit="case", disable=not self.progress, mininterval=2)

    # -- steps -----------------------------------------------------------------------------------

    @contextmanager
    def foreign_keys_set_aside(self, tables: list[str]):
        """Drop the tables' foreign keys for the load and add them back after it: PostgreSQL
        then checks each key in one pass over the table instead of once a row at commit (the
        keys are DEFERRABLE INITIALLY DEFERRED, so a row-by-row check queues millions of
        trigger events). Adding a key back fails if a row breaks it."""
        with self.connect() as conn:
            keys = conn.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [tables],
            ).fetchall()
            for table, name, _ in keys:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')  # noqa: S608
        try:
            yield
        finally:
            started = time.perf_counter()
            with self.connect() as conn:
                for table, name, definition in keys:
                    conn.execute(
                        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'  # noqa: S608
                    )
            self.timed("foreign keys added back and checked", len(keys), started)

    def run(self) -> None:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        self.timed("migrate", 0, started)
        self.empty()
        self.reference_data()
        loaded = [
            "accounts_user_groups",
            "casework_team_members",
            "accounts_memberofparliament",
            "otp_totp_totpdevice",
            "casework_case",
            "casework_caseevent",
            "casework_caseorganisation",
            "casework_document",
            "casework_decision",
            "casework_codingrun",
            "casework_clinicalcode",
            "foi_informationrequest",
            "foi_requestevent",
        ]
        with self.foreign_keys_set_aside(loaded):
            self.people()
            self.case_tables()
            self.information_requests()
        self.sequences()
        self.reporting_store()
        self.analyze()
        self.differences = self.verify(500)

    def empty(self) -> None:
        """Empty every table this generator writes, and what hangs off them."""
        from django.apps import apps

        started = time.perf_counter()
        keep = {
            "django_migrations",
            "django_content_type",
            "auth_permission",
            "auth_group",
            "auth_group_permissions",
            "django_site",
        }
        tables = [
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and m._meta.db_table not in keep
        ]
        with self.connect() as conn:
            existing = {
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            }
            names = sorted(t for t in set(tables) if t in existing)
            conn.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")  # noqa: S608
        self.timed("empty tables", len(names), started)

    def reference_data(self) -> None:
        """Organisations of every kind (a few large, many small), constituencies and MPs' seats."""
        from accounts.models import Constituency, Organisation

        dashboards = _load("bench_dashboards", ROOT / "bench/insight/bench_dashboards.py")
        self.regions = dashboards.REGIONS
        self.outcomes = Cumulative(
            [o for o, _ in dashboards.OUTCOMES], [w for _, w in dashboards.OUTCOMES]
        )
        self.summary_words = dashboards.SUMMARY_WORDS
        rng = self.rng
        started = time.perf_counter()
        organisations = []  # (id, kind, sector, weight)
        with self.connect() as conn:
            with ModelCopy(
                conn,
                Organisation,
                [
                    "id",
                    "name",
                    "ods_code",
                    "kind",
                    "sector",
                    "region",
                    "town",
                    "postcode",
                    "is_active",
                ],
                now=self.now,
            ) as copy:
                for kind, sector, count, weight in dashboards.ORGANISATION_KINDS:
                    label = {
                        "nhs_trust": "NHS Foundation Trust",
                        "gp_practice": "Medical Practice",
                        "icb": "Integrated Care Board",
                        "government_department": "Department",
                        "public_body": "Agency",
                        "other": "Service",
                    }[kind]
                    for rank in range(1, count + 1):
                        pk = len(organisations) + 1
                        town = TOWNS[(pk * 7) % len(TOWNS)]
                        ods = None
                        if sector == "health":
                            ods = (
                                f"R{pk:04d}"[:5]
                                if kind == "nhs_trust"
                                else f"Q{pk:04d}"
                                if kind == "icb"
                                else f"G{pk:05d}"
                            )
                        copy.write(
                            (
                                pk,
                                f"{town} {label} {rank}",
                                ods,
                                kind,
                                sector,
                                self.regions[pk % len(self.regions)],
                                town,
                                f"{town[:2].upper()}{pk % 20} {pk % 9}AB",
                                rng.random() > 0.02,
                            )
                        )
                        organisations.append((pk, kind, sector, weight / rank**0.6))
            self.timed("accounts_organisation", len(organisations), started)

            started = time.perf_counter()
            constituencies = []
            with ModelCopy(conn, Constituency, ["id", "code", "name"], now=self.now) as copy:
                for prefix, count in CONSTITUENCY_NATIONS:
                    for n in range(count):
                        pk = len(constituencies) + 1
                        town = TOWNS[pk % len(TOWNS)]
                        side = ["North", "South", "East", "West", "Central"][(pk // len(TOWNS)) % 5]
                        suffix = f" {side}" if pk > len(TOWNS) else ""
                        name = f"{town}{suffix} {pk}" if pk > 5 * len(TOWNS) else f"{town}{suffix}"
                        constituencies.append((pk, f"{prefix}{n + 1:03d}"[:9]))
                        copy.write((pk, f"{prefix}{n + 1:03d}"[:9], name))
            self.timed("accounts_constituency", len(constituencies), started)
        self.organisations = organisations
        self.constituency_ids = [pk for pk, _ in constituencies]
        self.constituency_weights = Cumulative(
            self.constituency_ids, [0.5 + rng.random() for _ in constituencies]
        )
        by_sector = {"health": [], "parliamentary": []}
        for pk, _kind, sector, weight in organisations:
            by_sector[sector].append((pk, weight))
        self.org_by_sector = {
            s: Cumulative([p for p, _ in rows], [w for _, w in rows])
            for s, rows in by_sector.items()
        }
        self.org_by_kind = {}
        for pk, kind, _s, _w in organisations:
            self.org_by_kind.setdefault(kind, []).append(pk)

    def people(self) -> None:
        """People of every role, their role groups, staff second factors and teams; MPs."""
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.models import MemberOfParliament, User
        from accounts.roles import Role
        from casework.models import Team

        rng = self.rng
        groups = {role: Group.objects.get_or_create(name=role)[0].pk for role in Role.values}
        password = make_password(PASSWORD)
        self.complainant_count = max(50, int(self.cases * COMPLAINANT_POOL_PER_CASE))
        plan = [(role, n) for role, n in STAFF.items()]
        plan += [("mp", CONSTITUENCIES), ("mp_office_staff", CONSTITUENCIES)]
        plan += [("organisation_user", ORGANISATION_USERS), ("complainant", self.complainant_count)]
        total = sum(n for _, n in plan)
        self.users: dict[str, list[int]] = {}
        started = time.perf_counter()
        with self.connect() as conn:
            with (
                ModelCopy(
                    conn,
                    User,
                    [
                        "id",
                        "password",
                        "is_superuser",
                        "email",
                        "full_name",
                        "first_name",
                        "last_name",
                        "is_staff",
                        "is_active",
                        "date_joined",
                    ],
                    now=self.now,
                ) as copy,
                self.bar(total, "people") as bar,
            ):
                pk = 0
                for role, count in plan:
                    ids = self.users.setdefault(role, [])
                    for n in range(count):
                        pk += 1
                        first, last = rng.choice(FIRST), rng.choice(LAST)
                        joined = self.now - timedelta(days=rng.randint(0, YEARS * 365))
                        copy.write(
                            (
                                pk,
                                password,
                                role == "administrator",
                                f"{role.replace('_', '-')}{n}@{BENCH_DOMAIN}",
                                f"{first} {last}",
                                first,
                                last,
                                role in STAFF,
                                True,
                                joined,
                            )
                        )
                        ids.append(pk)
                    bar.update(count)
            self.timed("accounts_user", total, started)
            started = time.perf_counter()
            with conn.cursor().copy(
                "COPY accounts_user_groups (user_id, group_id) FROM STDIN"
            ) as c:
                for role, ids in self.users.items():
                    for user_id in ids:
                        c.write_row((user_id, groups[role]))
            self.timed("accounts_user_groups", total, started)

            started = time.perf_counter()
            staff_ids = [u for role in STAFF for u in self.users[role]]
            with ModelCopy(
                conn, TOTPDevice, ["user_id", "name", "confirmed", "key"], now=self.now
            ) as copy:
                for user_id in staff_ids:
                    copy.write((user_id, "Authenticator app", True, f"{rng.getrandbits(160):040x}"))
            with ModelCopy(conn, Team, ["id", "name"], now=self.now) as copy:
                for n in range(TEAMS):
                    copy.write((n + 1, f"{['Health', 'Parliamentary'][n % 2]} team {n // 2 + 1}"))
            self.team_of = {}
            with conn.cursor().copy(
                "COPY casework_team_members (team_id, user_id) FROM STDIN"
            ) as c:
                for n, user_id in enumerate(self.users["caseworker"] + self.users["manager"]):
                    self.team_of[user_id] = n % TEAMS + 1
                    c.write_row((n % TEAMS + 1, user_id))
            self.timed("staff devices and teams", len(staff_ids), started)

            started = time.perf_counter()
            self.mp_of = {}
            with ModelCopy(
                conn,
                MemberOfParliament,
                ["id", "parliament_id", "name", "party", "constituency_id", "email", "start_date"],
                now=self.now,
            ) as copy:
                for n, constituency_id in enumerate(self.constituency_ids):
                    self.mp_of[constituency_id] = n + 1
                    copy.write(
                        (
                            n + 1,
                            4000 + n,
                            f"{rng.choice(FIRST)} {rng.choice(LAST)} MP",
                            rng.choice(PARTIES),
                            constituency_id,
                            f"mp{n}@{BENCH_DOMAIN}",
                            self.today - timedelta(days=rng.choice([500, 1800, 3600])),
                        )
                    )
            self.timed("accounts_memberofparliament", len(self.constituency_ids), started)
        self.complainants = self.users["complainant"]
        self.caseworkers = self.users["caseworker"]
        self.managers = self.users["manager"]

    # -- cases -----------------------------------------------------------------------------------

    def _day_table(self) -> Cumulative:
        """Received days over YEARS years: growth, weekly and annual seasonality, holidays."""
        first = self.today - timedelta(days=YEARS * 365)
        days, weights = [], []
        for offset in range(YEARS * 365):
            day = first + timedelta(days=offset)
            weight = 1.09 ** (offset / 365)  # 9% more complaints each year
            weight *= (1.25, 1.15, 1.1, 1.05, 0.95, 0.35, 0.3)[day.weekday()]
            weight *= 1 + 0.12 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 20) / 365)
            if day.month == 8:
                weight *= 0.85
            if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day == 1):
                weight *= 0.4
            days.append(day)
            weights.append(weight)
        return Cumulative(days, weights)

    def _spike_plans(self):
        rng = random.Random(self.seed + 7)  # noqa: S311
        plans = []
        for label, subject, weeks_ago, weeks in SPIKES:
            start = self.today - timedelta(weeks=weeks_ago)
            start -= timedelta(days=start.weekday())
            organisation = None
            if label != "theme":
                # A middling organisation of its kind, so the spike stands out from its usual.
                organisation = self.org_by_kind[subject][rng.randint(4, 12)]
            plans.append((label, subject, start, weeks, organisation))
        return plans

    def _path(self, rng, received: datetime):
        """The stages a case goes through, with when each starts, and why it stops."""
        t = received
        stages = [("submitted", t)]
        t += _gamma_days(rng, 2, 3)
        stages.append(("assessment", t))
        if rng.random() < 0.15:
            t += _gamma_days(rng, 2, 8)
            stages.append(("awaiting_information", t))
            t += _gamma_days(rng, 2, 12)
            stages.append(("assessment", t))
        r = rng.random()
        if r < 0.27:
            stages.append(("premature", t + _gamma_days(rng, 2, 10)))
        elif r < 0.40:
            stages.append(("out_of_remit", t + _gamma_days(rng, 2, 12)))
        elif r < 0.46:
            stages.append(("withdrawn", t + _gamma_days(rng, 2, 15)))
        else:
            t += _gamma_days(rng, 2, 15)
            stages.append(("investigation", t))
            if rng.random() < 0.07:
                stages.append(("withdrawn", t + _gamma_days(rng, 2, 30)))
                return stages
            if rng.random() < 0.7:
                t += _gamma_days(rng, 3, 35)
                stages.append(("provisional_decision", t))
                t += _gamma_days(rng, 2, 12)
            else:
                t += _gamma_days(rng, 3, 45)
            stages.append(("final_decision", t))
            stages.append(("closed", t + _gamma_days(rng, 1.5, 2)))
        return stages

    def case_tables(self) -> None:
        """Cases and everything hanging off them, in one pass: a COPY per table, each on its own
        connection, committed parents first so the deferred foreign keys find their rows."""
        from casework.models import (
            Case,
            CaseEvent,
            CaseOrganisation,
            ClinicalCode,
            CodingRun,
            Decision,
            Document,
        )
        from casework.services import case_target_date

        coding = _load("bench_coding", ROOT / "bench/coding/bench_coding.py")
        from casework.coding.terminology import icd10_table
        from casework.coding.themes import THEME_LABELS

        table = icd10_table()
        description = {}
        for code, _kind, form, _flags in table:
            description.setdefault(code, form)
        vocabulary = [(code, kind, form) for code, kind, form, _ in table]
        rng = self.rng
        days = self._day_table()
        spikes = self._spike_plans()
        spike_weights = Cumulative(range(len(spikes)), [1] * len(spikes))
        statuses_open = {
            "submitted",
            "assessment",
            "awaiting_information",
            "investigation",
            "provisional_decision",
            "final_decision",
        }
        actions = {
            ("submitted", "assessment"): "start_assessment",
            ("assessment", "awaiting_information"): "request_information",
            ("awaiting_information", "assessment"): "resume_assessment",
            ("assessment", "investigation"): "start_investigation",
            ("investigation", "provisional_decision"): "issue_provisional_decision",
            ("investigation", "final_decision"): "issue_final_decision",
            ("provisional_decision", "final_decision"): "issue_final_decision",
            ("final_decision", "closed"): "close",
        }
        exit_actions = {
            "premature": "mark_premature",
            "out_of_remit": "mark_out_of_remit",
            "withdrawn": "withdraw",
        }
        exit_reasons = {
            "premature": "The organisation has not yet had the chance to answer the complaint.",
            "out_of_remit": "The complaint is about a matter we cannot look at by law.",
            "withdrawn": "The complainant asked us to stop.",
        }
        sequence = {}  # (prefix, year) -> last number
        self.reference_sequences = sequence
        run_id = code_id = 0
        counts = dict.fromkeys(
            ["cases", "events", "organisations", "documents", "decisions", "runs", "codes"], 0
        )
        started = time.perf_counter()
        # One connection a table: each COPY streams while the others do.
        conns = {
            name: self.connect()
            for name in ("case", "event", "org", "doc", "decision", "run", "code")
        }
        try:
            copies = {
                "case": ModelCopy(
                    conns["case"],
                    Case,
                    [
                        "id",
                        "reference",
                        "kind",
                        "status",
                        "status_changed_at",
                        "complainant_id",
                        "summary",
                        "patient_nhs_number",
                        "referring_mp_id",
                        "constituency_id",
                        "local_authority_code",
                        "assignee_id",
                        "team_id",
                        "received_at",
                        "target_date",
                        "created_at",
                        "updated_at",
                    ],
                    now=self.now,
                ),
                "event": ModelCopy(
                    conns["event"],
                    CaseEvent,
                    [
                        "case_id",
                        "kind",
                        "actor_id",
                        "system_reason",
                        "from_status",
                        "to_status",
                        "reason",
                        "payload",
                        "created_at",
                    ],
                    now=self.now,
                ),
                "org": ModelCopy(
                    conns["org"],
                    CaseOrganisation,
                    ["case_id", "organisation_id", "confirmed_at", "confirmed_by_id"],
                    now=self.now,
                ),
                "doc": ModelCopy(
                    conns["doc"],
                    Document,
                    [
                        "id",
                        "case_id",
                        "uploaded_by_id",
                        "uploader_role",
                        "original_filename",
                        "storage_key",
                        "size",
                        "content_type",
                        "sha256",
                        "sensitivity",
                        "internal",
                        "status",
                        "extracted_text",
                        "page_count",
                        "text_status",
                        "created_at",
                        "scanned_at",
                    ],
                    now=self.now,
                ),
                "decision": ModelCopy(
                    conns["decision"],
                    Decision,
                    [
                        "case_id",
                        "outcome",
                        "findings",
                        "reasons",
                        "provisional_report",
                        "provisional_shared_at",
                        "public_summary",
                        "redacted_summary",
                        "redaction_confirmed_at",
                        "redaction_confirmed_by_id",
                        "published_at",
                        "published_by_id",
                        "updated_by_id",
                        "created_at",
                        "updated_at",
                    ],
                    now=self.now,
                ),
                "run": ModelCopy(
                    conns["run"],
                    CodingRun,
                    [
                        "id",
                        "case_id",
                        "document_id",
                        "source",
                        "status",
                        "chars_total",
                        "chars_coded",
                        "findings_count",
                        "engine_version",
                        "created_at",
                        "finished_at",
                    ],
                    now=self.now,
                ),
                "code": ModelCopy(
                    conns["code"],
                    ClinicalCode,
                    [
                        "id",
                        "case_id",
                        "run_id",
                        "document_id",
                        "axis",
                        "system",
                        "code",
                        "description",
                        "start",
                        "end",
                        "text",
                        "status",
                        "confidence",
                        "kind",
                        "review",
                        "reviewed_by_id",
                        "reviewed_at",
                        "created_at",
                    ],
                    now=self.now,
                ),
            }
            for copy in copies.values():
                copy.__enter__()
            case_copy, event_copy = copies["case"], copies["event"]
            bar = self.bar(self.cases, "cases")
            doc_id = 0
            for case_id in range(1, self.cases + 1):
                spike = theme = None
                if rng.random() < SPIKE_SHARE:
                    spike = spikes[spike_weights.pick(rng)]
                    day = spike[2] + timedelta(days=rng.randrange(spike[3] * 7))
                    if spike[0] == "theme":
                        theme = spike[1]
                else:
                    day = days.pick(rng)
                received = datetime.combine(day, dtime(8), tzinfo=UTC) + timedelta(
                    seconds=rng.randrange(10 * 3600)
                )
                if spike and spike[4]:
                    organisation = spike[4]
                    sector = "health" if spike[1] in ("nhs_trust", "icb") else "parliamentary"
                else:
                    sector = "health" if theme or rng.random() < 0.78 else "parliamentary"
                    organisation = self.org_by_sector[sector].pick(rng)
                kind = "health" if sector == "health" else "parliamentary"
                prefix = "HC" if kind == "health" else "PC"
                number = sequence[(prefix, received.year)] = (
                    sequence.get((prefix, received.year), 0) + 1
                )
                reference = f"{prefix}-{received.year}-{number:06d}"
                complainant = self.complainants[int(len(self.complainants) * rng.random() ** 1.3)]
                constituency = self.constituency_weights.pick(rng)
                referring_mp = (
                    self.mp_of[constituency]
                    if kind == "parliamentary" or rng.random() < 0.04
                    else None
                )
                stages = [s for s in self._path(rng, received) if s[1] <= self.now]
                status, changed = stages[-1]
                assignee = None
                if status not in ("submitted",) and (status != "assessment" or rng.random() < 0.6):
                    assignee = self.caseworkers[int(len(self.caseworkers) * rng.random())]
                elif len(stages) > 2:  # ended before anyone took it on: a manager decided
                    assignee = self.caseworkers[int(len(self.caseworkers) * rng.random())]
                if theme is None and kind == "health" and rng.random() < CODED_NARRATIVE_SHARE:
                    theme = rng.choice(list(THEME_SENTENCES))
                opening = rng.choice(SUMMARY_OPENINGS)
                summary = opening + "."
                theme_span = None
                if theme:
                    sentence = THEME_SENTENCES[theme]
                    summary = f"{opening}, and {sentence}."
                    at = len(opening) + 6
                    theme_span = (at, at + len(sentence), sentence)
                target = None
                if status in statuses_open:
                    previous = stages[-2][0] if len(stages) > 1 else None
                    target = case_target_date(
                        status=status,
                        received_at=received,
                        stage_started_at=changed,
                        action=actions.get((previous, status)),
                    )
                case_copy.write(
                    (
                        case_id,
                        reference,
                        kind,
                        status,
                        changed,
                        complainant,
                        summary,
                        f"9{rng.randrange(10**9):09d}"
                        if kind == "health" and rng.random() < 0.6
                        else "",
                        referring_mp,
                        constituency,
                        f"E0{6000000 + constituency % 300}",
                        assignee,
                        self.team_of.get(assignee),
                        received,
                        target,
                        received,
                        changed,
                    )
                )
                counts["cases"] += 1
                # Status history: exactly the path's steps.
                event_copy.write(
                    (
                        case_id,
                        "received",
                        None,
                        "complaint_submit",
                        "",
                        "submitted",
                        "",
                        {},
                        received,
                    )
                )
                for (before, _), (after, at) in zip(stages, stages[1:], strict=False):
                    action = actions.get((before, after)) or exit_actions[after]
                    actor = (
                        complainant
                        if after == "withdrawn"
                        else (assignee or self.managers[case_id % len(self.managers)])
                    )
                    event_copy.write(
                        (
                            case_id,
                            "status_changed",
                            actor,
                            "",
                            before,
                            after,
                            exit_reasons.get(after, ""),
                            {"action": action},
                            at,
                        )
                    )
                counts["events"] += len(stages)
                investigated = any(s == "investigation" for s, _ in stages)
                copies["org"].write(
                    (
                        case_id,
                        organisation,
                        stages[2][1] if investigated else None,
                        assignee if investigated else None,
                    )
                )
                counts["organisations"] += 1
                if rng.random() < 0.15:
                    second = self.org_by_sector[sector].pick(rng)
                    if second != organisation:
                        copies["org"].write((case_id, second, None, None))
                        counts["organisations"] += 1
                # Decisions: provisional reports and final decisions, some published.
                stage_at = dict(stages)
                if "provisional_decision" in stage_at or "final_decision" in stage_at:
                    outcome = self.outcomes.pick(rng) if "final_decision" in stage_at else ""
                    words = self.summary_words
                    start = rng.randrange(len(words) - 30)
                    summary_text = " ".join(words[start : start + 30]).capitalize() + "."
                    final_at = stage_at.get("final_decision")
                    published = (
                        final_at is not None
                        and final_at < self.now - timedelta(days=30)
                        and rng.random() < PUBLISHED_SHARE_OF_DECIDED
                    )
                    manager = self.managers[case_id % len(self.managers)]
                    confirmed_at = final_at + timedelta(days=10) if published else None
                    published_at = final_at + timedelta(days=14) if published else None
                    copies["decision"].write(
                        (
                            case_id,
                            outcome,
                            "We found failings in care and in the handling of the complaint."
                            if outcome in ("upheld", "partly_upheld")
                            else "",
                            "Our reasons are set out in the report." if outcome else "",
                            "Provisional report." if "provisional_decision" in stage_at else "",
                            stage_at.get("provisional_decision"),
                            summary_text if outcome else "",
                            summary_text if published else "",
                            confirmed_at,
                            manager if published else None,
                            published_at,
                            manager if published else None,
                            assignee or manager,
                            stage_at.get("provisional_decision") or final_at,
                            published_at or final_at or changed,
                        )
                    )
                    counts["decisions"] += 1
                    if published:
                        event_copy.write(
                            (
                                case_id,
                                "decision_published",
                                manager,
                                "",
                                "",
                                "",
                                "",
                                {},
                                published_at,
                            )
                        )
                        counts["events"] += 1
                # Narrative coding: the theme found in the summary.
                if theme_span:
                    run_id += 1
                    code_id += 1
                    review, reviewer = self._review(rng, status, assignee)
                    copies["run"].write(
                        (
                            run_id,
                            case_id,
                            None,
                            "narrative",
                            "done",
                            len(summary),
                            len(summary),
                            1,
                            "bench",
                            received,
                            received + timedelta(minutes=2),
                        )
                    )
                    copies["code"].write(
                        (
                            code_id,
                            case_id,
                            run_id,
                            None,
                            "theme",
                            "theme",
                            theme,
                            THEME_LABELS[theme],
                            theme_span[0],
                            theme_span[1],
                            theme_span[2],
                            "present",
                            0.8,
                            "",
                            review,
                            reviewer,
                            changed if reviewer else None,
                            received + timedelta(minutes=2),
                        )
                    )
                    counts["runs"] += 1
                    counts["codes"] += 1
                # Evidence letters: metadata and extracted text, no files.
                if rng.random() < DOCUMENT_SHARE:
                    doc_id += 1
                    uploaded = received + timedelta(hours=rng.randrange(1, 24 * 20))
                    uploaded = min(uploaded, self.now - timedelta(minutes=5))
                    text, spans = self._letter(rng, coding, vocabulary, theme)
                    digest = hashlib.sha256(f"{self.seed}:{doc_id}".encode()).hexdigest()
                    copies["doc"].write(
                        (
                            doc_id,
                            case_id,
                            complainant,
                            "complainant",
                            rng.choice(
                                [
                                    "final-response.pdf",
                                    "letter-from-trust.pdf",
                                    "discharge-summary.pdf",
                                    "clinic-letter.docx",
                                ]
                            ),
                            f"evidence/bench/{digest}",
                            20_000 + rng.randrange(400_000),
                            "application/pdf",
                            digest,
                            "special_category" if spans else "normal",
                            False,
                            "clean",
                            text,
                            1 + len(text) // 2500,
                            "extracted",
                            uploaded,
                            uploaded + timedelta(seconds=30),
                        )
                    )
                    counts["documents"] += 1
                    if spans and rng.random() < CODED_DOCUMENT_SHARE:
                        run_id += 1
                        coded_at = uploaded + timedelta(minutes=3)
                        copies["run"].write(
                            (
                                run_id,
                                case_id,
                                doc_id,
                                "document",
                                "done",
                                len(text),
                                len(text),
                                len(spans),
                                "bench",
                                uploaded,
                                coded_at,
                            )
                        )
                        counts["runs"] += 1
                        for start, end, term, code, kind_, state in spans:
                            code_id += 1
                            review, reviewer = self._review(rng, status, assignee)
                            copies["code"].write(
                                (
                                    code_id,
                                    case_id,
                                    run_id,
                                    doc_id,
                                    "condition",
                                    "ICD-10",
                                    code,
                                    description[code][:300],
                                    start,
                                    end,
                                    term[:300],
                                    state,
                                    round(0.55 + 0.4 * rng.random(), 2),
                                    kind_,
                                    review,
                                    reviewer,
                                    max(changed, coded_at) if reviewer else None,
                                    coded_at,
                                )
                            )
                            counts["codes"] += 1
                if case_id % 5000 == 0:
                    bar.update(5000)
            bar.update(self.cases % 5000)
            bar.close()
            for copy in copies.values():
                copy.__exit__(None, None, None)
            self.document_count = doc_id
            for name in ("case", "event", "org", "doc", "decision", "run", "code"):
                conns[name].commit()
        finally:
            for conn in conns.values():
                conn.close()
        elapsed = time.perf_counter() - started
        for name, table in (
            ("cases", "casework_case"),
            ("events", "casework_caseevent"),
            ("organisations", "casework_caseorganisation"),
            ("documents", "casework_document"),
            ("decisions", "casework_decision"),
            ("runs", "casework_codingrun"),
            ("codes", "casework_clinicalcode"),
        ):
            self.timings.append((table, counts[name], elapsed))
        if self.progress:
            print(
                "  "
                + ", ".join(f"{k}: {v:,}" for k, v in counts.items())
                + f" in {elapsed:.1f} s (one pass, tables written together)",
                flush=True,
            )
        self.max_ids = {
            "casework_codingrun": run_id,
            "casework_clinicalcode": code_id,
            "casework_document": doc_id,
            "casework_case": self.cases,
        }

    def _review(self, rng, status, assignee):
        """Mostly confirmed on cases someone has worked; suggestions wait on new ones."""
        if assignee is None or status == "submitted":
            return "suggested", None
        r = rng.random()
        if r < 0.78:
            return "confirmed", assignee
        if r < 0.88:
            return "rejected", assignee
        return "suggested", None

    def _letter(self, rng, coding, vocabulary, theme):
        """A short letter from bench/coding's sentences, with the coded terms' spans."""
        parts, spans, length = [rng.choice(LETTER_HEADS)], [], 0
        length = len(parts[0])
        target = rng.randint(500, 1400)
        while length < target:
            if rng.random() < 0.35:
                code, kind, term = vocabulary[int(len(vocabulary) * rng.random())]
                which = rng.randrange(len(coding.CONTEXTS))
                template = coding.CONTEXTS[which]
                sentence = template.format(t=term)
                offset = length + 1 + template.index("{t}")
                spans.append((offset, offset + len(term), term, code, kind, CONTEXT_STATUS[which]))
            else:
                sentence = rng.choice(coding.FILLER)
            parts.append(sentence)
            length += 1 + len(sentence)
        if theme:
            parts.append(THEME_SENTENCES[theme].capitalize() + ".")
        text = "\n".join(parts)
        return text, spans

    def information_requests(self) -> None:
        """FOI, EIR and SAR requests with their statutory clocks, most answered on time."""
        from foi.models import InformationRequest, RequestEvent
        from foi.services import REFERENCE_PREFIX, RULES
        from phso.clock import StatutoryClock

        rng = random.Random(self.seed + 11)  # noqa: S311
        total = max(20, int(self.cases * FOI_PER_CASE))
        first = self.today - timedelta(days=YEARS * 365)
        sequence = {}
        self.foi_sequences = sequence
        topics = [
            "casework statistics",
            "complaint handling",
            "staff numbers",
            "contracts",
            "policies",
            "published decisions",
            "IT systems",
            "training",
        ]
        officers = self.users["foi_officer"]
        started = time.perf_counter()
        with self.connect() as conn, self.connect() as events_conn:
            with (
                ModelCopy(
                    conn,
                    InformationRequest,
                    [
                        "id",
                        "reference",
                        "kind",
                        "channel",
                        "status",
                        "user_id",
                        "requester_name",
                        "requester_email",
                        "answer_format",
                        "text",
                        "received_on",
                        "clock",
                        "due_on",
                        "assigned_to_id",
                        "identity_verified_on",
                        "response_text",
                        "sent_on",
                        "outcome",
                        "closed_on",
                        "publish",
                        "topic",
                        "created_at",
                    ],
                    now=self.now,
                ) as copy,
                ModelCopy(
                    events_conn,
                    RequestEvent,
                    [
                        "request_id",
                        "kind",
                        "actor_id",
                        "system_reason",
                        "from_status",
                        "to_status",
                        "payload",
                        "created_at",
                    ],
                    now=self.now,
                ) as events,
                self.bar(total, "information requests") as bar,
            ):
                for pk in range(1, total + 1):
                    r = rng.random()
                    kind = "foi" if r < 0.6 else "eir" if r < 0.65 else "sar"
                    received = first + timedelta(days=int(YEARS * 365 * rng.random() ** 0.85))
                    prefix = REFERENCE_PREFIX[kind]
                    number = sequence[(prefix, received.year)] = (
                        sequence.get((prefix, received.year), 0) + 1
                    )
                    user = self.complainants[pk % len(self.complainants)] if kind == "sar" else None
                    clock = StatutoryClock(received, RULES[kind])
                    due = clock.due_date
                    age = (self.today - received).days
                    sent = None
                    if age > 40 or rng.random() < age / 40:
                        late = rng.random() < 0.12
                        sent = (
                            due + timedelta(days=rng.randint(1, 30))
                            if late
                            else (
                                received
                                + timedelta(days=rng.randint(3, max(4, (due - received).days)))
                            )
                        )
                        sent = min(sent, self.today)
                        clock = clock.stop(sent, "response sent")
                    status = (
                        ("closed" if sent and age > 60 else "sent")
                        if sent
                        else ("in_progress" if age > 3 else "received")
                    )
                    outcome = ""
                    if sent:
                        outcome = rng.choice(
                            ["granted", "granted", "partly_granted", "refused", "not_held"]
                        )
                    created = datetime.combine(received, dtime(9), tzinfo=UTC)
                    copy.write(
                        (
                            pk,
                            f"{prefix}-{received.year}-{number:05d}",
                            kind,
                            rng.choice(["online", "online", "email", "post"]),
                            status,
                            user,
                            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                            f"requester{pk}@{BENCH_DOMAIN}",
                            "email",
                            f"Please send me information about {rng.choice(topics)} "
                            "for the last year.",
                            received,
                            clock.to_dict(),
                            due,
                            officers[pk % len(officers)] if age > 3 else None,
                            received if kind == "sar" else None,
                            "Please find the information attached." if sent else "",
                            sent,
                            outcome,
                            sent if status == "closed" else None,
                            kind != "sar" and outcome == "granted",
                            rng.choice(topics),
                            created,
                        )
                    )
                    events.write(
                        (
                            pk,
                            "received",
                            user,
                            "" if user else "information_request_submit",
                            "",
                            "received",
                            {},
                            created,
                        )
                    )
                    if status != "received":
                        events.write(
                            (
                                pk,
                                "status_changed",
                                officers[pk % len(officers)],
                                "",
                                "received",
                                status,
                                {},
                                created + timedelta(days=3),
                            )
                        )
                    if pk % 1000 == 0:
                        bar.update(1000)
                bar.update(total % 1000)
            conn.commit()
            events_conn.commit()
        self.timed("foi_informationrequest (+ events)", total, started)
        self.max_ids["foi_informationrequest"] = total

    def sequences(self) -> None:
        """Identity sequences past the explicit ids, and reference counters past the references."""
        from django.apps import apps

        from casework.models import CaseReferenceSequence
        from foi.models import ReferenceSequence

        started = time.perf_counter()
        with self.connect() as conn:
            for model in apps.get_models(include_auto_created=True):
                pk = model._meta.pk
                if not isinstance(pk, __import__("django").db.models.AutoField):
                    continue
                table = model._meta.db_table
                seq = conn.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column]
                ).fetchone()
                if seq and seq[0]:
                    conn.execute(
                        f"SELECT setval(%s, GREATEST(1, (SELECT COALESCE(MAX({pk.column}), 0) "  # noqa: S608
                        f"FROM {table})))",
                        [seq[0]],
                    )
            with ModelCopy(conn, CaseReferenceSequence, ["prefix", "year", "last_number"]) as c:
                for (prefix, year), last in sorted(self.reference_sequences.items()):
                    c.write((prefix, year, last))
            with ModelCopy(conn, ReferenceSequence, ["prefix", "year", "last_number"]) as c:
                for (prefix, year), last in sorted(self.foi_sequences.items()):
                    c.write((prefix, year, last))
        self.timed("sequences and reference counters", 0, started)

    def reporting_store(self) -> None:
        """Insight's reporting store: the case facts and their confirmed codes in SQL (insight's
        own rebuild reads cases one by one in Python, about an hour at a million), then
        insight_refresh itself for every summary table and its watermark, with nothing left for
        it to re-read; verify() checks a sample of facts against insight's own rebuild."""
        from unittest import mock

        from django.conf import settings

        from insight import services_reporting
        from insight.models import CaseFact, CaseFactCode
        from insight.services_search import search_documents_refresh

        now = datetime.now(UTC)
        tz = settings.TIME_ZONE
        with self.connect() as conn:
            conn.execute("ANALYZE")
            started = time.perf_counter()
            known = [
                "case_id",
                "reference",
                "kind",
                "status",
                "sector",
                "organisation_id",
                "organisation_name",
                "organisation_kind",
                "region",
                "constituency_code",
                "constituency_name",
                "local_authority_code",
                "referred_by_mp",
                "grid_east_km",
                "grid_north_km",
                "received_on",
                "assessed_on",
                "decided_on",
                "days_to_assess",
                "days_to_decide",
                "outcome",
                "published",
                "published_on",
                "published_summary",
                "refreshed_at",
            ]
            extra = constant_defaults(CaseFact, known, now)
            columns = ", ".join(f'"{c}"' for c in known + [c for c, _ in extra])
            # Dates as timezone.localdate gives them (GREATEST ignores NULL, hence the CASE); the
            # first organisation by link id; the first status change ending assessment, and the
            # first to a final decision; the summary only when its redaction was confirmed and the
            # decision published.
            conn.execute(
                f"""
                INSERT INTO insight_casefact ({columns})
                SELECT c.id, c.reference, c.kind, c.status, COALESCE(o.sector, ''), o.id,
                       COALESCE(o.name, ''), COALESCE(o.kind, ''), COALESCE(o.region, ''),
                       COALESCE(k.code, ''), COALESCE(k.name, ''), c.local_authority_code,
                       c.referring_mp_id IS NOT NULL, NULL, NULL,
                       (c.received_at AT TIME ZONE %(tz)s)::date,
                       (e.assessed_at AT TIME ZONE %(tz)s)::date,
                       (e.decided_at AT TIME ZONE %(tz)s)::date,
                       CASE WHEN e.assessed_at IS NOT NULL THEN GREATEST(
                           (e.assessed_at AT TIME ZONE %(tz)s)::date
                           - (c.received_at AT TIME ZONE %(tz)s)::date, 0) END,
                       CASE WHEN e.decided_at IS NOT NULL THEN GREATEST(
                           (e.decided_at AT TIME ZONE %(tz)s)::date
                           - (c.received_at AT TIME ZONE %(tz)s)::date, 0) END,
                       COALESCE(d.outcome, ''), p.published,
                       CASE WHEN p.published THEN (d.published_at AT TIME ZONE %(tz)s)::date END,
                       CASE WHEN p.published THEN d.redacted_summary ELSE '' END,
                       %(now)s
                       {"".join(f", %(extra{i})s" for i in range(len(extra)))}
                FROM casework_case c
                LEFT JOIN (
                    SELECT DISTINCT ON (case_id) case_id, organisation_id
                    FROM casework_caseorganisation ORDER BY case_id, id
                ) f ON f.case_id = c.id
                LEFT JOIN accounts_organisation o ON o.id = f.organisation_id
                LEFT JOIN accounts_constituency k ON k.id = c.constituency_id
                LEFT JOIN (
                    SELECT case_id,
                           MIN(created_at) FILTER (WHERE to_status = ANY(%(ends)s)) AS assessed_at,
                           MIN(created_at) FILTER (WHERE to_status = 'final_decision') AS decided_at
                    FROM casework_caseevent WHERE kind = 'status_changed' GROUP BY case_id
                ) e ON e.case_id = c.id
                LEFT JOIN casework_decision d ON d.case_id = c.id
                CROSS JOIN LATERAL (
                    SELECT COALESCE(d.published_at IS NOT NULL
                                    AND d.redaction_confirmed_at IS NOT NULL, false) AS published
                ) p
                """,  # noqa: S608 - column names from the model, values as parameters
                {
                    "tz": tz,
                    "now": now,
                    "ends": [str(s) for s in services_reporting._ASSESSMENT_ENDS],
                    **{f"extra{i}": v for i, (_, v) in enumerate(extra)},
                },
            )
            facts = conn.execute("SELECT count(*) FROM insight_casefact").fetchone()[0]
            self.timed("insight_casefact (SQL)", facts, started)
            started = time.perf_counter()
            known = ["case_fact_id", "axis", "system", "code", "description"]
            # A code of a published decision is marked so, where the store keeps that.
            fact_columns = [f.column for f in CaseFactCode._meta.concrete_fields]
            if "published" in fact_columns:
                known.append("published")
            extra = constant_defaults(CaseFactCode, known, now)
            columns = ", ".join(f'"{c}"' for c in known + [c for c, _ in extra])
            conn.execute(
                f"""
                INSERT INTO insight_casefactcode ({columns})
                SELECT f.id, x.axis, x.system, x.code, LEFT(x.description, 300)
                       {", f.published" if "published" in known else ""}
                       {"".join(f", %(extra{i})s" for i in range(len(extra)))}
                FROM (
                    SELECT DISTINCT ON (case_id, axis, system, code) case_id, axis, system, code,
                           description
                    FROM casework_clinicalcode WHERE review = 'confirmed'
                    ORDER BY case_id, axis, system, code, id
                ) x JOIN insight_casefact f ON f.case_id = x.case_id
                """,  # noqa: S608
                {f"extra{i}": v for i, (_, v) in enumerate(extra)},
            )
            codes = conn.execute("SELECT count(*) FROM insight_casefactcode").fetchone()[0]
            self.timed("insight_casefactcode (SQL)", codes, started)
            conn.commit()
            conn.execute("ANALYZE insight_casefact")
            conn.execute("ANALYZE insight_casefactcode")
            conn.commit()
        started = time.perf_counter()
        # Every fact is already built: insight_refresh rebuilds the summaries from them.
        with mock.patch.object(services_reporting, "_changed_case_ids", return_value=[]):
            services_reporting.insight_refresh(now=now)
        self.timed("insight_refresh (summaries, watermark)", facts, started)
        started = time.perf_counter()
        rows = search_documents_refresh()
        self.timed("search_documents_refresh", rows, started)

    def verify(self, sample: int) -> int:
        """Rebuild `sample` cases' facts with insight's own code (rolled back) and compare."""
        from django.db import transaction
        from django.forms.models import model_to_dict

        from insight import services_reporting
        from insight.models import CaseFact, CaseFactCode

        ids = sorted(
            random.Random(self.seed).sample(  # noqa: S311
                range(1, self.cases + 1), min(sample, self.cases)
            )
        )
        skip = {"id", "refreshed_at"}

        def read():
            facts = {
                f.case_id: {k: v for k, v in model_to_dict(f).items() if k not in skip}
                for f in CaseFact.objects.filter(case_id__in=ids)
            }
            codes = sorted(
                CaseFactCode.objects.filter(case_fact__case_id__in=ids).values_list(
                    "case_fact__case_id", "axis", "system", "code", "description"
                )
            )
            return facts, codes

        mine = read()

        with transaction.atomic():
            services_reporting._case_facts_rebuild(case_ids=ids, now=datetime.now(UTC))
            theirs = read()
            transaction.set_rollback(True)
        differences = 0
        for case_id in ids:
            a, b = mine[0].get(case_id), theirs[0].get(case_id)
            if a != b:
                differences += 1
                if differences <= 3:
                    diff = {
                        k: (a.get(k), b.get(k))
                        for k in (a or b)
                        if (a or {}).get(k) != (b or {}).get(k)
                    }
                    print(f"  case {case_id}: generated vs insight: {diff}")
        if mine[1] != theirs[1]:
            differences += 1
            print(f"  codes differ: {len(mine[1])} generated, {len(theirs[1])} from insight")
        print(
            f"  verified {len(ids)} case facts against insight's rebuild: {differences} differ",
            flush=True,
        )
        return differences

    def analyze(self) -> None:
        started = time.perf_counter()
        with self.connect() as conn:
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
        self.timed("VACUUM ANALYZE", 0, started)


sys.path.insert(0, str(Path(__file__).resolve().parent))
from copyload import ModelCopy, constant_defaults  # noqa: E402


def check_database(url: str, force: bool) -> str:
    """The database name, after refusing what this generator must not replace."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must be a PostgreSQL database (the load uses COPY); not SQLite.")
    name = parsed.path.lstrip("/")
    if not name.startswith("phso_bench") and not force:
        sys.exit(
            f"Refusing to replace the data in {name!r}: the database name must start with "
            "'phso_bench' (or pass --force)."
        )
    return name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the last day of the data (YYYY-MM-DD); default today",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the data even if the name does not start with phso_bench",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    name = check_database(url, args.force)

    import django

    django.setup()
    started = time.perf_counter()
    generator = Generator(
        cases=args.cases,
        seed=args.seed,
        today=args.today or date.today(),
        dsn=url,
        progress=not args.quiet,
    )
    print(f"generating {args.cases:,} cases into {name} (seed {args.seed})", flush=True)
    generator.run()
    total = time.perf_counter() - started
    own, children = peak_rss_mb()
    print(f"\n{'step':<48} {'rows':>12} {'seconds':>9}")
    for label, rows, seconds in generator.timings:
        print(f"{label:<48} {rows:>12,} {seconds:>9.1f}")
    print(
        f"\ntotal wall time {total:.0f} s ({total / 60:.1f} min); "
        f"peak RSS {own:.0f} MB (this process), {children:.0f} MB (children)"
    )
    return 1 if generator.differences else 0


if __name__ == "__main__":
    sys.exit(main())
