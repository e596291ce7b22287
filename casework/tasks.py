from celery import shared_task

from casework.enrichment import case_pds_enrich
from casework.integrations.pds import PdsUnavailable


@shared_task(
    name="casework.tasks.enrich_case_from_pds",
    acks_late=True,
    autoretry_for=(PdsUnavailable,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=24,
)
def enrich_case_from_pds(case_id: int) -> int | None:
    """Look the case's patient up in PDS; retried with backoff while PDS is unavailable."""
    match = case_pds_enrich(case_id=case_id)
    return match.pk if match else None
