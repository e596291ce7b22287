"""How the authorisation matrix finds URLs, signs people in and reads an outcome from a response.

Kept apart from the declared table (url_access.py) and the test, so that each reads plainly.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests.security.world import ROLES, STAFF

LOGIN = "login"
REDIRECT = "redirect"
# A POST the role is allowed to make: not sent by the matrix, which leaves the shared objects alone.
ALLOWED = "allowed"
DENIALS = (LOGIN, 403, 404)
# Who the staff second-factor gate answers for, before any view runs.
GATED_AWAY = ("anonymous", "complainant", "mp_office", "organisation")


def named_urls() -> set[str]:
    """Every named URL pattern in the URLconf, as namespace:name."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern.url_patterns,
                    f"{namespace}:{inner}" if inner and namespace else inner or namespace,
                )
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def row(default, **outcomes) -> dict:
    """Outcomes for every role: `default` unless named."""
    unknown = set(outcomes) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles {sorted(unknown)}")
    return {role: outcomes.get(role, default) for role in ROLES}


def staff_only(default=200, **staff_outcomes) -> dict:
    """A /staff/ or /admin/ URL: the second-factor gate sends the anonymous to sign in and refuses
    everyone without a staff role; staff get `default` unless named."""
    if set(staff_outcomes) - set(STAFF):
        raise ValueError("Only staff outcomes can be given here")
    return row(403, anonymous=LOGIN, **{role: staff_outcomes.get(role, default) for role in STAFF})


@dataclass(frozen=True)
class Access:
    """Who gets what from one URL, with its parameters built from the world.

    `post` is what a POST gets; when None, every role refused a GET must be refused a POST in the
    same way (so a form's POST branch cannot skip the check its GET branch makes).
    """

    args: object = None
    get: dict = None
    post: dict | None = None

    def url(self, name, world) -> str:
        args = self.args(world) if self.args else []
        return reverse(name, args=args)

    def post_expectations(self, *, gated=False) -> dict:
        """The POSTs to send: none the role is allowed to make, none a page the role may read
        only refuses for its method, and on gated (staff) URLs none from people the gate turns
        away."""
        declared = self.post if self.post is not None else self.get
        return {
            role: outcome
            for role, outcome in declared.items()
            if outcome != ALLOWED
            and (self.post is not None or outcome in DENIALS)
            and not (gated and role in GATED_AWAY)
            # A page the role may read refusing the method says nothing about who may do what.
            and not (outcome == 405 and self.get[role] not in DENIALS)
        }


def session_key_for(user, device=None) -> str:
    """A saved session for `user` (second factor verified when a device is given): each test
    copies the key into a fresh client, so nothing a page does to a session outlives the test."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.create()
    return session.session_key


def client_for(session_key: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def outcome(response, login_url: str):
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        return LOGIN if location.startswith(f"{login_url}?") or location == login_url else REDIRECT
    return response.status_code


def _directives(policy: str) -> dict:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def header_problems(response, *, signed_in: bool) -> list[str]:
    """What is missing from a page's security headers, in words."""
    problems = []
    policy = response.get("Content-Security-Policy")
    if not policy:
        problems.append("no Content-Security-Policy")
        csp = {}
    else:
        csp = _directives(policy)
        for directive in ("script-src", "style-src"):
            values = csp.get(directive, csp.get("default-src"))
            if values is None:
                problems.append(f"CSP has neither {directive} nor default-src")
            elif "'unsafe-inline'" in values or "'unsafe-eval'" in values:
                problems.append(f"CSP {directive} allows inline code: {values}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if not response.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY" and csp.get("frame-ancestors") != ["'none'"]:
        problems.append("framing not denied (X-Frame-Options DENY or frame-ancestors 'none')")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append("a signed-in person's page may be cached (Cache-Control lacks no-store)")
    return problems
