from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers


class StaffSecondFactorMiddleware:
    """Deny every staff URL unless the user is ombudsman staff who verified a TOTP device this
    session.

    Path-based, with no exemptions, so that a new staff page (or admin page, including the
    admin's own login and logout) is protected without anyone remembering a decorator, and so
    that an unknown staff URL 404s only for staff: nobody else learns which staff URLs exist.
    Sign-out is at allauth's logout page, outside these prefixes.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.STAFF_URL_PREFIXES)

    def __call__(self, request):
        if request.path_info.startswith(self.prefixes):
            user = request.user
            query = urlencode({"next": request.get_full_path()})
            if not user.is_authenticated:
                return redirect(f"{reverse('account_login')}?{query}")
            if not user.is_ombudsman_staff:
                raise PermissionDenied("This part of the service is for ombudsman staff only.")
            if not user.is_verified():
                return redirect(f"{reverse('accounts:staff_verify')}?{query}")
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a signed-in person must never be kept by a browser or proxy cache.

    Placed outside the other middleware that answer early (CSRF failures, the staff gate) so
    that their responses to a signed-in person are covered as well.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
