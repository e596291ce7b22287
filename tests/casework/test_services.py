import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from casework.models import Case, CaseEvent, CaseEventKind, CaseKind
from casework.services import case_create, case_reference_next, case_transition
from casework.state import CaseAction, CaseStatus, IllegalTransition

pytestmark = pytest.mark.django_db


class TestCaseReference:
    def test_references_are_sequential_per_prefix_and_year(self):
        assert case_reference_next(kind=CaseKind.HEALTH, year=2026) == "HC-2026-000001"
        assert case_reference_next(kind=CaseKind.HEALTH, year=2026) == "HC-2026-000002"
        assert case_reference_next(kind=CaseKind.PARLIAMENTARY, year=2026) == "PC-2026-000001"
        assert case_reference_next(kind=CaseKind.HEALTH, year=2027) == "HC-2027-000001"


class TestCaseCreate:
    def test_new_case_is_submitted_with_a_received_event(self, complainant):
        case = case_create(
            kind=CaseKind.HEALTH, complainant=complainant, summary="Discharged too early"
        )
        assert case.status == CaseStatus.SUBMITTED
        assert case.reference.startswith("HC-")
        event = case.events.get()
        assert event.kind == CaseEventKind.RECEIVED
        assert event.to_status == CaseStatus.SUBMITTED
        assert event.system_reason == "case_create"


class TestCaseTransition:
    def test_records_status_timestamp_and_event(self, caseworker):
        case = case_create(kind=CaseKind.HEALTH)
        before = case.status_changed_at
        case_transition(
            case_id=case.pk, action=CaseAction.START_ASSESSMENT, actor=caseworker, reason="New case"
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSESSMENT
        assert case.status_changed_at >= before
        event = case.events.latest("id")
        assert (event.from_status, event.to_status, event.actor, event.reason) == (
            CaseStatus.SUBMITTED,
            CaseStatus.ASSESSMENT,
            caseworker,
            "New case",
        )
        assert event.payload["action"] == "start_assessment"

    def test_illegal_transition_changes_nothing(self, caseworker):
        case = case_create(kind=CaseKind.HEALTH)
        with pytest.raises(IllegalTransition):
            case_transition(case_id=case.pk, action=CaseAction.CLOSE, actor=caseworker)
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED
        assert case.events.count() == 1

    def test_reopen_needs_a_manager(self, caseworker, manager):
        case = case_create(kind=CaseKind.HEALTH)
        case_transition(
            case_id=case.pk, action=CaseAction.WITHDRAW, system_reason="complainant_withdrew"
        )
        with pytest.raises(PermissionDenied):
            case_transition(
                case_id=case.pk,
                action=CaseAction.REOPEN,
                actor=caseworker,
                reason="Withdrawn by mistake",
            )
        case_transition(
            case_id=case.pk, action=CaseAction.REOPEN, actor=manager, reason="Withdrawn by mistake"
        )
        assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT

    def test_a_transition_needs_an_actor_or_a_system_reason(self):
        case = case_create(kind=CaseKind.HEALTH)
        with pytest.raises(ValueError):
            case_transition(case_id=case.pk, action=CaseAction.START_ASSESSMENT)


class TestCaseEventsAreAppendOnly:
    def test_events_cannot_be_changed_or_deleted(self):
        case = case_create(kind=CaseKind.HEALTH)
        event = case.events.get()
        event.reason = "rewritten"
        with pytest.raises(TypeError):
            event.save()
        with pytest.raises(TypeError):
            event.delete()
        with pytest.raises(TypeError):
            CaseEvent.objects.filter(case=case).update(reason="x")
        with pytest.raises(TypeError):
            CaseEvent.objects.filter(case=case).delete()

    def test_an_event_without_actor_or_reason_is_refused_by_the_database(self):
        case = case_create(kind=CaseKind.HEALTH)
        with pytest.raises(IntegrityError):
            CaseEvent.objects.create(case=case, kind=CaseEventKind.STATUS_CHANGED)


class TestCaseCreateWithParties:
    def test_records_organisations_mp_and_place(self):
        from accounts.directory_seed import seed_reference_data
        from accounts.models import Constituency, MemberOfParliament, Organisation

        seed_reference_data()
        organisations = list(Organisation.objects.all()[:2])
        mp = MemberOfParliament.objects.current().select_related("constituency").first()
        case = case_create(
            kind=CaseKind.PARLIAMENTARY,
            organisations=organisations,
            referring_mp=mp,
            constituency=mp.constituency,
            local_authority_code="E09000033",
        )
        case.refresh_from_db()
        assert set(case.organisations.all()) == set(organisations)
        assert case.case_organisations.filter(confirmed_at__isnull=True).count() == 2
        assert (case.referring_mp, case.constituency) == (mp, mp.constituency)
        assert isinstance(case.constituency, Constituency)
        assert case.local_authority_code == "E09000033"
