"""One view of a person: their cases, messages and documents, audited, for case staff only."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from casework.models import AuditEntry, MessageParty
from casework.services import message_send
from tests.casework.backoffice_support import make_case, organisation, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def person_url(user):
    return reverse("casework:person", kwargs={"user_id": user.pk})


class TestPersonPage:
    def test_shows_their_cases_messages_and_documents(self, client, complainant, caseworker):
        theirs = make_case(complainant=complainant, organisations=[organisation("Whittington")])
        represented = make_case(representative=complainant)
        someone_elses = make_case(complainant=UserFactory())
        message_send(
            case=theirs,
            author=complainant,
            party=MessageParty.COMPLAINANT,
            body="I have the letter now",
            from_ombudsman=False,
        )
        message_send(
            case=theirs,
            author=caseworker,
            party=MessageParty.COMPLAINANT,
            body="Thank you, please upload it",
            from_ombudsman=True,
        )
        client, _ = signed_in(client)
        response = client.get(person_url(complainant))
        assert response.status_code == 200
        body = response.content.decode()
        assert complainant.email in body
        assert theirs.reference in body and represented.reference in body
        assert someone_elses.reference not in body
        assert "Representative" in body and "Whittington" in body
        assert "I have the letter now" in body and "Thank you, please upload it" in body
        assert "No documents." in body

    def test_every_view_is_audited(self, client, complainant):
        client, caseworker = signed_in(client)
        client.get(person_url(complainant), REMOTE_ADDR="192.0.2.44")
        entry = AuditEntry.objects.get(action="person.view")
        assert (entry.user, entry.object_id, entry.ip) == (
            caseworker,
            str(complainant.pk),
            "192.0.2.44",
        )

    def test_queries_do_not_grow_with_their_cases(
        self, client, complainant, django_assert_max_num_queries
    ):
        trust = organisation()
        make_case(complainant=complainant, organisations=[trust])
        client, _ = signed_in(client)
        client.get(person_url(complainant))
        with django_assert_max_num_queries(20) as few:
            client.get(person_url(complainant))
        for _ in range(30):
            case = make_case(complainant=complainant, organisations=[trust, organisation()])
            message_send(
                case=case,
                author=complainant,
                party=MessageParty.COMPLAINANT,
                body="Hello",
                from_ombudsman=False,
            )
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(person_url(complainant))
        assert len(response.context["records"].cases) == 31

    def test_an_unknown_person_is_not_found(self, client):
        client, _ = signed_in(client)
        url = reverse("casework:person", kwargs={"user_id": 987654})
        assert client.get(url).status_code == 404

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.FOI_OFFICER])
    def test_staff_who_work_no_cases_are_refused(self, client, complainant, role):
        client, _ = signed_in(client, role)
        assert client.get(person_url(complainant)).status_code == 403
        assert not AuditEntry.objects.exists()

    def test_complainants_are_refused(self, client, complainant):
        client.force_login(complainant)
        assert client.get(person_url(complainant)).status_code == 403
