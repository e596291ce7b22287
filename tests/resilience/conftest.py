"""Real services for the load and fault tests: a private Redis, clamd, the fake PDS, gunicorn and
Celery workers as subprocesses, all on loopback ports of their own.

The web tier and the workers run as separate processes against the test database, so the data
they must see is committed (transactional tests) and what they write is read back from it.
"""

import importlib.util
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from casework.integrations import fake_pds
from phso.celery import app
from tests.casework.evidence.conftest import clamd  # noqa: F401 - a real clamd, session-wide
from tests.services import BASE_DIR, database_url

PDS_API_KEY = "resilience-pds-api-key"
PDS_KEY_ID = "resilience-pds-key-1"


def load_seed_module():
    """bench/load/seed.py, which makes the load test's people (bench/ is scripts, not a package)."""
    path = BASE_DIR / "bench" / "load" / "seed.py"
    spec = importlib.util.spec_from_file_location("bench_load_seed", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pds_service(tmp_path_factory):
    """The fake PDS in a thread of this process, and the settings a worker needs to reach it."""
    private_pem, public_pem = fake_pds.generate_key_pair()
    key_path = Path(tmp_path_factory.mktemp("pds")) / "private_key.pem"
    key_path.write_bytes(private_pem)
    with fake_pds.running_fake_pds(
        public_key_pem=public_pem, api_key=PDS_API_KEY, key_id=PDS_KEY_ID
    ) as fake:
        fake.worker_env = {
            "PDS_BASE_URL": fake.base_url,
            "PDS_TOKEN_URL": fake.token_url,
            "PDS_API_KEY": PDS_API_KEY,
            "PDS_KEY_ID": PDS_KEY_ID,
            "PDS_PRIVATE_KEY_PATH": str(key_path),
            "PDS_RATE_LIMIT_PER_SECOND": "50",
        }
        yield fake


def clamd_env(running) -> dict:
    return {
        "CLAMAV_SOCKET": "",
        "CLAMAV_HOST": running.host,
        "CLAMAV_PORT": str(running.port),
        "CLAMAV_STREAM_MAX_LENGTH": str(running.stream_max_length),
    }


def current_database_url() -> str:
    return database_url(connection.settings_dict)


def _reset_broker_pools():
    # The app caches its connection pools on first use; drop them so a new broker_url applies.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(broker_url: str):
    """This process's Celery app sending tasks to `broker_url` for a worker, not running them."""
    keys = ("task_always_eager", "broker_url")
    saved = {key: app.conf[key] for key in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    _reset_broker_pools()
    try:
        yield app
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _reset_broker_pools()
