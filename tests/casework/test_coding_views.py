import pytest
from django.urls import reverse

from accounts.roles import Role
from casework.models import (
    AuditEntry,
    ClinicalCode,
    CodeReview,
    Document,
    DocumentStatus,
    TextStatus,
)
from casework.services import document_delete
from casework.services_coding import case_narrative_code, document_code
from tests.casework.backoffice_support import make_case, signed_in
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NARRATIVE = "Mum was admitted with sepsis. Pneumonia was ruled out. The nurses were rude."


def codes_url(case):
    return reverse("casework:case_codes", args=[case.reference])


def review_url(case, code, decision):
    return reverse("casework:clinical_code_review", args=[case.reference, code.pk, decision])


def document_with(case, text, name="ward-notes.pdf"):
    document = Document.objects.create(
        case=case,
        uploader_role="staff",
        original_filename=name,
        status=DocumentStatus.CLEAN,
        text_status=TextStatus.EXTRACTED,
        extracted_text=text,
    )
    document_code(document_id=document.pk)
    return document


@pytest.fixture
def coded_case(complainant):
    case = make_case(summary=NARRATIVE, complainant=complainant)
    case_narrative_code(case_id=case.pk)
    return case


class TestAccess:
    def test_anonymous_people_are_sent_to_sign_in(self, client, coded_case):
        response = client.get(codes_url(coded_case))
        assert response.status_code == 302
        assert "login" in response["Location"] or "sign-in" in response["Location"]

    @pytest.mark.parametrize("role", [Role.COMPLAINANT, Role.ANALYST, Role.FOI_OFFICER])
    def test_people_who_do_not_work_cases_are_refused(self, client, coded_case, role):
        code = ClinicalCode.objects.filter(case=coded_case).first()
        otp_verified_client(client, UserFactory(roles=[role]))
        assert client.get(codes_url(coded_case)).status_code == 403
        assert client.post(review_url(coded_case, code, "confirm")).status_code == 403
        assert ClinicalCode.objects.get(pk=code.pk).review == CodeReview.SUGGESTED

    def test_the_complainant_of_the_case_cannot_see_its_codes(self, client, coded_case):
        otp_verified_client(client, coded_case.complainant)
        assert client.get(codes_url(coded_case)).status_code == 403

    def test_staff_without_the_second_factor_are_not_let_in(self, client, coded_case, caseworker):
        client.force_login(caseworker)
        response = client.get(codes_url(coded_case))
        assert response.status_code == 302
        assert "Sepsis" not in response.content.decode()

    def test_unknown_case_and_another_cases_code_are_not_found(self, client, coded_case):
        client, _ = signed_in(client)
        unknown = reverse("casework:case_codes", args=["HC-2026-999999"])
        assert client.get(unknown).status_code == 404
        other = make_case(summary="She had a stroke.")
        case_narrative_code(case_id=other.pk)
        others_code = ClinicalCode.objects.filter(case=other).first()
        assert client.post(review_url(coded_case, others_code, "confirm")).status_code == 404
        code = ClinicalCode.objects.filter(case=coded_case).first()
        assert client.post(review_url(coded_case, code, "maybe")).status_code == 404
        assert client.get(review_url(coded_case, code, "confirm")).status_code == 405
        assert ClinicalCode.objects.filter(review=CodeReview.CONFIRMED).count() == 0

    def test_any_caseworker_may_review_as_on_every_case_page(self, client, coded_case, caseworker):
        # Cases are not private to their assignee in the back office: the same rule as notes,
        # decisions and letters.
        coded_case.assignee = caseworker
        coded_case.save(update_fields=["assignee"])
        client, other = signed_in(client)
        code = ClinicalCode.objects.get(case=coded_case, code="A41.9")
        assert client.post(review_url(coded_case, code, "confirm")).status_code == 302
        assert ClinicalCode.objects.get(pk=code.pk).reviewed_by == other


class TestCodesPage:
    def test_codes_are_marked_in_the_text_and_listed_by_status(self, client, coded_case):
        client, user = signed_in(client)
        response = client.get(codes_url(coded_case))
        assert response.status_code == 200
        body = response.content.decode()
        assert '<mark title="ICD-10 A41.9 Sepsis, unspecified, present, suggested">sepsis' in body
        assert "(ICD-10 J18.9 Pneumonia, unspecified, negated, suggested)" in body
        assert "theme: Staff attitude, suggested" in body
        assert body.index("Present conditions") < body.index("Ruled out or absent (negated)")
        assert body.index("Ruled out or absent (negated)") < body.index("Complaint themes")
        assert AuditEntry.objects.filter(
            user=user, case=coded_case, action="case.view", detail={"page": "codes"}
        ).exists()

    def test_text_is_escaped_never_trusted_as_html(self, client):
        case = make_case(summary='<script>alert("x")</script> She had sepsis <b>again</b>.')
        case_narrative_code(case_id=case.pk)
        client, _ = signed_in(client)
        body = client.get(codes_url(case)).content.decode()
        assert "<script>alert" not in body and "<b>" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
        assert "&lt;b&gt;again&lt;/b&gt;" in body
        assert '<mark title="ICD-10 A41.9 Sepsis, unspecified, present, suggested">sepsis' in body

    def test_confirm_and_reject_without_javascript(self, client, coded_case):
        client, user = signed_in(client)
        sepsis = ClinicalCode.objects.get(case=coded_case, code="A41.9")
        pneumonia = ClinicalCode.objects.get(case=coded_case, code="J18.9")
        response = client.post(review_url(coded_case, sepsis, "confirm"))
        assert response.status_code == 302
        assert response["Location"].endswith(f"/codes#code-{sepsis.pk}")
        client.post(review_url(coded_case, pneumonia, "reject"))
        body = client.get(codes_url(coded_case)).content.decode()
        assert "ICD-10 A41.9 Sepsis, unspecified, present, confirmed" in body
        assert "ICD-10 J18.9 Pneumonia, unspecified, negated, rejected" in body
        assert list(ClinicalCode.objects.confirmed()) == [sepsis]
        assert set(
            AuditEntry.objects.filter(user=user, case=coded_case).values_list("action", flat=True)
        ) >= {"clinical_code.confirmed", "clinical_code.rejected"}

    def test_confirm_all_present_conditions_of_a_source(self, client, coded_case):
        client, _ = signed_in(client)
        run = coded_case.coding_runs.get()
        body = client.get(codes_url(coded_case)).content.decode()
        assert "Confirm all 1 present condition" in body
        url = reverse(
            "casework:clinical_codes_confirm_present", args=[coded_case.reference, run.pk]
        )
        response = client.post(url, follow=True)
        assert "Confirmed 1 present condition." in response.content.decode()
        assert [c.code for c in ClinicalCode.objects.confirmed()] == ["A41.9"]

    def test_reviewing_is_for_staff_who_work_cases_only(self, client, coded_case, user_with_role):
        client, _ = signed_in(client, role=Role.ADMINISTRATOR)
        assert "Confirm<span" in client.get(codes_url(coded_case)).content.decode()

    def test_documents_are_sources_and_deleted_ones_disappear(self, client, coded_case, caseworker):
        kept = document_with(coded_case, "Discharge summary: urinary tract infection treated.")
        gone = document_with(coded_case, "Secret: the patient had a stroke.", name="secret.pdf")
        Document.objects.create(
            case=coded_case,
            uploader_role="staff",
            original_filename="scan.jpg",
            status=DocumentStatus.CLEAN,
            text_status=TextStatus.PENDING,
        )
        document_delete(document=gone, actor=caseworker)
        client, _ = signed_in(client)
        body = client.get(codes_url(coded_case)).content.decode()
        assert f'id="document-{kept.pk}"' in body and "ward-notes.pdf" in body
        assert "urinary tract infection" in body
        assert "secret.pdf" not in body and "stroke" not in body
        assert "Documents not coded yet" in body and "scan.jpg (not read yet)" in body

    def test_long_documents_show_passages_around_codes(self, client, coded_case):
        filler = "The patient slept well and ate breakfast. " * 1000
        document_with(coded_case, filler + "She then developed sepsis on the ward. " + filler)
        client, _ = signed_in(client)
        body = client.get(codes_url(coded_case)).content.decode()
        assert "Passages with coded words marked" in body
        assert body.count("The patient slept well") < 20
        assert "developed <mark" in body

    def test_stopped_runs_say_why(self, client):
        case = make_case(summary="")
        case_narrative_code(case_id=case.pk)
        client, _ = signed_in(client)
        assert "Coding stopped: no text to code." in client.get(codes_url(case)).content.decode()

    def test_query_count_does_not_grow_with_codes(
        self, client, coded_case, django_assert_max_num_queries
    ):
        for n in range(3):
            document_with(
                coded_case, "Sepsis, pneumonia, stroke, delirium and a fall. " * 40, name=f"{n}.pdf"
            )
        assert ClinicalCode.objects.filter(case=coded_case).count() > 300
        client, _ = signed_in(client)
        with django_assert_max_num_queries(11):
            response = client.get(codes_url(coded_case))
        assert response.status_code == 200
