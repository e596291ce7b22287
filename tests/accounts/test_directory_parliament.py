import datetime
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError

from accounts.directory_seed import seed_reference_data
from accounts.importers import ImportProblem
from accounts.importers.parliament import (
    constituencies_import,
    constituency_name_key,
    members_import,
)
from accounts.models import (
    Constituency,
    MemberOfParliament,
    Nation,
    Organisation,
    OrganisationAlias,
)
from tests.accounts.fixtures import FIXTURES
from tests.accounts.fixtures.factories import ConstituencyFactory, MemberOfParliamentFactory

CONSTITUENCIES = FIXTURES / "pcon24_names_codes.csv"
MEMBERS_PAGE = FIXTURES / "members-search-commons.json"
CONTACTS = [FIXTURES / "contact-4514.json", FIXTURES / "contact-467.json"]
PAGE = json.loads(MEMBERS_PAGE.read_text(encoding="utf-8"))


def csv_file(tmp_path, text, name="pcon.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def json_file(tmp_path, data, name):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def page_with(items):
    return {**PAGE, "items": items, "totalResults": len(items)}


def item(member_id, name, constituency, start, end=None, house=1, party="Labour"):
    return {
        "value": {
            "id": member_id,
            "nameDisplayAs": name,
            "latestParty": {"id": 15, "name": party},
            "latestHouseMembership": {
                "membershipFrom": constituency,
                "house": house,
                "membershipStartDate": f"{start}T00:00:00",
                "membershipEndDate": f"{end}T00:00:00" if end else None,
            },
        }
    }


class TestConstituencyNameKey:
    @pytest.mark.parametrize(
        ("published", "typed"),
        [
            ("Alyn and Deeside", "ALYN & DEESIDE"),
            ("Aldridge-Brownhills", "Aldridge Brownhills"),
            ("Ynys Môn", "Ynys Mon"),
            ("Queen's Park and Maida Vale", "Queens Park & Maida Vale"),
            ("Queen’s Park and Maida Vale", "Queen's Park and Maida Vale"),
            ("Ruislip, Northwood and Pinner", "ruislip northwood  and pinner"),
            ("Weston-super-Mare", "Weston Super Mare"),
        ],
    )
    def test_matches_across_publishers(self, published, typed):
        assert constituency_name_key(published) == constituency_name_key(typed)

    def test_different_names_stay_different(self):
        assert constituency_name_key("Aberdeen North") != constituency_name_key("Aberdeen South")


@pytest.mark.django_db
class TestImportConstituencies:
    def test_imports_the_ons_file(self):
        result = constituencies_import(path=CONSTITUENCIES)

        assert (result.read, result.created) == (13, 13)
        assert Constituency.objects.get(code="E14001063").name == "Aldershot"
        assert Constituency.objects.get(code="W07000082").name == "Alyn and Deeside"

    def test_nation_comes_from_the_code(self):
        constituencies_import(path=CONSTITUENCIES)

        nations = {c.code: c.nation for c in Constituency.objects.all()}
        assert nations["E14001290"] == Nation.ENGLAND
        assert nations["W07000081"] == Nation.WALES
        assert nations["S14000060"] == Nation.SCOTLAND
        assert nations["N05000001"] == Nation.NORTHERN_IRELAND
        assert Constituency.objects.in_nation(Nation.SCOTLAND).count() == 4

    def test_importing_again_is_idempotent_and_renames_in_place(self, tmp_path):
        constituencies_import(path=CONSTITUENCIES)
        again = constituencies_import(path=CONSTITUENCIES)
        assert again.unchanged == 13 and Constituency.objects.count() == 13

        renamed = csv_file(tmp_path, "PCON24CD,PCON24NM\nE14001063,Aldershot and Farnborough\n")
        result = constituencies_import(path=renamed)

        assert result.updated == 1
        assert Constituency.objects.get(code="E14001063").name == "Aldershot and Farnborough"
        assert Constituency.objects.count() == 13

    def test_finds_columns_among_others(self, tmp_path):
        path = csv_file(tmp_path, "ObjectId,PCON24NM,Extra,PCON24CD\n1,Chorley,x,E14001170\n")

        constituencies_import(path=path)

        assert Constituency.objects.get(code="E14001170").name == "Chorley"

    @pytest.mark.parametrize(
        ("text", "where", "reason"),
        [
            (
                "CODE,NAME\nE14001063,Aldershot\n",
                "line 1",
                "the header has no PCON24CD and PCON24NM columns",
            ),
            (
                "PCON24CD,PCON24NM\nE14001063,Aldershot\nE05000001,A ward\n",
                "line 3",
                "'E05000001' is not a Westminster constituency code",
            ),
            (
                "PCON24CD,PCON24NM\nE14001063,Aldershot\nE14001064,\n",
                "line 3",
                "the constituency name is empty",
            ),
            (
                "PCON24CD,PCON24NM\nE14001063,Aldershot\nE14001064\n",
                "line 3",
                "expected 2 columns, found 1",
            ),
            (
                "PCON24CD,PCON24NM\nE14001063,Aldershot\nE14001063,Aldershot\n",
                "line 3",
                "E14001063 appears again (first on line 2)",
            ),
        ],
        ids=["header", "code", "name", "columns", "duplicate"],
    )
    def test_malformed_file_stops_and_imports_nothing(self, tmp_path, text, where, reason):
        path = csv_file(tmp_path, text)

        with pytest.raises(ImportProblem) as raised:
            constituencies_import(path=path)

        assert str(raised.value) == f"{path} {where}: {reason}"
        assert not Constituency.objects.exists()

    def test_command(self, tmp_path, capsys):
        call_command("import_constituencies", str(CONSTITUENCIES))
        assert "13 read, 13 created" in capsys.readouterr().out

        with pytest.raises(CommandError, match="line 1: the header has no PCON24CD"):
            call_command("import_constituencies", str(csv_file(tmp_path, "a,b\n1,2\n")))


@pytest.mark.django_db
class TestImportMembers:
    @pytest.fixture(autouse=True)
    def constituencies(self):
        constituencies_import(path=CONSTITUENCIES)

    def test_imports_members_with_constituency_party_and_dates(self):
        result = members_import(paths=[MEMBERS_PAGE])

        assert (result.read, result.created) == (8, 8)
        starmer = MemberOfParliament.objects.get(parliament_id=4514)
        assert starmer.name == "Keir Starmer"
        assert starmer.party == "Labour"
        assert starmer.constituency.code == "E14001290"
        assert starmer.start_date == datetime.date(2015, 5, 7)
        assert starmer.end_date is None

    @time_machine.travel(datetime.date(2025, 3, 1))
    def test_a_member_who_left_is_end_dated_not_current(self):
        members_import(paths=[MEMBERS_PAGE])

        brady = MemberOfParliament.objects.get(parliament_id=1545)
        assert brady.end_date == datetime.date(2024, 5, 30)
        current = MemberOfParliament.objects.current()
        assert brady not in current
        assert current.get(constituency__name="Altrincham and Sale West").name == "Connor Rand"
        assert current.count() == 7

    def test_contact_pages_give_the_parliamentary_office_email(self):
        result = members_import(paths=[*CONTACTS, MEMBERS_PAGE])

        assert result.details["emails"] == 2
        emails = dict(MemberOfParliament.objects.values_list("parliament_id", "email"))
        assert emails[4514] == "keir.starmer.mp@parliament.uk"
        assert emails[467] == "speakersoffice@parliament.uk"  # not the constituency office
        assert emails[4357] == ""

    def test_contact_page_is_recognised_by_shape_and_its_self_link(self, tmp_path):
        members_import(paths=[MEMBERS_PAGE])
        data = json.loads(CONTACTS[0].read_text())
        saved = json_file(tmp_path, data, "starmer.json")

        members_import(paths=[saved])

        assert (
            MemberOfParliament.objects.get(parliament_id=4514).email
            == "keir.starmer.mp@parliament.uk"
        )

    def test_contact_page_named_by_member_id(self, tmp_path):
        members_import(paths=[MEMBERS_PAGE])
        data = {
            "value": [{"type": "Parliamentary office", "email": "kirsty.blackman.mp@parliament.uk"}]
        }

        members_import(paths=[json_file(tmp_path, data, "contact-4357.json")])

        assert (
            MemberOfParliament.objects.get(parliament_id=4357).email
            == "kirsty.blackman.mp@parliament.uk"
        )

    def test_importing_again_is_idempotent(self):
        members_import(paths=[MEMBERS_PAGE, *CONTACTS])
        again = members_import(paths=[MEMBERS_PAGE, *CONTACTS])

        assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
        assert again.details["emails"] == 0
        assert MemberOfParliament.objects.count() == 8

    def test_members_who_leave_are_end_dated_and_never_deleted(self, tmp_path):
        members_import(paths=[MEMBERS_PAGE])
        left = page_with(
            [
                item(
                    4357,
                    "Kirsty Blackman",
                    "Aberdeen North",
                    "2015-05-07",
                    end="2026-01-31",
                    party="Scottish National Party",
                )
            ]
        )

        result = members_import(paths=[json_file(tmp_path, left, "page-2.json")])

        blackman = MemberOfParliament.objects.get(parliament_id=4357)
        assert blackman.end_date == datetime.date(2026, 1, 31)
        assert result.details["end-dated"] == 1
        assert MemberOfParliament.objects.count() == 8

    def test_a_by_election_winner_end_dates_the_sitting_member(self, tmp_path):
        members_import(paths=[MEMBERS_PAGE])
        winner = page_with([item(5999, "A New Member", "Aberdeen North", "2026-05-07")])

        members_import(paths=[json_file(tmp_path, winner, "page-3.json")])

        assert MemberOfParliament.objects.get(parliament_id=4357).end_date == datetime.date(
            2026, 5, 7
        )
        assert (
            MemberOfParliament.objects.current()
            .filter(constituency__code="S14000060")
            .get()
            .parliament_id
            == 5999
        )

    def test_constituency_names_are_matched_loosely(self, tmp_path):
        page = page_with([item(6001, "Some Member", "ALYN & DEESIDE", "2024-07-04")])

        members_import(paths=[json_file(tmp_path, page, "page.json")])

        assert MemberOfParliament.objects.get(parliament_id=6001).constituency.code == "W07000082"

    def test_lords_are_skipped(self, tmp_path):
        page = page_with([item(6002, "Lord Example", "Life peer", "2010-01-01", house=2)])

        result = members_import(paths=[json_file(tmp_path, page, "lords.json")])

        assert result.details["skipped (not Commons)"] == 1
        assert not MemberOfParliament.objects.exists()

    def test_unknown_constituency_stops_with_file_and_item_and_imports_nothing(self, tmp_path):
        items = [PAGE["items"][0], item(6003, "Someone", "Atlantis Central", "2024-07-04")]
        path = json_file(tmp_path, page_with(items), "page.json")

        with pytest.raises(ImportProblem) as raised:
            members_import(paths=[MEMBERS_PAGE, path])

        assert (
            str(raised.value)
            == f"{path} item 1: no constituency called 'Atlantis Central' in the directory"
        )
        assert not MemberOfParliament.objects.exists()

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            (
                lambda v: v.update(id="172"),
                "item 0: member id '172' is not a positive whole number",
            ),
            (lambda v: v.update(nameDisplayAs=""), "item 0: the member has no nameDisplayAs"),
            (
                lambda v: v["latestHouseMembership"].update(membershipStartDate="soon"),
                "item 0: membershipStartDate 'soon' is not a date",
            ),
            (
                lambda v: v["latestHouseMembership"].update(membershipFrom=None),
                "item 0: the membership has no membershipFrom",
            ),
        ],
        ids=["id", "name", "date", "constituency"],
    )
    def test_malformed_items_are_reported(self, tmp_path, change, reason):
        bad = item(6004, "Someone", "Chorley", "2024-07-04")
        change(bad["value"])
        path = json_file(tmp_path, page_with([bad]), "page.json")

        with pytest.raises(ImportProblem, match=reason):
            members_import(paths=[path])

    def test_files_that_are_neither_page_are_refused(self, tmp_path):
        with pytest.raises(ImportProblem, match="not a Members API search page"):
            members_import(paths=[json_file(tmp_path, {"hello": 1}, "other.json")])
        broken = tmp_path / "broken.json"
        broken.write_text("{", encoding="utf-8")
        with pytest.raises(ImportProblem, match="not valid JSON"):
            members_import(paths=[broken])

    def test_contact_for_an_unknown_member_is_refused(self):
        with pytest.raises(ImportProblem, match="no member with id 4514"):
            members_import(paths=[CONTACTS[0]])

    def test_contact_page_with_no_way_to_tell_the_member_is_refused(self, tmp_path):
        data = {"value": [{"type": "Parliamentary office", "email": "x@parliament.uk"}]}
        with pytest.raises(ImportProblem, match="contact-<member id>.json"):
            members_import(paths=[json_file(tmp_path, data, "someone.json")])

    def test_command(self, capsys):
        call_command("import_members", str(MEMBERS_PAGE), *map(str, CONTACTS))

        assert "8 read, 8 created" in capsys.readouterr().out

    def test_command_reports_problem(self, tmp_path):
        path = json_file(tmp_path, page_with([item(7, "X", "Nowhere", "2024-07-04")]), "p.json")
        with pytest.raises(CommandError, match=r"p.json item 0: no constituency called 'Nowhere'"):
            call_command("import_members", str(path))


@pytest.mark.django_db
class TestMemberOfParliament:
    def test_constituency_with_members_cannot_be_deleted(self):
        member = MemberOfParliamentFactory()

        with pytest.raises(ProtectedError):
            member.constituency.delete()

    @time_machine.travel(datetime.date(2025, 6, 1))
    def test_current_includes_members_whose_end_date_is_still_ahead(self):
        constituency = ConstituencyFactory()
        leaving = MemberOfParliamentFactory(
            constituency=constituency, end_date=datetime.date(2025, 7, 1)
        )
        gone = MemberOfParliamentFactory(
            constituency=constituency, end_date=datetime.date(2025, 5, 31)
        )

        current = list(MemberOfParliament.objects.current())

        assert leaving in current and gone not in current


@pytest.mark.django_db
class TestSeedReferenceData:
    def test_loads_a_usable_directory_and_is_idempotent(self):
        seed_reference_data()
        counts = (
            Organisation.objects.count(),
            OrganisationAlias.objects.count(),
            Constituency.objects.count(),
            MemberOfParliament.objects.count(),
        )

        summary = seed_reference_data()

        assert counts == (
            Organisation.objects.count(),
            OrganisationAlias.objects.count(),
            Constituency.objects.count(),
            MemberOfParliament.objects.count(),
        )
        assert counts[0] >= 20 and counts[2] == 13 and counts[3] == 8
        assert "unchanged" in summary["MPs"]
        names = Organisation.objects.active().search("dvla").values_list("name", flat=True)
        assert list(names) == ["Driver and Vehicle Licensing Agency"]
