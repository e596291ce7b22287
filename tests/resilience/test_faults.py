"""Faults injected into real services: PDS failing, a worker killed mid-task, PostgreSQL restarted.

Each runs against subprocesses of its own (Celery workers on a private Redis, gunicorn on a private
PostgreSQL cluster) and waits on what the service does, with bounded timeouts, never fixed sleeps.
"""

import subprocess
import time

import pytest
import requests
from django.test import Client

from accounts.models import Organisation, OrganisationKind, Sector
from casework.integrations import fake_pds
from casework.models import Case, CaseEvent, CaseEventKind, CaseKind, PdsMatch
from casework.services import case_create
from tests.complaints.test_form_support import complete_answers, form_url, make_draft
from tests.resilience.conftest import current_database_url, load_seed_module, publishing_to
from tests.services import (
    project_env,
    start_celery_worker,
    start_gunicorn,
    start_private_postgres,
    start_redis_server,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

UNAVAILABLE = "Sorry, the service is unavailable"


class Workers:
    """The module's Celery worker on a private Redis; a test may kill it and start another."""

    def __init__(self, tmp_path_factory, pds_service):
        self.dir = tmp_path_factory.mktemp("workers")
        self.redis = start_redis_server(self.dir / "redis")
        self.pds_env = pds_service.worker_env
        self.current = None
        self.started = 0

    def start(self, **settings):
        self.started += 1
        self.current = start_celery_worker(
            broker_url=self.redis.url,
            database_url=current_database_url(),
            queue="celery",
            log=self.dir / f"worker-{self.started}.log",
            extra_env={
                **self.pds_env,
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                # Give up on PDS quickly inside one task, so that Celery's own retries are used.
                "PDS_MAX_RETRIES": "1",
                "PDS_TIMEOUT": "3",
                "PDS_TASK_RETRY_BACKOFF": "1",
                **settings,
            },
        )
        return self.current

    def stop(self):
        if self.current is not None:
            self.current.stop()
        self.redis.stop()


@pytest.fixture(scope="module")
def workers(tmp_path_factory, pds_service, django_db_setup):
    pool = Workers(tmp_path_factory, pds_service)
    try:
        pool.start()
        yield pool
    finally:
        pool.stop()


@pytest.fixture
def fake(pds_service):
    pds_service.reset()
    yield pds_service
    pds_service.reset()


def enriched(case) -> bool:
    return PdsMatch.objects.filter(case=case).exists()


class TestPdsFailing:
    def test_complaints_are_received_at_once_and_enriched_once_pds_recovers(
        self, workers, fake, complainant
    ):
        organisation = Organisation.objects.create(
            name="Fault Test NHS Trust",
            ods_code="ZF001",
            kind=OrganisationKind.NHS_TRUST,
            sector=Sector.HEALTH,
        )
        draft = make_draft(
            owner=complainant,
            answers=complete_answers(
                organisation, **{"nhs-number": {"nhs_number": fake_pds.FULL_RECORD}}
            ),
        )
        # Two answers of each failure: more than the client retries inside one task (1), so the
        # Celery task itself has to come back later, more than once.
        fake.fail_next(2, status=500)
        fake.fail_next(2, status=429, retry_after=1)
        fake.stall_next(2, seconds=10)
        browser = Client()
        browser.force_login(complainant)

        # The page the person sends from (its first request also loads every view module).
        assert browser.get(form_url("check_answers", draft)).status_code == 200
        with publishing_to(workers.redis.url):
            started = time.monotonic()
            response = browser.post(
                form_url("check_answers", draft), {"submission_token": str(draft.submission_token)}
            )
            took = time.monotonic() - started

        assert response.status_code == 302
        assert response.url == form_url("sent", draft)
        # Waiting on PDS would take over 20 s (four failures, then two 10 s stalls); a busy
        # two-core machine can take a few seconds to send, so the bound is well between the two.
        assert took < 10, f"sending took {took:.1f} s: it waited on PDS"
        print(f"\ncomplaint sent in {took:.2f} s while PDS was failing")
        case = Case.objects.get(complainant=complainant)
        assert wait_until(lambda: enriched(case), timeout=90, interval=0.5), (
            f"no PDS match after the fake recovered:\n{workers.current.output()}"
        )
        statuses = [r.status for r in fake.pds_requests]
        assert statuses.count(500) == 2 and statuses.count(429) == 2, statuses
        assert statuses[-1] == 200
        assert PdsMatch.objects.filter(case=case).count() == 1


class TestWorkerKilledMidTask:
    def test_the_task_runs_again_on_another_worker_with_one_result(self, workers, fake):
        fake.stall_next(1, seconds=120)
        with publishing_to(workers.redis.url):
            case = case_create(kind=CaseKind.HEALTH, patient_nhs_number=fake_pds.FULL_RECORD)

        def in_pds_request():
            return any(r.status is None for r in fake.pds_requests)

        assert wait_until(in_pds_request, timeout=60), workers.current.output()
        workers.current.kill()
        assert not enriched(case)

        # Redis gives an unacknowledged task to another worker once its visibility timeout has
        # passed (acks_late: the killed worker never acknowledged it).
        workers.start(CELERY_VISIBILITY_TIMEOUT="2")
        assert wait_until(lambda: enriched(case), timeout=60, interval=0.5), (
            f"the task was not run again:\n{workers.current.output()}"
        )
        assert len(fake.pds_requests) >= 2
        assert PdsMatch.objects.filter(case=case).count() == 1
        assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.PDS_MATCH_FOUND).count() == 1


def copy_database(cluster) -> None:
    """The test database (schema and rows) into the private cluster: a migrated copy, in seconds."""
    dump = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
        [
            str(cluster.bin / "pg_dump"),
            "--no-owner",
            "--no-privileges",
            "-d",
            current_database_url(),
        ],
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [str(cluster.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", cluster.url],
        stdin=dump.stdout,
        capture_output=True,
        timeout=120,
    )
    dump.stdout.close()
    assert dump.wait(timeout=60) == 0
    assert restore.returncode == 0, restore.stderr.decode(errors="replace")


class TestDatabaseRestart:
    def test_maintenance_page_while_down_and_recovery_without_a_restart(self, tmp_path):
        people = load_seed_module().seed(complainants=1, caseworkers=1, cases=0)
        cluster = start_private_postgres()
        gunicorn = None
        try:
            copy_database(cluster)
            gunicorn = start_gunicorn(
                # Persistent connections, so that recovery needs stale ones to be replaced.
                env=project_env(
                    DATABASE_URL=cluster.url, CONN_MAX_AGE=60, REDIS_URL="", LOG_LEVEL="WARNING"
                ),
                workdir=tmp_path / "web",
                workers=2,
                threads=2,
            )
            complainant = requests.Session()
            complainant.cookies.set("sessionid", people["complainants"][0]["session"])
            caseworker = requests.Session()
            caseworker.cookies.set("sessionid", people["caseworkers"][0]["session"])
            pages = [(complainant, "/"), (complainant, "/complain/"), (caseworker, "/staff/")]

            def get(session, path):
                return session.get(gunicorn.url + path, allow_redirects=False, timeout=10)

            for session, path in pages:
                assert get(session, path).status_code == 200, path

            cluster.stop()
            for session, path in pages:
                response = get(session, path)
                assert response.status_code == 503, path
                assert response.headers["Retry-After"] == "30"
                assert UNAVAILABLE in response.text
                assert "Traceback" not in response.text
                assert "OperationalError" not in response.text

            cluster.start()
            back = time.monotonic()
            assert wait_until(
                lambda: all(get(s, p).status_code == 200 for s, p in pages), timeout=15
            ), gunicorn.output()
            print(f"\nrecovered {time.monotonic() - back:.2f} s after PostgreSQL started again")
        finally:
            if gunicorn is not None:
                gunicorn.stop()
            cluster.remove()
