from django.core.management.base import BaseCommand, CommandError

from accounts.importers import ImportProblem
from accounts.importers.postcodes import postcodes_import_onspd


class Command(BaseCommand):
    help = (
        "Import a full ONS Postcode Directory release (the zip as published, or its UK CSV) into "
        "the postcode directory. Streams in bounded memory; terminated postcodes are kept and "
        "flagged; a malformed row stops the import with nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="ONSPD zip or CSV")
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args, path, no_progress, **options):
        try:
            result = postcodes_import_onspd(path=path, progress=not no_progress)
        except ImportProblem as problem:
            raise CommandError(f"{problem} (nothing was imported)") from problem
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from error
        self.stdout.write(self.style.SUCCESS(f"{path}: {result.summary()}"))
