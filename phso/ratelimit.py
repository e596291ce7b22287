"""Limits on the public and portal forms that create work for staff or send email.

Sign-in, sign-up, password reset and codes are limited by allauth (ACCOUNT_RATE_LIMITS); these are
the other ways to make the service do something costly: sending an FOI or subject access request,
uploading proof of identity without an account, inviting people into an MP office or an
organisation, and asking a constituent to share a case. GET requests are never limited, so a
person who reaches a limit can still read the page that tells them so.

django-ratelimit counts in the default cache (Redis in production). It is used as a decorator
only, not as an installed app, because its system check rejects the local-memory cache the
one-process local run uses, where a per-process count is exactly right.
"""

from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

from accounts.otp import client_ip


def _address(group, request) -> str:
    # The same address the sign-in limits count against (ALLAUTH_TRUSTED_PROXY_COUNT aware).
    return client_ip(request)


def _person(group, request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


# Generous for a person, tight for a script: nobody sends ten information requests in an hour.
PUBLIC_REQUEST_RATE = "10/h"
INVITATION_RATE = "30/h"
SHARE_REQUEST_RATE = "30/h"


def limit_public_posts(view):
    """Anonymous or signed-in public forms: counted per address and, when signed in, per person."""
    view = ratelimit(group="public-requests", key=_person, rate=PUBLIC_REQUEST_RATE, method="POST")(
        view
    )
    # Many people can share one address (a library, an advice centre): looser than per person.
    return ratelimit(group="public-requests-ip", key=_address, rate="30/h", method="POST")(view)


def limit_invitations(view):
    return ratelimit(group="invitations", key=_person, rate=INVITATION_RATE, method="POST")(view)


def limit_share_requests(view):
    return ratelimit(group="share-requests", key=_person, rate=SHARE_REQUEST_RATE, method="POST")(
        view
    )


def ratelimited(request):
    """A limit reached answers 429 with a page saying to wait (phso.views.permission_denied)."""
    return render(request, "429.html", status=429)
