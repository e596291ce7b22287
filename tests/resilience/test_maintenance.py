"""The maintenance page while the database is unreachable (phso.maintenance), without subprocesses.

The database "goes down" by making every query raise OperationalError, as psycopg does when the
server refuses connections; the same requests succeed again once queries work.
"""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from tests.conftest import otp_verified_client

pytestmark = pytest.mark.django_db

UNAVAILABLE = "Sorry, the service is unavailable"


def database_down():
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    return mock.patch.object(CursorWrapper, "execute", side_effect=refused)


@pytest.fixture
def browser():
    # Django's test client re-raises a view's exception by default; a browser sees the response.
    return Client(raise_request_exception=False)


def assert_maintenance_page(response):
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert UNAVAILABLE in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert "5432" not in body


class TestDatabaseUnavailable:
    def test_a_view_that_queries_answers_with_the_maintenance_page(self, browser, complainant):
        # Signed in, so that the form's start page looks for the person's drafts.
        browser.force_login(complainant)
        with database_down():
            response = browser.get("/complain/")
        assert_maintenance_page(response)

    def test_a_session_that_cannot_be_loaded_answers_with_the_maintenance_page(
        self, browser, caseworker
    ):
        # The staff gate reads the session (middleware, before any view) and fails first.
        staff = otp_verified_client(browser, caseworker)
        assert staff.get("/staff/").status_code == 200
        with database_down():
            response = staff.get("/staff/")
        assert_maintenance_page(response)

    def test_a_signed_in_home_page_answers_with_the_maintenance_page(self, browser, complainant):
        browser.force_login(complainant)
        with database_down():
            response = browser.get("/")
        assert_maintenance_page(response)

    def test_no_debug_page_even_with_debug_on(self, browser, complainant, settings):
        settings.DEBUG = True
        browser.force_login(complainant)
        with database_down():
            response = browser.get("/complain/")
        assert_maintenance_page(response)

    def test_the_page_keeps_the_content_security_policy(self, browser, complainant):
        browser.force_login(complainant)
        with database_down():
            response = browser.get("/complain/")
        assert "script-src 'self'" in response["Content-Security-Policy"]

    def test_pages_work_again_when_the_database_is_back(self, browser, complainant):
        browser.force_login(complainant)
        with database_down():
            assert browser.get("/complain/").status_code == 503
        assert browser.get("/complain/").status_code == 200

    def test_other_errors_are_still_server_errors(self, browser):
        with mock.patch(
            "complaints.form_views._drafts_in_progress", side_effect=RuntimeError("a bug")
        ):
            response = browser.get("/complain/")
        assert response.status_code == 500
        assert UNAVAILABLE not in response.content.decode()
