"""Every named URL, opened by every kind of person, gives the outcome declared in url_access.py.

The URLs come from the URLconf itself, so a new page without a declared expectation fails here,
as does a declaration for a page that no longer exists. The pages people are let into are also
checked for their security headers, reusing the same responses.
"""

import tempfile

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.test import override_settings
from django.urls import reverse

from tests.security.matrix import (
    LOGIN,
    REDIRECT,
    client_for,
    header_problems,
    named_urls,
    outcome,
    session_key_for,
)
from tests.security.url_access import SESSIONLESS, URLS
from tests.security.world import ROLES, STAFF, build

# The second-factor gate in front of these answers from the path alone, before any view and
# whatever the method (tests/accounts/test_staff_otp.py also POSTs to every staff URL), so a POST
# from someone it turns away would only repeat the GET.
STAFF_PREFIXES = tuple(settings.STAFF_URL_PREFIXES)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the whole module, in a transaction rolled back at the end; each test runs in
    a savepoint inside it, so what one page does is undone before the next."""
    with tempfile.TemporaryDirectory() as media, django_db_blocker.unblock():
        storage = {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media},
            },
        }
        with override_settings(MEDIA_ROOT=media, STORAGES={**_storages(), **storage}):
            with transaction.atomic():
                built = build()
                built.sessions = {role: None for role in ROLES}
                for role, user in built.users.items():
                    device = user.totpdevice_set.first() if role in STAFF else None
                    built.sessions[role] = session_key_for(user, device)
                yield built
                transaction.set_rollback(True)


def _storages():
    return dict(settings.STORAGES)


def _variants(name):
    declared = URLS[name]
    return declared if isinstance(declared, tuple) else (declared,)


class TestTableMatchesUrlconf:
    def test_every_named_url_has_a_declared_outcome(self):
        missing = sorted(named_urls() - set(URLS))
        assert missing == [], (
            f"Declare who may open these in tests/security/url_access.py: {missing}"
        )

    def test_every_declared_url_still_exists(self):
        assert sorted(set(URLS) - named_urls()) == []

    def test_every_declaration_names_every_role(self):
        for name in URLS:
            for access in _variants(name):
                assert set(access.get) == set(ROLES), name
                if access.post is not None:
                    assert set(access.post) == set(ROLES), name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(URLS))
def test_each_role_gets_the_declared_outcome(world, name):
    login_url = reverse("account_login")
    wrong, header_faults = {}, {}
    for index, access in enumerate(_variants(name)):
        url = access.url(name, world)
        for role in ROLES:
            response = client_for(world.sessions[role]).get(url)
            got = outcome(response, login_url)
            if got != access.get[role]:
                wrong[(index, "GET", role)] = (got, access.get[role])
            if got == 200:
                signed_in = role != "anonymous" and name not in SESSIONLESS
                problems = header_problems(response, signed_in=signed_in)
                if problems:
                    header_faults[(url, role)] = problems
        for role, expected in access.post_expectations(
            gated=url.startswith(STAFF_PREFIXES)
        ).items():
            response = client_for(world.sessions[role]).post(url)
            got = outcome(response, login_url)
            if got != expected:
                wrong[(index, "POST", role)] = (got, expected)
    assert wrong == {}, "(variant, method, role): (got, declared)"
    assert header_faults == {}


class TestHeaderCheck:
    """The header check must notice what it is there to notice."""

    def _page(self, **headers):
        response = HttpResponse("<p>page</p>")
        defaults = {
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private",
        }
        for name, value in {**defaults, **headers}.items():
            if value is not None:
                response[name] = value
        return response

    def test_a_page_with_every_header_passes(self):
        assert header_problems(self._page(), signed_in=True) == []

    def test_inline_script_or_style_allowed_by_the_policy_is_reported(self):
        page = self._page(**{"Content-Security-Policy": "default-src 'self' 'unsafe-inline'"})
        problems = header_problems(page, signed_in=False)
        assert [p for p in problems if "script-src" in p] and [
            p for p in problems if "style-src" in p
        ]

    def test_cacheable_signed_in_page_and_framing_are_reported(self):
        page = self._page(**{"Cache-Control": "max-age=600", "X-Frame-Options": None})
        page["Content-Security-Policy"] = "default-src 'self'"
        problems = header_problems(page, signed_in=True)
        assert any("no-store" in p for p in problems)
        assert any("framing" in p for p in problems)
        assert header_problems(page, signed_in=False) == [
            p for p in problems if "no-store" not in p
        ]

    def test_sign_in_redirects_are_told_apart_from_other_redirects(self):
        login = reverse("account_login")
        assert outcome(HttpResponseRedirect(f"{login}?next=/staff/"), login) == LOGIN
        assert outcome(HttpResponseRedirect("/your-account/"), login) == REDIRECT
        assert outcome(HttpResponse(status=404), login) == 404
