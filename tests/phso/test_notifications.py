import logging

import pytest
from django.db import transaction

from phso.notifications import (
    NotificationRejected,
    NotificationSender,
    NotificationTemporaryError,
    greeting_name,
)
from phso.services import notification_send
from phso.tasks import send_notification
from tests.fakes.notify import FakeNotify

SITE = "https://complaints.ombudsman.example"
LINK = f"{SITE}/complaints/HC-2026-000123/messages"
PERSONALISATION = {"name": "Ann O'Neill", "reference": "HC-2026-000123", "link": LINK}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Ombudsman Complaints Service"


@pytest.fixture
def no_notify(settings):
    settings.NOTIFY_API_KEY = ""
    settings.NOTIFY_TEMPLATES = {}


def task_kwargs(**overrides):
    return {
        "channel": "email",
        "to": "ann@example.org",
        "template": "new_message",
        "personalisation": PERSONALISATION,
        "reference": "message-42",
        **overrides,
    }


class TestNotificationSenderWithNotify:
    def test_email_goes_to_notify_with_a_signed_token(self, fake_notify, settings):
        result = NotificationSender().send_email(
            to="ann@example.org",
            template="new_message",
            personalisation=PERSONALISATION,
            reference="message-42",
        )

        [request] = fake_notify.requests
        assert request.method == "POST"
        assert request.path == "/v2/notifications/email"
        assert request.status == 201
        assert request.headers["Authorization"].startswith("Bearer ")
        assert request.claims["iss"] == fake_notify.service_id
        assert request.body == {
            "email_address": "ann@example.org",
            "template_id": settings.NOTIFY_TEMPLATES["new_message"],
            "personalisation": PERSONALISATION,
            "reference": "message-42",
        }
        assert result == {"status": "sent", "via": "notify", "id": fake_notify.sent[0]["id"]}

    def test_sms_goes_to_notify(self, fake_notify, settings):
        NotificationSender().send_sms(
            to="07700 900123",
            template="new_message_sms",
            personalisation={"reference": "HC-2026-000123", "link": LINK},
            reference="message-42-sms",
        )

        [request] = fake_notify.requests
        assert request.path == "/v2/notifications/sms"
        assert request.body["phone_number"] == "07700 900123"
        assert request.body["template_id"] == settings.NOTIFY_TEMPLATES["new_message_sms"]

    def test_wrong_secret_is_refused_by_notify(self, fake_notify, settings):
        other_secret = "00000000-0000-0000-0000-000000000000"
        settings.NOTIFY_API_KEY = f"test_key-{fake_notify.service_id}-{other_secret}"

        with pytest.raises(NotificationRejected) as refused:
            NotificationSender().send_email(
                to="ann@example.org",
                template="new_message",
                personalisation=PERSONALISATION,
                reference="message-42",
            )

        assert refused.value.status_code == 403
        assert fake_notify.sent == []

    def test_sms_is_skipped_when_disabled(self, fake_notify, settings):
        settings.NOTIFY_SMS_ENABLED = False

        result = NotificationSender().send_sms(
            to="07700 900123",
            template="new_message_sms",
            personalisation={"reference": "HC-2026-000123", "link": LINK},
            reference="message-42-sms",
        )

        assert result["status"] == "skipped"
        assert fake_notify.requests == []


class TestNotificationContentRules:
    @pytest.mark.parametrize(
        ("personalisation", "problem"),
        [
            ({**PERSONALISATION, "complaint_summary": "My mother's care"}, "does not allow"),
            ({"name": "Ann", "link": LINK}, "needs personalisation"),
            ({**PERSONALISATION, "link": "https://evil.example/phish"}, "within this service"),
            ({**PERSONALISATION, "reference": "about your surgery"}, "reference"),
            ({**PERSONALISATION, "name": "Visit www.spam.example"}, "name may contain"),
        ],
    )
    def test_anything_but_declared_fields_is_refused_before_sending(
        self, fake_notify, mailoutbox, personalisation, problem
    ):
        with pytest.raises(ValueError, match=problem):
            NotificationSender().send_email(
                to="ann@example.org",
                template="new_message",
                personalisation=personalisation,
                reference="message-42",
            )

        assert fake_notify.requests == []
        assert mailoutbox == []

    def test_email_template_cannot_be_sent_as_sms(self, fake_notify):
        with pytest.raises(ValueError, match="is for email"):
            NotificationSender().send_sms(
                to="07700 900123",
                template="new_message",
                personalisation=PERSONALISATION,
                reference="message-42",
            )

    def test_unknown_template_is_refused(self, fake_notify):
        with pytest.raises(ValueError, match="unknown notification template"):
            NotificationSender().send_email(
                to="ann@example.org", template="case_details", personalisation={}, reference="x-1"
            )


class TestNotificationSenderWithoutNotify:
    def test_email_goes_through_djangos_backend(self, no_notify, mailoutbox, settings):
        result = NotificationSender().send_email(
            to="ann@example.org",
            template="complaint_received",
            personalisation=PERSONALISATION,
            reference="complaint-7",
        )

        [message] = mailoutbox
        assert message.to == ["ann@example.org"]
        assert message.from_email == settings.DEFAULT_FROM_EMAIL
        assert message.subject == "We have received your complaint HC-2026-000123"
        assert message.body == (
            "Dear Ann O'Neill,\n\n"
            "We have received your complaint. Your reference is HC-2026-000123.\n\n"
            "Sign in to see your complaint and what happens next:\n\n"
            f"{LINK}\n\n"
            "Ombudsman Complaints Service\n"
        )
        assert result == {"status": "sent", "via": "email_backend", "id": None}

    def test_new_message_email_holds_only_reference_and_link(self, no_notify, mailoutbox):
        NotificationSender().send_email(
            to="ann@example.org",
            template="new_message",
            personalisation=PERSONALISATION,
            reference="message-42",
        )

        [message] = mailoutbox
        assert message.subject == "You have a new message about HC-2026-000123"
        assert LINK in message.body
        assert "&amp;" not in message.body and "&#x27;" not in message.body

    def test_sms_is_skipped(self, no_notify, mailoutbox):
        result = NotificationSender().send_sms(
            to="07700 900123",
            template="new_message_sms",
            personalisation={"reference": "HC-2026-000123", "link": LINK},
            reference="message-42-sms",
        )

        assert result["status"] == "skipped"
        assert mailoutbox == []


@pytest.fixture
def eager_retries(monkeypatch):
    """Run retries in-process as a worker would: with eager propagation on (the test settings),
    Celery raises the first Retry out of apply() instead of applying the retry."""
    monkeypatch.setitem(send_notification.app.conf, "task_eager_propagates", False)


@pytest.mark.usefixtures("eager_retries")
class TestSendNotificationTask:
    def test_server_error_is_retried_and_sent_once(self, fake_notify):
        fake_notify.fail_next(500)

        result = send_notification.apply(kwargs=task_kwargs()).get()

        assert result["status"] == "sent"
        assert [r.status for r in fake_notify.requests] == [500, 201]
        assert len(fake_notify.sent) == 1

    def test_rate_limit_is_retried(self, fake_notify):
        fake_notify.fail_next(429, times=2)

        result = send_notification.apply(kwargs=task_kwargs()).get()

        assert result["status"] == "sent"
        assert [r.status for r in fake_notify.requests] == [429, 429, 201]

    def test_bad_request_is_not_retried(self, fake_notify, caplog):
        fake_notify.fail_next(400)

        with caplog.at_level(logging.WARNING, logger="phso.tasks"):
            result = send_notification.apply(kwargs=task_kwargs()).get()

        assert result == {"status": "rejected", "status_code": 400, "via": None, "id": None}
        assert len(fake_notify.requests) == 1
        assert "message-42" in caplog.text
        assert "ann@example.org" not in caplog.text

    def test_gives_up_after_max_retries(self, fake_notify):
        fake_notify.fail_next(503, times=20)

        with pytest.raises(NotificationTemporaryError):
            send_notification.apply(kwargs=task_kwargs()).get()

        assert len(fake_notify.requests) == send_notification.max_retries + 1
        assert fake_notify.sent == []

    def test_connection_refused_is_retried(self, fake_notify, settings, caplog):
        with FakeNotify() as stopped:
            closed_url = stopped.base_url
        settings.NOTIFY_BASE_URL = closed_url

        with caplog.at_level(logging.WARNING, logger="notifications_python_client.base"):
            with pytest.raises(NotificationTemporaryError):
                send_notification.apply(kwargs=task_kwargs()).get()

        failures = [r for r in caplog.records if r.name == "notifications_python_client.base"]
        assert len(failures) == send_notification.max_retries + 1

    def test_repeated_task_sends_once(self, fake_notify):
        first = send_notification.apply(kwargs=task_kwargs()).get()
        second = send_notification.apply(kwargs=task_kwargs()).get()

        assert first["status"] == "sent"
        assert second["status"] == "duplicate"
        assert len(fake_notify.sent) == 1


class TestNotificationSend:
    def test_sent_only_when_the_transaction_commits(
        self, db, no_notify, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notification_send(**task_kwargs())
            assert mailoutbox == []

        assert len(callbacks) == 1
        callbacks[0]()
        [message] = mailoutbox
        assert message.subject == "You have a new message about HC-2026-000123"

    def test_nothing_sent_when_the_transaction_rolls_back(
        self, db, no_notify, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                notification_send(**task_kwargs())
                raise RuntimeError("the change failed")

        assert callbacks == []
        assert mailoutbox == []

    def test_case_details_are_refused_before_anything_is_queued(
        self, db, no_notify, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(ValueError):
                notification_send(
                    **task_kwargs(personalisation={**PERSONALISATION, "decision": "upheld"})
                )

        assert callbacks == []


class TestGreetingName:
    @pytest.mark.parametrize(
        ("typed", "greeted"),
        [
            ("Amira Khan", "Amira Khan"),
            ("Siân O’Neill-Jones", "Siân O’Neill-Jones"),
            ("  J. R. Hartley ", "J. R. Hartley"),
            ("", "there"),
            (None, "there"),
            ("Visit www.example.com", "there"),
            ("a@b.org", "there"),
            ("Agent 007", "there"),
            ("x" * 101, "there"),
        ],
    )
    def test_only_a_name_is_used_to_greet(self, typed, greeted):
        assert greeting_name(typed) == greeted
