from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from casework import services_coding
from casework.models import (
    AuditEntry,
    ClinicalCode,
    CodeAxis,
    CodeReview,
    CodingRun,
    CodingRunStatus,
    CodingSource,
    Document,
    DocumentStatus,
    TextStatus,
)
from casework.services import document_delete
from casework.services_coding import (
    MAX_CODES_PER_SOURCE,
    REASON_NO_TEXT,
    CodeReviewRefused,
    case_narrative_code,
    clinical_code_review,
    clinical_codes_confirm_present,
    document_code,
)
from complaints.models import ComplaintDetails
from phso.management.commands.seed_demo import seed_clinical_codes
from tests.casework.backoffice_support import make_case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NARRATIVE = (
    "My father was admitted with sepsis. No evidence of pneumonia was found. "
    "His mother had breast cancer. The nurses were rude and his discharge was delayed."
)


def coded_document(case, text, *, text_status=TextStatus.EXTRACTED, **kwargs):
    return Document.objects.create(
        case=case,
        uploader_role="staff",
        original_filename="discharge-summary.pdf",
        status=DocumentStatus.CLEAN,
        text_status=text_status,
        extracted_text=text,
        **kwargs,
    )


def complaint_details(case, *, impact):
    return ComplaintDetails.objects.create(
        case=case,
        full_name="Jo Bloggs",
        email="jo@example.org",
        postcode="LS1 3EX",
        address_line_1="1 Park Row",
        town="Leeds",
        date_of_birth=date(1960, 1, 1),
        what_happened=case.summary,
        happened_on=date(2026, 1, 5),
        where_it_happened="Ward 3",
        impact=impact,
        desired_outcome="An apology and assurance sepsis is spotted next time",
        complained_on=date(2026, 2, 1),
        final_response=True,
        has_evidence=False,
        contact_method="email",
    )


def codes_of(case, **filters):
    return {
        (code.axis, code.code, code.status, code.text)
        for code in ClinicalCode.objects.filter(case=case, **filters)
    }


class TestNarrativeCoding:
    def test_conditions_with_their_context_and_themes_are_suggested(self):
        case = make_case(summary=NARRATIVE)
        run = case_narrative_code(case_id=case.pk)
        assert run.source == CodingSource.NARRATIVE and run.document_id is None
        assert run.status == CodingRunStatus.DONE
        assert run.chars_total == run.chars_coded == len(NARRATIVE)
        assert not run.truncated and run.engine_version.startswith("icd10-")
        conditions = codes_of(case, axis=CodeAxis.CONDITION)
        assert ("condition", "A41.9", "present", "sepsis") in conditions
        assert ("condition", "J18.9", "negated", "pneumonia") in conditions
        assert ("condition", "C50.9", "family", "breast cancer") in conditions
        themes = {
            (code.code, code.description, code.system, code.status)
            for code in ClinicalCode.objects.filter(case=case, axis=CodeAxis.THEME)
        }
        assert ("staff_attitude", "Staff attitude", "theme", "present") in themes
        assert run.findings_count == ClinicalCode.objects.filter(run=run).count()
        for code in ClinicalCode.objects.filter(case=case):
            assert NARRATIVE[code.start : code.end] == code.text
            assert code.review == CodeReview.SUGGESTED

    def test_the_impact_from_the_complaint_form_is_coded_too(self, complainant):
        case = make_case(summary="The GP did not refer her.", complainant=complainant)
        complaint_details(case, impact="I now have PTSD.")
        case_narrative_code(case_id=case.pk)
        assert ClinicalCode.objects.filter(case=case, code="F43.1").exists()
        # What they want done is not a finding about the patient.
        assert not ClinicalCode.objects.filter(case=case, code="A41.9").exists()

    def test_empty_narrative_stops_with_a_reason(self):
        case = make_case(summary="   ")
        run = case_narrative_code(case_id=case.pk)
        assert run.status == CodingRunStatus.STOPPED
        assert run.reason == REASON_NO_TEXT
        assert not ClinicalCode.objects.filter(case=case).exists()

    def test_foreign_and_garbled_text_completes_with_few_findings(self):
        case = make_case(
            summary="Mi padre fue ingresado en el hospital. ¤¤ ÿþ\ufffd %%% 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ"
        )
        run = case_narrative_code(case_id=case.pk)
        assert run.status == CodingRunStatus.DONE
        assert ClinicalCode.objects.filter(case=case).count() <= 1

    def test_an_engine_failure_is_a_stopped_run_not_a_crash(self, monkeypatch, caplog):
        case = make_case(summary=NARRATIVE)

        def broken(text, **kwargs):
            raise RuntimeError("spaCy fell over")

        monkeypatch.setattr(services_coding, "code_document", broken)
        run = case_narrative_code(case_id=case.pk)
        assert run.status == CodingRunStatus.STOPPED
        assert "the coding engine failed (RuntimeError)" == run.reason
        assert "Clinical coding failed" in caplog.text
        assert not ClinicalCode.objects.filter(case=case).exists()

    def test_a_narrative_edited_while_coding_is_coded_again(self, monkeypatch):
        case = make_case(summary="She had a stroke.")
        real = services_coding.code_document
        calls = []

        def edit_then_code(text, **kwargs):
            calls.append(text)
            if len(calls) == 1:
                type(case).objects.filter(pk=case.pk).update(summary="She had sepsis.")
            return real(text, **kwargs)

        monkeypatch.setattr(services_coding, "code_document", edit_then_code)
        case_narrative_code(case_id=case.pk)
        assert calls == ["She had a stroke.", "She had sepsis."]
        assert codes_of(case, axis=CodeAxis.CONDITION) == {
            ("condition", "A41.9", "present", "sepsis")
        }


class TestRecoding:
    def test_recoding_keeps_reviews_and_replaces_suggestions(self, caseworker):
        case = make_case(summary=NARRATIVE)
        run = case_narrative_code(case_id=case.pk)
        sepsis = ClinicalCode.objects.get(case=case, code="A41.9")
        pneumonia = ClinicalCode.objects.get(case=case, code="J18.9")
        clinical_code_review(code=sepsis, reviewer=caseworker, decision=CodeReview.CONFIRMED)
        clinical_code_review(code=pneumonia, reviewer=caseworker, decision=CodeReview.REJECTED)
        before = ClinicalCode.objects.filter(case=case).count()

        again = case_narrative_code(case_id=case.pk)
        assert again.pk == run.pk
        assert CodingRun.objects.filter(case=case).count() == 1
        assert ClinicalCode.objects.filter(case=case).count() == before
        sepsis.refresh_from_db()
        pneumonia.refresh_from_db()
        assert (sepsis.review, sepsis.reviewed_by) == (CodeReview.CONFIRMED, caseworker)
        assert pneumonia.review == CodeReview.REJECTED

        # The text changes: suggestions that no longer fit go, the reviews stay.
        type(case).objects.filter(pk=case.pk).update(summary="He fell and broke his hip.")
        case_narrative_code(case_id=case.pk)
        remaining = ClinicalCode.objects.filter(case=case)
        reviewed = remaining.exclude(review=CodeReview.SUGGESTED)
        assert set(reviewed.values_list("code", flat=True)) == {"A41.9", "J18.9"}
        assert not remaining.filter(code="C50.9").exists()
        assert remaining.filter(review=CodeReview.SUGGESTED).exists()


class TestDocumentCoding:
    def test_a_documents_text_is_coded_against_its_own_run(self):
        case = make_case(summary="")
        document = coded_document(case, "Diagnosis: community acquired pneumonia. No sepsis.")
        run = document_code(document_id=document.pk)
        assert (run.source, run.document_id, run.case_id) == (
            CodingSource.DOCUMENT,
            document.pk,
            case.pk,
        )
        assert codes_of(case, document=document, axis=CodeAxis.CONDITION) == {
            ("condition", "J18.9", "present", "pneumonia"),
            ("condition", "A41.9", "negated", "sepsis"),
        }

    def test_a_document_without_text_stops_with_a_reason(self):
        case = make_case()
        document = coded_document(case, "", text_status=TextStatus.NO_TEXT)
        run = document_code(document_id=document.pk)
        assert (run.status, run.reason) == (CodingRunStatus.STOPPED, REASON_NO_TEXT)

    def test_a_document_still_being_read_is_not_coded(self):
        case = make_case()
        document = coded_document(case, "", text_status=TextStatus.PENDING)
        assert document_code(document_id=document.pk) is None
        assert not CodingRun.objects.exists()

    def test_a_document_deleted_while_being_coded_leaves_nothing(self, monkeypatch, caseworker):
        case = make_case()
        document = coded_document(case, "She developed sepsis after the operation.")
        real = services_coding.code_document

        def delete_meanwhile(text, **kwargs):
            result = real(text, **kwargs)
            document_delete(document=document, actor=caseworker)
            return result

        monkeypatch.setattr(services_coding, "code_document", delete_meanwhile)
        assert document_code(document_id=document.pk) is None
        assert not CodingRun.objects.filter(document=document).exists()
        assert not ClinicalCode.objects.filter(document=document).exists()

    def test_deleting_a_document_removes_its_codes_reviewed_or_not(self, caseworker):
        case = make_case(summary="She had sepsis.")
        case_narrative_code(case_id=case.pk)
        document = coded_document(case, "She developed sepsis. Then a stroke.")
        document_code(document_id=document.pk)
        code = ClinicalCode.objects.filter(document=document).first()
        clinical_code_review(code=code, reviewer=caseworker, decision=CodeReview.CONFIRMED)
        document_delete(document=document, actor=caseworker)
        assert not ClinicalCode.objects.filter(document=document).exists()
        assert not CodingRun.objects.filter(document=document).exists()
        # The narrative's codes are not the document's.
        assert ClinicalCode.objects.filter(case=case, document__isnull=True).exists()
        assert document_code(document_id=document.pk) is None
        assert not CodingRun.objects.filter(document=document).exists()

    def test_an_enormous_record_is_coded_within_bounds(self):
        case = make_case()
        page = (
            "Day 3. Patient reviewed on the ward. Observations stable, no new concerns. "
            "Plan: continue antibiotics for pneumonia and review bloods in the morning. " * 10
        )
        text = "\n\n".join([page] * 600)  # roughly a 600-page record, 900k characters
        assert len(text) > 900_000
        document = coded_document(case, text)
        run = document_code(document_id=document.pk)
        assert run.status == CodingRunStatus.DONE
        assert run.chars_total == len(text)
        assert run.truncated
        assert f"kept the first {MAX_CODES_PER_SOURCE:,}" in run.reason
        assert ClinicalCode.objects.filter(run=run).count() == MAX_CODES_PER_SOURCE

    def test_text_longer_than_the_limit_is_cut_and_says_so(self, settings):
        settings.CODING_MAX_CHARS = 40
        case = make_case(summary="The patient was admitted. Later she developed sepsis.")
        run = case_narrative_code(case_id=case.pk)
        assert run.truncated and run.chars_coded < run.chars_total
        assert "coded the first" in run.reason
        assert not ClinicalCode.objects.filter(case=case, code="A41.9").exists()


class TestReview:
    def test_confirm_and_reject_are_audited(self, caseworker):
        case = make_case(summary=NARRATIVE)
        case_narrative_code(case_id=case.pk)
        code = ClinicalCode.objects.get(case=case, code="A41.9")
        clinical_code_review(code=code, reviewer=caseworker, decision="confirmed", ip="192.0.2.1")
        clinical_code_review(code=code, reviewer=caseworker, decision="rejected", ip="-")
        code.refresh_from_db()
        assert code.review == CodeReview.REJECTED and code.reviewed_at is not None
        entries = list(AuditEntry.objects.filter(case=case, object_id=str(code.pk)))
        assert [(e.action, e.user, e.detail["previous"]) for e in entries] == [
            ("clinical_code.confirmed", caseworker, "suggested"),
            ("clinical_code.rejected", caseworker, "confirmed"),
        ]
        assert entries[0].ip == "192.0.2.1" and entries[1].ip is None
        assert list(ClinicalCode.objects.confirmed()) == []

    def test_the_same_decision_twice_is_recorded_once(self, caseworker):
        case = make_case(summary="She had sepsis.")
        case_narrative_code(case_id=case.pk)
        code = ClinicalCode.objects.get(case=case, code="A41.9")
        for _ in range(2):
            clinical_code_review(code=code, reviewer=caseworker, decision=CodeReview.CONFIRMED)
        assert AuditEntry.objects.filter(action="clinical_code.confirmed").count() == 1
        assert list(ClinicalCode.objects.confirmed()) == [code]

    def test_only_people_who_work_cases_review(self):
        case = make_case(summary="She had sepsis.")
        case_narrative_code(case_id=case.pk)
        code = ClinicalCode.objects.get(case=case, code="A41.9")
        for role in (Role.ANALYST, Role.COMPLAINANT):
            with pytest.raises(PermissionDenied):
                clinical_code_review(
                    code=code, reviewer=UserFactory(roles=[role]), decision=CodeReview.CONFIRMED
                )
        with pytest.raises(CodeReviewRefused):
            clinical_code_review(
                code=code,
                reviewer=UserFactory(roles=[Role.CASEWORKER]),
                decision=CodeReview.SUGGESTED,
            )
        assert ClinicalCode.objects.get(pk=code.pk).review == CodeReview.SUGGESTED

    def test_confirm_present_confirms_only_present_suggested_conditions(self, caseworker):
        case = make_case(summary=NARRATIVE + " She also had a stroke.")
        run = case_narrative_code(case_id=case.pk)
        stroke = ClinicalCode.objects.get(case=case, code__startswith="I6")
        clinical_code_review(code=stroke, reviewer=caseworker, decision=CodeReview.REJECTED)
        count = clinical_codes_confirm_present(run=run, reviewer=caseworker)
        assert count == 1
        confirmed = ClinicalCode.objects.confirmed()
        assert [(c.code, c.status, c.axis) for c in confirmed] == [
            ("A41.9", "present", "condition")
        ]
        assert ClinicalCode.objects.get(pk=stroke.pk).review == CodeReview.REJECTED
        entry = AuditEntry.objects.get(action="clinical_code.confirm_present")
        assert entry.detail["code_ids"] == [confirmed[0].pk]
        assert clinical_codes_confirm_present(run=run, reviewer=caseworker) == 0


class TestDemoSeed:
    def test_demo_cases_are_coded_once_and_closed_ones_confirmed(self, caseworker):
        open_case = make_case(summary="A delay in diagnosing my cancer.", system_reason="seed_demo")
        closed = make_case(
            summary="My father's sepsis was missed.",
            status="closed",
            assignee=caseworker,
            system_reason="seed_demo",
        )
        real = make_case(summary="She had a stroke.", status="closed", assignee=caseworker)
        seed_clinical_codes()
        seed_clinical_codes()
        assert CodingRun.objects.filter(case__in=[open_case, closed]).count() == 2
        assert not CodingRun.objects.filter(case=real).exists()
        assert [(c.case_id, c.code) for c in ClinicalCode.objects.confirmed()] == [
            (closed.pk, "A41.9")
        ]
        assert not ClinicalCode.objects.confirmed().filter(case=open_case).exists()
