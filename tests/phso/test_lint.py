"""The code reads one way: ruff's lint rules and formatter (settings in pyproject.toml [tool.ruff])
pass over the whole tree, so `make test` and CI fail on a finding as on a failing test."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - a fixed command line, no input from outside
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("command", "fix"),
    [
        (("check", "--output-format", "concise"), "ruff check --fix ."),
        (("format", "--check"), "ruff format ."),
    ],
    ids=["lint", "format"],
)
def test_ruff_finds_nothing(command, fix):
    completed = ruff(*command)
    assert completed.returncode == 0, f"Run `{fix}`:\n{completed.stdout}{completed.stderr}"
