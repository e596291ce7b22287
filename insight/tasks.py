"""Beat tasks that keep the reporting store and the search documents up to date."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from insight.services_forecasts import forecasts_train as forecasts_train_service
from insight.services_reporting import insight_refresh as insight_refresh_service
from insight.services_search import search_documents_refresh as search_documents_refresh_service
from insight.services_trends import trend_alerts_detect as trend_alerts_detect_service


# Both refreshes are idempotent and run whole in one transaction, so a retry after a lost
# database connection starts again from the last good watermark.
@shared_task(
    name="insight.tasks.insight_refresh",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def insight_refresh():
    return insight_refresh_service()


@shared_task(
    name="insight.tasks.search_documents_refresh",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def search_documents_refresh():
    return search_documents_refresh_service()


@shared_task(name="insight.tasks.trend_alerts_detect", acks_late=True)
def trend_alerts_detect(today: str | None = None):
    """Weekly, after the refresh has counted the week that just ended."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return trend_alerts_detect_service(today=day)


@shared_task(name="insight.tasks.forecasts_train", acks_late=True)
def forecasts_train(today: str | None = None):
    """Weekly: retrain every volume forecast on the complete weeks and months so far."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return forecasts_train_service(today=day)
