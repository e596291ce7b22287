"""Benchmark the postcode directory on PostgreSQL: a full ONSPD import, a repeat import, lookups.

    DATABASE_URL=postgres://... python bench/postcodes/bench_postcodes.py [--file F] [--rows N]

Generates the ONSPD-shaped file with generate_onspd.py when --file does not exist, migrates the
database, runs `manage.py import_onspd` twice in a child process (an empty directory, then the
same file again), measuring wall time and peak resident memory of the child, and then times
`lookup_postcode` over random postcodes in this process. Targets: import of 2.7 million rows within
90 s, peak RSS within 500 MB, lookup p95 within 1 ms.
"""

import argparse
import os
import random
import resource
import statistics
import subprocess  # noqa: S404 (runs this project's own commands)
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_IMPORT_SECONDS = 90
TARGET_RSS_MB = 500
TARGET_LOOKUP_MS = 1.0


def run(args, env) -> tuple[float, float]:
    """Run a child process; return its wall time (s) and the peak RSS of any child so far (MB)."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (this project's own commands)
        args, cwd=ROOT, env=env, check=True
    )
    elapsed = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux: the largest resident set of any waited-for child.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, default=ROOT / "var/bench/ONSPD_BENCH_UK.csv")
    parser.add_argument(
        "--rows", type=int, default=2_700_000, help="rows to generate if --file is missing"
    )
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database of its own "
            "(the benchmark replaces its postcodes)."
        )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "phso.settings"}
    python = sys.executable

    if not args.file.exists():
        subprocess.run(  # noqa: S603 (this project's own commands)
            [
                python,
                "bench/postcodes/generate_onspd.py",
                "--rows",
                str(args.rows),
                "--out",
                str(args.file),
            ],
            cwd=ROOT,
            check=True,
        )
    subprocess.run(  # noqa: S603 (this project's own commands)
        [python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")
    import django

    django.setup()
    from django.db import connection

    from accounts.geography import lookup_postcode
    from accounts.models import Postcode

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(Postcode._meta.db_table)}")
    connection.close()

    command = [python, "manage.py", "import_onspd", str(args.file), "--no-progress"]
    first_seconds, first_rss = run(command, env)
    again_seconds, again_rss = run(command, env)
    rows = Postcode.objects.count()

    rng = random.Random(7)  # noqa: S311 (a reproducible sample, not secrets)
    sample = list(Postcode.objects.order_by("?").values_list("postcode", flat=True)[: args.lookups])
    # People type postcodes in every form: half the lookups are lower case without the space.
    queries = [p if rng.random() < 0.5 else p.replace(" ", "").lower() for p in sample]
    for postcode in queries[:200]:  # warm the connection and the index pages
        lookup_postcode(postcode)
    timings = []
    for postcode in queries:
        started = time.perf_counter()
        found = lookup_postcode(postcode)
        timings.append((time.perf_counter() - started) * 1000)
        assert found is not None, postcode
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def verdict(ok):
        return "ok" if ok else "MISSED"

    table = [
        ("rows in directory", f"{rows:,}", "", ""),
        (
            "import, empty directory",
            f"{first_seconds:.1f} s",
            f"<= {TARGET_IMPORT_SECONDS} s",
            verdict(first_seconds <= TARGET_IMPORT_SECONDS),
        ),
        (
            "import again (no changes)",
            f"{again_seconds:.1f} s",
            f"<= {TARGET_IMPORT_SECONDS} s",
            verdict(again_seconds <= TARGET_IMPORT_SECONDS),
        ),
        (
            "peak RSS, import process",
            f"{max(first_rss, again_rss):.0f} MB",
            f"<= {TARGET_RSS_MB} MB",
            verdict(max(first_rss, again_rss) <= TARGET_RSS_MB),
        ),
        ("peak RSS, benchmark process", f"{self_rss:.0f} MB", "", ""),
        (f"lookup p50 ({len(timings):,} lookups)", f"{p50:.3f} ms", "", ""),
        (
            "lookup p95",
            f"{p95:.3f} ms",
            f"<= {TARGET_LOOKUP_MS} ms",
            verdict(p95 <= TARGET_LOOKUP_MS),
        ),
        ("lookup max", f"{timings[-1]:.3f} ms", "", ""),
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    print()
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0 if all(row[3] != "MISSED" for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
