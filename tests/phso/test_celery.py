import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from phso.celery import app
from phso.tasks import clear_expired_sessions
from tests.services import database_url, start_celery_worker, start_redis_server


def make_session(key: str, expires_in: timedelta) -> Session:
    return Session.objects.create(
        session_key=key, session_data="", expire_date=timezone.now() + expires_in
    )


class TestCeleryConfiguration:
    def test_a_killed_worker_loses_no_task(self):
        assert app.conf.task_acks_late is True
        assert app.conf.task_reject_on_worker_lost is True
        assert app.conf.worker_prefetch_multiplier == 1

    def test_only_json_is_sent_or_accepted(self):
        assert app.conf.task_serializer == "json"
        assert app.conf.result_serializer == "json"
        assert list(app.conf.accept_content) == ["json"]

    def test_tasks_have_time_limits_shorter_than_the_redelivery_timeout(self):
        soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit
        assert 0 < soft < hard
        # Redis redelivers an unacknowledged task after the visibility timeout: a task still
        # running then would run twice.
        assert app.conf.broker_transport_options["visibility_timeout"] > hard

    def test_beat_clears_expired_sessions_with_a_registered_task(self):
        schedule = app.conf.beat_schedule["clear-expired-sessions"]

        assert schedule["task"] in app.tasks
        assert schedule["task"] == clear_expired_sessions.name


@pytest.mark.django_db
class TestClearExpiredSessions:
    def test_deletes_only_expired_sessions(self):
        make_session("expired", timedelta(minutes=-1))
        make_session("live", timedelta(hours=1))

        assert clear_expired_sessions.delay().get() == 1
        assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]

    def test_is_idempotent(self):
        make_session("expired", timedelta(minutes=-1))

        assert clear_expired_sessions() == 1
        assert clear_expired_sessions() == 0


@pytest.fixture
def broker_url(tmp_path_factory):
    """The configured Redis (CI, local PostgreSQL/Redis runs), else a private redis-server."""
    if settings.REDIS_URL:
        yield settings.REDIS_URL
        return
    server = start_redis_server(tmp_path_factory.mktemp("broker"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def worker(transactional_db, broker_url, tmp_path):
    # A queue of this test's own, so that no other worker on a shared Redis takes its task.
    queue = f"phso-test-{uuid.uuid4().hex[:12]}"
    process = start_celery_worker(
        broker_url=broker_url,
        database_url=database_url(connection.settings_dict),
        queue=queue,
        log=tmp_path / "worker.log",
    )
    try:
        yield process
    finally:
        process.stop()


def _reset_broker_pools():
    # The app caches its connection pools on first use; drop them so the new broker_url applies.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def publishing_app(broker_url, worker):
    """This process's Celery app sending to the real broker, on the worker's queue, not eagerly."""
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    app.conf.task_default_queue = worker.queue
    _reset_broker_pools()
    try:
        yield app
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _reset_broker_pools()


def wait_until(predicate, timeout: float = 30, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
class TestCeleryWorker:
    def test_task_enqueued_on_commit_is_run_by_a_real_worker(
        self, broker_url, worker, publishing_app
    ):
        queue = redis.Redis.from_url(broker_url)
        send = mock.patch.object(
            clear_expired_sessions, "apply_async", wraps=clear_expired_sessions.apply_async
        )
        with send as apply_async:
            with transaction.atomic():
                make_session("expired", timedelta(minutes=-5))
                transaction.on_commit(lambda: clear_expired_sessions.delay())

                assert apply_async.call_count == 0
                assert queue.llen(worker.queue) == 0
            assert apply_async.call_count == 1

        deleted = wait_until(lambda: not Session.objects.filter(session_key="expired").exists())

        assert deleted, f"the worker did not delete the expired session:\n{worker.output()}"
        assert "phso.tasks.clear_expired_sessions" in worker.output()
        assert "succeeded" in worker.output()
        queue.close()
