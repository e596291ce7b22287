"""The triage suggestion on the case page, and the triage models' report page."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from casework.models import CaseDemographics, TriageModel
from casework.services_triage import triage_model_train, triage_suggest
from casework.state import CaseStatus
from tests.casework.backoffice_support import make_case, signed_in
from tests.casework.precedents_support import health_body
from tests.casework.test_triage import LEARNABLE, closed_cases
from tests.factories import UserFactory

REPORT_URL = reverse("casework:triage_models")


@pytest.fixture
def trained(db):
    cases = closed_cases(LEARNABLE)
    recorder = UserFactory()
    CaseDemographics.objects.bulk_create(
        CaseDemographics(
            case=c,
            recorded_by=recorder,
            age_band="45_54",
            sex="female",
            ethnic_group="black",
            disability="no",
        )
        for c in cases[:8]
    )
    CaseDemographics.objects.create(
        case=cases[8],
        recorded_by=recorder,
        age_band="under_18",
        sex="male",
        ethnic_group="mixed",
        disability="yes",
    )
    return triage_model_train(min_cases=50)


def case_page(client, case):
    return client.get(reverse("casework:case_detail", kwargs={"reference": case.reference}))


class TestSuggestionOnTheCasePage:
    def test_the_assessor_sees_a_labelled_suggestion_with_probability_and_words(
        self, client, trained
    ):
        case = make_case(
            summary="A private dentist did cosmetic work and I want compensation through court.",
            organisations=[health_body()],
            status=CaseStatus.ASSESSMENT,
        )
        suggestion = triage_suggest(case=case)
        client, _ = signed_in(client)
        body = case_page(client, case).content.decode()
        assert "Suggestion only – decide for yourself" in body
        assert "Out of remit" in body
        assert f"({round(100 * suggestion.outcome_probability)}% likely)" in body
        assert suggestion.top_words[0]["word"] in body
        assert "triage model version 1" in body
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSMENT

    def test_not_shown_once_assessment_is_over(self, client, trained):
        case = make_case(summary="private dentist", status=CaseStatus.ASSESSMENT)
        triage_suggest(case=case)
        case.status = CaseStatus.INVESTIGATION
        case.save(update_fields=["status"])
        client, _ = signed_in(client)
        assert "Suggestion only" not in case_page(client, case).content.decode()

    def test_no_suggestion_no_panel(self, client, db):
        case = make_case(summary="Anything", status=CaseStatus.ASSESSMENT)
        client, _ = signed_in(client)
        response = case_page(client, case)
        assert response.status_code == 200
        assert "Triage suggestion" not in response.content.decode()


class TestTriageModelsPage:
    @pytest.mark.parametrize("role", [Role.MANAGER, Role.ANALYST])
    def test_managers_and_analysts_see_versions_scores_and_equality(self, client, trained, role):
        TriageModel.objects.create(
            version=2,
            deployed=False,
            not_deployed_reason="It did not beat the baseline.",
            artifact=b"",
            report={
                "outcome": trained.report["outcome"],
                "theme": {"skipped": True, "reason": "too few"},
            },
        )
        client, _ = signed_in(client, role)
        response = client.get(REPORT_URL)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Version 1" in body and "Version 2" in body
        assert "Deployed" in body and "It did not beat the baseline." in body
        assert "Premature: complain to the organisation first" in body
        assert "Baseline" in body and "Macro F1" in body
        assert "Ethnic group" in body and "Black, Black British" in body
        assert "Fewer than 5 cases: not shown" in body
        assert "Mixed or multiple" in body  # the group is named, its figures withheld
        assert "No theme model was trained: too few" in body

    def test_query_count_does_not_grow_with_versions(
        self, client, trained, django_assert_max_num_queries
    ):
        client, _ = signed_in(client, Role.MANAGER)
        with django_assert_max_num_queries(15) as few:
            client.get(REPORT_URL)
        for version in range(2, 6):
            TriageModel.objects.create(version=version, report=trained.report, artifact=b"")
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert "Version 5" in client.get(REPORT_URL).content.decode()

    @pytest.mark.parametrize("role", [Role.CASEWORKER, Role.FOI_OFFICER])
    def test_staff_without_the_permission_are_refused(self, client, trained, role):
        client, _ = signed_in(client, role)
        assert client.get(REPORT_URL).status_code == 403

    def test_a_complainant_is_refused(self, client, complainant, trained):
        client.force_login(complainant)
        response = client.get(REPORT_URL)
        assert response.status_code in (302, 403)
        assert b"Version 1" not in response.content
