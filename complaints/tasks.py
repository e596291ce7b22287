from celery import shared_task

from complaints.services import complaint_drafts_purge


@shared_task(name="complaints.tasks.purge_expired_drafts", acks_late=True)
def purge_expired_drafts() -> int:
    """Beat: delete complaint drafts past their keeping period, with their return links."""
    return complaint_drafts_purge()
