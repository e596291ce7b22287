"""Costly public and portal forms stop a flood from one person or address with a 429 page."""

import pytest
from django.urls import reverse

from foi.models import InformationRequest
from phso.ratelimit import INVITATION_RATE, PUBLIC_REQUEST_RATE
from portals.models import Invitation, InvitationRole
from tests.portals.support import world as build_world

FOI_ANSWERS = {
    "text": "Your 2025 spending on external legal advice",
    "environmental": "no",
    "name": "Pat O'Neill",
    "email": "pat@example.com",
    "address": "",
    "answer_format": "email",
}


def _limit(rate: str) -> int:
    return int(rate.split("/")[0])


@pytest.mark.django_db
class TestPublicRequestLimit:
    def test_the_request_over_the_limit_is_refused_with_429_and_not_recorded(self, client):
        limit = _limit(PUBLIC_REQUEST_RATE)
        for _ in range(limit):
            client.post(reverse("foi:ask"), FOI_ANSWERS)
            assert client.post(reverse("foi:ask_check")).status_code == 302
        assert InformationRequest.objects.count() == limit

        client.post(reverse("foi:ask"), FOI_ANSWERS)
        response = client.post(reverse("foi:ask_check"))

        assert response.status_code == 429
        assert "You have tried too many times" in response.content.decode()
        assert InformationRequest.objects.count() == limit
        # Reading the page is never limited, so the person can still see their answers.
        assert client.get(reverse("foi:ask_check")).status_code == 200

    def test_a_signed_in_person_is_counted_apart_from_others_at_the_same_address(
        self, client, complainant
    ):
        limit = _limit(PUBLIC_REQUEST_RATE)
        for _ in range(limit):
            client.post(reverse("foi:ask"), FOI_ANSWERS)
            client.post(reverse("foi:ask_check"))
        client.force_login(complainant)
        client.post(reverse("foi:ask"), FOI_ANSWERS)

        assert client.post(reverse("foi:ask_check")).status_code == 302
        assert InformationRequest.objects.count() == limit + 1


@pytest.mark.django_db
class TestInvitationLimit:
    def test_an_office_manager_cannot_send_more_invitations_than_the_limit(self, client):
        world = build_world()
        client.force_login(world.a_manager)
        limit = _limit(INVITATION_RATE)
        url = reverse("mp_portal:team_invite")
        for i in range(limit):
            client.post(
                url, {"email": f"person{i}@example.com", "role": InvitationRole.OFFICE_CASEWORKER}
            )
        sent = Invitation.objects.count()

        response = client.post(
            url, {"email": "one-more@example.com", "role": InvitationRole.OFFICE_CASEWORKER}
        )

        assert response.status_code == 429
        assert Invitation.objects.count() == sent
        assert not Invitation.objects.filter(email="one-more@example.com").exists()


@pytest.mark.django_db
class TestCacheOutage:
    def test_requests_are_still_taken_while_the_cache_cannot_count(self, client, settings):
        # The production cache with its Redis gone: nothing listens on port 1.
        settings.CACHES = {
            "default": {
                "BACKEND": "phso.cache.ResilientRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            }
        }
        for _ in range(_limit(PUBLIC_REQUEST_RATE) + 2):
            client.post(reverse("foi:ask"), FOI_ANSWERS)
            assert client.post(reverse("foi:ask_check")).status_code == 302
        assert InformationRequest.objects.count() == _limit(PUBLIC_REQUEST_RATE) + 2
