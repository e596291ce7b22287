import datetime

import pytest

from accounts.geography import (
    InvalidPostcode,
    PostcodeInfo,
    is_postcode,
    lookup_postcode,
    normalise_postcode,
)
from accounts.models import Postcode


class TestNormalisePostcode:
    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("sw1a1aa", "SW1A 1AA"),
            (" SW1A  1AA ", "SW1A 1AA"),
            ("Sw1A 1aA", "SW1A 1AA"),
            ("SW1A\t1AA\n", "SW1A 1AA"),
            ("s w 1 a 1 a a", "SW1A 1AA"),
            ("M11AE", "M1 1AE"),
            ("b338th", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir0aa", "GIR 0AA"),
            ("NPT 0AD", "NPT 0AD"),
        ],
    )
    def test_accepts_any_case_and_whitespace(self, typed, expected):
        assert normalise_postcode(typed) == expected

    @pytest.mark.parametrize(
        "typed",
        [
            "",
            "   ",
            "sw1a-1aa",  # punctuation is refused, not guessed at
            "SW1A.1AA",
            "SW1A 1A",
            "SW1A 1AAA",
            "1W1A 1AA",
            "SW1A AAA",
            "SWW1A 1AA",
            "SW1A 11A",
            "12345",
            "not a postcode",
            "SW1A 1ÄA",
        ],
    )
    def test_refuses_what_is_not_a_postcode_shape(self, typed):
        with pytest.raises(InvalidPostcode):
            normalise_postcode(typed)
        assert not is_postcode(typed)

    def test_refuses_none(self):
        with pytest.raises(InvalidPostcode):
            normalise_postcode(None)


@pytest.mark.django_db
class TestLookupPostcode:
    @pytest.fixture
    def westminster(self):
        return Postcode.objects.create(
            postcode="SW1A 1AA",
            easting=529090,
            northing=179645,
            local_authority_code="E09000033",
            constituency_code="E14001172",
            country_code="E92000001",
            latitude=51.501009,
            longitude=-0.141588,
        )

    def test_finds_a_postcode_however_it_was_typed_in_one_query(
        self, westminster, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            found = lookup_postcode(" sw1a1aa ")
        assert found == PostcodeInfo(
            postcode="SW1A 1AA",
            easting=529090,
            northing=179645,
            local_authority_code="E09000033",
            constituency_code="E14001172",
            country_code="E92000001",
            latitude=51.501009,
            longitude=-0.141588,
        )
        assert found.terminated is False

    def test_result_is_frozen(self, westminster):
        found = lookup_postcode("SW1A 1AA")
        with pytest.raises(AttributeError):
            found.easting = 0

    def test_well_formed_postcode_not_in_directory_is_none(self, westminster):
        assert lookup_postcode("SW1A 2AA") is None

    def test_malformed_text_raises_without_querying(self, django_assert_num_queries):
        with django_assert_num_queries(0), pytest.raises(InvalidPostcode):
            lookup_postcode("sw1a-1aa")

    def test_terminated_postcode_is_found_and_flagged(self):
        Postcode.objects.create(
            postcode="NPT 0AD",
            easting=None,
            northing=None,
            local_authority_code="W06000022",
            terminated_on=datetime.date(2000, 6, 1),
        )
        found = lookup_postcode("npt0ad")
        assert found.terminated is True
        assert found.terminated_on == datetime.date(2000, 6, 1)
        assert found.latitude is None and found.easting is None
