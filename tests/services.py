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
import tempfile
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


def start_redis_server(workdir: Path, timeout: float = 10, port: int | None = None) -> RedisServer:
    """Start a throwaway redis-server (no persistence) on a free port and wait until it answers.

    With `port`, on that port: how a test brings back a server it stopped, at the same address.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    # Another process can take the free port between our probe and redis binding it: try again.
    for _attempt in range(3):
        chosen = port or free_port()
        log = workdir / f"redis-{chosen}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
                [
                    binary,
                    "--port",
                    str(chosen),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                    "--daemonize",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = RedisServer(port=chosen, process=process, log=log)
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

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, mid-task, acknowledging nothing."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def start_celery_worker(
    *,
    broker_url: str,
    database_url: str,
    queue: str,
    log: Path,
    timeout: float = 180,
    extra_env: dict | None = None,
) -> CeleryWorker:
    """Start `celery -A phso worker` (solo pool) consuming only `queue`; wait until it is ready.

    `extra_env` adds settings (environment variables) for the worker alone.
    """
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "phso.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": broker_url,
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "phso",
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--queues",
                queue,
                "--hostname",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
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


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds have passed; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def project_env(**settings) -> dict:
    """The environment for a subprocess running the project in test mode with these settings."""
    return {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "phso.settings",
        "PYTHONUNBUFFERED": "1",
        **{name: str(value) for name, value in settings.items()},
    }


# Gunicorn loads the project once in the master (--preload) and this hook imports every view there
# too, so that the forked workers do not each spend seconds importing them on their first request.
_GUNICORN_CONFIG = """
def when_ready(server):
    from django.urls import get_resolver
    get_resolver().url_patterns
"""


@dataclass
class GunicornServer:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return _log_tail(self.log, lines=200)

    def stop(self) -> None:
        _stop(self.process, timeout=20)


def start_gunicorn(
    *, env: dict, workdir: Path, workers: int = 2, threads: int = 4, timeout: float = 180
) -> GunicornServer:
    """Serve the project with gunicorn on a free loopback port; wait until it answers HTTP."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "gunicorn.conf.py"
    config.write_text(_GUNICORN_CONFIG)
    port = free_port()
    log = workdir / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "phso.wsgi:application",
                "--config",
                str(config),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--preload",
                "--timeout",
                "60",
                # Longer than any client waits between requests, so that the server never closes a
                # kept-alive connection just as the client sends on it (a reset, not an answer).
                "--keep-alive",
                "30",
                "--control-socket",
                str(workdir / "gunicorn.ctl"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = GunicornServer(port=port, process=process, log=log)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                return sock.recv(12).startswith(b"HTTP/1.")
        except OSError:
            return False

    if not wait_until(answers, timeout, interval=0.2):
        server.stop()
        raise RuntimeError(f"gunicorn did not answer after {timeout}s:\n{server.output()}")
    return server


def _postgres_bin() -> Path:
    """The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/<version>/bin)."""
    root = Path("/usr/lib/postgresql")
    versions = (
        sorted(
            (p for p in root.glob("*") if (p / "bin" / "initdb").exists()),
            key=lambda p: [int(n) for n in p.name.split(".") if n.isdigit()],
        )
        if root.exists()
        else []
    )
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return versions[-1] / "bin"


@dataclass
class PostgresCluster:
    """A PostgreSQL cluster of the test's own, which it may stop and start; never the shared one."""

    datadir: Path
    port: int
    bin: Path
    root: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: as the postgres account, as Debian installs it.
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(  # noqa: S603 - fixed argument list, no shell
            command,
            check=True,
            cwd="/",
            timeout=timeout,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            timeout=90,
        )

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.datadir))

    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def log(self) -> str:
        return _log_tail(self.root / "server.log")

    def remove(self) -> None:
        if self.running():
            try:
                self.stop()
            except (subprocess.SubprocessError, OSError):
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def start_private_postgres() -> PostgresCluster:
    """initdb a throwaway cluster (trust auth on loopback) on a free port and start it.

    Its directory is made with tempfile rather than under pytest's tmp_path, whose parents only
    root may enter, because the server runs as the postgres account.
    """
    root = Path(tempfile.mkdtemp(prefix="phso-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    cluster = PostgresCluster(
        datadir=root / "data", port=free_port(), bin=_postgres_bin(), root=root
    )
    try:
        cluster._run(
            "initdb",
            "-D",
            str(cluster.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            timeout=120,
        )
        cluster.start()
    except Exception:
        cluster.remove()
        raise
    return cluster
