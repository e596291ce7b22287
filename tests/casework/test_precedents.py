"""Precedent checks: the engine, the snapshot and delta, the services and the task hook."""

import pytest
from django.core.management import call_command

from accounts.models import OrganisationKind
from casework import precedents, tasks
from casework.models import AuditEntry, Case, PrecedentSuggestion
from casework.services import case_transition
from casework.services_precedents import (
    precedent_feedback_record,
    precedent_index_build,
    precedents_find,
)
from casework.state import CaseStatus
from tests.casework.backoffice_support import make_case
from tests.casework.precedents_support import decided_case, health_body, with_codes

SEPSIS = (
    "My father was discharged from hospital without his antibiotics and was readmitted with "
    "sepsis two days later. Nobody checked his observations before discharge."
)


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.PRECEDENT_INDEX_DIR = tmp_path / "precedents"
    precedents.caches_clear()
    yield settings.PRECEDENT_INDEX_DIR
    precedents.caches_clear()


def new_case(summary=SEPSIS, kind=OrganisationKind.NHS_TRUST, **kwargs):
    return make_case(summary=summary, organisations=[health_body(kind)], **kwargs)


@pytest.fixture
def corpus(db):
    """Three decided cases: one very like the sepsis complaint, one partly, one not at all."""
    return {
        "best": decided_case(
            "My mother was discharged from hospital without antibiotics and came back with "
            "sepsis. Her observations were not checked before discharge.",
            decision_summary="The trust discharged the patient unsafely.",
            themes=["discharge"],
            codes=["ICD-10:A41"],
        ),
        "partly": decided_case(
            "The GP did not refer my husband to hospital and he developed sepsis.",
            kind=OrganisationKind.GP_PRACTICE,
            outcome="not_upheld",
        ),
        "unrelated": decided_case(
            "HMRC lost my tax credit renewal form and demanded an overpayment back.",
            kind=OrganisationKind.GOVERNMENT_DEPARTMENT,
            outcome="partly_upheld",
        ),
    }


class TestPrecedentsFind:
    def test_the_most_similar_decided_case_ranks_first_with_why(self, corpus):
        case = with_codes(new_case(), themes=["discharge"], codes=["ICD-10:A41"])
        suggestions = precedents_find(case=case)
        assert [s.precedent for s in suggestions][:2] == [corpus["best"], corpus["partly"]]
        first = suggestions[0]
        assert first.rank == 1
        assert first.reasons["organisation_kind"] is True
        assert first.reasons["themes"] == ["discharge"]
        assert first.reasons["codes"] == ["ICD-10:A41"]
        terms = first.reasons["terms"]
        assert {"antibiotics", "discharged", "observations"} <= set(terms)
        assert all(
            term in SEPSIS.lower() and term in first.precedent.summary.lower() for term in terms
        )
        assert suggestions[1].reasons["organisation_kind"] is False
        assert suggestions[1].reasons["themes"] == []
        assert first.score > suggestions[1].score

    def test_suggested_codes_count_when_none_are_confirmed_and_rejected_never(self, corpus):
        case = with_codes(
            new_case("Unrelated words entirely."), codes=["ICD-10:A41"], review="suggested"
        )
        with_codes(case, themes=["discharge"], review="rejected")
        [first, *_] = precedents_find(case=case)
        assert first.precedent == corpus["best"]
        assert first.reasons["codes"] == ["ICD-10:A41"]
        assert first.reasons["themes"] == []

    def test_a_case_never_matches_itself_or_undecided_cases(self, corpus):
        itself = corpus["best"]
        new_case(status=CaseStatus.INVESTIGATION)  # same words, not decided
        make_case(summary=SEPSIS, status=CaseStatus.CLOSED)  # closed without a decision
        found = [s.precedent_id for s in precedents_find(case=itself, limit=10)]
        assert itself.pk not in found
        assert set(found) <= {corpus["partly"].pk, corpus["unrelated"].pk}

    def test_a_decision_made_after_the_snapshot_is_found(self, corpus, index_dir):
        built = precedent_index_build()
        assert built["cases"] == 3
        assert (index_dir / precedents.INDEX_FILE).exists()
        later = decided_case("Discharged from hospital without antibiotics; sepsis followed.")
        snapshot = precedents.snapshot_load()
        assert later.pk not in snapshot.case_ids
        assert [d.case_id for d in precedents.delta_docs(snapshot.built_at)] == [later.pk]
        found = [s.precedent_id for s in precedents_find(case=new_case())]
        assert later.pk in found and corpus["best"].pk in found

    def test_a_case_reopened_since_the_snapshot_is_no_longer_offered(self, corpus):
        precedent_index_build()
        Case.objects.filter(pk=corpus["best"].pk).update(status=CaseStatus.ASSESSMENT)
        found = [s.precedent_id for s in precedents_find(case=new_case())]
        assert corpus["best"].pk not in found
        assert corpus["partly"].pk in found

    def test_running_again_replaces_unreviewed_and_keeps_feedback(self, corpus, caseworker):
        case = new_case()
        first, second, *_ = precedents_find(case=case)
        precedent_feedback_record(suggestion=first, user=caseworker, useful=True)
        decided_case(
            "Sepsis after discharge from hospital without antibiotics, observations not checked."
        )
        again = precedents_find(case=case)
        assert PrecedentSuggestion.objects.filter(case=case).count() == len(again)
        kept = PrecedentSuggestion.objects.get(case=case, precedent=first.precedent)
        assert kept.pk == first.pk and kept.useful is True and kept.feedback_by == caseworker

    def test_the_same_kind_of_organisation_alone_is_not_a_precedent(self, db):
        decided_case("HMRC lost my tax credit renewal form.")  # an NHS trust, by the builder
        assert precedents_find(case=new_case()) == []

    def test_nothing_decided_yet_finds_nothing(self, db):
        assert precedents_find(case=new_case()) == []
        assert AuditEntry.objects.filter(action="precedents.find").count() == 1


class TestFeedback:
    def test_feedback_is_stored_with_who_and_when_and_audited(self, corpus, caseworker):
        [suggestion, *_] = precedents_find(case=new_case())
        precedent_feedback_record(suggestion=suggestion, user=caseworker, useful=False)
        suggestion.refresh_from_db()
        assert suggestion.useful is False
        assert suggestion.feedback_by == caseworker
        assert suggestion.feedback_at is not None
        entry = AuditEntry.objects.get(action="precedents.feedback")
        assert entry.user == caseworker and entry.detail["useful"] is False


class TestIndex:
    def test_snapshot_round_trips_and_scores_like_the_database(self, corpus, index_dir):
        precedent_index_build()
        loaded = precedents.snapshot_load()
        assert sorted(loaded.case_ids.tolist()) == sorted(c.pk for c in corpus.values())
        assert loaded.text.dtype.name == "float32" and loaded.text.indices.dtype.name == "int32"
        doc = precedents.case_doc(new_case())
        [top, *_] = loaded.top(doc, k=3)
        assert top.case_id == corpus["best"].pk

    def test_build_command_reports_what_it_indexed(self, corpus, capsys):
        call_command("build_precedent_index")
        assert "Indexed 3 decided cases" in capsys.readouterr().out


class TestAssessmentHook:
    def test_entering_assessment_queues_precedents_and_triage_after_commit(
        self, corpus, caseworker, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            tasks.find_precedents, "delay", lambda case_id: queued.append(("precedents", case_id))
        )
        monkeypatch.setattr(
            tasks.suggest_triage, "delay", lambda case_id: queued.append(("triage", case_id))
        )
        case = new_case()
        with django_capture_on_commit_callbacks(execute=True):
            case_transition(case_id=case.pk, action="start_assessment", actor=caseworker)
        assert ("precedents", case.pk) in queued and ("triage", case.pk) in queued

    def test_the_task_stores_suggestions(
        self, corpus, caseworker, django_capture_on_commit_callbacks
    ):
        case = new_case()
        with django_capture_on_commit_callbacks(execute=True):
            case_transition(case_id=case.pk, action="start_assessment", actor=caseworker)
        assert PrecedentSuggestion.objects.filter(case=case).first().precedent == corpus["best"]

    def test_other_transitions_queue_nothing(
        self, caseworker, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(tasks.find_precedents, "delay", queued.append)
        case = new_case(status=CaseStatus.ASSESSMENT)
        with django_capture_on_commit_callbacks(execute=True):
            case_transition(
                case_id=case.pk, action="mark_out_of_remit", actor=caseworker, reason="Private care"
            )
        assert queued == []
