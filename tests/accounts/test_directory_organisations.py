import csv
import io
import json

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.importers import ImportProblem
from accounts.importers.ods import organisations_import_ods
from accounts.models import (
    Constituency,
    MemberOfParliament,
    Organisation,
    OrganisationKind,
    Sector,
)
from accounts.roles import Role
from tests.accounts.fixtures import FIXTURES
from tests.accounts.fixtures.factories import OrganisationAliasFactory, OrganisationFactory
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

EPRACCUR = FIXTURES / "epraccur.csv"
ETR = FIXTURES / "etr.csv"


def ods_rows(path):
    return list(csv.reader(path.open(newline="", encoding="utf-8")))


def ods_file(tmp_path, rows, name="epraccur.csv"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.django_db
class TestImportOds:
    def test_imports_gp_practices(self):
        result = organisations_import_ods(path=EPRACCUR, kind="gp_practice")

        assert (result.read, result.created) == (7, 7)
        densham = Organisation.objects.get(ods_code="A81001")
        assert densham.name == "THE DENSHAM SURGERY"
        assert densham.kind == OrganisationKind.GP_PRACTICE
        assert densham.sector == Sector.HEALTH
        assert densham.town == "STOCKTON-ON-TEES"
        assert densham.postcode == "TS18 1HU"
        assert densham.region == "North East and Yorkshire"
        assert densham.is_active

    def test_only_open_practices_are_active(self):
        organisations_import_ods(path=EPRACCUR, kind="gp_practice")

        inactive = Organisation.objects.filter(is_active=False).values_list("ods_code", flat=True)
        # C closed, D dormant and P proposed are kept, but not offered.
        assert sorted(inactive) == ["A81003", "M85001", "Y07001"]

    def test_trusts_with_no_status_use_the_close_date(self):
        organisations_import_ods(path=ETR, kind="nhs_trust")

        assert Organisation.objects.get(ods_code="RR8").is_active  # no status, no close date
        assert not Organisation.objects.get(ods_code="RQ6").is_active  # closed 2019
        assert set(Organisation.objects.values_list("kind", flat=True)) == {"nhs_trust"}

    def test_importing_again_is_idempotent(self):
        organisations_import_ods(path=EPRACCUR, kind="gp_practice")
        first = dict(Organisation.objects.values_list("ods_code", "updated_at"))

        again = organisations_import_ods(path=EPRACCUR, kind="gp_practice")

        assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
        assert Organisation.objects.count() == 7
        assert dict(Organisation.objects.values_list("ods_code", "updated_at")) == first

    def test_updates_in_place_and_closes_practices(self, tmp_path):
        organisations_import_ods(path=EPRACCUR, kind="gp_practice")
        densham = Organisation.objects.get(ods_code="A81001")
        OrganisationAliasFactory(organisation=densham, name="Lawson Street surgery")
        rows = ods_rows(EPRACCUR)
        rows[0][1] = "THE DENSHAM SURGERY (LAWSON STREET)"
        rows[0][11], rows[0][12] = "20250331", "C"

        result = organisations_import_ods(path=ods_file(tmp_path, rows), kind="gp_practice")

        assert (result.created, result.updated) == (0, 1)
        densham.refresh_from_db()
        assert densham.name == "THE DENSHAM SURGERY (LAWSON STREET)"
        assert not densham.is_active
        assert list(densham.aliases.values_list("name", flat=True)) == ["Lawson Street surgery"]

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            (lambda row: row[:20], "expected 27 columns, found 20"),
            (lambda row: [*row, ""], "expected 27 columns, found 28"),
            (lambda row: ["", *row[1:]], "the organisation code (column 1) is empty"),
            (lambda row: [row[0], "", *row[2:]], "the organisation name (column 2) is empty"),
            (lambda row: [*row[:9], "TS18-1HU", *row[10:]], "'TS18-1HU' is not a UK postcode"),
            (lambda row: [*row[:9], "", *row[10:]], "'' is not a UK postcode"),
            (
                lambda row: [*row[:12], "X", *row[13:]],
                "unknown status code 'X' (expected A, C, D or P)",
            ),
            (lambda row: ["A8 1", *row[1:]], "'A8 1' is not an ODS organisation code"),
        ],
        ids=["short", "long", "code", "name", "postcode", "no-postcode", "status", "bad-code"],
    )
    def test_malformed_file_stops_at_the_line_and_imports_nothing(self, tmp_path, change, reason):
        OrganisationFactory(ods_code="RR8", name="LEEDS TEACHING HOSPITALS NHS TRUST")
        rows = ods_rows(EPRACCUR)
        rows[4] = change(rows[4])
        path = ods_file(tmp_path, rows)

        with pytest.raises(ImportProblem) as raised:
            organisations_import_ods(path=path, kind="gp_practice")

        assert str(raised.value) == f"{path} line 5: {reason}"
        assert list(Organisation.objects.values_list("ods_code", flat=True)) == ["RR8"]

    def test_repeated_code_is_malformed(self, tmp_path):
        rows = ods_rows(EPRACCUR)
        path = ods_file(tmp_path, [*rows, rows[1]])

        with pytest.raises(ImportProblem, match="line 8: organisation code A81002 appears again"):
            organisations_import_ods(path=path, kind="gp_practice")
        assert not Organisation.objects.exists()

    def test_refuses_kinds_ods_does_not_publish(self):
        with pytest.raises(ValueError, match="GP practices or NHS trusts"):
            organisations_import_ods(path=EPRACCUR, kind="government_department")

    def test_command_imports_and_reports(self, capsys):
        call_command("import_ods", str(ETR), "--kind", "nhs_trust")

        assert "6 read, 6 created, 1 inactive" in capsys.readouterr().out
        assert Organisation.objects.filter(kind="nhs_trust").count() == 6

    def test_command_names_file_and_line_of_a_malformed_file(self, tmp_path):
        rows = ods_rows(ETR)
        rows[2] = rows[2][:26]
        path = ods_file(tmp_path, rows, name="etr.csv")

        with pytest.raises(CommandError) as raised:
            call_command("import_ods", str(path), "--kind", "nhs_trust")

        assert str(raised.value) == (
            f"{path} line 3: expected 27 columns, found 26 (nothing was imported)"
        )
        assert not Organisation.objects.exists()

    def test_command_requires_a_kind_it_can_import(self):
        with pytest.raises(CommandError, match="invalid choice"):
            call_command("import_ods", str(ETR), "--kind", "icb")


@pytest.mark.django_db
class TestOrganisationSearch:
    @pytest.fixture
    def directory(self):
        organisations_import_ods(path=ETR, kind="nhs_trust")
        organisations_import_ods(path=EPRACCUR, kind="gp_practice")
        dwp = OrganisationFactory(
            name="Department for Work and Pensions",
            ods_code=None,
            kind=OrganisationKind.GOVERNMENT_DEPARTMENT,
            sector=Sector.PARLIAMENTARY,
            town="",
            postcode="",
        )
        OrganisationAliasFactory(organisation=dwp, name="Jobcentre Plus")
        OrganisationAliasFactory(organisation=dwp, name="DWP")

    def names(self, text):
        return list(Organisation.objects.active().search(text).values_list("name", flat=True))

    def test_matches_name_words_in_any_order_and_case(self, directory):
        assert self.names("hospitals liverpool") == [
            "LIVERPOOL UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"
        ]

    def test_matches_alias(self, directory):
        assert self.names("jobcentre") == ["Department for Work and Pensions"]

    def test_matches_town(self, directory):
        assert self.names("stockton") == ["QUEENS PARK MEDICAL CENTRE", "THE DENSHAM SURGERY"]

    def test_exact_ods_code_comes_first(self, directory):
        OrganisationFactory(name="AN RTH EXAMPLE", ods_code="Q1")
        assert self.names("rth")[0] == "OXFORD UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"

    def test_names_starting_with_the_text_come_first(self, directory):
        assert self.names("cambridge")[0] == "CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"

    def test_inactive_organisations_are_not_offered(self, directory):
        assert self.names("royal liverpool") == []
        assert Organisation.objects.search("royal liverpool").count() == 1

    def test_blank_text_matches_nothing(self, directory):
        assert self.names("   ") == []

    def test_an_alias_matching_twice_lists_the_organisation_once(self, directory):
        assert self.names("p").count("Department for Work and Pensions") == 1


@pytest.mark.django_db
class TestOrganisationSearchPage:
    url = "/your-account/organisations/search"

    @pytest.fixture
    def trusts(self):
        organisations_import_ods(path=ETR, kind="nhs_trust")

    def test_url_name(self):
        assert reverse("accounts:organisation_search") == self.url

    def test_shows_the_search_form_to_anyone(self, client):
        response = client.get(self.url)

        assert response.status_code == 200
        html = response.content.decode()
        assert "Find the organisation" in html
        assert 'name="q"' in html
        assert "There is a problem" not in html

    def test_lists_matches_with_a_choose_link_back_to_next(
        self, client, trusts, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(2):
            response = client.get(self.url, {"q": "liverpool", "next": "/complaints/new?step=2"})

        assert response.status_code == 200
        html = response.content.decode()
        liverpool = Organisation.objects.get(ods_code="REM")
        assert "LIVERPOOL UNIVERSITY HOSPITALS NHS FOUNDATION TRUST" in html
        assert f'href="/complaints/new?step=2&amp;organisation={liverpool.pk}"' in html
        assert "ROYAL LIVERPOOL AND BROADGREEN" not in html  # closed
        assert "1 organisation matches" in html
        assert 'name="next" value="/complaints/new?step=2"' in html

    def test_choosing_again_replaces_an_earlier_choice(self, client, trusts):
        response = client.get(self.url, {"q": "RJ1", "next": "/complaints/new?organisation=99"})

        guys = Organisation.objects.get(ods_code="RJ1")
        assert f'href="/complaints/new?organisation={guys.pk}"' in response.content.decode()

    def test_without_next_results_have_no_choose_link(self, client, trusts):
        response = client.get(self.url, {"q": "oxford"})

        html = response.content.decode()
        assert "OXFORD UNIVERSITY HOSPITALS" in html
        assert "Choose" not in html

    @pytest.mark.parametrize(
        "next_url",
        [
            "https://attacker.example/complaints/",
            "//attacker.example/complaints/",
            "/\\attacker.example/",
            "javascript:alert(1)",
            "complaints/new",
        ],
    )
    def test_refuses_a_next_that_is_not_on_this_site(self, client, trusts, next_url):
        response = client.get(self.url, {"q": "oxford", "next": next_url})

        assert response.status_code == 400
        assert "attacker" not in response.content.decode()

    def test_no_matches_says_so(self, client, trusts):
        response = client.get(self.url, {"q": "nowhere general"})

        assert "No organisations match ‘nowhere general’" in response.content.decode()

    def test_too_short_a_search_is_an_error_summary(self, client, trusts):
        response = client.get(self.url, {"q": "o"})

        html = response.content.decode()
        assert "There is a problem" in html
        assert 'href="#id_q"' in html
        assert "Enter at least 2 characters" in html
        assert "<title>Error: " in html

    def test_empty_search_is_an_error(self, client):
        response = client.get(self.url, {"q": ""})

        assert "Enter the name, town or ODS code of the organisation" in response.content.decode()

    def test_many_matches_are_capped_with_a_hint_in_constant_queries(
        self, client, django_assert_max_num_queries
    ):
        OrganisationFactory.create_batch(55, name="Example Community Health Trust")

        with django_assert_max_num_queries(2):
            response = client.get(self.url, {"q": "community"})

        html = response.content.decode()
        assert "More than 50 organisations match" in html
        assert html.count("Example Community Health Trust") == 50

    def test_only_get_is_allowed(self, client):
        assert client.post(self.url, {"q": "oxford"}).status_code == 405


@pytest.mark.django_db
class TestOrganisationSearchJson:
    url = "/your-account/organisations/search.json"

    def test_returns_matches_as_json(self, client):
        organisations_import_ods(path=ETR, kind="nhs_trust")

        response = client.get(self.url, {"q": "RTH"})

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        oxford = Organisation.objects.get(ods_code="RTH")
        assert response.json() == {
            "results": [
                {
                    "id": oxford.pk,
                    "name": "OXFORD UNIVERSITY HOSPITALS NHS FOUNDATION TRUST",
                    "ods_code": "RTH",
                    "town": "OXFORD",
                    "kind": "nhs_trust",
                }
            ]
        }

    def test_returns_at_most_ten_in_one_query(self, client, django_assert_max_num_queries):
        OrganisationFactory.create_batch(15, name="Example Mental Health Trust")

        with django_assert_max_num_queries(1):
            response = client.get(self.url, {"q": "mental health"})

        assert len(response.json()["results"]) == 10

    @pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "x"}])
    def test_too_short_a_search_returns_nothing(self, client, query, django_assert_num_queries):
        OrganisationFactory(name="X Trust")
        with django_assert_num_queries(0):
            response = client.get(self.url, query)

        assert response.status_code == 200
        assert json.loads(response.content) == {"results": []}

    def test_only_get_is_allowed(self, client):
        assert client.post(self.url, {"q": "oxford"}).status_code == 405


@pytest.mark.django_db
class TestDirectoryAdmin:
    @pytest.mark.parametrize("model", [Organisation, Constituency, MemberOfParliament])
    def test_models_are_registered_with_search(self, model):
        model_admin = admin.site._registry[model]
        assert model_admin.search_fields
        assert model_admin.list_filter

    def test_administrator_can_search_organisations_by_alias(self, client):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
        dwp = OrganisationFactory(name="Department for Work and Pensions", ods_code=None)
        OrganisationAliasFactory(organisation=dwp, name="Jobcentre Plus")
        OrganisationFactory(name="Home Office", ods_code=None)
        staff = otp_verified_client(client, administrator)

        response = staff.get("/admin/accounts/organisation/", {"q": "jobcentre"})

        assert response.status_code == 200
        html = response.content.decode()
        assert "Department for Work and Pensions" in html
        assert "Home Office" not in html

    def test_people_who_are_not_staff_cannot_open_the_directory_admin(self, client, complainant):
        client.force_login(complainant)

        response = client.get("/admin/accounts/organisation/")

        assert response.status_code == 403
