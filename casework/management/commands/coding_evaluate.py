"""Scores the clinical coder against the labelled sentences and prints precision and recall."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.coding import get_engine
from casework.coding.evaluation import evaluate, format_table, load_examples

DEFAULT_SETS = ("evaluation.jsonl", "heldout.jsonl")


class Command(BaseCommand):
    help = "Print the clinical coder's precision and recall per status on labelled sentences."

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="*",
            help="JSON Lines files of {text, expected: [{code, status}]} "
            "(default: the development and held-out sets in tests/casework/coding/)",
        )
        parser.add_argument(
            "--misses", action="store_true", help="also list the sentences the coder got wrong"
        )

    def handle(self, *args, files, misses, **options):
        paths = [Path(f) for f in files] or [
            Path(settings.BASE_DIR) / "tests" / "casework" / "coding" / name
            for name in DEFAULT_SETS
        ]
        engine = get_engine()
        for path in paths:
            if not path.is_file():
                raise CommandError(f"no labelled set at {path}")
            examples = load_examples(path)
            scores, wrong = evaluate(examples, engine)
            self.stdout.write(f"{path.name}: {len(examples)} sentences")
            self.stdout.write(format_table(scores))
            if misses:
                for miss in wrong:
                    self.stdout.write(
                        f"  {miss.text}\n    missing {list(miss.missing)}"
                        f" unexpected {list(miss.unexpected)}"
                    )
            self.stdout.write("")
