"""Triage: a model trained on closed cases suggests, for a new complaint, how assessment is likely
to end (premature, out of remit, or proceed to investigation) and its theme.

Features are the complaint's words (tf-idf of words and word pairs), the kind of organisation it
is about and the kind of case. Equality-monitoring answers are never features: they are used only
afterwards, to compare how the model's suggestions fall across groups. A suggestion is shown to
the caseworker assessing the case and never acted on.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

import joblib
import numpy as np
import pandas as pd
from django.utils import timezone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from casework.models import (
    Case,
    CaseDemographics,
    CaseEvent,
    CaseEventKind,
    CaseOrganisation,
    ClinicalCode,
    CodeAxis,
    CodeReview,
)
from casework.state import CaseStatus
from casework.triage_outcomes import (  # noqa: F401 - part of this module's interface
    EQUALITY_DIMENSIONS,
    NOT_RECORDED,
    OUT_OF_REMIT,
    OUTCOME_LABELS,
    PREMATURE,
    PROCEED,
    NotEnoughData,
)
from complaints.models import EqualityMonitoring

_REACHED_INVESTIGATION = [
    CaseStatus.INVESTIGATION,
    CaseStatus.PROVISIONAL_DECISION,
    CaseStatus.FINAL_DECISION,
    CaseStatus.CLOSED,
]
_EARLY_STATUSES = {CaseStatus.PREMATURE: PREMATURE, CaseStatus.OUT_OF_REMIT: OUT_OF_REMIT}

TEST_SHARE = 0.25
RANDOM_STATE = 20261127
# Groups smaller than this are not shown: a rate over a handful of people could identify them,
# and says nothing reliable anyway.
SMALL_GROUP = 5
# Fewer theme labels than this, or any theme with fewer than two cases, and no theme model is
# trained (the report says so).
MIN_THEME_CASES = 20
TOP_WORDS = 5


@dataclass
class TrainingData:
    case_ids: list = field(default_factory=list)
    frame: pd.DataFrame | None = None
    outcomes: list = field(default_factory=list)
    themes: dict = field(default_factory=dict)
    received: list = field(default_factory=list)


def _organisation_kinds(case_ids) -> dict[int, str]:
    """The kind of the first organisation named on each case ('none' when there is none)."""
    kinds = {}
    rows = (
        CaseOrganisation.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "id")
        .values_list("case_id", "organisation__kind")
    )
    for case_id, kind in rows:
        kinds.setdefault(case_id, kind)
    return kinds


def case_features(*, case_ids, summaries, kinds, organisation_kinds) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": [s or "" for s in summaries],
            "organisation_kind": [organisation_kinds.get(i, "none") for i in case_ids],
            "case_kind": list(kinds),
        }
    )


def early_outcomes(cases) -> dict[int, str]:
    """How each case's assessment ended, from its status history: "proceed" if it ever reached
    investigation (an early exit later reopened and investigated was not a true early exit),
    otherwise its last early exit (premature or out of remit). Cases still being assessed, and
    those withdrawn before either, have no early outcome."""
    cases = list(cases)
    reached: set[int] = set()
    last_exit: dict[int, str] = {}
    events = (
        CaseEvent.objects.filter(
            case_id__in=[c.pk for c in cases],
            kind=CaseEventKind.STATUS_CHANGED,
            to_status__in=[*_EARLY_STATUSES, *_REACHED_INVESTIGATION],
        )
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "to_status")
    )
    for case_id, to_status in events:
        if to_status in _EARLY_STATUSES:
            last_exit[case_id] = _EARLY_STATUSES[to_status]
        else:
            reached.add(case_id)
    outcomes = {}
    for case in cases:
        # The status column counts too: imported or older cases may lack the history.
        if case.pk in reached or case.status in _REACHED_INVESTIGATION:
            outcomes[case.pk] = PROCEED
        elif case.status in _EARLY_STATUSES:
            outcomes[case.pk] = _EARLY_STATUSES[case.status]
        elif case.pk in last_exit:
            outcomes[case.pk] = last_exit[case.pk]
    return outcomes


def case_themes(case_ids) -> dict[int, str]:
    """One theme per case: a confirmed theme code, or else its most frequent suggested one."""
    confirmed: dict[int, Counter] = {}
    suggested: dict[int, Counter] = {}
    rows = (
        ClinicalCode.objects.filter(case_id__in=case_ids, axis=CodeAxis.THEME)
        .exclude(review=CodeReview.REJECTED)
        .values_list("case_id", "code", "review")
    )
    for case_id, code, review in rows:
        target = confirmed if review == CodeReview.CONFIRMED else suggested
        target.setdefault(case_id, Counter())[code] += 1
    themes = {}
    for case_id in case_ids:
        counts = confirmed.get(case_id) or suggested.get(case_id)
        if counts:
            # Most frequent, ties broken alphabetically so a retrain on the same data agrees.
            themes[case_id] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
    return themes


def training_data(*, since=None, until=None) -> TrainingData:
    """Closed cases received between `since` and `until` (dates, inclusive) with their early
    outcome and theme."""
    cases = Case.objects.filter(
        status__in=[
            CaseStatus.CLOSED,
            CaseStatus.PREMATURE,
            CaseStatus.OUT_OF_REMIT,
            CaseStatus.WITHDRAWN,
        ]
    )
    if since:
        cases = cases.filter(received_at__date__gte=since)
    if until:
        cases = cases.filter(received_at__date__lte=until)
    cases = list(cases.order_by("pk").only("pk", "summary", "kind", "status", "received_at"))
    outcomes = early_outcomes(cases)
    cases = [c for c in cases if c.pk in outcomes]
    ids = [c.pk for c in cases]
    frame = case_features(
        case_ids=ids,
        summaries=[c.summary for c in cases],
        kinds=[c.kind for c in cases],
        organisation_kinds=_organisation_kinds(ids),
    )
    return TrainingData(
        case_ids=ids,
        frame=frame,
        outcomes=[outcomes[i] for i in ids],
        themes=case_themes(ids),
        received=[timezone.localdate(c.received_at) for c in cases],
    )


def _pipeline() -> Pipeline:
    features = ColumnTransformer(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=2,
                    max_df=0.9,
                    sublinear_tf=True,
                    stop_words="english",
                    max_features=50_000,
                ),
                "text",
            ),
            ("kinds", OneHotEncoder(handle_unknown="ignore"), ["organisation_kind", "case_kind"]),
        ]
    )
    classifier = LogisticRegression(max_iter=2000, class_weight="balanced", C=4.0)
    return Pipeline([("features", features), ("classifier", classifier)])


def _scores(y_true, y_pred, labels) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        "per_class": {
            label: {
                "precision": round(float(p), 3),
                "recall": round(float(r), 3),
                "f1": round(float(f), 3),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 3),
        "macro_precision": round(float(np.mean(precision)), 3),
        "macro_recall": round(float(np.mean(recall)), 3),
        "macro_f1": round(
            float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 3
        ),
    }


@dataclass
class FittedTarget:
    pipeline: Pipeline
    report: dict
    beats_baseline: bool
    cross_predictions: list


def _fit_target(frame: pd.DataFrame, labels: list[str]) -> FittedTarget:
    """Fit on a stratified training split, score on the held-out rest against the majority-class
    baseline, then refit on everything for use."""
    y = np.asarray(labels)
    classes = sorted(set(labels))
    train_x, test_x, train_y, test_y = train_test_split(
        frame, y, test_size=TEST_SHARE, stratify=y, random_state=RANDOM_STATE
    )
    model = _pipeline().fit(train_x, train_y)
    predicted = model.predict(test_x)
    baseline = DummyClassifier(strategy="most_frequent").fit(train_x, train_y)
    baseline_predicted = baseline.predict(test_x)
    scores = _scores(test_y, predicted, classes)
    baseline_scores = _scores(test_y, baseline_predicted, classes)
    beats = (
        scores["macro_f1"] > baseline_scores["macro_f1"]
        and scores["accuracy"] >= baseline_scores["accuracy"]
    )
    folds = min(5, min(Counter(labels).values()))
    if folds >= 2:
        # Every case predicted by a model that never saw it, for the equality comparison.
        cross = cross_val_predict(
            _pipeline(),
            frame,
            y,
            cv=StratifiedKFold(folds, shuffle=True, random_state=RANDOM_STATE),
        ).tolist()
    else:
        cross = []
    report = {
        "classes": classes,
        "train_size": int(len(train_y)),
        "test_size": int(len(test_y)),
        "model": scores,
        "baseline": {
            "strategy": "majority class",
            "majority_class": str(baseline_predicted[0]) if len(baseline_predicted) else "",
            **baseline_scores,
        },
        "beats_baseline": bool(beats),
        "class_counts": dict(sorted(Counter(labels).items())),
    }
    return FittedTarget(
        pipeline=_pipeline().fit(frame, y),
        report=report,
        beats_baseline=beats,
        cross_predictions=cross,
    )


def _equality_groups(case_ids) -> dict[int, dict]:
    """Each case's equality-monitoring answers: the caseworker's record, else the complaint
    form's. Declined, unanswered or not asked are all 'not recorded'."""
    answers: dict[int, dict] = {}
    for row in EqualityMonitoring.objects.filter(case_id__in=case_ids).values(
        "case_id", *EQUALITY_DIMENSIONS
    ):
        answers[row["case_id"]] = row
    for row in CaseDemographics.objects.filter(case_id__in=case_ids).values(
        "case_id", *EQUALITY_DIMENSIONS
    ):
        answers[row["case_id"]] = row
    return answers


def equality_comparison(*, case_ids, actual, predicted, classes) -> dict:
    """Predicted against actual outcome rates per equality-monitoring group; small groups are
    suppressed (counts and rates withheld)."""
    answers = _equality_groups(case_ids)
    comparison = {}
    for dimension, choices in EQUALITY_DIMENSIONS.items():
        labels = dict(choices.choices)
        groups: dict[str, list[int]] = {}
        for position, case_id in enumerate(case_ids):
            value = (answers.get(case_id) or {}).get(dimension) or NOT_RECORDED
            groups.setdefault(value, []).append(position)
        rows = []
        for value in sorted(groups, key=lambda v: (v == NOT_RECORDED, v)):
            positions = groups[value]
            row = {"group": value, "label": labels.get(value, "Not recorded")}
            if len(positions) < SMALL_GROUP:
                row["suppressed"] = True
            else:
                row["suppressed"] = False
                row["cases"] = len(positions)
                row["rates"] = {
                    label: {
                        "actual": round(
                            sum(actual[p] == label for p in positions) / len(positions), 3
                        ),
                        "predicted": round(
                            sum(predicted[p] == label for p in positions) / len(positions), 3
                        ),
                    }
                    for label in classes
                }
            rows.append(row)
        comparison[dimension] = rows
    return {
        "method": "5-fold cross-validated predictions",
        "small_group": SMALL_GROUP,
        "dimensions": comparison,
    }


@dataclass
class TrainingResult:
    artifact: bytes
    report: dict
    deployed: bool
    not_deployed_reason: str
    data_from: object
    data_to: object
    train_size: int
    test_size: int


def train(data: TrainingData, *, min_cases: int) -> TrainingResult:
    """Train the outcome model (and the theme model when there are enough labels) and report."""
    if len(data.case_ids) < min_cases:
        raise NotEnoughData(
            f"Only {len(data.case_ids)} closed cases with a known early outcome; "
            f"at least {min_cases} are needed."
        )
    counts = Counter(data.outcomes)
    if len(counts) < 2:
        raise NotEnoughData(
            "Every closed case has the same early outcome: there is nothing to learn."
        )
    rare = sorted(label for label, n in counts.items() if n < 2)
    if rare:
        raise NotEnoughData(f"Too few cases ended {', '.join(rare)} to hold any out for testing.")
    outcome = _fit_target(data.frame, data.outcomes)
    report = {"outcome": outcome.report}
    if outcome.cross_predictions:
        report["equality"] = equality_comparison(
            case_ids=data.case_ids,
            actual=data.outcomes,
            predicted=outcome.cross_predictions,
            classes=outcome.report["classes"],
        )
    pipelines = {"outcome": outcome.pipeline}

    themed = [i for i, case_id in enumerate(data.case_ids) if case_id in data.themes]
    theme_labels = [data.themes[data.case_ids[i]] for i in themed]
    theme_counts = Counter(theme_labels)
    if len(themed) < MIN_THEME_CASES or len(theme_counts) < 2 or min(theme_counts.values()) < 2:
        report["theme"] = {
            "skipped": True,
            "reason": (
                f"{len(themed)} cases have a theme code across {len(theme_counts)} themes; "
                f"a theme model needs at least {MIN_THEME_CASES}, two themes, "
                "and two cases of each."
            ),
        }
    else:
        theme = _fit_target(data.frame.iloc[themed].reset_index(drop=True), theme_labels)
        report["theme"] = {"skipped": False, **theme.report}
        if theme.beats_baseline:
            pipelines["theme"] = theme.pipeline
        else:
            report["theme"]["not_used_reason"] = "It did not beat the majority-class baseline."

    if outcome.beats_baseline:
        reason = ""
    else:
        m, b = outcome.report["model"], outcome.report["baseline"]
        reason = (
            f"It did not beat the majority-class baseline (macro-F1 {m['macro_f1']} against "
            f"{b['macro_f1']}, accuracy {m['accuracy']} against {b['accuracy']})."
        )
    buffer = io.BytesIO()
    joblib.dump(pipelines, buffer, compress=3)
    return TrainingResult(
        artifact=buffer.getvalue(),
        report=report,
        deployed=outcome.beats_baseline,
        not_deployed_reason=reason,
        data_from=min(data.received),
        data_to=max(data.received),
        train_size=outcome.report["train_size"],
        test_size=outcome.report["test_size"],
    )


def load(artifact: bytes) -> dict:
    """The pipelines a training run stored. Only ever our own bytes from the database: joblib
    loads by unpickling, so an artifact from anywhere else must never reach here."""
    return joblib.load(io.BytesIO(bytes(artifact)))


def top_words(
    pipeline: Pipeline, row: pd.DataFrame, label: str, limit: int = TOP_WORDS
) -> list[dict]:
    """The words in this complaint that pushed most towards `label`: coefficient x tf-idf."""
    features: ColumnTransformer = pipeline.named_steps["features"]
    classifier: LogisticRegression = pipeline.named_steps["classifier"]
    words: TfidfVectorizer = features.named_transformers_["words"]
    vector = words.transform(row["text"]).tocsr()
    classes = list(classifier.classes_)
    # The text's columns come first in the ColumnTransformer's output.
    coefficients = classifier.coef_[:, : len(words.vocabulary_)]
    if len(classes) == 2:
        row_coefficients = coefficients[0] if label == classes[1] else -coefficients[0]
    else:
        row_coefficients = coefficients[classes.index(label)]
    names = words.get_feature_names_out()
    contributions = [
        (float(value * row_coefficients[column]), names[column])
        for column, value in zip(vector.indices, vector.data, strict=True)
    ]
    contributions = [c for c in contributions if c[0] > 0]
    contributions.sort(key=lambda item: (-item[0], item[1]))
    return [{"word": word, "weight": round(weight, 3)} for weight, word in contributions[:limit]]


def predict(pipelines: dict, *, case: Case) -> dict:
    """The suggestion for one case: outcome and theme with their probabilities, and top words."""
    ids = [case.pk]
    row = case_features(
        case_ids=ids,
        summaries=[case.summary],
        kinds=[case.kind],
        organisation_kinds=_organisation_kinds(ids),
    )
    outcome_model = pipelines["outcome"]
    probabilities = outcome_model.predict_proba(row)[0]
    best = int(np.argmax(probabilities))
    outcome = str(outcome_model.classes_[best])
    suggestion = {
        "outcome": outcome,
        "outcome_probability": round(float(probabilities[best]), 3),
        "theme": "",
        "theme_probability": None,
        "top_words": top_words(outcome_model, row, outcome),
    }
    theme_model = pipelines.get("theme")
    if theme_model is not None:
        theme_probabilities = theme_model.predict_proba(row)[0]
        best = int(np.argmax(theme_probabilities))
        suggestion["theme"] = str(theme_model.classes_[best])
        suggestion["theme_probability"] = round(float(theme_probabilities[best]), 3)
    return suggestion
