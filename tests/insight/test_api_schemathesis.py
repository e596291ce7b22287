"""Property-based requests to every open data API operation, generated from its OpenAPI schema:
whatever the parameters, the API answers without a server error."""

from urllib.parse import urlencode

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from insight.services_reporting import insight_refresh
from tests.insight.builders import constituency, decided_case, organisation

# Built from the code, not fetched: loading the schema needs no server and no database.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def published(db):
    org = organisation(name="North Trust")
    decided_case(org=org, place=constituency(name="Upton"))
    insight_refresh()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_answers_with_a_server_error(case, client, published):
    response = client.generic(case.method, case.formatted_path, QUERY_STRING=_query(case.query))
    assert response.status_code < 500, (case.method, case.formatted_path, case.query)


def _query(query) -> str:
    return urlencode(query or {}, doseq=True)
