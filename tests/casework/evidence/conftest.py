"""A real ClamAV daemon for the scanner tests, with a signature database written by the test.

ClamAV's published signatures cannot be downloaded here, so the database holds only EICAR: an MD5
signature (.hdb) that matches the 68-byte test file itself, including when clamd unpacks it from
a zip, and a body signature (.ndb) that finds it inside a larger file.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from casework.evidence.clamav import ClamdClient, ScannerUnavailable
from tests.casework.evidence.hostile import EICAR, EICAR_MD5

# clamd refuses streams longer than this; small so that the limit can be tested quickly.
TEST_STREAM_MAX_LENGTH = 2 * 1024 * 1024
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class RunningClamd:
    host: str
    port: int
    socket_path: str
    stream_max_length: int

    def tcp_client(self, **options) -> ClamdClient:
        return ClamdClient(host=self.host, port=self.port, timeout=30, **options)

    def unix_client(self, **options) -> ClamdClient:
        return ClamdClient(socket_path=self.socket_path, timeout=30, **options)


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _find_clamd() -> str | None:
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
    return shutil.which("clamd", path=search)


def write_signature_database(directory: Path) -> None:
    (directory / "eicar.hdb").write_text(f"{EICAR_MD5}:{len(EICAR)}:Eicar-Test-Signature\n")
    (directory / "eicar.ndb").write_text(f"Eicar-Test-Signature-Embedded:0:*:{EICAR.hex()}\n")


@pytest.fixture(scope="session")
def clamd():
    """Start clamd on a free loopback port and a Unix socket, wait for PONG, stop it afterwards."""
    executable = _find_clamd()
    if executable is None:
        pytest.fail(
            "clamd is not installed: the scanner tests need a real ClamAV daemon. "
            "Install it with `apt-get install -y clamav-daemon clamav`."
        )
    workdir = Path(tempfile.mkdtemp(prefix="clamd-test-"))
    database = workdir / "db"
    database.mkdir()
    write_signature_database(database)
    port = free_loopback_port()
    socket_path = str(workdir / "clamd.sock")
    config = workdir / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"LocalSocket {socket_path}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {workdir}",
                f"LogFile {workdir / 'clamd.log'}",
                f"PidFile {workdir / 'clamd.pid'}",
                "ScanArchive yes",
                f"StreamMaxLength {TEST_STREAM_MAX_LENGTH}",
                "MaxThreads 2",
                "",
            ]
        )
    )
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own config file
        [executable, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    running = RunningClamd("127.0.0.1", port, socket_path, TEST_STREAM_MAX_LENGTH)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                log = (
                    (workdir / "clamd.log").read_text() if (workdir / "clamd.log").exists() else ""
                )
                pytest.fail(
                    f"clamd exited with {process.returncode} during start-up:\n"
                    f"{process.stderr.read().decode(errors='replace')}\n{log}"
                )
            try:
                if running.tcp_client(stream_max_length=None).ping():
                    break
            except ScannerUnavailable:
                if time.monotonic() > deadline:
                    pytest.fail(f"clamd did not answer PING within {STARTUP_SECONDS} seconds")
                time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
        shutil.rmtree(workdir, ignore_errors=True)
