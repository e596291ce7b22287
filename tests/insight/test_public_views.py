"""Public insight pages: published decisions with filters and CSV, organisation, constituency and
performance pages, all read from the reporting store."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import LocalAuthority
from casework.models import DecisionOutcome
from insight.services_reporting import insight_refresh
from tests.insight.builders import constituency, decided_case, organisation

pytestmark = pytest.mark.django_db


def csv_rows(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def two_places():
    north, south = organisation(name="North Trust"), organisation(name="South Trust")
    upton, downton = constituency(name="Upton"), constituency(name="Downton")
    decided_case(org=north, place=upton, summary="North summary about waiting times.")
    decided_case(org=south, place=downton, summary="South summary about discharge.")
    decided_case(org=north, place=downton, published=False, summary="Private draft")
    insight_refresh()
    return north, south, upton, downton


class TestDecisionList:
    def test_lists_only_published_decisions(self, client, two_places):
        response = client.get(reverse("insight:decisions"))
        assert response.status_code == 200
        assert b"North summary" in response.content
        assert b"South summary" in response.content
        assert b"Private draft" not in response.content

    def test_filters_by_organisation_and_constituency(self, client, two_places):
        north, _, upton, downton = two_places
        response = client.get(
            reverse("insight:decisions"), {"organisation": north.pk, "constituency": upton.code}
        )
        assert b"North summary" in response.content
        assert b"South summary" not in response.content

        response = client.get(
            reverse("insight:decisions"), {"organisation": north.pk, "constituency": downton.code}
        )
        assert b"No published decisions match" in response.content

    def test_filters_by_outcome_and_dates(self, client, two_places):
        response = client.get(reverse("insight:decisions"), {"outcome": "not_upheld"})
        assert b"0 decisions" in response.content
        response = client.get(reverse("insight:decisions"), {"published_from": "1/1/2000"})
        assert b"2 decisions" in response.content
        response = client.get(reverse("insight:decisions"), {"published_to": "1/1/2000"})
        assert b"0 decisions" in response.content

    @pytest.mark.parametrize(
        "params",
        [
            {"organisation": "999999"},
            {"sector": "<script>alert(1)</script>"},
            {"constituency": "' OR 1=1 --"},
            {"published_from": "31/2/2026"},
            {"page": "99999999"},
            {"page": "-1"},
        ],
    )
    def test_bad_input_shows_a_clear_page(self, client, two_places, params):
        response = client.get(reverse("insight:decisions"), params)
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content
        if "page" not in params:
            assert b"There is a problem with a filter" in response.content

    def test_empty_database(self, client, db):
        response = client.get(reverse("insight:decisions"))
        assert response.status_code == 200
        assert b"No published decisions match" in response.content

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(self, client, django_assert_max_num_queries, rows):
        org = organisation()
        for _ in range(rows):
            decided_case(org=org)
        insight_refresh()
        with django_assert_max_num_queries(8):
            response = client.get(reverse("insight:decisions"))
        assert response.status_code == 200


class TestDecisionCsv:
    def test_downloads_the_filtered_decisions(self, client, two_places):
        north, *_ = two_places
        response = client.get(reverse("insight:decisions_csv"), {"organisation": north.pk})
        assert response["Content-Type"].startswith("text/csv")
        rows = csv_rows(response)
        assert [r["organisation"] for r in rows] == ["North Trust"]
        assert rows[0]["summary"] == "North summary about waiting times."
        assert "complainant" not in rows[0]

    def test_formula_text_is_made_plain(self, client):
        decided_case(summary='=HYPERLINK("http://example.com")')
        insight_refresh()
        rows = csv_rows(client.get(reverse("insight:decisions_csv")))
        assert rows[0]["summary"].startswith("'=")

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(self, client, django_assert_max_num_queries, rows):
        org = organisation()
        for _ in range(rows):
            decided_case(org=org)
        insight_refresh()
        with django_assert_max_num_queries(8):
            assert len(csv_rows(client.get(reverse("insight:decisions_csv")))) == rows


class TestDecisionDetail:
    def test_shows_a_published_decision(self, client, two_places):
        north, *_ = two_places
        reference = north.cases.filter(decision__published_at__isnull=False).get().reference
        response = client.get(reverse("insight:decision", args=[reference]))
        assert b"North summary about waiting times." in response.content

    def test_unpublished_decision_is_not_found(self, client, two_places):
        north, *_ = two_places
        reference = north.cases.filter(decision__published_at__isnull=True).get().reference
        assert client.get(reverse("insight:decision", args=[reference])).status_code == 404


class TestOrganisationAndConstituencyPages:
    def test_small_numbers_are_suppressed(self, client, two_places):
        north, *_ = two_places
        response = client.get(reverse("insight:organisation", args=[north.pk]))
        assert response.status_code == 200
        assert b"fewer than 5" in response.content

    def test_figures_shown_from_five(self, client):
        org = organisation(name="Hilltop Trust")
        for _ in range(5):
            decided_case(org=org, outcome=DecisionOutcome.NOT_UPHELD)
        insight_refresh()
        response = client.get(reverse("insight:organisation", args=[org.pk]))
        content = response.content.decode()
        assert ">5</td>" in content
        assert "Not upheld" in content

    def test_constituency_page(self, client, two_places):
        _, _, upton, _ = two_places
        response = client.get(reverse("insight:constituency", args=[upton.code.lower()]))
        assert response.status_code == 200
        assert b"Upton" in response.content

    def test_unknown_ones_are_not_found(self, client, db):
        assert client.get(reverse("insight:organisation", args=[999999])).status_code == 404
        assert client.get(reverse("insight:constituency", args=["E14XXXXXX"])).status_code == 404


class TestCountsCsv:
    def test_counts_by_sector_are_suppressed(self, client, two_places):
        rows = csv_rows(client.get(reverse("insight:counts_csv", args=["sector"])))
        assert rows == [
            {
                "sector": "health",
                "name": "Health",
                "received": "fewer than 5",
                "decided": "fewer than 5",
            }
        ]

    def test_unknown_breakdown_is_not_found(self, client, db):
        assert client.get(reverse("insight:counts_csv", args=["nhs_number"])).status_code == 404


class TestPerformance:
    def test_monthly_figures_and_csv(self, client):
        org = organisation()
        for _ in range(5):
            decided_case(org=org)
        insight_refresh()
        response = client.get(reverse("insight:performance"))
        assert response.status_code == 200
        assert b"40" in response.content
        rows = csv_rows(client.get(reverse("insight:performance_csv")))
        assert any(r["median_days_to_decide"] == "40" for r in rows)

    def test_empty_database(self, client, db):
        response = client.get(reverse("insight:performance"))
        assert b"There are no figures to show yet." in response.content


class TestLocalAuthorityNames:
    """Places are offered and counted by the names people know, not by ONS codes."""

    @pytest.fixture
    def named(self, db):
        LocalAuthority.objects.update_or_create(code="E08000035", defaults={"name": "Leeds"})
        LocalAuthority.objects.filter(code="E06000999").delete()
        for code in ("E08000035", "E08000035", "E06000999"):
            decided_case(local_authority_code=code)
        insight_refresh()

    def test_the_decisions_filter_offers_names_and_filters_by_code(self, client, named):
        content = client.get(reverse("insight:decisions")).content.decode()
        assert 'for="id_local_authority">Local authority</label>' in content
        assert '<option value="E08000035">Leeds</option>' in content
        # A code we have no name for is still offered, as itself.
        assert '<option value="E06000999">E06000999</option>' in content
        filtered = client.get(reverse("insight:decisions"), {"local_authority": "E08000035"})
        assert ">2 decisions<" in filtered.content.decode()

    def test_the_counts_csv_names_each_authority(self, client, named):
        rows = csv_rows(client.get(reverse("insight:counts_csv", args=["local_authority"])))
        assert {(r["local_authority"], r["name"]) for r in rows} == {
            ("E08000035", "Leeds"),
            ("E06000999", "E06000999"),
        }
