"""Geography for staff: cases within a distance of a postcode, by area, and the density map."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import LocalAuthority, Postcode
from accounts.roles import Role
from complaints.models import ComplaintDetails
from insight.models import CaseFact
from insight.selectors_geography import cases_near, density_map
from insight.services_reporting import insight_refresh
from tests.conftest import otp_verified_client
from tests.factories import UserFactory
from tests.insight.builders import decided_case

pytestmark = pytest.mark.django_db

# Grid references (metres) a few kilometres apart, and one far away.
POSTCODES = {
    "LS1 1AA": (429_500, 433_500),
    "LS6 2BB": (428_500, 436_500),
    "BD1 1CC": (416_500, 433_500),
    "SW1A 1AA": (529_090, 179_645),
}


def case_at(postcode):
    case = decided_case()
    ComplaintDetails.objects.create(
        case=case,
        full_name="Private Person",
        email="private@example.org",
        postcode=postcode,
        postcode_found=True,
        address_line_1="1 Private Street",
        town="Leeds",
        date_of_birth=date(1970, 1, 1),
        what_happened="x",
        happened_on=date(2026, 1, 1),
        where_it_happened="x",
        impact="x",
        desired_outcome="x",
        complained_on=date(2026, 1, 2),
        final_response=True,
        has_evidence=False,
        contact_method="email",
    )
    return case


@pytest.fixture
def placed_cases():
    for postcode, (easting, northing) in POSTCODES.items():
        Postcode.objects.create(postcode=postcode, easting=easting, northing=northing)
    cases = {postcode: case_at(postcode) for postcode in POSTCODES}
    insight_refresh()
    return cases


class TestGridSquares:
    def test_fact_keeps_the_kilometre_square_not_the_postcode(self, placed_cases):
        fact = CaseFact.objects.get(case_id=placed_cases["LS1 1AA"].pk)
        assert (fact.grid_east_km, fact.grid_north_km) == (429, 433)
        assert "LS1" not in str(CaseFact.objects.values().get(pk=fact.pk))


class TestCasesNear:
    def test_finds_cases_within_the_radius_nearest_first(self, placed_cases):
        nearby = cases_near(postcode="ls11aa", radius_km=5)
        assert nearby.postcode == "LS1 1AA"
        assert [ref for ref, _ in nearby.cases] == [
            placed_cases["LS1 1AA"].reference,
            placed_cases["LS6 2BB"].reference,
        ]
        assert nearby.cases[1][1] == pytest.approx(3.2, abs=0.1)

    def test_wider_radius_takes_in_more(self, placed_cases):
        assert cases_near(postcode="LS1 1AA", radius_km=20).count == 3
        assert cases_near(postcode="LS1 1AA", radius_km=1000).radius_km == 100


class TestDensityMap:
    def test_cells_with_counts(self, placed_cases):
        density = density_map()
        assert density.total == 4
        assert sum(cell["count"] for cell in density.cells) == 4

    def test_empty(self, db):
        assert density_map().cells == []


class TestGeographyPage:
    @pytest.fixture
    def analyst_client(self, client):
        return otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))

    def test_search_and_map(self, analyst_client, placed_cases):
        url = reverse("insight_staff:geography")
        response = analyst_client.get(url, {"postcode": "LS1 1AA", "radius": "5"})
        content = response.content.decode()
        assert "2 cases within 5 km of LS1 1AA" in content
        assert "<svg" in content and "style=" not in content

    def test_areas_are_named(self, analyst_client, placed_cases):
        LocalAuthority.objects.update_or_create(code="E08000001", defaults={"name": "Bolton"})
        content = analyst_client.get(reverse("insight_staff:geography")).content.decode()
        assert '<th scope="row" class="govuk-table__header">Bolton</th>' in content
        assert ">E08000001<" not in content

    @pytest.mark.parametrize(
        "params,message",
        [
            ({"postcode": "NOT A POSTCODE", "radius": "5"}, "Enter a real postcode"),
            ({"postcode": "ZZ9 9ZZ", "radius": "5"}, "do not have that postcode"),
            ({"postcode": "LS1 1AA", "radius": "100000"}, "100 kilometres or less"),
            ({"postcode": "LS1 1AA", "radius": "'; DROP TABLE x"}, "whole number"),
        ],
    )
    def test_bad_input_is_explained(self, analyst_client, placed_cases, params, message):
        response = analyst_client.get(reverse("insight_staff:geography"), params)
        assert response.status_code == 200
        assert message in response.content.decode()

    def test_caseworker_is_refused(self, staff_client):
        assert staff_client.get(reverse("insight_staff:geography")).status_code == 403

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(
        self, analyst_client, django_assert_max_num_queries, rows
    ):
        Postcode.objects.create(postcode="LS1 1AA", easting=429_500, northing=433_500)
        for _ in range(rows):
            case_at("LS1 1AA")
        insight_refresh()
        with django_assert_max_num_queries(15):
            response = analyst_client.get(
                reverse("insight_staff:geography"), {"postcode": "LS1 1AA", "radius": "5"}
            )
        assert f"{rows} case" in response.content.decode()
