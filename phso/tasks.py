from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="phso.tasks.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> int:
    """Housekeeping (beat): delete sessions past their expiry. Idempotent."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
