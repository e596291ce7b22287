"""A maintenance page, not a stack trace, while the database cannot be reached.

During a database restart or failover every request that needs the database fails with
OperationalError (or InterfaceError for a connection that died under it). People should see that
the service is briefly unavailable and come back, and load balancers and crawlers should get a
503 with Retry-After rather than a 500. Nothing here touches the database: the page is rendered
without a request, so no context processor or lazy user can query it. Recovery needs nothing
either: CONN_HEALTH_CHECKS replaces a dead connection at the next request.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# Set on a request whose handling failed because the database is down (see _mark_request).
_MARK = "_phso_database_unavailable"


def maintenance_response() -> HttpResponse:
    html = loader.get_template("errors/503.html").render({"SITE_NAME": settings.SITE_NAME})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _mark_request(sender, request=None, **kwargs):
    # Django turns an exception raised inside a middleware into a response (the 500 page, or the
    # debug page) before the middleware around it sees anything: this signal, sent while the
    # exception is being handled, is the one place left that can tell what went wrong.
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_ERRORS):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_request, dispatch_uid="phso.maintenance.mark_request")


class DatabaseUnavailableMiddleware:
    """Answer 503 with the maintenance page when the database is unreachable.

    Placed early, so that it also covers the session and authentication middleware, which are
    the first to need the database on most requests.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as exc:
            return self._unavailable(request, exc)
        if getattr(request, _MARK, False):
            return self._unavailable(request, None)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request, exc) -> HttpResponse:
        logger.error(
            "database unavailable: %s %s answered 503 (%s)",
            request.method,
            request.path,
            type(exc).__name__ if exc else "raised in middleware",
        )
        return maintenance_response()
