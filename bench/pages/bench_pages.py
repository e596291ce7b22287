"""Benchmark the main pages under concurrent load, each beside a bare view and its raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phso_bench_dataset \\
        python bench/pages/bench_pages.py [--clients 8] [--seconds 15]

Needs a database made by bench/dataset/generate.py. Starts gunicorn on loopback (sync workers,
settings bench.pages.settings: the service's settings with DEBUG off, plus a bare view at
/bench/bare) and signs in a caseworker (with a verified second factor in the session), a
complainant and an analyst by writing their sessions. Then, for each page in turn (caseworker
queue, staff case page, complainant case page, public search, staff insight dashboard, published
decisions filtered), it drives --clients threads with keep-alive HTTP sessions for --seconds each:

1. the bare view (one constant page through the whole middleware stack: the ceiling of the
   client, gunicorn and Django on this machine at that moment);
2. the page itself;
3. the page's SQL without Django: the SELECTs the page ran (captured once with
   CaptureQueriesContext) replayed with psycopg on --clients connections, one page's worth of
   queries counting as one request.

It prints one table: page, req/s, p50 and p95 ms, bare-view req/s, raw-SQL req/s, page/bare and
page/raw-SQL ratios (a page at 0.05 of bare serves one request for every twenty the stack could).
Then, in this process: complaint submissions per second (casework's case_create, its enrichment
task left to Celery as in production), postcode lookups per second, clinical coding throughput on
the generated letters, forecast retraining time, and queries per page at 1k cases (--small-url, a
database made by the same generator) and on this database.
"""

import argparse
import json
import os
import random
import signal
import subprocess  # noqa: S404 - starts gunicorn and this script's own child
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages.settings"

HOST = "127.0.0.1"


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# -- what to ask for ------------------------------------------------------------------------------


def choose_targets() -> dict:
    """The people and objects the pages are asked for, picked from the generated data."""
    from django.db import connection

    from casework.models import OPEN_STATUS_VALUES

    with connection.cursor() as cursor:
        # The caseworker with the most open cases: the fullest "my cases" queue.
        cursor.execute(
            "SELECT assignee_id FROM casework_case WHERE status = ANY(%s) "
            "AND assignee_id IS NOT NULL GROUP BY assignee_id ORDER BY count(*) DESC, "
            "assignee_id LIMIT 1",
            [OPEN_STATUS_VALUES],
        )
        caseworker = cursor.fetchone()[0]
        # A case of theirs with a document, codes and the longest history.
        cursor.execute(
            "SELECT c.id, c.reference, c.complainant_id FROM casework_case c "
            "JOIN casework_document d ON d.case_id = c.id "
            "WHERE c.assignee_id = %s ORDER BY (SELECT count(*) FROM casework_caseevent e "
            "WHERE e.case_id = c.id) DESC, c.id LIMIT 1",
            [caseworker],
        )
        case_id, reference, complainant = cursor.fetchone()
        cursor.execute(
            "SELECT u.id FROM accounts_user u JOIN accounts_user_groups ug ON ug.user_id = u.id "
            "JOIN auth_group g ON g.id = ug.group_id WHERE g.name = 'analyst' ORDER BY u.id "
            "LIMIT 1"
        )
        analyst = cursor.fetchone()[0]
        # A middling organisation among the published decisions.
        cursor.execute(
            "SELECT organisation_id FROM insight_casefact WHERE published "
            "AND organisation_id IS NOT NULL GROUP BY organisation_id "
            "ORDER BY count(*) DESC, organisation_id OFFSET 20 LIMIT 1"
        )
        row = cursor.fetchone()
        organisation = row[0] if row else ""
    return {
        "caseworker": caseworker,
        "complainant": complainant,
        "analyst": analyst,
        "pages": [
            ("caseworker queue (mine)", "/staff/queues/mine", "caseworker"),
            ("case page (staff)", f"/staff/cases/{reference}", "caseworker"),
            ("complainant case page", f"/complaints/cases/{reference}", "complainant"),
            ("public search", "/search?q=delay+in+diagnosis", None),
            ("staff insight dashboard", "/staff/insight/", "analyst"),
            (
                "published decisions, filtered",
                f"/data/decisions?organisation={organisation}&outcome=upheld",
                None,
            ),
        ],
        "case_id": case_id,
    }


def sign_in(user_id: int) -> str:
    """A session for the user as after signing in, past the second factor for staff."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.is_ombudsman_staff:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def capture_sql(path: str, session_key: str | None) -> tuple[list[str], int]:
    """The SQL a page runs once warm (through Django's test client) and how many queries."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)  # once first: what the page caches (filter choices) is not replayed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} through the test client")
    statements = [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return statements, len(queries.captured_queries)


# -- load -----------------------------------------------------------------------------------------


def drive_http(url: str, cookie: str | None, clients: int, seconds: float) -> dict:
    """Clients threads GET url as fast as answers come back, for `seconds`."""
    import requests

    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)

    def client(n):
        session = requests.Session()
        if cookie:
            session.headers["Cookie"] = f"sessionid={cookie}"
        session.get(url, timeout=60)  # a connection and a warm worker before the clock starts
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                response = session.get(url, timeout=60, allow_redirects=False)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                latencies[n].append((time.perf_counter() - began) * 1000)
            else:
                errors[n] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(x for row in latencies for x in row)
    return {
        "rps": len(ordered) / elapsed,
        "p50": _percentile(ordered, 0.5),
        "p95": _percentile(ordered, 0.95),
        "errors": sum(errors),
    }


def drive_sql(dsn: str, statements: list[str], clients: int, seconds: float) -> float:
    """Replay one page's SELECTs on `clients` connections; page-equivalents per second."""
    import psycopg

    done = [0] * clients
    start = threading.Barrier(clients + 1)

    def client(n):
        with psycopg.connect(dsn, autocommit=True) as conn:
            for sql in statements:  # warm the connection's caches, as a long-lived one would be
                conn.execute(sql).fetchall()
            start.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                for sql in statements:
                    conn.execute(sql).fetchall()
                done[n] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - began)


def start_gunicorn(port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    import requests

    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "bench.pages.wsgi:application",
        "--preload",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    print("gunicorn: " + " ".join(command[1:]))
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            if requests.get(f"http://{HOST}:{port}/bench/bare", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.5)
    stop(process)
    raise SystemExit("gunicorn did not answer within 600 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# -- in-process measures --------------------------------------------------------------------------


def measure_submissions(seconds: float) -> float:
    """Complaints received per second through case_create (one process, one connection)."""
    from unittest import mock

    from accounts.models import Constituency, Organisation, User
    from casework.models import CaseKind
    from casework.services import case_create

    complainant = User.objects.filter(email__startswith="complainant").order_by("pk").first()
    organisation = Organisation.objects.filter(kind="nhs_trust").order_by("pk").first()
    constituency = Constituency.objects.order_by("pk").first()
    # The enrichment task goes to Celery after commit in production; here it is not sent at all.
    with mock.patch("django.db.transaction.on_commit"):
        create = lambda: case_create(  # noqa: E731
            kind=CaseKind.HEALTH,
            complainant=complainant,
            summary="The ward discharged my father too early.",
            organisations=[organisation],
            constituency=constituency,
            system_reason="complaint_submit",
        )
        create()  # imports and caches warmed outside the clock
        count, deadline = 0, time.perf_counter() + seconds
        began = time.perf_counter()
        while time.perf_counter() < deadline:
            create()
            count += 1
    return count / (time.perf_counter() - began)


def measure_postcodes(count: int) -> tuple[float, int, bool]:
    """Postcode lookups per second; loads generated postcodes first if the directory is empty."""
    from django.db import connection

    from accounts.geography import lookup_postcode
    from accounts.models import Postcode

    loaded = False
    if not Postcode.objects.exists():
        sys.path.insert(0, str(ROOT / "bench/dataset"))
        import psycopg
        from copyload import ModelCopy

        rng = random.Random(5)  # noqa: S311
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            with ModelCopy(
                conn,
                Postcode,
                [
                    "postcode",
                    "easting",
                    "northing",
                    "local_authority_code",
                    "constituency_code",
                    "country_code",
                ],
            ) as copy:
                seen = set()
                while len(seen) < 200_000:
                    area = "".join(rng.choice("ABCDEFGHJKLMNOPRSTUWY") for _ in range(2))
                    code = (
                        f"{area}{rng.randint(1, 29)} {rng.randint(0, 9)}"
                        f"{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTUWXYZ')}"
                    )
                    if code in seen:
                        continue
                    seen.add(code)
                    copy.write(
                        (
                            code,
                            rng.randint(100_000, 650_000),
                            rng.randint(10_000, 1_200_000),
                            f"E0{6000000 + rng.randrange(300)}",
                            f"E14001{rng.randrange(543):03d}",
                            "E92000001",
                        )
                    )
            conn.commit()  # after the COPY has ended
        loaded = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_postcode")
    codes = list(Postcode.objects.order_by("?").values_list("postcode", flat=True)[:count])
    queries = [c.replace(" ", "").lower() if i % 2 else c for i, c in enumerate(codes)]
    began = time.perf_counter()
    found = sum(lookup_postcode(code) is not None for code in queries)
    rate = len(queries) / (time.perf_counter() - began)
    assert found == len(queries), (found, len(queries))
    return rate, Postcode.objects.count(), loaded


def measure_coding(letters: int) -> tuple[float, float, int]:
    """Generated evidence letters coded per second (engine built first), and findings."""
    from casework.coding import code_text, get_engine
    from casework.models import Document

    texts = list(
        Document.objects.exclude(extracted_text="")
        .order_by("pk")
        .values_list("extracted_text", flat=True)[:letters]
    )
    get_engine()
    code_text(texts[0])
    began, cpu = time.perf_counter(), time.process_time()
    findings = sum(len(code_text(text)) for text in texts)
    wall = time.perf_counter() - began
    return len(texts) / wall, len(texts) / (time.process_time() - cpu), findings


def measure_forecasts() -> tuple[float, int]:
    from django.utils import timezone

    from insight.services_forecasts import forecasts_train

    began = time.perf_counter()
    series = forecasts_train(today=timezone.localdate())
    return time.perf_counter() - began, series


def query_counts(paths: list[tuple[str, str, str | None]], people: dict) -> dict:
    """Queries per page through the test client, in this process's database."""
    sessions = {role: sign_in(user_id) for role, user_id in people.items()}
    return {name: capture_sql(path, sessions.get(role))[1] for name, path, role in paths}


def _database_url(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


def small_counts(small_url: str) -> dict | None:
    """Queries per page on the 1k-case database, measured in a child process pointed at it."""
    env = {**os.environ, "DATABASE_URL": small_url}
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--query-counts-only"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        print(f"  (1k query counts failed: {result.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- main -----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (more than 1: gthread workers)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--small-url",
        default=None,
        help="database of 1k generated cases for query counts "
        "(default: phso_bench_small on the same server)",
    )
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    parser.add_argument("--query-counts-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--skip-http", action="store_true", help="only the in-process measures and query counts"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database made by bench/dataset/generate.py.")

    import django

    django.setup()
    targets = choose_targets()
    people = {r: targets[r] for r in ("caseworker", "complainant", "analyst")}
    if args.query_counts_only:
        print(json.dumps(query_counts(targets["pages"], people)))
        return 0

    pages = [p for p in targets["pages"] if args.only in p[0]]
    sessions = {role: sign_in(user_id) for role, user_id in people.items()}
    captured = {name: capture_sql(path, sessions.get(role)) for name, path, role in pages}
    from django.db import connections

    connections.close_all()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.pages.settings", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    rows = []
    if not args.skip_http:
        print(
            f"clients: {args.clients} threads (requests.Session, keep-alive), "
            f"{args.seconds:g} s per measure; database {urlparse(url).path.lstrip('/')}"
        )
        server = start_gunicorn(args.port, args.workers, args.threads, env)
        try:
            base = f"http://{HOST}:{args.port}"
            for name, path, role in pages:
                cookie = sessions.get(role)
                bare = drive_http(f"{base}/bench/bare", None, args.clients, args.seconds)
                page = drive_http(f"{base}{path}", cookie, args.clients, args.seconds)
                raw = drive_sql(url, captured[name][0], args.clients, args.seconds)
                rows.append((name, page, bare, raw, captured[name][1]))
                print(
                    f"  {name}: {page['rps']:.1f} req/s (bare {bare['rps']:.0f}, "
                    f"raw SQL {raw:.1f}), errors {page['errors']}",
                    flush=True,
                )
        finally:
            stop(server)

    print()
    header = (
        f"{'page':<32} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'bare req/s':>10} "
        f"{'raw-SQL req/s':>13} {'page/bare':>9} {'page/raw-SQL':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, page, bare, raw, _ in rows:
        print(
            f"{name:<32} {page['rps']:>7.1f} {page['p50']:>8.1f} {page['p95']:>8.1f} "
            f"{bare['rps']:>10.1f} {raw:>13.1f} {page['rps'] / bare['rps']:>9.3f} "
            f"{page['rps'] / raw if raw else float('nan'):>12.3f}"
        )
    errors = sum(page["errors"] for _, page, *_ in rows)
    if errors:
        print(f"({errors} requests failed or did not answer 200; not counted)")

    print()
    rate = measure_submissions(args.seconds)
    print(f"complaint submissions (case_create, one process): {rate:.1f} per second")
    rate, size, loaded = measure_postcodes(10_000)
    print(
        f"postcode lookups (lookup_postcode, {size:,} postcodes"
        f"{', generated for this run' if loaded else ''}): {rate:,.0f} per second"
    )
    wall, cpu, findings = measure_coding(500)
    print(
        f"clinical coding (code_text on 500 generated letters): {wall:.0f} letters/s by the "
        f"clock, {cpu:.0f} per CPU second ({findings:,} findings)"
    )
    seconds, series = measure_forecasts()
    print(f"forecast retraining (forecasts_train): {seconds:.1f} s for {series} series")

    small_url = args.small_url or _database_url(url, "phso_bench_small")
    small = small_counts(small_url)
    large = {name: count for name, (_, count) in captured.items()}
    print(f"\n{'page':<32} {'queries at 1k':>13} {'queries here':>12}")
    for name, *_ in pages:
        print(f"{name:<32} {small.get(name, '-') if small else '-':>13} {large.get(name, '-'):>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
