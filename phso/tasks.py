import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from phso.notifications import (
    SMS,
    NotificationRejected,
    NotificationSender,
    NotificationTemporaryError,
)

logger = logging.getLogger(__name__)


@shared_task(name="phso.tasks.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> int:
    """Housekeeping (beat): delete sessions past their expiry. Idempotent."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# A sent notification is remembered for a week, so a redelivered or repeated task (acks_late, or a
# retry after Notify accepted a message but the answer was lost) does not send it twice.
NOTIFICATION_SENT_TTL = 7 * 24 * 3600


@shared_task(
    bind=True,
    name="phso.tasks.send_notification",
    acks_late=True,
    autoretry_for=(NotificationTemporaryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_notification(
    self, *, channel: str, to: str, template: str, personalisation: dict, reference: str
) -> dict:
    """Send one email or SMS; retries with backoff while Notify is down or busy, gives up on 4xx."""
    sent_key = f"notifications:sent:{channel}:{reference}"
    if cache.get(sent_key):
        return {"status": "duplicate", "via": None, "id": None}
    sender = NotificationSender()
    send = sender.send_sms if channel == SMS else sender.send_email
    try:
        result = send(
            to=to, template=template, personalisation=personalisation, reference=reference
        )
    except NotificationRejected as exc:
        # A bad template id, recipient or key fails the same way every time: record it for staff
        # and stop. The recipient's address stays out of the log.
        logger.warning(
            "Notification %s (%s, %s) rejected, not retrying: %s",
            reference,
            template,
            channel,
            exc,
        )
        return {"status": "rejected", "status_code": exc.status_code, "via": None, "id": None}
    if result["status"] == "sent":
        cache.set(sent_key, True, NOTIFICATION_SENT_TTL)
    return result
