"""Production refuses to start with an unsafe configuration, and a good one passes check --deploy.

Settings are read once per process, so each case starts Django in a subprocess of its own with
exactly the environment under test (nothing inherited from the test run's own configuration).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_SECRET_KEY = secrets.token_urlsafe(64)
SETUP = "import django; django.setup()"


def production_env(tmp_path, **overrides):
    """A complete, safe production environment, with overrides (None removes a variable)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "phso.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": GOOD_SECRET_KEY,
        "ALLOWED_HOSTS": "complaints.ombudsman.example",
        # Never connected to by these checks; SQLite so that a request can be served if needed.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "DEBUG": "False",
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_django(env, *args):
    return subprocess.run(  # noqa: S603 - fixed arguments: this interpreter and manage.py
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


class TestProductionRefusesToStart:
    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"SECRET_KEY": None}, "SECRET_KEY must be set to a long random value"),
            ({"SECRET_KEY": ""}, "SECRET_KEY must be set to a long random value"),
            (
                {"SECRET_KEY": "django-insecure-local-only-key-never-used-in-production"},
                "SECRET_KEY must be set to a long random value",
            ),
            (
                {"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)},
                "SECRET_KEY must be set to a long random value",
            ),
            ({"SECRET_KEY": "too-short-but-random-3f9a"}, "SECRET_KEY must be at least 50"),
            ({"SECRET_KEY": "a" * 60}, "at least 5 distinct characters"),
            ({"DEBUG": "True"}, "DEBUG must be False"),
            ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must name the service's host names"),
            ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must name the service's host names"),
            ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name the service's host names"),
            ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
        ],
        ids=[
            "no-secret-key",
            "empty-secret-key",
            "dev-default-secret-key",
            "django-insecure-secret-key",
            "short-secret-key",
            "low-variety-secret-key",
            "debug-on",
            "no-allowed-hosts",
            "empty-allowed-hosts",
            "wildcard-allowed-hosts",
            "no-database-url",
        ],
    )
    def test_unsafe_configuration_exits_with_the_reason(self, tmp_path, overrides, reason):
        result = run_django(production_env(tmp_path, **overrides), "-c", SETUP)
        assert result.returncode != 0
        assert "Refusing to start in production" in result.stderr
        assert reason in result.stderr

    def test_every_problem_is_reported_at_once(self, tmp_path):
        env = production_env(tmp_path, SECRET_KEY=None, DEBUG="True", ALLOWED_HOSTS=None)
        result = run_django(env, "-c", SETUP)
        assert result.returncode != 0
        for reason in ("SECRET_KEY", "DEBUG must be False", "ALLOWED_HOSTS"):
            assert reason in result.stderr

    def test_manage_py_refuses_too(self, tmp_path):
        result = run_django(production_env(tmp_path, SECRET_KEY=None), "manage.py", "check")
        assert result.returncode != 0
        assert "SECRET_KEY must be set to a long random value" in result.stderr

    def test_an_unknown_environment_name_is_refused(self, tmp_path):
        result = run_django(production_env(tmp_path, DJANGO_ENV="prod"), "-c", SETUP)
        assert result.returncode != 0
        assert "DJANGO_ENV must be local, test or production" in result.stderr

    def test_the_secret_key_is_never_printed(self, tmp_path):
        short = "short-secret-that-must-not-appear-in-logs"
        result = run_django(production_env(tmp_path, SECRET_KEY=short), "-c", SETUP)
        assert result.returncode != 0
        assert short not in result.stderr + result.stdout


class TestGoodProductionConfiguration:
    def test_deploy_checks_pass_with_no_warnings(self, tmp_path):
        result = run_django(
            production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING"
        )
        assert result.returncode == 0, result.stderr + result.stdout
        assert "System check identified no issues" in result.stdout

    def test_secure_defaults(self, tmp_path):
        script = SETUP + (
            "; import json; from django.conf import settings as s; print(json.dumps({"
            "'debug': s.DEBUG, 'session_secure': s.SESSION_COOKIE_SECURE,"
            " 'csrf_secure': s.CSRF_COOKIE_SECURE, 'ssl_redirect': s.SECURE_SSL_REDIRECT,"
            " 'hsts': s.SECURE_HSTS_SECONDS, 'proxy_header': s.SECURE_PROXY_SSL_HEADER,"
            " 'trusted_proxies': s.ALLAUTH_TRUSTED_PROXY_COUNT,"
            " 'https_links': s.ACCOUNT_DEFAULT_HTTP_PROTOCOL,"
            " 'csrf_origins': s.CSRF_TRUSTED_ORIGINS}))"
        )
        result = run_django(production_env(tmp_path), "-c", script)
        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout)
        assert values == {
            "debug": False,
            "session_secure": True,
            "csrf_secure": True,
            "ssl_redirect": True,
            "hsts": 31536000,
            "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
            "trusted_proxies": 1,
            "https_links": "https",
            "csrf_origins": ["https://complaints.ombudsman.example"],
        }
