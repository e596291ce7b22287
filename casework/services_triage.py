"""Writes for triage: training a new model version, and a suggestion for a case."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework.models import AuditEntry, Case, TriageModel, TriageSuggestion
from phso.lazy import lazy_module

# scikit-learn loads when this is first used, not when a web process starts (phso/lazy.py).
triage = lazy_module("casework.triage")


def triage_model_train(*, since=None, until=None, min_cases: int = 50) -> TriageModel:
    """Train and store the next triage model version, with its report.

    Deployed only if it beats the majority-class baseline on macro-F1 without losing accuracy;
    otherwise kept for the record, not deployed, with the reason. Raises triage.NotEnoughData.
    Training reads and fits for minutes at scale, so only the write is in a transaction.
    """
    result = triage.train(triage.training_data(since=since, until=until), min_cases=min_cases)
    result.report["requested_range"] = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    return _triage_model_store(result)


@transaction.atomic
def _triage_model_store(result: triage.TrainingResult) -> TriageModel:
    # The table lock makes two trainings at once take consecutive versions, never the same one.
    list(TriageModel.objects.select_for_update().order_by("-version")[:1])
    version = (TriageModel.objects.aggregate(last=Max("version"))["last"] or 0) + 1
    model = TriageModel.objects.create(
        version=version,
        trained_at=timezone.now(),
        data_from=result.data_from,
        data_to=result.data_to,
        train_size=result.train_size,
        test_size=result.test_size,
        report=result.report,
        deployed=result.deployed,
        not_deployed_reason=result.not_deployed_reason,
        artifact=result.artifact,
    )
    AuditEntry.objects.create(
        action="triage.model.train",
        object_type=model._meta.label_lower,
        object_id=str(model.pk),
        detail={"version": version, "deployed": model.deployed, "train_size": model.train_size},
    )
    return model


@transaction.atomic
def triage_suggest(*, case: Case) -> TriageSuggestion | None:
    """Suggest an early outcome and theme for the case with the newest deployed model.

    A suggestion for the caseworker assessing the case: it never changes the case. None when no
    model is deployed. Asking again with the same model returns the suggestion already made.
    """
    model = TriageModel.objects.deployed().first()
    if model is None:
        return None
    existing = TriageSuggestion.objects.filter(case=case, model=model).first()
    if existing is not None:
        return existing
    suggestion = triage.predict(triage.load(model.artifact), case=case)
    return TriageSuggestion.objects.create(case=case, model=model, **suggestion)
