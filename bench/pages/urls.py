"""The service's URLs, plus a bare Django view: the ceiling of the client, server and middleware."""

from django.http import HttpResponse
from django.urls import include, path

BARE_PAGE = b"<!DOCTYPE html><html lang=en><title>bare</title><p>bare view</p></html>"


def bare(request):
    """A constant page through the whole middleware stack, with no query and no template."""
    return HttpResponse(BARE_PAGE)


urlpatterns = [
    path("bench/bare", bare),
    path("", include("phso.urls")),
]

handler400 = "phso.views.bad_request"
handler403 = "phso.views.permission_denied"
handler404 = "phso.views.page_not_found"
handler500 = "phso.views.server_error"
