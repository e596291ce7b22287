from django.core.management.base import BaseCommand, CommandError

from accounts.importers import ImportProblem
from accounts.importers.parliament import constituencies_import


class Command(BaseCommand):
    help = (
        "Import Westminster constituencies from the ONS names-and-codes CSV (columns PCON24CD, "
        "PCON24NM). Idempotent; nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            result = constituencies_import(path=file)
        except ImportProblem as problem:
            raise CommandError(f"{problem} (nothing was imported)") from problem
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        self.stdout.write(self.style.SUCCESS(f"{file}: {result.summary()}"))
