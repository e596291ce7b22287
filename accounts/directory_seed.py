"""Reference data for a local run: a small, real-shaped directory shipped in accounts/data/.

`seed_reference_data()` loads it through the same importers as the published files, so running it
again changes nothing. Full directories come from the import_* commands and load_postcodes.
"""

import json
from pathlib import Path

from django.db import transaction

from accounts.importers.ods import organisations_import_ods
from accounts.importers.parliament import constituencies_import, members_import
from accounts.models import Organisation, OrganisationAlias, OrganisationKind, Sector

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def seed_reference_data() -> dict[str, str]:
    """Load the sample organisations, constituencies and MPs; return a summary line per part."""
    data = DATA_DIR
    return {
        "GP practices": organisations_import_ods(
            path=data / "epraccur.csv", kind=OrganisationKind.GP_PRACTICE
        ).summary(),
        "NHS trusts": organisations_import_ods(
            path=data / "etr.csv", kind=OrganisationKind.NHS_TRUST
        ).summary(),
        "government bodies": _government_bodies_seed(path=data / "government_bodies.json"),
        "constituencies": constituencies_import(path=data / "pcon24_names_codes.csv").summary(),
        "MPs": members_import(
            paths=[data / "members-search-commons.json", *sorted(data.glob("contact-*.json"))]
        ).summary(),
    }


def _government_bodies_seed(*, path: Path) -> str:
    """Government bodies have no ODS code: they are matched on name and kind."""
    created = 0
    for entry in json.loads(path.read_text(encoding="utf-8")):
        organisation, was_created = Organisation.objects.get_or_create(
            name=entry["name"],
            kind=entry["kind"],
            defaults={
                "sector": entry.get("sector", Sector.PARLIAMENTARY),
                "town": entry.get("town", ""),
                "postcode": entry.get("postcode", ""),
            },
        )
        created += was_created
        for alias in entry.get("aliases", []):
            OrganisationAlias.objects.get_or_create(organisation=organisation, name=alias)
    return f"{created} created"
