import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.otp import client_ip
from accounts.roles import Role
from accounts.services import user_grant_role
from complaints.drafts import session_draft_ids

audit_log = logging.getLogger("accounts.security")


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open to the public; every account made here starts as a complainant."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_grant_role(user=user, role=Role.COMPLAINANT)
        return user

    def pre_authenticate(self, request, **credentials):
        """Once the failed-login limit is reached, answer 429 Too Many Requests.

        allauth would re-show the form with an error and a 200; a 429 page says plainly that even
        the right password will not be accepted until the window passes, and lets monitoring
        count throttled attempts by status code.
        """
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit_log.warning(
                "event=login_throttled ip=%s path=%s",
                client_ip(request),
                request.path,
            )
            raise ImmediateHttpResponse(respond_429(request)) from None

    def authentication_failed(self, request, **credentials):
        audit_log.info("event=login_failed ip=%s path=%s", client_ip(request), request.path)
        super().authentication_failed(request, **credentials)

    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and user.is_ombudsman_staff:
            return "/staff/"
        # Someone who started a complaint before creating an account loses the form's `next` link
        # on the way through email confirmation; the draft is still in this browser's session,
        # and the drafts page attaches it to the account.
        if session_draft_ids(request):
            return reverse("complaint_form:drafts")
        return super().get_login_redirect_url(request)

    def format_email_subject(self, subject):
        return f"{settings.SITE_NAME}: {subject}"
