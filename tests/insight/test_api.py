"""The open data API: published decisions and suppressed counts, with a valid OpenAPI schema."""

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from insight.services_reporting import insight_refresh
from tests.insight.builders import constituency, decided_case, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    north, south = organisation(name="North Trust"), organisation(name="South Trust")
    upton = constituency(name="Upton")
    decided_case(org=north, place=upton, summary="North summary.")
    decided_case(org=south, summary="South summary.")
    decided_case(org=north, published=False, summary="Private draft")
    insight_refresh()
    return north, south, upton


class TestSchema:
    def test_schema_is_valid_openapi_3(self, client, db):
        response = client.get(reverse("api:schema"))
        assert response.status_code == 200
        schema = yaml.safe_load(response.content)
        assert schema["openapi"].startswith("3.")
        assert "/api/decisions/" in schema["paths"]
        assert "/api/counts/{by}/" in schema["paths"]

    def test_generated_schema_passes_validation(self, db):
        validate_schema(SchemaGenerator().get_schema(request=None, public=True))


class TestDecisionsEndpoint:
    def test_lists_published_decisions_without_personal_data(self, client, published):
        body = client.get(reverse("api:decision-list")).json()
        assert body["count"] == 2
        assert {r["summary"] for r in body["results"]} == {"North summary.", "South summary."}
        assert set(body["results"][0]) == {
            "reference",
            "published_on",
            "organisation_id",
            "organisation",
            "organisation_kind",
            "sector",
            "region",
            "constituency_code",
            "constituency",
            "local_authority_code",
            "outcome",
            "themes",
            "summary",
        }

    def test_filters(self, client, published):
        north, _, upton = published
        body = client.get(
            reverse("api:decision-list"), {"organisation": north.pk, "constituency": upton.code}
        ).json()
        assert [r["organisation"] for r in body["results"]] == ["North Trust"]

    def test_detail_and_unpublished_not_found(self, client, published):
        north, *_ = published
        public = north.cases.filter(decision__published_at__isnull=False).get()
        private = north.cases.filter(decision__published_at__isnull=True).get()
        detail = client.get(reverse("api:decision-detail", args=[public.reference]))
        assert detail.json()["summary"] == "North summary."
        hidden = client.get(reverse("api:decision-detail", args=[private.reference]))
        assert hidden.status_code == 404

    @pytest.mark.parametrize(
        "params",
        [{"organisation": "x' OR 1=1"}, {"outcome": "nonsense"}, {"published_from": "never"}],
    )
    def test_unknown_filter_values_are_ignored(self, client, published, params):
        response = client.get(reverse("api:decision-list"), params)
        assert response.status_code == 200
        assert response.json()["count"] == 2

    def test_page_past_the_end_is_not_found(self, client, published):
        response = client.get(reverse("api:decision-list"), {"page": 10**9})
        assert response.status_code == 404

    def test_read_only(self, client, published):
        assert client.post(reverse("api:decision-list"), {}).status_code == 405

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(self, client, django_assert_max_num_queries, rows):
        org = organisation()
        for _ in range(rows):
            decided_case(org=org)
        insight_refresh()
        # The filter options (first request after a refresh), count, page and its themes.
        with django_assert_max_num_queries(9):
            assert client.get(reverse("api:decision-list")).json()["count"] == rows


class TestCountsEndpoint:
    def test_small_counts_are_null(self, client, published):
        rows = client.get(reverse("api:counts", args=["organisation"])).json()
        assert {r["label"] for r in rows} == {"North Trust", "South Trust"}
        assert all(r["received"] is None and r["decided"] is None for r in rows)

    def test_counts_from_five(self, client):
        org = organisation(name="Hilltop Trust", region="Wales")
        for _ in range(6):
            decided_case(org=org)
        insight_refresh()
        rows = client.get(reverse("api:counts", args=["region"])).json()
        assert rows == [{"key": "Wales", "label": "Wales", "received": 6, "decided": 6}]

    def test_unknown_breakdown_is_not_found(self, client, db):
        assert client.get(reverse("api:counts", args=["complainant"])).status_code == 404

    def test_empty_database(self, client, db):
        assert client.get(reverse("api:counts", args=["sector"])).json() == []
