from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_ratelimit.exceptions import Ratelimited

from phso.health import health
from phso.ratelimit import ratelimited


@never_cache
@require_safe
def healthz(request):
    """Load balancer and container probe: 200 when the database and broker answer, else 503.

    Reports each check's exception type only, never its message, so it is safe to expose.
    """
    ok, checks = health()
    body = {"status": "ok" if ok else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ok else 503)


@require_safe
def home(request):
    return render(request, "pages/home.html")


def content_page(template_name):
    @require_safe
    def view(request):
        return render(request, template_name)

    view.__name__ = template_name.rsplit("/", 1)[-1].removesuffix(".html").replace("-", "_")
    return view


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)


def bad_request(request, exception):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception):
    # django-ratelimit refuses with PermissionDenied; a limit is "wait", not "not allowed".
    if isinstance(exception, Ratelimited):
        return ratelimited(request)
    message = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No request context: the database may be what failed, so nothing here may touch it.
    html = loader.get_template("errors/500.html").render({"SITE_NAME": settings.SITE_NAME})
    return HttpResponseServerError(html)
