"""A constituent who complained directly lets their MP's office follow the complaint."""

import pytest
from django.core import mail
from django.urls import reverse

from casework.models import CaseKind
from casework.services import case_create
from portals.models import CaseShare
from portals.services import LinkInvalid, case_share_confirm, case_share_request
from tests.factories import UserFactory


@pytest.fixture
def direct_case(world):
    return case_create(
        kind=CaseKind.HEALTH,
        complainant=world.complainant,
        summary="Waited a year for surgery",
        organisations=[world.org_a],
        constituency=world.office_a.mp.constituency,
    )


def _ask(world, case, django_capture_on_commit_callbacks, office=None):
    with django_capture_on_commit_callbacks(execute=True):
        case_share_request(
            office=office or world.office_a, actor=world.a_caseworker, reference=case.reference
        )
    return mail.outbox[-1].body.split("/mp/share/")[1].split()[0] if mail.outbox else None


class TestCaseShare:
    def test_the_complainant_is_asked_at_their_own_address(
        self, world, direct_case, django_capture_on_commit_callbacks
    ):
        _ask(world, direct_case, django_capture_on_commit_callbacks)
        assert mail.outbox[-1].to == [world.complainant.email]
        assert "Waited a year" not in mail.outbox[-1].body

    def test_a_case_from_another_constituency_is_silently_not_asked_about(
        self, world, direct_case, django_capture_on_commit_callbacks
    ):
        _ask(world, direct_case, django_capture_on_commit_callbacks, office=world.office_b)
        assert mail.outbox == []
        assert not CaseShare.objects.exists()

    def test_only_the_complainant_can_confirm_and_then_the_office_follows_it(
        self, client, world, direct_case, django_capture_on_commit_callbacks
    ):
        token = _ask(world, direct_case, django_capture_on_commit_callbacks)
        with pytest.raises(LinkInvalid):
            case_share_confirm(token=token, user=UserFactory())
        client.force_login(world.a_caseworker)
        case_url = reverse("mp_portal:case", args=[direct_case.reference])
        assert client.get(case_url).status_code == 404
        case_share_confirm(token=token, user=world.complainant)
        assert client.get(case_url).status_code == 200
        assert direct_case.reference in client.get(reverse("mp_portal:home")).content.decode()
        client.force_login(world.b_user)
        assert client.get(case_url).status_code == 404
        with pytest.raises(LinkInvalid) as replay:
            case_share_confirm(token=token, user=world.complainant)
        assert replay.value.reason == "used"

    def test_the_complainant_confirms_in_the_browser_pages(
        self, client, world, direct_case, django_capture_on_commit_callbacks
    ):
        token = _ask(world, direct_case, django_capture_on_commit_callbacks)
        url = reverse("mp_portal:share_confirm", args=[token])
        client.force_login(world.org_a_user)
        assert client.get(url).status_code == 404
        client.force_login(world.complainant)
        assert "Let your MP" in client.get(url).content.decode()
        response = client.post(url)
        assert response.url == reverse("complaints:case", args=[direct_case.reference])
        assert CaseShare.objects.confirmed().count() == 1

    def test_the_office_is_told_the_same_whatever_the_reference(self, client, world):
        client.force_login(world.a_caseworker)
        response = client.post(reverse("mp_portal:share_request"), {"reference": "nonsense"})
        assert "Enter a reference in the correct format" in response.content.decode()
        response = client.post(
            reverse("mp_portal:share_request"), {"reference": "HC-2099-999999"}, follow=True
        )
        assert "If this is the reference of a complaint" in response.content.decode()
