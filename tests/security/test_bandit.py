"""Static security analysis (bandit) of the project's own packages, with the settings in
pyproject.toml [tool.bandit]: any medium or high severity finding fails the suite."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("phso", "accounts", "complaints", "casework", "foi", "insight", "portals")


@pytest.fixture(scope="module")
def report():
    completed = subprocess.run(  # noqa: S603 - a fixed command line, no input from outside
        [
            sys.executable,
            "-m",
            "bandit",
            "-c",
            "pyproject.toml",
            "-r",
            *PACKAGES,
            "--format",
            "json",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # bandit exits 1 when it finds anything at all (low severity included): judged below.
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


def _scanned_packages(report) -> set[str]:
    return {Path(name).parts[0] for name in report["metrics"] if name != "_totals"}


class TestBandit:
    def test_every_package_is_scanned_and_parsed(self, report):
        assert _scanned_packages(report) == set(PACKAGES)
        assert report["errors"] == []

    def test_migrations_tests_and_benches_are_left_out(self, report):
        scanned = [Path(name).parts for name in report["metrics"] if name != "_totals"]
        assert not [p for p in scanned if {"migrations", "tests", "bench"} & set(p)]

    def test_no_medium_or_high_severity_findings(self, report):
        findings = [
            f"{r['filename']}:{r['line_number']} {r['test_id']} ({r['issue_severity']}, "
            f"{r['issue_confidence']} confidence): {r['issue_text']}"
            for r in report["results"]
            if r["issue_severity"] in ("MEDIUM", "HIGH")
        ]
        assert findings == [], "\n".join(findings)
