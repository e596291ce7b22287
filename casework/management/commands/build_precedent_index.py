"""Rebuilds the snapshot index of decided cases that precedent checks search."""

from django.core.management.base import BaseCommand

from casework.services_precedents import precedent_index_build


class Command(BaseCommand):
    help = (
        "Index every decided case (closed with a decision outcome) for precedent checks. "
        "Cases decided after the build are still found: they are read from the database."
    )

    def handle(self, *args, **options):
        built = precedent_index_build()
        self.stdout.write(
            f"Indexed {built['cases']:,} decided cases in {built['seconds']} s "
            f"({built['bytes'] / 2**20:.1f} MiB) into {built['path']}."
        )
