"""The Precedents page of a case: what it shows, who may see and use it, and what it costs."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from casework import precedents
from casework.models import AuditEntry, PrecedentSuggestion
from casework.services_precedents import precedents_find
from tests.casework.backoffice_support import make_case, signed_in
from tests.casework.precedents_support import decided_case, health_body, with_codes

SUMMARY = "Discharged from hospital without antibiotics and readmitted with sepsis."


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.PRECEDENT_INDEX_DIR = tmp_path / "precedents"
    precedents.caches_clear()


@pytest.fixture
def precedent(db):
    return decided_case(
        "Sent home from hospital without antibiotics; sepsis followed.",
        decision_summary="We found the trust discharged the patient without the medicine.",
        published=True,
        themes=["discharge"],
    )


@pytest.fixture
def case(db):
    return make_case(summary=SUMMARY, organisations=[health_body()])


def url(case, name="casework:precedents", **kwargs):
    return reverse(name, kwargs={"reference": case.reference, **kwargs})


class TestPrecedentsPage:
    def test_shows_each_precedent_with_outcome_summary_and_why(self, client, case, precedent):
        precedents_find(case=case)
        client, user = signed_in(client)
        response = client.get(url(case))
        body = response.content.decode()
        assert response.status_code == 200
        assert precedent.reference in body
        assert reverse("casework:case_detail", kwargs={"reference": precedent.reference}) in body
        assert "Upheld" in body
        assert "Published summary" in body
        assert "discharged the patient without the medicine." in body
        assert "Same kind of organisation" in body
        assert "antibiotics" in body
        assert "Find precedents again" in body
        entry = AuditEntry.objects.get(action="precedents.view")
        assert entry.user == user and entry.case == case

    def test_find_precedents_runs_the_check_now(self, client, case, precedent):
        client, user = signed_in(client)
        assert "No precedents have been found" in client.get(url(case)).content.decode()
        response = client.post(url(case, "casework:precedents_find"))
        assert response.status_code == 302
        [suggestion] = PrecedentSuggestion.objects.filter(case=case)
        assert suggestion.precedent == precedent
        assert AuditEntry.objects.get(action="precedents.find").user == user

    def test_reasons_are_named_as_people_name_them_not_as_stored_keys(self, client, precedent):
        case = with_codes(
            make_case(summary=SUMMARY, organisations=[health_body()]),
            themes=["discharge"],
            codes=["ICD-10:A41.9"],
        )
        with_codes(precedent, codes=["ICD-10:A41.9"])
        precedents_find(case=case)
        client, _ = signed_in(client)
        reasons = client.get(url(case)).content.decode()
        assert "Same kind of organisation: NHS trust" in reasons
        assert "Shared themes: Discharge and transfer" in reasons
        assert "Shared clinical codes: Sepsis, unspecified (ICD-10 A41.9)" in reasons
        assert "ICD-10:A41.9" not in reasons
        assert "Shared themes: discharge" not in reasons

    def test_marking_useful_and_not_useful_is_stored(self, client, case, precedent):
        [suggestion] = precedents_find(case=case)
        client, user = signed_in(client)
        feedback = url(case, "casework:precedent_feedback", suggestion_id=suggestion.pk)
        client.post(feedback, {"useful": "yes"})
        suggestion.refresh_from_db()
        assert suggestion.useful is True and suggestion.feedback_by == user
        response = client.post(feedback, {"useful": "no"}, follow=True)
        suggestion.refresh_from_db()
        assert suggestion.useful is False
        assert "marked as not useful" in response.content.decode()

    def test_an_answer_that_is_neither_changes_nothing(self, client, case, precedent):
        [suggestion] = precedents_find(case=case)
        client, _ = signed_in(client)
        client.post(
            url(case, "casework:precedent_feedback", suggestion_id=suggestion.pk),
            {"useful": "maybe"},
        )
        suggestion.refresh_from_db()
        assert suggestion.useful is None

    def test_query_count_does_not_grow_with_the_precedents(
        self, client, case, precedent, django_assert_max_num_queries
    ):
        precedents_find(case=case)
        client, _ = signed_in(client)
        with django_assert_max_num_queries(25) as few:
            client.get(url(case))
        for number in range(6):
            decided_case(f"Sepsis after discharge without antibiotics, number {number}.")
        precedents_find(case=case, limit=5)
        assert PrecedentSuggestion.objects.filter(case=case).count() == 5
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url(case))


class TestWhoMayUseIt:
    @pytest.mark.parametrize("role", [Role.ANALYST, Role.FOI_OFFICER])
    def test_staff_who_work_no_cases_are_refused(self, client, case, precedent, role):
        [suggestion] = precedents_find(case=case)
        client, _ = signed_in(client, role)
        assert client.get(url(case)).status_code == 403
        assert client.post(url(case, "casework:precedents_find")).status_code == 403
        feedback = url(case, "casework:precedent_feedback", suggestion_id=suggestion.pk)
        assert client.post(feedback, {"useful": "yes"}).status_code == 403
        suggestion.refresh_from_db()
        assert suggestion.useful is None
        assert not AuditEntry.objects.filter(action="precedents.view").exists()

    def test_the_complainant_cannot_open_it(self, client, complainant, precedent):
        case = make_case(summary=SUMMARY, complainant=complainant)
        client.force_login(complainant)
        assert client.get(url(case)).status_code in (403, 404)
        assert client.post(url(case, "casework:precedents_find")).status_code in (403, 404)
        assert not PrecedentSuggestion.objects.exists()

    def test_feedback_on_another_cases_suggestion_is_not_found(self, client, case, precedent):
        [suggestion] = precedents_find(case=case)
        other = make_case(summary="Something else")
        client, _ = signed_in(client)
        response = client.post(
            url(other, "casework:precedent_feedback", suggestion_id=suggestion.pk),
            {"useful": "yes"},
        )
        assert response.status_code == 404
        suggestion.refresh_from_db()
        assert suggestion.useful is None

    def test_an_unknown_case_is_not_found(self, client, db):
        client, _ = signed_in(client)
        assert (
            client.get(
                reverse("casework:precedents", kwargs={"reference": "HC-2026-999999"})
            ).status_code
            == 404
        )

    def test_finding_needs_a_post(self, client, case):
        client, _ = signed_in(client)
        assert client.get(url(case, "casework:precedents_find")).status_code == 405
