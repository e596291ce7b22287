"""Linked cases: both directions, with a reason; likely duplicates offered while assessing."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from casework.models import CaseEventKind, CaseLink, CaseLinkKind
from casework.selectors import case_likely_duplicates
from casework.services import LinkRefused, case_link
from tests.casework.backoffice_support import make_case, organisation, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def links_url(case):
    return reverse("casework:case_links", kwargs={"reference": case.reference})


class TestCaseLink:
    def test_links_both_ways_with_an_event_on_each(self, caseworker):
        first, second = make_case(), make_case()
        case_link(
            case=first,
            other=second,
            kind=CaseLinkKind.DUPLICATE,
            reason="Same complaint sent twice",
            actor=caseworker,
        )
        assert set(CaseLink.objects.values_list("case", "other")) == {
            (first.pk, second.pk),
            (second.pk, first.pk),
        }
        for case, other in ((first, second), (second, first)):
            event = case.events.get(kind=CaseEventKind.CASE_LINKED)
            assert event.payload["other_reference"] == other.reference
            assert event.reason == "Same complaint sent twice"

    def test_not_twice_not_to_itself_not_without_a_reason(self, caseworker):
        first, second = make_case(), make_case()
        with pytest.raises(LinkRefused, match="itself"):
            case_link(case=first, other=first, kind="related", reason="x", actor=caseworker)
        with pytest.raises(LinkRefused, match="Enter why"):
            case_link(case=first, other=second, kind="related", reason=" ", actor=caseworker)
        case_link(case=first, other=second, kind="related", reason="x", actor=caseworker)
        with pytest.raises(LinkRefused, match="already linked"):
            case_link(case=second, other=first, kind="related", reason="y", actor=caseworker)


class TestLikelyDuplicates:
    def test_same_complainant_and_organisation_within_12_months(self, complainant):
        trust, other_trust = organisation(), organisation()
        case = make_case(complainant=complainant, organisations=[trust], received_days_ago=100)
        within = make_case(complainant=complainant, organisations=[trust], received_days_ago=400)
        make_case(complainant=complainant, organisations=[trust], received_days_ago=500)
        make_case(complainant=complainant, organisations=[other_trust])
        make_case(complainant=UserFactory(), organisations=[trust])
        assert list(case_likely_duplicates(case)) == [within]

    def test_cases_already_linked_are_not_offered_again(self, complainant, caseworker):
        trust = organisation()
        case = make_case(complainant=complainant, organisations=[trust])
        earlier = make_case(complainant=complainant, organisations=[trust], received_days_ago=9)
        case_link(case=case, other=earlier, kind="duplicate", reason="Sent twice", actor=caseworker)
        assert list(case_likely_duplicates(case)) == []


class TestLinksPage:
    def test_link_from_the_page_shows_on_both_cases(self, client, complainant):
        first, second = make_case(complainant=complainant), make_case()
        client, _ = signed_in(client)
        page = client.get(links_url(first) + f"?other={second.reference}").content.decode()
        assert f'value="{second.reference}"' in page
        response = client.post(
            links_url(first),
            {
                "other": second.reference.lower(),
                "kind": "related",
                "reason": "Same ward, same week",
            },
        )
        assert response.status_code == 302
        for case, other in ((first, second), (second, first)):
            body = client.get(
                reverse("casework:case_detail", kwargs={"reference": case.reference})
            ).content.decode()
            assert f"{other.reference}</a> – related: Same ward, same week" in body

    def test_an_unknown_reference_is_an_error(self, client):
        client, _ = signed_in(client)
        response = client.post(
            links_url(make_case()), {"other": "HC-2026-424242", "kind": "related", "reason": "x"}
        )
        body = response.content.decode()
        assert "There is no case with that reference" in body
        assert not CaseLink.objects.exists()

    def test_missing_answers_are_errors(self, client):
        client, _ = signed_in(client)
        body = client.post(links_url(make_case()), {}).content.decode()
        assert "Enter the reference of the case to link to" in body
        assert "Select how the cases are linked" in body
        assert "Enter why these cases are linked" in body

    def test_analysts_are_refused(self, client):
        client, _ = signed_in(client, Role.ANALYST)
        assert client.get(links_url(make_case())).status_code == 403
