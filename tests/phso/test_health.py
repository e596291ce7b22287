import json
from pathlib import Path
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import override_settings

from tests.services import free_port

SECRETS_THAT_MUST_NOT_LEAK = ("Traceback", 'File "', "line ", "refused", "unable to open", "/")


def broken_connection(tmp_path: Path):
    """A second connection to the default database's engine whose server is not there."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", free_port()
    return type(connections[DEFAULT_DB_ALIAS])(settings_dict, alias="healthz-down")


def assert_no_internals(response):
    checks = response.json()["checks"]
    for check in checks.values():
        # Only the exception's type is reported: never a message, path or host.
        for text in check.values():
            assert not any(s in str(text) for s in SECRETS_THAT_MUST_NOT_LEAK), check


@pytest.mark.django_db
class TestHealthz:
    def test_ok_reports_database_and_broker_as_json(self, client):
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"]["database"] == {"ok": True, "vendor": connection.vendor}
        assert body["checks"]["broker"]["ok"] is True

    def test_is_never_cached(self, client):
        response = client.get("/healthz")

        assert "no-cache" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]

    def test_head_is_allowed_and_post_is_not(self, client):
        assert client.head("/healthz").status_code == 200
        assert client.post("/healthz").status_code == 405

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_is_answered_over_plain_http_behind_an_https_redirect(self, client):
        # A load balancer probes the container directly over HTTP; a redirect would read as down.
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301

    @override_settings(DEBUG=True)
    def test_unreachable_database_is_503_without_details(self, client, tmp_path):
        with mock.patch("phso.health.connection", broken_connection(tmp_path)):
            response = client.get("/healthz")

        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
        assert_no_internals(response)

    @override_settings(DEBUG=True, REDIS_URL="redis://127.0.0.1:1/0")
    def test_unreachable_broker_is_503_without_details(self, client):
        response = client.get("/healthz")

        assert response.status_code == 503
        assert response.json()["checks"]["broker"] == {"ok": False, "error": "ConnectionError"}
        assert response.json()["checks"]["database"]["ok"] is True
        assert_no_internals(response)

    @override_settings(REDIS_URL="nonsense://127.0.0.1")
    def test_malformed_broker_url_is_503_not_500(self, client):
        response = client.get("/healthz")

        assert response.status_code == 503
        assert response.json()["checks"]["broker"] == {"ok": False, "error": "ValueError"}


@pytest.mark.integration
@pytest.mark.django_db
class TestHealthzWithRealRedis:
    def test_broker_goes_from_ok_to_503_when_redis_stops(self, client, private_redis):
        with override_settings(REDIS_URL=private_redis.url):
            up = client.get("/healthz")
            private_redis.stop()
            down = client.get("/healthz")

        assert up.status_code == 200
        assert up.json()["checks"]["broker"] == {"ok": True, "mode": "redis"}
        assert down.status_code == 503
        broker = json.loads(down.content)["checks"]["broker"]
        assert broker == {"ok": False, "error": "ConnectionError"}
        assert_no_internals(down)
