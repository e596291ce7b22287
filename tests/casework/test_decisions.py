from datetime import date

import pytest
import time_machine

from casework.models import (
    CaseEvent,
    CaseEventKind,
    Decision,
    DecisionOutcome,
    RecommendationStatus,
)
from casework.services import CaseIncomplete, case_transition
from casework.services_decisions import (
    DecisionRefused,
    decision_publish,
    decision_record,
    decision_redaction_confirm,
    decision_summary_redact,
    provisional_comment_record,
    provisional_report_share,
    recommendation_add,
    recommendation_compliance_record,
)
from casework.state import CaseAction, CaseStatus
from tests.casework.decisions_support import case_with_organisation, organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = "2026-03-02 10:00:00+00:00"


class TestDecisionTransitions:
    def test_provisional_decision_needs_the_report_shared(self, caseworker):
        case, _ = case_with_organisation(actor=caseworker)
        with pytest.raises(CaseIncomplete) as excinfo:
            case_transition(
                case_id=case.pk, action=CaseAction.ISSUE_PROVISIONAL_DECISION, actor=caseworker
            )
        assert excinfo.value.missing == [
            "Share the provisional report with the parties for their comments"
        ]
        provisional_report_share(case=case, actor=caseworker, report="We found failings.")
        case = case_transition(
            case_id=case.pk, action=CaseAction.ISSUE_PROVISIONAL_DECISION, actor=caseworker
        )
        assert case.status == CaseStatus.PROVISIONAL_DECISION

    def test_final_decision_needs_outcome_and_reasons(self, caseworker):
        case, _ = case_with_organisation(actor=caseworker, status=CaseStatus.PROVISIONAL_DECISION)
        with pytest.raises(CaseIncomplete) as excinfo:
            case_transition(
                case_id=case.pk, action=CaseAction.ISSUE_FINAL_DECISION, actor=caseworker
            )
        assert excinfo.value.missing == [
            "Record the outcome of the decision",
            "Record the reasons for the decision",
        ]
        decision_record(
            case=case, actor=caseworker, outcome=DecisionOutcome.UPHELD, findings="", reasons=""
        )
        with pytest.raises(CaseIncomplete, match="reasons"):
            case_transition(
                case_id=case.pk, action=CaseAction.ISSUE_FINAL_DECISION, actor=caseworker
            )
        decision_record(
            case=case,
            actor=caseworker,
            outcome=DecisionOutcome.UPHELD,
            findings="F",
            reasons="Because",
        )
        case = case_transition(
            case_id=case.pk, action=CaseAction.ISSUE_FINAL_DECISION, actor=caseworker
        )
        assert case.status == CaseStatus.FINAL_DECISION

    def test_decision_is_fixed_once_final(self, caseworker):
        case, _ = case_with_organisation(actor=caseworker, status=CaseStatus.FINAL_DECISION)
        with pytest.raises(DecisionRefused, match="can no longer be changed"):
            decision_record(case=case, actor=caseworker, outcome="upheld", findings="", reasons="x")


class TestProvisionalComments:
    @time_machine.travel(MONDAY, tick=False)
    def test_comments_by_the_deadline_are_recorded_per_party(self, caseworker, complainant):
        case, org = case_with_organisation(actor=caseworker, complainant=complainant)
        decision = provisional_report_share(case=case, actor=caseworker, report="Draft")
        assert decision.comments_due == date(2026, 3, 31)  # 20 UK working days
        with time_machine.travel("2026-03-31 16:00:00+00:00", tick=False):
            provisional_comment_record(
                case=case,
                actor=caseworker,
                party="complainant",
                body="I agree",
                received_on=date(2026, 3, 31),
            )
            provisional_comment_record(
                case=case,
                actor=caseworker,
                party="organisation",
                organisation=org,
                body="We accept the findings",
                received_on=date(2026, 3, 30),
            )
        assert sorted(decision.comments.values_list("party", flat=True)) == [
            "complainant",
            "organisation",
        ]

    @time_machine.travel(MONDAY, tick=False)
    def test_comments_after_the_deadline_are_refused_with_a_clear_message(self, caseworker):
        case, _ = case_with_organisation(actor=caseworker)
        provisional_report_share(case=case, actor=caseworker, report="Draft")
        with time_machine.travel("2026-04-02 09:00:00+00:00", tick=False):
            with pytest.raises(DecisionRefused) as excinfo:
                provisional_comment_record(
                    case=case,
                    actor=caseworker,
                    party="complainant",
                    body="Late",
                    received_on=date(2026, 4, 1),
                )
        assert str(excinfo.value) == (
            "Comments had to reach us by 31 March 2026. These arrived on 1 April 2026, after the "
            "deadline, so they cannot be recorded as comments on the provisional report"
        )

    def test_comments_need_the_report_shared_and_an_organisation_of_the_case(self, caseworker):
        case, _ = case_with_organisation(actor=caseworker)
        with pytest.raises(DecisionRefused, match="not been shared"):
            provisional_comment_record(
                case=case, actor=caseworker, party="complainant", body="x", received_on=date.today()
            )
        provisional_report_share(case=case, actor=caseworker, report="Draft")
        with pytest.raises(DecisionRefused, match="Select which"):
            provisional_comment_record(
                case=case,
                actor=caseworker,
                party="organisation",
                organisation=organisation(),
                body="x",
                received_on=date.today(),
            )


class TestRecommendations:
    @time_machine.travel(MONDAY, tick=False)
    def test_compliance_needs_evidence_and_non_compliance_a_note(self, caseworker):
        case, org = case_with_organisation(actor=caseworker)
        recommendation = recommendation_add(
            case=case,
            actor=caseworker,
            organisation=org,
            text="Apologise in writing",
            due_date=date(2026, 4, 30),
        )
        assert recommendation.status == RecommendationStatus.PENDING
        with pytest.raises(DecisionRefused, match="Select the documents"):
            recommendation_compliance_record(
                recommendation_id=recommendation.pk, actor=caseworker, complied=True
            )
        with pytest.raises(DecisionRefused, match="Enter what the organisation did"):
            recommendation_compliance_record(
                recommendation_id=recommendation.pk, actor=caseworker, complied=False
            )
        recommendation = recommendation_compliance_record(
            recommendation_id=recommendation.pk,
            actor=caseworker,
            complied=False,
            note="Refused to apologise",
        )
        assert recommendation.status == RecommendationStatus.NOT_COMPLIED
        with pytest.raises(DecisionRefused, match="already recorded"):
            recommendation_compliance_record(
                recommendation_id=recommendation.pk, actor=caseworker, complied=False, note="x"
            )

    def test_compliance_with_a_document_of_the_case(self, caseworker):
        from casework.services_decisions import letter_generate

        case, org = case_with_organisation(actor=caseworker)
        document = letter_generate(case=case, kind="acknowledgement", actor=caseworker)
        recommendation = recommendation_add(
            case=case, actor=caseworker, organisation=org, text="Refund", due_date=date(2099, 1, 1)
        )
        recommendation = recommendation_compliance_record(
            recommendation_id=recommendation.pk,
            actor=caseworker,
            complied=True,
            evidence_ids=[document.pk],
        )
        assert recommendation.status == RecommendationStatus.COMPLIED
        assert list(recommendation.evidence.all()) == [document]


class TestPublication:
    def _final_case(self, caseworker, complainant):
        case, _ = case_with_organisation(actor=caseworker, complainant=complainant)
        decision_record(case=case, actor=caseworker, outcome="upheld", findings="F", reasons="R")
        return case

    def test_summary_masks_the_cases_own_names_and_publishing_waits_for_confirmation(
        self, caseworker
    ):
        complainant = UserFactory(full_name="Priya Raman")
        case = self._final_case(caseworker, complainant)
        decision = decision_summary_redact(
            case=case,
            actor=caseworker,
            public_summary=(
                f"PRIYA RAMAN complained. {caseworker.full_name} investigated. Call 07700 900123."
            ),
        )
        assert (
            decision.redacted_summary
            == "[name] complained. [name] investigated. Call [phone number]."
        )
        case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.FINAL_DECISION)
        with pytest.raises(DecisionRefused, match="Confirm the redacted public summary"):
            decision_publish(case=case, actor=caseworker)
        assert not Decision.objects.published().exists()
        decision_redaction_confirm(
            case=case, actor=caseworker, redacted_summary=decision.redacted_summary
        )
        decision_publish(case=case, actor=caseworker)
        assert list(Decision.objects.published()) == [decision]
        assert (
            CaseEvent.objects.filter(case=case, kind=CaseEventKind.DECISION_PUBLISHED).count() == 1
        )

    def test_confirming_an_edit_that_puts_personal_data_back_is_refused(
        self, caseworker, complainant
    ):
        case = self._final_case(caseworker, complainant)
        decision_summary_redact(case=case, actor=caseworker, public_summary="The trust apologised.")
        with pytest.raises(DecisionRefused, match=r"personal data \(email\)"):
            decision_redaction_confirm(
                case=case, actor=caseworker, redacted_summary="Write to a.b@example.org"
            )

    def test_a_new_summary_needs_confirming_again(self, caseworker, complainant):
        case = self._final_case(caseworker, complainant)
        decision_summary_redact(case=case, actor=caseworker, public_summary="The trust apologised.")
        decision_redaction_confirm(
            case=case, actor=caseworker, redacted_summary="The trust apologised."
        )
        decision = decision_summary_redact(
            case=case, actor=caseworker, public_summary="The trust paid."
        )
        assert decision.redaction_confirmed_at is None

    def test_publishing_waits_for_the_final_decision(self, caseworker, complainant):
        case = self._final_case(caseworker, complainant)
        decision_summary_redact(case=case, actor=caseworker, public_summary="The trust apologised.")
        decision_redaction_confirm(
            case=case, actor=caseworker, redacted_summary="The trust apologised."
        )
        with pytest.raises(DecisionRefused, match="Issue the final decision"):
            decision_publish(case=case, actor=caseworker)


class TestLetters:
    @pytest.mark.parametrize(
        "kind", ["acknowledgement", "information_request", "provisional_decision", "final_decision"]
    )
    def test_letter_is_a_real_pdf_with_the_reference_filed_on_the_case(
        self, caseworker, complainant, kind
    ):
        import io

        from pypdf import PdfReader

        from casework.documents import document_bytes_open
        from casework.models import DocumentStatus
        from casework.services_decisions import letter_generate

        case, _ = case_with_organisation(actor=caseworker, complainant=complainant)
        decision_record(
            case=case, actor=caseworker, outcome="upheld", findings="Failings", reasons="Delay"
        )
        document = letter_generate(case=case, kind=kind, actor=caseworker)
        with document_bytes_open(document) as handle:
            content = handle.read()
        assert content.startswith(b"%PDF")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        assert case.reference in text
        assert complainant.full_name in text
        assert document.status == DocumentStatus.CLEAN
        assert document.internal
        assert list(case.documents.usable()) == [document]
        event = CaseEvent.objects.get(case=case, kind=CaseEventKind.LETTER_GENERATED)
        assert event.payload == {"document_id": document.pk, "letter": kind}

    def test_letters_leave_evidence_screening_refusing_truncated_images(self, caseworker):
        from PIL import ImageFile

        from casework.services_decisions import letter_generate

        case, _ = case_with_organisation(actor=caseworker)
        letter_generate(case=case, kind="acknowledgement", actor=caseworker)
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
