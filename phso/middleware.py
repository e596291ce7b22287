from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers


class StaffSecondFactorMiddleware:
    """Deny every staff URL unless the user is ombudsman staff who verified a TOTP device this session.

    Path-based so that a new staff page is protected without anyone remembering a decorator.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.STAFF_URL_PREFIXES)

    def __call__(self, request):
        path = request.path_info
        if path.startswith(self.prefixes) and not self._exempt(path):
            user = request.user
            if not user.is_authenticated:
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
            if not user.is_ombudsman_staff:
                raise PermissionDenied("This part of the service is for ombudsman staff only.")
            if not user.is_verified():
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:staff_verify')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path):
        return path.startswith(reverse("admin:logout"))


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a signed-in person must never be kept by a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
