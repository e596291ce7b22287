"""Benchmark the insight dashboards and published decisions on PostgreSQL at a million case facts.

    DATABASE_URL=postgres://.../phso_bench python bench/insight/bench_dashboards.py [--rows N]

Migrates the database and, unless it already holds --rows generated case facts, replaces the
reporting store with N (default 1,000,000) written with COPY: received over the last five years
(more each year), health and parliamentary, about 5,000 organisations of every kind (a few large
trusts and departments named on many cases, thousands of GP practices on few), 650 constituencies,
85% of cases closed, decisions with outcomes, and about 15% of all cases published with a summary.
The weekly counts and monthly performance are then rebuilt from the facts by the refresh's own
functions. The same --seed gives the same rows.

Then it times R runs (default 50) of each staff dashboard chart's query, the whole dashboard page
(as a signed-in analyst past the second factor), the published decisions page through Django's
test client unfiltered and filtered by constituency, organisation, and outcome with a date range,
with the same filters as the raw query (count and one page of 20, as the paginator asks), the
constituency and organisation pages, and the CSV download of a filtered set read to the end. It
prints one table: name, rows, p50 and p95 in milliseconds, and queries per page.
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

ORGANISATIONS = 5_000
CONSTITUENCIES = 650
YEARS = 5
PUBLISHED_SHARE = 0.15
BENCH_DOMAIN = "bench.example.org"
REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
]
# (kind, sector, how many organisations, weight of each one's share of cases)
ORGANISATION_KINDS = [
    ("nhs_trust", "health", 220, 60.0),
    ("gp_practice", "health", 4_200, 1.0),
    ("icb", "health", 42, 8.0),
    ("government_department", "parliamentary", 48, 90.0),
    ("public_body", "parliamentary", 390, 4.0),
    ("other", "parliamentary", 100, 1.0),
]
CLOSED_STATUSES = [
    ("closed", 0.55),
    ("premature", 0.17),
    ("out_of_remit", 0.08),
    ("withdrawn", 0.05),
]
OPEN_STATUSES = [
    ("submitted", 0.03),
    ("assessment", 0.04),
    ("awaiting_information", 0.02),
    ("investigation", 0.05),
    ("provisional_decision", 0.007),
    ("final_decision", 0.003),
]
OUTCOMES = [
    ("upheld", 0.22),
    ("partly_upheld", 0.28),
    ("not_upheld", 0.38),
    ("resolved", 0.06),
    ("withdrawn", 0.03),
    ("discontinued", 0.03),
]
SUMMARY_WORDS = (
    "the trust did not explain the delay in diagnosis and the family were not kept informed "
    "about discharge arrangements so we found maladministration and asked for an apology a "
    "payment and an action plan the department took too long to decide the claim and its "
    "letters gave wrong information about the appeal so we upheld the complaint in part"
).split()


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


def _progress(label: str, done: int, total: int, started: float) -> None:
    print(
        f"\r{label}: {done:,} of {total:,} ({100 * done // total}%) "
        f"in {time.perf_counter() - started:.0f} s",
        end="",
        flush=True,
    )


def _cumulative(pairs):
    total, out = 0.0, []
    for _, weight in pairs:
        total += weight
        out.append(total)
    return out


def generate(rows: int, seed: int) -> None:
    """Replace the reporting store, bench organisations and constituencies with generated ones."""
    from django.db import connection

    from accounts.models import Constituency, Organisation
    from casework.coding.themes import THEME_LABELS
    from insight.models import CASE_FACTS_REFRESH, RefreshState
    from insight.services_reporting import (
        _dashboard_counts_rebuild,
        _monthly_performance_rebuild,
        _weekly_code_counts_rebuild,
        _weekly_counts_rebuild,
    )

    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE insight_casefact, insight_casefactcode, insight_weeklycount, "
            "insight_weeklycodecount, insight_dashboardcount, insight_monthlyperformance, "
            "insight_refreshstate"
        )
    Organisation.objects.filter(ods_code__startswith="BENCH").delete()
    Constituency.objects.filter(code__startswith="B").delete()

    places = Constituency.objects.bulk_create(
        Constituency(code=f"B{n:08d}", name=f"Bench Constituency {n:03d}")
        for n in range(CONSTITUENCIES)
    )
    place_region = {p.code: REGIONS[n % len(REGIONS)] for n, p in enumerate(places)}
    place_la = {p.code: f"L{n // 2:08d}" for n, p in enumerate(places)}  # two per authority
    place_grid = {p.code: (100 + rng.randrange(550), 20 + rng.randrange(950)) for p in places}
    organisations = []
    for kind, sector, count, _weight in ORGANISATION_KINDS:
        label = kind.replace("_", " ").title()
        for n in range(count):
            organisations.append(
                Organisation(
                    name=f"Bench {label} {n:04d}",
                    ods_code=f"BENCH{len(organisations):04d}",
                    kind=kind,
                    sector=sector,
                    region=REGIONS[len(organisations) % len(REGIONS)],
                )
            )
    organisations = Organisation.objects.bulk_create(organisations, batch_size=2000)
    weights = {k: w for k, _s, _c, w in ORGANISATION_KINDS}
    # Within a kind, a few organisations take most of its cases (Zipf-like).
    org_pairs, rank = [], {}
    for org in organisations:
        rank[org.kind] = rank.get(org.kind, 0) + 1
        org_pairs.append((org, weights[org.kind] / rank[org.kind] ** 0.6))
    org_cum = _cumulative(org_pairs)
    status_pairs = CLOSED_STATUSES + OPEN_STATUSES
    status_cum = _cumulative(status_pairs)
    open_values = {s for s, _ in OPEN_STATUSES}
    outcome_cum = _cumulative(OUTCOMES)
    place_codes = [p.code for p in places]
    place_names = {p.code: p.name for p in places}
    place_weights = _cumulative([(p, 0.5 + rng.random()) for p in places])
    today = date.today()
    start = today - timedelta(days=365 * YEARS)
    span = (today - start).days
    now = datetime.now(UTC).isoformat()
    # Enough decided cases are published to make about PUBLISHED_SHARE of all cases.
    publish_given_decided = PUBLISHED_SHARE / 0.55  # closed cases

    codes = []  # (case fact id, axis, system, code, description, published), after the facts

    def facts():
        for n in range(1, rows + 1):
            org = rng.choices(org_pairs, cum_weights=org_cum)[0][0]
            status = rng.choices(status_pairs, cum_weights=status_cum)[0][0]
            place = rng.choices(place_codes, cum_weights=place_weights)[0]
            if status in open_values:
                received = today - timedelta(days=int(rng.expovariate(1 / 120)) % 700)
            else:
                # Skewed towards today: more complaints each year than the year before.
                received = start + timedelta(days=int(span * rng.random() ** 0.8))
                received = min(received, today - timedelta(days=20))
            assessed = decided = days_assess = days_decide = None
            outcome, published, published_on, summary = "", "f", None, ""
            if status not in ("submitted", "assessment", "withdrawn"):
                days_assess = int(rng.gammavariate(2.0, 14))
                assessed = received + timedelta(days=days_assess)
            if status == "closed":
                days_decide = days_assess + int(rng.gammavariate(2.5, 90))
                decided = received + timedelta(days=days_decide)
                if decided > today:
                    decided, days_decide = today, (today - received).days
                outcome = rng.choices(OUTCOMES, cum_weights=outcome_cum)[0][0]
                if rng.random() < publish_given_decided:
                    published = "t"
                    published_on = min(decided + timedelta(days=14 + rng.randrange(60)), today)
                    summary = " ".join(rng.choices(SUMMARY_WORDS, k=40 + rng.randrange(40)))
            east, north = place_grid[place]
            kind = "health" if org.sector == "health" else "parliamentary"
            codes.extend(_codes(rng, n, kind, THEME_LABELS, published))
            yield (
                n,
                n,
                f"{'HC' if kind == 'health' else 'PC'}-B{n:07d}",
                kind,
                status,
                org.sector,
                org.pk,
                org.name,
                org.kind,
                place_region[place],
                place,
                place_names[place],
                place_la[place],
                "t" if kind == "parliamentary" or rng.random() < 0.05 else "f",
                east + rng.randrange(10),
                north + rng.randrange(10),
                received,
                assessed,
                decided,
                days_assess,
                days_decide,
                outcome,
                published,
                published_on,
                summary,
                now,
            )
            if n % 50_000 == 0:
                _progress("case facts", n, rows, started)

    columns = (
        "id case_id reference kind status sector organisation_id organisation_name "
        "organisation_kind region constituency_code constituency_name local_authority_code "
        "referred_by_mp grid_east_km grid_north_km received_on assessed_on decided_on "
        "days_to_assess days_to_decide outcome published published_on published_summary "
        "refreshed_at"
    ).split()
    with connection.cursor() as cursor:
        _copy(cursor, "insight_casefact", columns, facts())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('insight_casefact', 'id'), "
            "(SELECT max(id) FROM insight_casefact))"
        )
        written = _copy(
            cursor,
            "insight_casefactcode",
            ["case_fact_id", "axis", "system", "code", "description", "published"],
            codes,
        )
    print(f"\n{written:,} confirmed codes and themes written")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE insight_casefact")
        cursor.execute("VACUUM ANALYZE insight_casefactcode")
    print(f"case facts written and analysed in {time.perf_counter() - started:.0f} s")
    counted = time.perf_counter()
    _weekly_counts_rebuild()
    _monthly_performance_rebuild()
    _weekly_code_counts_rebuild()
    _dashboard_counts_rebuild()
    # As a refresh leaves it: the cached filter choices are keyed by this state.
    stamp = datetime.now(UTC)
    RefreshState.objects.create(
        name=CASE_FACTS_REFRESH, watermark=stamp, last_run_at=stamp, generation=1, changed_at=stamp
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE insight_weeklycount")
        cursor.execute("SELECT count(*) FROM insight_weeklycount")
        weekly = cursor.fetchone()[0]
    print(
        f"weekly counts ({weekly:,} rows) and monthly performance rebuilt "
        f"in {time.perf_counter() - counted:.0f} s"
    )


# Complaint themes and (health only) ICD-10 codes a caseworker confirmed, by rough share.
HEALTH_THEMES = [
    ("diagnosis", 0.25),
    ("treatment", 0.2),
    ("communication", 0.3),
    ("discharge", 0.1),
    ("medication", 0.08),
    ("nursing_care", 0.06),
    ("complaint_handling", 0.15),
]
PARLIAMENTARY_THEMES = [
    ("communication", 0.3),
    ("complaint_handling", 0.35),
    ("waiting_times", 0.3),
]
CONDITIONS = [
    ("C50", "Malignant neoplasm of breast"),
    ("I21", "Acute myocardial infarction"),
    ("J18", "Pneumonia, organism unspecified"),
    ("S72", "Fracture of femur"),
    ("F32", "Depressive episode"),
    ("E11", "Type 2 diabetes mellitus"),
    ("K35", "Acute appendicitis"),
    ("A41", "Other sepsis"),
]


def _codes(rng, fact_id: int, kind: str, labels: dict, published: str) -> list[tuple]:
    themes = HEALTH_THEMES if kind == "health" else PARLIAMENTARY_THEMES
    found = [
        (fact_id, "theme", "theme", slug, labels[slug], published)
        for slug, share in themes
        if rng.random() < share
    ]
    if kind == "health" and rng.random() < 0.5:
        code, description = CONDITIONS[min(int(rng.expovariate(0.4)), len(CONDITIONS) - 1)]
        found.append((fact_id, "condition", "ICD-10", code, description, published))
    return found


def summarise() -> None:
    """Rebuild what a refresh that changed something leaves besides the facts (the summaries
    this version of the code keeps), timed, and mark the store changed."""
    from django.utils import timezone

    from insight.models import CASE_FACTS_REFRESH, RefreshState
    from insight.services_reporting import _dashboard_counts_rebuild, _weekly_code_counts_rebuild

    started = time.perf_counter()
    _weekly_code_counts_rebuild()
    _dashboard_counts_rebuild()
    stamp = timezone.now()
    state, _ = RefreshState.objects.get_or_create(name=CASE_FACTS_REFRESH)
    state.generation += 1
    state.changed_at = stamp
    state.save()
    took = time.perf_counter() - started
    print(f"weekly code counts and dashboard counts rebuilt in {took:.0f} s")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _analyst_client():
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_grant_role

    user, created = User.objects.get_or_create(
        email=f"analyst@{BENCH_DOMAIN}",
        defaults={"password": make_password(None), "full_name": "Bench Analyst"},
    )
    if created:
        user_grant_role(user=user, role=Role.ANALYST)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client, user


def measure(repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Constituency, Organisation
    from insight import selectors
    from insight import selectors_dashboards as dash
    from insight.models import CaseFact

    analyst_client, analyst = _analyst_client()
    public = Client(HTTP_HOST="localhost")
    today = timezone.localdate()
    # A busy constituency and organisation, and a middling one of each.
    place = Constituency.objects.filter(code__startswith="B").order_by("pk")[42]
    big_org = Organisation.objects.get(ods_code="BENCH0000")
    mid_org = Organisation.objects.get(ods_code="BENCH0100")
    since = today - timedelta(days=365)
    date_range = {
        "outcome": "upheld",
        "published_from": since.strftime("%d/%m/%Y"),
        "published_to": today.strftime("%d/%m/%Y"),
    }
    filter_sets = [
        ("none", {}, {}),
        ("constituency", {"constituency": place.code}, {"constituency": place.code}),
        ("organisation (largest)", {"organisation": str(big_org.pk)}, {"organisation": big_org.pk}),
        (
            "organisation (middling)",
            {"organisation": str(mid_org.pk)},
            {"organisation": mid_org.pk},
        ),
        (
            "outcome + date range",
            date_range,
            {"outcome": "upheld", "published_from": since, "published_to": today},
        ),
        ("theme (diagnosis)", {"theme": "diagnosis"}, {"theme": "diagnosis"}),
        (
            "theme + organisation (largest)",
            {"theme": "communication", "organisation": str(big_org.pk)},
            {"theme": "communication", "organisation": big_org.pk},
        ),
    ]
    total = CaseFact.objects.count()
    results = []

    def timed(name, rows, call, *, pages=False):
        samples, queries = [], 0
        call()  # warm up: templates compiled, pages of the index cached
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        p50, p95 = _percentiles(samples)
        results.append((name, rows, p50, p95, queries if pages else None))
        print(f"  {name:<52} {p50:8.1f} {p95:8.1f}", flush=True)

    def page(client, url, params=None):
        def call():
            response = client.get(url, params or {})
            assert response.status_code == 200, (url, params, response.status_code)
            if response.streaming:
                b"".join(response.streaming_content)
            else:
                response.content  # noqa: B018

        return call

    print(f"\nmeasuring, {repeat} runs each (p50 / p95 ms as they finish)")
    charts = [
        ("status", dash._status_chart),
        ("ageing", lambda: dash._ageing_chart(today)),
        ("timeliness", dash._timeliness_chart),
        ("sector", dash._sector_chart),
        ("organisation kind", dash._organisation_kind_chart),
        ("top 15 organisations", dash._organisation_chart),
        ("outcome", dash._outcome_chart),
        ("MP referrals", dash._mp_chart),
        ("themes", dash._theme_chart),
        ("clinical codes", dash._condition_chart),
    ]
    for label, chart in charts:
        timed(f"chart query: {label}", total, chart)
    timed(
        "chart queries: all (dashboard_charts)",
        total,
        lambda: dash.dashboard_charts(user=analyst, today=today),
    )
    timed(
        "page: staff dashboard (analyst)",
        total,
        page(analyst_client, "/staff/insight/"),
        pages=True,
    )
    timed(
        "page: staff chart CSV (organisations)",
        total,
        page(analyst_client, "/staff/insight/charts/organisations.csv"),
        pages=True,
    )

    options = selectors.decision_filter_options()
    timed(
        "query: decision filter options, built",
        sum(len(v) for v in options.values()),
        selectors._decision_filter_options,
    )
    timed(
        "query: decision filter options, cached",
        sum(len(v) for v in options.values()),
        selectors.decision_filter_options,
    )
    for label, params, filters in filter_sets:
        decisions = selectors.published_decisions(filters)
        count = decisions.count()

        def raw(filters=filters):
            qs = selectors.published_decisions(filters)
            qs.count()
            list(qs[:20])

        timed(f"query: decisions, {label}", count, raw)
        timed(
            f"page: decisions, {label}", count, page(public, "/data/decisions", params), pages=True
        )
    timed(
        "page: decisions page 50, unfiltered",
        selectors.published_decisions().count(),
        page(public, "/data/decisions", {"page": "50"}),
        pages=True,
    )

    for label, facts, filters, url in (
        (
            "constituency",
            CaseFact.objects.filter(constituency_code=place.code),
            {"constituency": place.code},
            f"/data/constituencies/{place.code}",
        ),
        (
            "organisation (largest)",
            CaseFact.objects.filter(organisation_id=big_org.pk),
            {"organisation": big_org.pk},
            f"/data/organisations/{big_org.pk}",
        ),
        (
            "organisation (middling)",
            CaseFact.objects.filter(organisation_id=mid_org.pk),
            {"organisation": mid_org.pk},
            f"/data/organisations/{mid_org.pk}",
        ),
    ):
        count = facts.count()

        def raw(facts=facts, filters=filters):
            selectors.figures(facts)
            list(selectors.published_decisions(filters)[:10])

        timed(f"query: {label} figures + recent", count, raw)
        timed(f"page: {label}", count, page(public, url), pages=True)

    for label, params, filters in filter_sets[1:]:
        count = selectors.published_decisions(filters).count()
        timed(
            f"CSV: decisions, {label}",
            count,
            page(public, "/data/decisions.csv", params),
            pages=True,
        )

    print(f"\n{'name':<52} {'rows':>9} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7}")
    for name, rows, p50, p95, queries in results:
        shown = "" if queries is None else str(queries)
        print(f"{name:<52} {rows:>9,} {p50:>8.1f} {p95:>8.1f} {shown:>7}")
    print("\nrows: case facts read (charts, pages of one place or organisation) or matches")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="case facts to generate")
    parser.add_argument("--repeat", type=int, default=50, help="runs of each measurement")
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument(
        "--regenerate", action="store_true", help="generate even if the facts exist"
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database of its own "
            "(the benchmark replaces its reporting store)."
        )

    import django
    from django.core.management import call_command

    django.setup()
    from insight.models import CaseFact, DashboardCount

    call_command("migrate", verbosity=0)
    existing = CaseFact.objects.filter(reference__contains="-B").count()
    summarised = DashboardCount.objects.exists()
    if args.regenerate or existing != args.rows or not summarised:
        generate(args.rows, args.seed)
    else:
        print(f"using the {existing:,} generated case facts already in the database")
        summarise()
    measure(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
