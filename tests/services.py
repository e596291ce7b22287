"""Real services for integration tests: a private redis-server and a Celery worker subprocess.

Each is started on its own (free port, own queue) so that a test can stop it, or fill its queue,
without touching the Redis and workers other people on the same machine rely on. Always use them
through a fixture that stops them in a finalizer, so a failing test leaves nothing running.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def _stop(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def stop(self) -> None:
        _stop(self.process)


def start_redis_server(workdir: Path, timeout: float = 10) -> RedisServer:
    """Start a throwaway redis-server (no persistence) on a free port and wait until it answers."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    # Another process can take the free port between our probe and redis binding it: try again.
    for _attempt in range(3):
        port = free_port()
        log = workdir / f"redis-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no"],
                stdout=out, stderr=subprocess.STDOUT,
            )
        server = RedisServer(port=port, process=process, log=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if server.client().ping():
                    return server
            except redis.RedisError:
                time.sleep(0.05)
        server.stop()
    raise RuntimeError(f"redis-server did not start:\n{_log_tail(log)}")


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (django-environ syntax) for the database a Django connection points at."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"
    raise ValueError(f"no DATABASE_URL form for {engine}")


@dataclass
class CeleryWorker:
    queue: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return _log_tail(self.log, lines=200)

    def stop(self) -> None:
        # TERM is Celery's warm shutdown: the solo pool finishes the task in hand, then exits.
        _stop(self.process, timeout=15)


def start_celery_worker(
    *, broker_url: str, database_url: str, queue: str, log: Path, timeout: float = 180
) -> CeleryWorker:
    """Start `celery -A phso worker` (solo pool) consuming only `queue`; wait until it is ready."""
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "phso.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": broker_url,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [sys.executable, "-m", "celery", "-A", "phso", "worker", "--pool", "solo",
             "--concurrency", "1", "--queues", queue, "--hostname", f"{queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(queue=queue, process=process, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"celery worker exited with {process.returncode}:\n{worker.output()}"
            )
        if " ready." in worker.output():
            return worker
        time.sleep(0.1)
    worker.stop()
    raise RuntimeError(f"celery worker was not ready after {timeout}s:\n{worker.output()}")


@pytest.fixture
def private_redis(tmp_path_factory):
    """A redis-server of the test's own, which the test may stop; always stopped afterwards."""
    server = start_redis_server(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()
