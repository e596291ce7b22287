"""Trains a new triage model version on closed cases and prints its report."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from casework.services_triage import triage_model_train
from casework.triage_outcomes import NotEnoughData


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date like 2026-01-31") from exc


class Command(BaseCommand):
    help = (
        "Train the triage model (early outcome and theme) on closed cases received in a date "
        "range. The new version is deployed only if it beats the majority-class baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_date, help="first date received (YYYY-MM-DD)")
        parser.add_argument("--until", type=_date, help="last date received (YYYY-MM-DD)")
        parser.add_argument(
            "--min-cases", type=int, default=50, help="refuse to train on fewer closed cases (50)"
        )

    def handle(self, *args, since, until, min_cases, **options):
        if since and until and since > until:
            raise CommandError("--since must not be after --until")
        try:
            model = triage_model_train(since=since, until=until, min_cases=min_cases)
        except NotEnoughData as exc:
            raise CommandError(str(exc)) from exc
        outcome = model.report["outcome"]
        self.stdout.write(
            f"Triage model v{model.version}: {model.train_size} cases to train, "
            f"{model.test_size} held out, received {model.data_from} to {model.data_to}."
        )
        for label, scores in outcome["model"]["per_class"].items():
            self.stdout.write(
                f"  {label:<14} precision {scores['precision']:.2f}  recall {scores['recall']:.2f}"
                f"  f1 {scores['f1']:.2f}  support {scores['support']}"
            )
        model_scores, baseline = outcome["model"], outcome["baseline"]
        self.stdout.write(
            f"  macro-F1 {model_scores['macro_f1']:.2f} (baseline {baseline['macro_f1']:.2f}), "
            f"accuracy {model_scores['accuracy']:.2f} (baseline {baseline['accuracy']:.2f})"
        )
        theme = model.report["theme"]
        if theme.get("skipped"):
            self.stdout.write(f"  No theme model: {theme['reason']}")
        if model.deployed:
            self.stdout.write(self.style.SUCCESS(f"Deployed v{model.version}."))
        else:
            self.stdout.write(self.style.WARNING(f"Not deployed: {model.not_deployed_reason}"))
