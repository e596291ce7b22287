"""Triage: training from closed cases, the deployment rule, the report, and suggestions."""

import random
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import OrganisationKind
from casework import triage
from casework.models import (
    Case,
    CaseDemographics,
    CaseEvent,
    CaseEventKind,
    CaseKind,
    CaseOrganisation,
    TriageModel,
    TriageSuggestion,
)
from casework.services import case_create
from casework.services_triage import triage_model_train, triage_suggest
from casework.state import CaseStatus
from tests.casework.backoffice_support import make_case
from tests.casework.precedents_support import health_body, with_codes
from tests.factories import UserFactory

FILLER = (
    "hospital staff told me letter weeks months family worried phone called appointment "
    "department ward doctor nurse care patient service waited told wrote"
).split()
SIGNALS = {
    triage.PREMATURE: (
        "not complained yet to the trust first local resolution no final response letter"
    ).split(),
    triage.OUT_OF_REMIT: (
        "private dentist cosmetic clinic court tribunal employment solicitor compensation"
    ).split(),
    triage.PROCEED: "misdiagnosis delayed diagnosis cancer scan missed referral surgery".split(),
}
STATUS_FOR = {
    triage.PREMATURE: CaseStatus.PREMATURE,
    triage.OUT_OF_REMIT: CaseStatus.OUT_OF_REMIT,
    triage.PROCEED: CaseStatus.CLOSED,
}


def _text(rng, label=None):
    words = rng.sample(FILLER, 8)
    if label is not None:
        words += rng.sample(SIGNALS[label], 4)
    rng.shuffle(words)
    return " ".join(words)


def closed_cases(labels, *, learnable=True, seed=1, received=None, theme_for=None):
    """Closed cases straight into the table (test set-up only: the service changes status through
    case_transition), each ended as its label says, with an organisation."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    trust = health_body(OrganisationKind.NHS_TRUST)
    now = timezone.now()
    start = Case.objects.count()
    cases = Case.objects.bulk_create(
        Case(
            reference=f"HC-2019-{start + n:06d}",
            kind=CaseKind.HEALTH,
            status=STATUS_FOR[label],
            summary=_text(rng, label if learnable else None),
            received_at=received or now - timedelta(days=30 + n),
        )
        for n, label in enumerate(labels)
    )
    CaseOrganisation.objects.bulk_create(
        CaseOrganisation(case=c, organisation=trust) for c in cases
    )
    if theme_for:
        for case, label in zip(cases, labels, strict=True):
            with_codes(case, themes=[theme_for[label]])
    return cases


LEARNABLE = [triage.PREMATURE] * 30 + [triage.OUT_OF_REMIT] * 30 + [triage.PROCEED] * 30


@pytest.fixture
def deployed_model(db):
    closed_cases(LEARNABLE)
    return triage_model_train(min_cases=50)


class TestTraining:
    def test_learnable_cases_beat_the_baseline_and_are_deployed(self, deployed_model):
        model = deployed_model
        assert model.deployed is True and model.not_deployed_reason == ""
        assert model.version == 1
        outcome = model.report["outcome"]
        assert set(outcome["model"]["per_class"]) == {"premature", "out_of_remit", "proceed"}
        for scores in outcome["model"]["per_class"].values():
            assert set(scores) == {"precision", "recall", "f1", "support"}
        assert outcome["model"]["macro_f1"] > outcome["baseline"]["macro_f1"]
        assert outcome["model"]["accuracy"] >= outcome["baseline"]["accuracy"]
        assert model.train_size + model.test_size == 90
        assert sum(s["support"] for s in outcome["model"]["per_class"].values()) == model.test_size
        assert model.report["theme"]["skipped"] is True
        assert "theme" in model.report["theme"]["reason"]
        assert TriageModel.objects.deployed().first() == model

    def test_random_labels_do_not_beat_the_baseline_and_are_not_deployed(self, db):
        rng = random.Random(7)  # noqa: S311 (test data)
        labels = [triage.PROCEED] * 60 + [triage.PREMATURE] * 20 + [triage.OUT_OF_REMIT] * 20
        rng.shuffle(labels)
        closed_cases(labels, learnable=False, seed=3)
        model = triage_model_train(min_cases=50)
        assert model.deployed is False
        assert "did not beat the majority-class baseline" in model.not_deployed_reason
        assert model.report["outcome"]["baseline"]["majority_class"] == triage.PROCEED
        assert not TriageModel.objects.deployed().exists()

    def test_the_early_outcome_comes_from_the_status_history(self, db, caseworker):
        [reopened, withdrawn_early] = closed_cases([triage.PREMATURE, triage.PREMATURE])
        # Marked premature, reopened and investigated: not a true early exit.
        for to_status in (CaseStatus.PREMATURE, CaseStatus.ASSESSMENT, CaseStatus.INVESTIGATION):
            CaseEvent.objects.create(
                case=reopened,
                kind=CaseEventKind.STATUS_CHANGED,
                actor=caseworker,
                to_status=to_status,
            )
        Case.objects.filter(pk=reopened.pk).update(status=CaseStatus.WITHDRAWN)
        Case.objects.filter(pk=withdrawn_early.pk).update(status=CaseStatus.WITHDRAWN)
        outcomes = triage.early_outcomes(
            Case.objects.filter(pk__in=[reopened.pk, withdrawn_early.pk])
        )
        assert outcomes == {reopened.pk: triage.PROCEED}

    def test_themes_are_learnt_when_there_are_enough_labels(self, db):
        themes = {
            triage.PREMATURE: "complaint-handling",
            triage.OUT_OF_REMIT: "private-care",
            triage.PROCEED: "diagnosis",
        }
        closed_cases(LEARNABLE, theme_for=themes)
        model = triage_model_train(min_cases=50)
        assert model.report["theme"]["skipped"] is False
        assert set(model.report["theme"]["model"]["per_class"]) == set(themes.values())

    def test_the_report_compares_groups_and_suppresses_small_ones(self, db):
        cases = closed_cases(LEARNABLE)
        recorder = UserFactory()
        answers = {
            "age_band": "25_34",
            "sex": "female",
            "ethnic_group": "white",
            "disability": "no",
        }
        few = {"age_band": "75_plus", "sex": "male", "ethnic_group": "asian", "disability": "yes"}
        CaseDemographics.objects.bulk_create(
            [CaseDemographics(case=c, recorded_by=recorder, **answers) for c in cases[:12]]
            + [CaseDemographics(case=c, recorded_by=recorder, **few) for c in cases[12:15]]
        )
        model = triage_model_train(min_cases=50)
        sex = {row["group"]: row for row in model.report["equality"]["dimensions"]["sex"]}
        assert sex["female"]["suppressed"] is False and sex["female"]["cases"] == 12
        assert set(sex["female"]["rates"]) == {"premature", "out_of_remit", "proceed"}
        assert sex["female"]["rates"]["premature"]["actual"] == 1.0  # the first 30 are premature
        assert sex["male"] == {"group": "male", "label": "Male", "suppressed": True}
        assert sex["not_recorded"]["cases"] == 75

    def test_too_few_cases_are_refused(self, db):
        closed_cases(LEARNABLE[:10] + LEARNABLE[30:40])
        with pytest.raises(triage.NotEnoughData, match="at least 50"):
            triage_model_train(min_cases=50)
        assert not TriageModel.objects.exists()


class TestCommand:
    def test_train_triage_prints_the_report_and_dates(self, db, capsys):
        closed_cases(LEARNABLE)
        call_command("train_triage", "--min-cases", "60")
        out = capsys.readouterr().out
        assert "Triage model v1" in out and "Deployed v1." in out
        assert "macro-F1" in out and "premature" in out

    def test_since_and_until_limit_the_cases(self, db):
        old = timezone.now() - timedelta(days=800)
        closed_cases(LEARNABLE, received=old)
        closed_cases(LEARNABLE[:3] + LEARNABLE[30:33] + LEARNABLE[60:63], seed=2)
        since = (old - timedelta(days=1)).date()
        until = (old + timedelta(days=1)).date()
        call_command("train_triage", "--since", since.isoformat(), "--until", until.isoformat())
        model = TriageModel.objects.get()
        assert model.train_size + model.test_size == 90
        assert model.data_from == model.data_to == timezone.localdate(old)

    def test_too_few_cases_is_an_error_not_a_model(self, db):
        with pytest.raises(CommandError, match="closed cases"):
            call_command("train_triage", "--min-cases", "5")


class TestSuggestion:
    def test_a_suggestion_has_probability_and_top_words_and_changes_nothing(self, deployed_model):
        case = make_case(
            summary=(
                "The hospital failed to refer me and the cancer diagnosis was delayed "
                "after a missed scan."
            ),
            organisations=[health_body()],
            status=CaseStatus.ASSESSMENT,
        )
        before = (case.status, case.status_changed_at, case.target_date, case.events.count())
        suggestion = triage_suggest(case=case)
        assert suggestion.outcome == triage.PROCEED
        assert 0.34 < suggestion.outcome_probability <= 1
        words = [w["word"] for w in suggestion.top_words]
        assert words and set(words) <= set(
            "hospital failed refer cancer diagnosis delayed missed scan "
            "failed refer cancer diagnosis delayed diagnosis missed scan".split()
        ) | {"cancer diagnosis", "diagnosis delayed", "missed scan", "delayed missed"}
        assert all(w["weight"] > 0 for w in suggestion.top_words)
        case.refresh_from_db()
        assert (
            case.status,
            case.status_changed_at,
            case.target_date,
            case.events.count(),
        ) == before
        assert triage_suggest(case=case) == suggestion  # once per case and model

    def test_a_new_complaint_gets_its_suggestion_once_committed(
        self, deployed_model, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            case = case_create(
                kind=CaseKind.HEALTH,
                summary="Private dentist cosmetic clinic: I want compensation from the court.",
                organisations=[health_body()],
            )
        [suggestion] = TriageSuggestion.objects.filter(case=case)
        assert suggestion.outcome == triage.OUT_OF_REMIT
        assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED

    def test_no_deployed_model_no_suggestion(self, db):
        case = make_case(summary="Anything", status=CaseStatus.ASSESSMENT)
        assert triage_suggest(case=case) is None
        assert not TriageSuggestion.objects.exists()

    def test_the_newest_deployed_model_is_used(self, deployed_model):
        TriageModel.objects.create(version=2, deployed=False, artifact=b"never loaded")
        case = make_case(summary="private dentist cosmetic", status=CaseStatus.ASSESSMENT)
        assert triage_suggest(case=case).model == deployed_model
