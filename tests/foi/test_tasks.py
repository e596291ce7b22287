from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from foi import tasks
from foi.services import request_assign


@pytest.mark.django_db
class TestDeadlineReminders:
    def test_assigned_officer_is_reminded_once_a_day_before_the_due_date(
        self, make_request, foi_officer, django_capture_on_commit_callbacks
    ):
        # Received Sat 10 Oct 2026, due Fri 6 Nov; five working days before is Fri 30 Oct.
        due_soon = request_assign(
            request=make_request(received_on=date(2026, 10, 10)),
            assignee=foi_officer,
            actor=foi_officer,
        )
        make_request(received_on=date(2026, 10, 10), text="Unassigned request")
        request_assign(
            request=make_request(received_on=date(2026, 10, 26), text="Later"),
            assignee=foi_officer,
            actor=foi_officer,
        )
        mail.outbox.clear()
        with (
            time_machine.travel(date(2026, 10, 30)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert tasks.send_deadline_reminders.delay().get() == 1
            assert tasks.send_deadline_reminders.delay().get() == 0
        assert [m.to for m in mail.outbox] == [[foi_officer.email]]
        assert due_soon.reference in mail.outbox[0].subject
        assert "6 November 2026" in mail.outbox[0].body
        assert due_soon.events.filter(kind="reminder_sent").count() == 1

    def test_beat_schedule_runs_the_foi_tasks(self):
        scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert {"foi.tasks.send_deadline_reminders", "foi.tasks.purge_data_exports"} <= scheduled
