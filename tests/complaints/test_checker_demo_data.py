"""The demo postcodes: real postcodes in the sample constituencies, so "find your MP" works."""

import csv

import pytest
from django.urls import reverse

from accounts.directory_seed import DATA_DIR
from accounts.geography import lookup_postcode, normalise_postcode
from accounts.models import Constituency, MemberOfParliament
from phso.management.commands.seed_demo import SEED_STEPS, seed_directories, seed_postcodes

DEMO_POSTCODES = DATA_DIR / "onspd_demo_postcodes.csv"


def demo_rows():
    with DEMO_POSTCODES.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def seeded_constituency_codes():
    with (DATA_DIR / "pcon24_names_codes.csv").open(newline="", encoding="utf-8-sig") as file:
        return {row["PCON24CD"] for row in csv.DictReader(file)}


class TestDemoPostcodeFile:
    def test_every_postcode_is_in_a_seeded_constituency(self):
        rows = demo_rows()

        assert rows
        assert {row["pcon24cd"] for row in rows} <= seeded_constituency_codes()
        for row in rows:
            assert normalise_postcode(row["pcds"]) == row["pcds"]

    def test_is_a_seed_step_after_the_directories(self):
        assert SEED_STEPS.index(seed_postcodes) > SEED_STEPS.index(seed_directories)


@pytest.mark.django_db
class TestSeedPostcodes:
    def test_loads_the_constituency_of_each_postcode(self):
        seed_directories()
        seed_postcodes()

        for row in demo_rows():
            found = lookup_postcode(row["pcds"])
            assert found.constituency_code == row["pcon24cd"]
            assert Constituency.objects.filter(code=found.constituency_code).exists()

    def test_running_again_changes_nothing(self):
        seed_directories()
        seed_postcodes()

        seed_postcodes()

        assert lookup_postcode("PR7 1DP").constituency_code == "E14001170"

    def test_finds_the_speaker_from_a_chorley_postcode(self, client):
        seed_directories()
        seed_postcodes()
        client.post(reverse("checker:organisation_type"), {"organisation_type": "uk_government"})
        client.post(reverse("checker:organisation"), {"skip": "1"})
        client.post(reverse("checker:complained"), {"complained": "final_response"})
        client.post(reverse("checker:aware"), {"day": "1", "month": "1", "year": "2025"})
        client.post(reverse("checker:late_reason"), {"late_reason": "Waiting for a reply"})

        response = client.post(reverse("checker:postcode"), {"postcode": "PR7 1DP"}, follow=True)

        body = response.content.decode()
        speaker = MemberOfParliament.objects.get(name="Sir Lindsay Hoyle")
        assert "Dear Sir Lindsay Hoyle," in body
        assert speaker.email
        assert f'href="mailto:{speaker.email}"' in body
