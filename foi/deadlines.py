"""Deadline reminders to the officer a request is assigned to (sent by a beat task)."""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from foi.models import InformationRequest, RequestEvent, RequestEventKind
from phso.clock import add_working_days
from phso.services import notification_send

REMINDER_WORKING_DAYS = 5


@transaction.atomic
def reminders_send(*, today: date | None = None) -> int:
    """Tell each assigned officer about requests due within five working days, once a day."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    due = (
        InformationRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .due_between(today, horizon)
        .filter(assigned_to__isnull=False)
        .exclude(reminded_on=today)
        .select_related("assigned_to")
    )
    count = 0
    for request in due:
        notification_send(
            channel="email",
            to=request.assigned_to.email,
            template="information_request_due",
            personalisation={
                "reference": request.reference,
                "due_date": f"{request.due_on.day} {request.due_on:%B %Y}",
                "link": settings.SITE_URL.rstrip("/")
                + reverse("foi_staff:detail", args=[request.reference]),
            },
            reference=f"information-request-{request.pk}-due-{today.isoformat()}",
        )
        request.reminded_on = today
        request.save(update_fields=["reminded_on"])
        RequestEvent.objects.create(
            request=request,
            kind=RequestEventKind.REMINDER_SENT,
            system_reason="deadline reminder",
            payload={"due_on": request.due_on.isoformat()},
        )
        count += 1
    return count
