from django.core.management.base import BaseCommand, CommandError

from accounts.importers import ImportProblem
from accounts.importers.ods import ODS_KINDS, organisations_import_ods


class Command(BaseCommand):
    help = (
        "Import an NHS ODS CSV report (epraccur for GP practices, etr for NHS trusts) into the "
        "organisation directory. Idempotent; closed organisations are marked inactive."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the headerless ODS CSV report")
        parser.add_argument("--kind", required=True, choices=[k.value for k in ODS_KINDS])

    def handle(self, *args, file, kind, **options):
        try:
            result = organisations_import_ods(path=file, kind=kind)
        except ImportProblem as problem:
            raise CommandError(f"{problem} (nothing was imported)") from problem
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        self.stdout.write(self.style.SUCCESS(f"{file}: {result.summary()}"))
