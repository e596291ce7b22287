"""Load test with a Redis outage in the middle: 50 complainants and 20 caseworkers for 60 seconds.

One locust run (bench/load/locustfile.py) against gunicorn, a real Celery worker, clamd and the fake
PDS. Twenty seconds in, the private Redis (cache and broker) is stopped; fifteen seconds later it
comes back, empty, on the same port. Throughout, no request may fail with a server error, and every
complaint whose confirmation page showed a reference must be exactly one case. After the run the
sweeper re-sends what the outage lost, and every case sent gets its PDS lookup and its uploaded
letter scanned. The p95 response time is printed (run pytest with -s to see it).
"""

import csv
import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from casework.models import Case, Document, DocumentStatus, PdsMatch
from casework.tasks import requeue_stalled_work
from complaints.models import ComplaintDraft
from tests.resilience.conftest import (
    clamd_env,
    current_database_url,
    load_seed_module,
    publishing_to,
)
from tests.services import (
    BASE_DIR,
    project_env,
    start_celery_worker,
    start_gunicorn,
    start_redis_server,
    wait_until,
)

COMPLAINANTS = 50
CASEWORKERS = 20
RUN_SECONDS = 60
OUTAGE_STARTS = 20
OUTAGE_SECONDS = 15
# How locustfile.py reports a status, and how requests words one it raised for.
SERVER_ERROR = re.compile(r"HTTP 5\d\d|\b5\d\d Server Error")

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def read_stats(prefix):
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", newline="") as failures:
        failed = list(csv.DictReader(failures))
    return rows, failed


def read_sent(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_load_with_a_redis_outage_loses_no_complaint(tmp_path, pds_service, clamd):
    began = time.monotonic()
    redis_dir = tmp_path / "redis"
    redis = start_redis_server(redis_dir)
    servers = []
    try:
        people = load_seed_module().seed(
            # No cases of its own: the caseworkers' queues fill with the complaints sent.
            complainants=COMPLAINANTS,
            caseworkers=CASEWORKERS,
            cases=0,
        )
        people_file = tmp_path / "people.json"
        people_file.write_text(json.dumps(people))
        settings = {
            "DATABASE_URL": current_database_url(),
            "REDIS_URL": redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": tmp_path / "media",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
            **clamd_env(clamd),
        }
        # Both take tens of seconds to import the project on two busy cores: start them together.
        with ThreadPoolExecutor(max_workers=2) as pool:
            web = pool.submit(
                start_gunicorn, env=project_env(**settings), workdir=tmp_path / "web", workers=3
            )
            worker = pool.submit(
                start_celery_worker,
                broker_url=redis.url,
                database_url=settings["DATABASE_URL"],
                queue="celery",
                log=tmp_path / "worker.log",
                extra_env={
                    **{k: str(v) for k, v in settings.items()},
                    **pds_service.worker_env,
                    "CASEWORK_STALLED_AFTER_SECONDS": "1",
                },
            )
            for future in (web, worker):
                try:
                    servers.append(future.result())
                except Exception:
                    for started in servers:
                        started.stop()
                    raise
        gunicorn, celery_worker = servers
        print(f"\nseeded and started in {time.monotonic() - began:.1f} s")

        sent_file = tmp_path / "sent.jsonl"
        prefix = tmp_path / "locust"
        locust = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(BASE_DIR / "bench/load/locustfile.py"),
                "--headless",
                "-u",
                str(COMPLAINANTS + CASEWORKERS),
                "-r",
                "35",
                "-t",
                f"{RUN_SECONDS}s",
                "--host",
                gunicorn.url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=project_env(PHSO_LOAD_PEOPLE=people_file, PHSO_LOAD_RESULTS=sent_file),
        )
        output = []
        reader = threading.Thread(target=lambda: output.extend(locust.stdout), daemon=True)
        reader.start()
        started = time.time()

        time.sleep(max(0.0, started + OUTAGE_STARTS - time.time()))
        redis.stop()
        outage = (time.time(), None)
        time.sleep(OUTAGE_SECONDS)
        redis = start_redis_server(redis_dir, port=redis.port)
        outage = (outage[0], time.time())

        locust.wait(timeout=RUN_SECONDS + 30)
        reader.join(timeout=5)
        rows, failed = read_stats(prefix)
        total = next(row for row in rows if row["Name"] == "Aggregated")
        print(
            f"\nlocust: {total['Request Count']} requests, {total['Failure Count']} failed, "
            f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms"
        )

        server_errors = [f for f in failed if SERVER_ERROR.search(f["Error"])]
        assert not server_errors, f"server errors under load:\n{failed}\n{gunicorn.output()}"
        assert not failed, f"requests failed under load:\n{failed}\n{''.join(output)[-3000:]}"

        sent = read_sent(sent_file)
        references = [entry["reference"] for entry in sent]
        assert references, "no complaint was sent"
        assert len(set(references)) == len(references)
        cases = Case.objects.filter(reference__in=references)
        assert cases.count() == len(references)
        drafts = dict(
            ComplaintDraft.objects.filter(public_id__in=[e["draft"] for e in sent]).values_list(
                "public_id", "case__reference"
            )
        )
        assert {str(k): v for k, v in drafts.items()} == {e["draft"]: e["reference"] for e in sent}

        def in_outage(moment):
            return outage[0] <= moment <= outage[1]

        sent_during = [e for e in sent if in_outage(e["at"])]
        uploaded_during = [e for e in sent if in_outage(e["uploaded_at"])]
        print(
            f"complaints sent: {len(references)}; while Redis was down {len(sent_during)} sent "
            f"and {len(uploaded_during)} letters uploaded; "
            f"slowest send {max(e['seconds'] for e in sent):.2f} s"
        )
        # Work that had to be queued while Redis was down: the outage was really in their way.
        assert sent_during or uploaded_during, "no complaint was sent or uploaded during the outage"

        # What the outage lost (sends that failed, and the queue Redis forgot) is sent again.
        with publishing_to(redis.url):
            requeue_stalled_work.delay()

        def all_done():
            matched = PdsMatch.objects.filter(case__reference__in=references)
            scanned = Document.objects.filter(
                case__reference__in=references, status=DocumentStatus.CLEAN
            )
            return matched.values("case").distinct().count() == len(references) and scanned.values(
                "case"
            ).distinct().count() == len(references)

        assert wait_until(all_done, timeout=60, interval=0.5), (
            "background work was not finished after Redis came back:\n"
            f"pending scans: {Document.objects.filter(case__reference__in=references).exclude(status=DocumentStatus.CLEAN).count()}; "  # noqa: E501
            f"cases without PDS match: {cases.filter(pds_matches__isnull=True).count()}\n"
            f"{celery_worker.output()}"
        )
        print(f"background work done {time.monotonic() - began:.1f} s after the start")
        assert not Document.objects.filter(
            case__reference__in=references, status=DocumentStatus.PENDING
        ).exists()
    finally:
        for server in servers:
            server.stop()
        redis.stop()
