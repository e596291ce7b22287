from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from casework.models import (
    CaseEventKind,
    Decision,
    Document,
    EvidenceRequest,
    EvidenceRequestStatus,
)
from casework.services_decisions import (
    decision_record,
    decision_summary_redact,
    evidence_request_create,
    provisional_report_share,
    recommendation_add,
)
from casework.state import CaseStatus
from tests.casework.decisions_support import case_with_organisation, organisation
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_case(caseworker):
    case, org = case_with_organisation(actor=caseworker)
    return case, org


def _pages(case, org, evidence_request, recommendation):
    ref = case.reference
    return [
        reverse("casework:evidence_requests", args=[ref]),
        reverse("casework:evidence_request_new", args=[ref]),
        reverse("casework:evidence_request_response", args=[ref, evidence_request.pk]),
        reverse("casework:evidence_request_extension", args=[ref, evidence_request.pk]),
        reverse("casework:evidence_request_withdrawal", args=[ref, evidence_request.pk]),
        reverse("casework:letters", args=[ref]),
        reverse("casework:decision", args=[ref]),
        reverse("casework:decision_provisional_report", args=[ref]),
        reverse("casework:decision_comment", args=[ref]),
        reverse("casework:decision_recommendation", args=[ref]),
        reverse("casework:decision_compliance", args=[ref, recommendation.pk]),
        reverse("casework:decision_summary", args=[ref]),
    ]


class TestAccess:
    @pytest.fixture
    def pages(self, caseworker, worked_case):
        case, org = worked_case
        evidence_request = evidence_request_create(
            case=case, organisation=org, description="x", actor=caseworker
        )
        recommendation = recommendation_add(
            case=case,
            actor=caseworker,
            organisation=org,
            text="Apologise",
            due_date=date(2099, 1, 1),
        )
        return _pages(case, org, evidence_request, recommendation) + [
            reverse("casework:organisation", args=[org.pk])
        ]

    @pytest.mark.parametrize("role", [Role.COMPLAINANT, Role.ANALYST])
    def test_people_who_do_not_work_cases_are_refused(self, client, pages, role):
        otp_verified_client(client, UserFactory(roles=[role]))
        for url in pages:
            assert client.get(url).status_code == 403, url
        assert client.post(pages[1], {}).status_code == 403

    def test_unknown_case_organisation_and_request_are_not_found(self, staff_client, worked_case):
        case, _ = worked_case
        assert (
            staff_client.get(
                reverse("casework:evidence_requests", args=["HC-2026-999999"])
            ).status_code
            == 404
        )
        assert (
            staff_client.get(reverse("casework:decision", args=["HC-2026-999999"])).status_code
            == 404
        )
        assert staff_client.get(reverse("casework:organisation", args=[999999])).status_code == 404
        url = reverse("casework:evidence_request_response", args=[case.reference, 999999])
        assert staff_client.get(url).status_code == 404

    def test_another_cases_request_is_not_found(self, staff_client, caseworker, worked_case):
        case, _ = worked_case
        other, other_org = case_with_organisation(actor=caseworker)
        request = evidence_request_create(
            case=other, organisation=other_org, description="x", actor=caseworker
        )
        url = reverse("casework:evidence_request_response", args=[case.reference, request.pk])
        assert staff_client.get(url).status_code == 404

    def test_caseworker_sees_every_page(self, staff_client, pages):
        for url in pages:
            assert staff_client.get(url).status_code == 200, url


class TestEvidenceRequestPages:
    def test_create_shows_govuk_errors_then_creates(self, staff_client, worked_case):
        case, org = worked_case
        url = reverse("casework:evidence_request_new", args=[case.reference])
        response = staff_client.post(url, {"working_days": "0", "sent_to": "not-an-email"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "There is a problem" in content
        assert "Select the organisation you are asking for evidence" in content
        assert "Enter what evidence you need" in content
        assert "Working days must be 1 or more" in content
        response = staff_client.post(
            url,
            {"organisation": org.pk, "description": "Records", "working_days": "20", "sent_to": ""},
        )
        assert response.status_code == 302
        assert EvidenceRequest.objects.get(case=case).description == "Records"

    @time_machine.travel("2026-03-02 10:00:00+00:00", tick=False)
    def test_late_response_is_recorded_as_met_late(self, staff_client, caseworker, worked_case):
        case, org = worked_case
        request = evidence_request_create(
            case=case, organisation=org, description="x", actor=caseworker, working_days=1
        )
        url = reverse("casework:evidence_request_response", args=[case.reference, request.pk])
        with time_machine.travel("2026-03-10 10:00:00+00:00", tick=False):
            response = staff_client.post(url, {"received_on": "9/3/2026"})
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == EvidenceRequestStatus.MET_LATE

    def test_future_response_date_is_an_error_on_the_field(
        self, staff_client, caseworker, worked_case
    ):
        case, org = worked_case
        request = evidence_request_create(
            case=case, organisation=org, description="x", actor=caseworker
        )
        url = reverse("casework:evidence_request_response", args=[case.reference, request.pk])
        response = staff_client.post(url, {"received_on": "1/1/2099"})
        assert "must be today or in the past" in response.content.decode()
        assert 'href="#id_received_on"' in response.content.decode()

    def test_extension_form(self, staff_client, caseworker, worked_case):
        case, org = worked_case
        request = evidence_request_create(
            case=case, organisation=org, description="x", actor=caseworker
        )
        url = reverse("casework:evidence_request_extension", args=[case.reference, request.pk])
        assert (
            "Enter why the organisation asked for more time"
            in staff_client.post(url, {"extra_working_days": "5"}).content.decode()
        )
        assert (
            staff_client.post(url, {"extra_working_days": "5", "reason": "Off site"}).status_code
            == 302
        )
        assert EvidenceRequest.objects.get(pk=request.pk).due_date > request.due_date

    def test_withdraw_form(self, staff_client, caseworker, worked_case):
        case, org = worked_case
        request = evidence_request_create(
            case=case, organisation=org, description="x", actor=caseworker
        )
        url = reverse("casework:evidence_request_withdrawal", args=[case.reference, request.pk])
        content = staff_client.post(url, {}).content.decode()
        assert "Enter why the request is being withdrawn" in content
        assert staff_client.post(url, {"reason": "Not needed"}).status_code == 302
        request.refresh_from_db()
        assert request.status == EvidenceRequestStatus.WITHDRAWN

    @pytest.mark.parametrize("rows", [1, 30])
    def test_list_and_organisation_pages_run_a_fixed_number_of_queries(
        self, staff_client, caseworker, django_assert_max_num_queries, rows
    ):
        org = organisation()
        case, _ = case_with_organisation(actor=caseworker, org=org)
        for _ in range(rows):
            evidence_request_create(case=case, organisation=org, description="x", actor=caseworker)
        with django_assert_max_num_queries(12):
            response = staff_client.get(
                reverse("casework:evidence_requests", args=[case.reference])
            )
        assert response.content.decode().count("Record response") == rows
        with django_assert_max_num_queries(10):
            response = staff_client.get(reverse("casework:organisation", args=[org.pk]))
        assert response.content.decode().count(f">{case.reference}</a>") == rows


class TestOrganisationPage:
    def test_shows_responsiveness(self, staff_client, caseworker):
        org = organisation()
        case, _ = case_with_organisation(actor=caseworker, org=org)
        evidence_request_create(case=case, organisation=org, description="x", actor=caseworker)
        content = staff_client.get(reverse("casework:organisation", args=[org.pk])).content.decode()
        assert "No responses yet" in content
        assert "Waiting for a response" in content


class TestLetterPages:
    def test_preview_is_a_pdf_not_filed_and_generate_files_one(self, staff_client, worked_case):
        case, _ = worked_case
        url = reverse("casework:letters", args=[case.reference])
        response = staff_client.get(url, {"kind": "acknowledgement"})
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert not Document.objects.filter(case=case).exists()
        response = staff_client.post(url, {"kind": "acknowledgement"})
        assert response.status_code == 302
        assert Document.objects.filter(case=case).count() == 1
        assert "acknowledgement letter" in staff_client.get(url).content.decode()

    def test_unknown_letter_is_an_error(self, staff_client, worked_case):
        case, _ = worked_case
        response = staff_client.post(
            reverse("casework:letters", args=[case.reference]), {"kind": "nope"}
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()


class TestDecisionPages:
    def test_decision_form_errors_and_save(self, staff_client, worked_case):
        case, _ = worked_case
        url = reverse("casework:decision", args=[case.reference])
        content = staff_client.post(url, {}).content.decode()
        assert "Select the outcome of the decision" in content
        assert "Enter the reasons for the decision" in content
        response = staff_client.post(url, {"outcome": "upheld", "findings": "F", "reasons": "R"})
        assert response.status_code == 302
        assert Decision.objects.get(case=case).outcome == "upheld"

    @time_machine.travel("2026-03-02 10:00:00+00:00", tick=False)
    def test_late_comments_are_refused_with_the_dates(self, staff_client, caseworker, worked_case):
        case, _ = worked_case
        provisional_report_share(case=case, actor=caseworker, report="Draft")
        url = reverse("casework:decision_comment", args=[case.reference])
        with time_machine.travel("2026-04-02 10:00:00+00:00", tick=False):
            response = staff_client.post(
                url, {"party": "complainant", "body": "Late", "received_on": "1/4/2026"}
            )
        content = response.content.decode()
        assert "Comments had to reach us by 31 March 2026" in content
        assert 'href="#id_received_on"' in content
        assert "There is a problem" in content

    def test_publish_refused_until_redaction_confirmed(self, staff_client, caseworker, worked_case):
        case, _ = worked_case
        decision_record(case=case, actor=caseworker, outcome="upheld", findings="F", reasons="R")
        decision_summary_redact(case=case, actor=caseworker, public_summary="Call 07700 900123.")
        case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.FINAL_DECISION)
        publish = reverse("casework:decision_publish", args=[case.reference])
        response = staff_client.post(publish)
        assert response.status_code == 400
        assert "Confirm the redacted public summary before publishing" in response.content.decode()
        check = reverse("casework:decision_redaction", args=[case.reference])
        content = staff_client.get(check).content.decode()
        assert "Call [phone number]." in content
        assert "07700 900123" in content  # shown to staff in the findings table
        response = staff_client.post(check, {"redacted_summary": "Call [phone number]."})
        assert "Confirm that you have read the summary" in response.content.decode()
        response = staff_client.post(
            check, {"redacted_summary": "Call [phone number].", "confirmed": "on"}
        )
        assert response.status_code == 302
        assert staff_client.post(publish).status_code == 302
        assert Decision.objects.published().count() == 1
        assert case.events.filter(kind=CaseEventKind.DECISION_PUBLISHED).exists()

    def test_after_the_final_decision_the_decision_is_shown_not_offered_for_editing(
        self, staff_client, caseworker, worked_case
    ):
        case, _ = worked_case
        decision_record(
            case=case, actor=caseworker, outcome="upheld", findings="F", reasons="Because"
        )
        case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.FINAL_DECISION)
        content = staff_client.get(
            reverse("casework:decision", args=[case.reference])
        ).content.decode()
        assert "Save decision" not in content
        assert "Because" in content
