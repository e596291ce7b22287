"""Local authority names: England's from the packaged ONS list, and any authority's from the names
file of a published ONSPD zip; places are then shown by name, not by their ONS code."""

import zipfile

import pytest
from django.core.management import call_command

from accounts.geography import local_authority_names
from accounts.importers import ImportProblem
from accounts.importers.postcodes import (
    local_authorities_load_packaged,
    local_authorities_save,
    postcodes_import_onspd,
)
from accounts.models import LocalAuthority
from tests.accounts.fixtures import FIXTURES

pytestmark = pytest.mark.django_db


def test_the_packaged_list_names_englands_authorities_and_loads_once():
    LocalAuthority.objects.all().delete()  # as on a database made before the names came
    first = local_authorities_load_packaged()
    assert first.created == LocalAuthority.objects.count() >= 300
    assert local_authority_names(["E08000035", "E09000033"]) == {
        "E08000035": "Leeds",
        "E09000033": "Westminster",
    }
    again = local_authorities_load_packaged()
    assert (again.created, again.updated) == (0, 0) and again.unchanged == first.created


def test_a_renamed_authority_is_renamed_and_an_old_code_is_kept():
    LocalAuthority.objects.create(code="E07000999", name="A district merged away")
    LocalAuthority.objects.update_or_create(code="E08000035", defaults={"name": "Leeds (old)"})
    result = local_authorities_save(names={"E08000035": "Leeds"}, label="test")
    assert result.updated == 1
    assert local_authority_names()["E08000035"] == "Leeds"
    assert LocalAuthority.objects.filter(code="E07000999").exists()


def test_a_bad_code_is_refused_and_nothing_is_saved():
    before = LocalAuthority.objects.count()
    with pytest.raises(ImportProblem, match="not an ONS area code"):
        local_authorities_save(names={"E08000035": "Leeds", "Leeds": "E08000035"}, label="t")
    assert LocalAuthority.objects.count() == before


def test_an_onspd_zip_brings_the_names_of_every_nation(tmp_path):
    archive = tmp_path / "ONSPD_FEB_2025.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "ONSPD_SAMPLE_UK.csv", "Data/ONSPD_FEB_2025_UK.csv")
        zf.writestr(
            "Documents/LA_UA names and codes UK as at 04_25.csv",
            "\ufeffLAD25CD,LAD25NM,LAD25NMW\r\n"
            "W06000015,Cardiff,Caerdydd\r\n"
            "S12000036,City of Edinburgh,\r\n"
            "N09000003,Belfast,\r\n",
        )
    result = postcodes_import_onspd(path=archive)
    assert result.details["local authority names"] == 3
    assert local_authority_names(["W06000015", "S12000036", "N09000003"]) == {
        "W06000015": "Cardiff",
        "S12000036": "City of Edinburgh",
        "N09000003": "Belfast",
    }


def test_load_postcodes_also_loads_the_names(tmp_path, monkeypatch, capsys):
    LocalAuthority.objects.all().delete()
    monkeypatch.setenv("QLACREF_DATA_DIR", str(tmp_path))  # no postcode files: names only
    call_command("load_postcodes", "--no-progress")
    assert "Local authority names:" in capsys.readouterr().out
    assert local_authority_names(["E08000035"]) == {"E08000035": "Leeds"}
