"""Geography for staff: cases near a postcode, by area, and a density map, from the case facts.

Distances are on the British National Grid, which is metric, so straight-line distance between
grid references is accurate across Great Britain without haversine; cases are placed at the
centre of their 1 km square, so a distance can be out by up to about 0.7 km.
"""

import math
from dataclasses import dataclass

from accounts.geography import local_authority_names, lookup_postcode
from insight.models import CaseFact, DashboardCount
from insight.selectors_dashboards import Chart

MAX_RADIUS_KM = 100
NEAR_LIST_LIMIT = 100
# The map covers Great Britain's grid (0–700 km east, 0–1,250 km north) in 10 km cells.
MAP_CELL_KM = 10
MAP_WIDTH_KM, MAP_HEIGHT_KM = 700, 1250
MAP_COLOURS = ["#d2e2f1", "#8eb8dc", "#5694ca", "#1d70b8", "#003078"]


class PostcodeNotFound(ValueError):
    pass


@dataclass(frozen=True)
class Nearby:
    postcode: str
    radius_km: int
    count: int
    cases: list  # (reference, distance in km), nearest first


def cases_near(*, postcode: str, radius_km: int) -> Nearby:
    """Cases whose complainant lives within radius_km of postcode (InvalidPostcode if malformed)."""
    place = lookup_postcode(postcode)
    if place is None or place.easting is None or place.northing is None:
        raise PostcodeNotFound(postcode)
    radius_km = max(1, min(radius_km, MAX_RADIUS_KM))
    east, north = place.easting / 1000, place.northing / 1000
    # The bounding box uses the grid index; the exact circle is then checked row by row.
    box = CaseFact.objects.filter(
        grid_east_km__gte=math.floor(east - radius_km),
        grid_east_km__lte=math.ceil(east + radius_km),
        grid_north_km__gte=math.floor(north - radius_km),
        grid_north_km__lte=math.ceil(north + radius_km),
    ).values_list("reference", "grid_east_km", "grid_north_km")
    found = []
    for reference, e, n in box.iterator(chunk_size=5000):
        distance = math.hypot(e + 0.5 - east, n + 0.5 - north)
        if distance <= radius_km:
            found.append((reference, round(distance, 1)))
    found.sort(key=lambda row: (row[1], row[0]))
    return Nearby(place.postcode, radius_km, len(found), found[:NEAR_LIST_LIMIT])


def _top(dimension: str) -> list:
    rows = DashboardCount.objects.filter(dimension=dimension).order_by("-n", "key")[:15]
    return [(row.key, row.n) for row in rows.only("key", "n")]


# The area counts and map cells are counted by the refresh (DashboardCount), not read from the
# million facts on each view.


def area_charts() -> list[Chart]:
    authorities = _top("local_authority")
    names = local_authority_names(code for code, _ in authorities)
    return [
        Chart(
            "local-authorities",
            "The 15 local authorities with most cases",
            "Cases",
            [(names.get(code, code), n) for code, n in authorities],
        ),
        Chart(
            "constituencies", "The 15 constituencies with most cases", "Cases", _top("constituency")
        ),
    ]


@dataclass(frozen=True)
class DensityMap:
    cells: list  # dicts with x, y, size, fill, count
    width: int
    height: int
    legend: list  # (colour, lowest count in band)
    total: int


def density_map() -> DensityMap:
    """Cases per 10 km cell, in a few colour bands, drawn north up (SVG y runs downwards)."""
    counts: dict[tuple[int, int], int] = {}
    for key, n in DashboardCount.objects.filter(dimension="map_cell").values_list("key", "n"):
        cx, cy = (int(part) for part in key.split(","))
        if 0 <= cx < MAP_WIDTH_KM // MAP_CELL_KM and 0 <= cy < MAP_HEIGHT_KM // MAP_CELL_KM:
            counts[(cx, cy)] = n
    largest = max(counts.values(), default=0)
    bands = len(MAP_COLOURS)
    cells = []
    for (cx, cy), n in sorted(counts.items()):
        band = min(bands - 1, int(bands * (n - 1) / largest)) if largest else 0
        cells.append(
            {
                "x": cx * MAP_CELL_KM,
                "y": MAP_HEIGHT_KM - (cy + 1) * MAP_CELL_KM,
                "size": MAP_CELL_KM,
                "fill": MAP_COLOURS[band],
                "count": n,
            }
        )
    legend = (
        [(c, 1 + math.ceil(i * largest / bands)) for i, c in enumerate(MAP_COLOURS)]
        if largest
        else []
    )
    return DensityMap(cells, MAP_WIDTH_KM, MAP_HEIGHT_KM, legend, sum(counts.values()))
