"""Staff insight dashboards: analysts and managers only, charts with tables and CSV downloads."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from complaints.models import EqualityMonitoring
from insight.models import SearchLog
from insight.services_reporting import insight_refresh
from tests.conftest import otp_verified_client
from tests.factories import UserFactory
from tests.insight.builders import decided_case, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client):
    return otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))


class TestAccess:
    def test_caseworker_is_refused(self, staff_client):
        assert staff_client.get(reverse("insight_staff:dashboard")).status_code == 403
        assert staff_client.get(reverse("insight_staff:search")).status_code == 403
        url = reverse("insight_staff:chart_csv", args=["status"])
        assert staff_client.get(url).status_code == 403

    def test_public_is_refused(self, client, complainant):
        client.force_login(complainant)
        assert client.get(reverse("insight_staff:dashboard")).status_code == 403

    def test_manager_may_see_them(self, client, manager):
        client = otp_verified_client(client, manager)
        assert client.get(reverse("insight_staff:dashboard")).status_code == 200


class TestDashboard:
    def test_empty_database(self, analyst_client):
        response = analyst_client.get(reverse("insight_staff:dashboard"))
        assert response.status_code == 200
        assert b"No data yet." in response.content

    def test_charts_have_svg_tables_and_csv(self, analyst_client):
        org = organisation(name="Kingsbridge Trust")
        for _ in range(3):
            decided_case(org=org)
        insight_refresh()
        response = analyst_client.get(reverse("insight_staff:dashboard"))
        content = response.content.decode()
        assert content.count("<svg") >= 5
        assert "style=" not in content
        assert "Kingsbridge Trust" in content
        csv_text = b"".join(
            analyst_client.get(
                reverse("insight_staff:chart_csv", args=["organisations"])
            ).streaming_content
        ).decode()
        assert "Kingsbridge Trust,3" in csv_text

    def test_equality_groups_under_five_are_suppressed(self, analyst_client):
        for _ in range(6):
            EqualityMonitoring.objects.create(case=decided_case(), age_band="25_34", sex="")
        EqualityMonitoring.objects.create(case=decided_case(), age_band="75_plus")
        rows = b"".join(
            analyst_client.get(
                reverse("insight_staff:chart_csv", args=["equality-age-band"])
            ).streaming_content
        ).decode()
        assert ",6" in rows
        assert "fewer than 5" in rows

    def test_unknown_chart_is_not_found(self, analyst_client):
        url = reverse("insight_staff:chart_csv", args=["nhs-numbers"])
        assert analyst_client.get(url).status_code == 404

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(
        self, analyst_client, django_assert_max_num_queries, rows
    ):
        for _ in range(rows):
            decided_case(org=organisation())
        insight_refresh()
        with django_assert_max_num_queries(40):
            assert analyst_client.get(reverse("insight_staff:dashboard")).status_code == 200


class TestSearchReport:
    def test_top_and_zero_result_queries(self, analyst_client):
        for query, count in [("parking", 3), ("parking", 3), ("zebra", 0)]:
            SearchLog.objects.create(query=query, result_count=count)
        content = analyst_client.get(reverse("insight_staff:search")).content.decode()
        assert "3 searches" in content
        assert "parking" in content and "zebra" in content
