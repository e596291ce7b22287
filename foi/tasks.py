"""Thin Celery wrappers: each takes ids, re-fetches and calls one function."""

from celery import shared_task

from foi.deadlines import reminders_send
from foi.export import data_export_build, data_exports_purge


@shared_task(
    name="foi.tasks.build_data_export",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def build_data_export(export_id: int) -> str:
    return data_export_build(export_id=export_id).status


@shared_task(name="foi.tasks.send_deadline_reminders", acks_late=True)
def send_deadline_reminders() -> int:
    return reminders_send()


@shared_task(name="foi.tasks.purge_data_exports", acks_late=True)
def purge_data_exports() -> int:
    return data_exports_purge()
