from django.core.management.base import BaseCommand, CommandError

from accounts.importers import ImportProblem
from accounts.importers.parliament import members_import


class Command(BaseCommand):
    help = (
        "Import MPs from pages saved from the UK Parliament Members API: search pages "
        "(/api/Members/Search) and contact pages (/api/Members/{id}/Contact, saved as "
        "contact-<id>.json). Import constituencies first. MPs who left are end-dated, never "
        "deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        try:
            result = members_import(paths=files)
        except ImportProblem as problem:
            raise CommandError(f"{problem} (nothing was imported)") from problem
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror or error}") from error
        self.stdout.write(self.style.SUCCESS(f"{len(files)} file(s): {result.summary()}"))
