"""Precision and recall of the coder against a labelled set of sentences, per context status.

A finding counts as correct when its ICD-10 code and status both match an expected one in the same
sentence (each expected finding matched at most once). SNOMED CT findings are not scored: the
labelled set is ICD-10.
"""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from casework.coding.context import STATUSES
from casework.coding.engine import CodingEngine
from casework.coding.terminology import ICD10

OVERALL = "overall"


@dataclass(frozen=True)
class Score:
    status: str
    true_positives: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0


@dataclass(frozen=True)
class Miss:
    text: str
    missing: tuple[tuple[str, str], ...]
    unexpected: tuple[tuple[str, str], ...]


def load_examples(path: Path | str) -> list[dict]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(examples: list[dict], engine: CodingEngine) -> tuple[dict[str, Score], list[Miss]]:
    """Scores per status and overall, and the sentences the coder got wrong."""
    hits, predicted, expected = Counter(), Counter(), Counter()
    misses = []
    for example in examples:
        want = Counter((e["code"], e["status"]) for e in example["expected"])
        got = Counter(
            (f.code, f.status) for f in engine.code(example["text"]).findings if f.system == ICD10
        )
        matched = want & got
        for (_, status), n in want.items():
            expected[status] += n
        for (_, status), n in got.items():
            predicted[status] += n
        for (_, status), n in matched.items():
            hits[status] += n
        if matched != want or matched != got:
            misses.append(
                Miss(
                    example["text"],
                    tuple(sorted((want - got).elements())),
                    tuple(sorted((got - want).elements())),
                )
            )
    scores = {s: Score(s, hits[s], predicted[s], expected[s]) for s in STATUSES}
    scores[OVERALL] = Score(
        OVERALL, sum(hits.values()), sum(predicted.values()), sum(expected.values())
    )
    return scores, misses


def format_table(scores: dict[str, Score]) -> str:
    lines = [
        f"{'status':<14}{'precision':>10}{'recall':>8}{'correct':>9}{'found':>7}{'labelled':>10}"
    ]
    for score in scores.values():
        lines.append(
            f"{score.status:<14}{score.precision:>10.3f}{score.recall:>8.3f}"
            f"{score.true_positives:>9}{score.predicted:>7}{score.expected:>10}"
        )
    return "\n".join(lines)
