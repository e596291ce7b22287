"""Loads SNOMED CT UK descriptions (an RF2 description snapshot) into the clinical coder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.coding import snomed_cache_path
from casework.coding.snomed import DEFAULT_TAGS, read_rf2_descriptions, write_cache


class Command(BaseCommand):
    help = (
        "Read an RF2 sct2_Description_Snapshot-en_*.txt and keep its active synonyms and fully "
        "specified names as SNOMED CT terms for clinical coding."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the RF2 description snapshot file")
        parser.add_argument(
            "--tags",
            default=",".join(DEFAULT_TAGS),
            help="semantic tags to keep, comma-separated (default: %(default)s)",
        )
        parser.add_argument(
            "--cache",
            help="where to write the terms (default: setting CODING_SNOMED_CACHE, "
            "or var/coding/snomed_terms.tsv)",
        )

    def handle(self, *args, path, tags, cache, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"no file at {source}")
        target = Path(cache) if cache else snomed_cache_path()
        try:
            count = write_cache(read_rf2_descriptions(source, tags=tags.split(",")), target)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{source.name}: {exc}") from exc
        self.stdout.write(
            f"Kept {count:,} SNOMED CT terms ({tags}) in {target}; "
            "workers pick them up on their next coding task."
        )
