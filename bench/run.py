"""The benchmark in one command: make the datasets if they are not there, then measure the pages.

    make bench                         # 1,000,000 cases (about 6 minutes to generate, once)
    make bench BENCH_CASES=100000      # a smaller run
    .venv/bin/python bench/run.py --cases 1000000 --server postgres://postgres@127.0.0.1:5432

Needs only a running PostgreSQL. It creates two databases on that server if they are missing,
phso_bench_dataset (--cases cases) and phso_bench_small (1,000 cases, for query counts), fills each
with bench/dataset/generate.py unless it already holds that many generated cases, then runs
bench/pages/bench_pages.py against the large one, which prints the table.
"""

import argparse
import os
import subprocess  # noqa: S404 - runs this folder's own scripts
import sys
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
LARGE, SMALL = "phso_bench_dataset", "phso_bench_small"


def _database_ready(server: str, name: str, cases: int) -> bool:
    """Create the database if missing; True if it already holds `cases` generated cases."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return False
    with psycopg.connect(f"{server}/{name}") as connection:
        table = connection.execute("SELECT to_regclass('casework_case')").fetchone()[0]
        if table is None:
            return False
        found = connection.execute("SELECT count(*) FROM casework_case").fetchone()[0]
        # The injected spikes add their cases on top of the seasonal pattern (about 0.3%).
        return cases <= found <= cases * 1.01


def _run(script: str, database_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, str(ROOT / script), *args], env=env, check=True)  # noqa: S603


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seed", type=int, default=1)
    args, pages_args = parser.parse_known_args(argv)
    server = args.server.rstrip("/")
    for name, cases in ((SMALL, 1_000), (LARGE, args.cases)):
        if _database_ready(server, name, cases):
            print(f"{name}: already holds {cases:,} generated cases")
        else:
            _run(
                "bench/dataset/generate.py",
                f"{server}/{name}",
                "--cases",
                str(cases),
                "--seed",
                str(args.seed),
            )
    _run(
        "bench/pages/bench_pages.py",
        f"{server}/{LARGE}",
        "--small-url",
        f"{server}/{SMALL}",
        *pages_args,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
