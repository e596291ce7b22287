"""The PDS client against the fake PDS server, over real HTTP on the loopback interface."""

import logging
import os
import re
import select
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jwt
import pytest
import requests
import time_machine
from django.core.exceptions import ImproperlyConfigured

from casework.integrations import fake_pds
from casework.integrations.pds import (
    InvalidNhsNumber,
    PatientNotFound,
    PatientRecord,
    PdsAccessDenied,
    PdsClient,
    PdsRequestError,
    PdsUnavailable,
    RateLimiter,
    TooManyMatches,
    is_valid_nhs_number,
    normalise_nhs_number,
    process_rate_limiter,
)
from tests.casework.conftest import PDS_API_KEY, PDS_KEY_ID

REPO_ROOT = Path(__file__).resolve().parents[2]
INVALID_NHS_NUMBERS = [
    "9000000001",  # wrong check digit
    "9000000050",  # check digit would be 10: never issued
    "900000000",  # nine digits
    "90000000099",  # eleven digits
    "900000000A",
    "900.000.0009",
    "",
    "９０００００００09",  # full-width digits
]


def only_request_id(fake):
    ids = {r.header("x-request-id") for r in fake.pds_requests}
    assert len(ids) == 1
    return ids.pop()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestNhsNumber:
    @pytest.mark.parametrize(
        "value", ["9000000009", "900 000 0009", "900-000-0009", " 900 000-0009 "]
    )
    def test_spaces_and_dashes_are_normalised_away(self, value):
        assert normalise_nhs_number(value) == "9000000009"
        assert is_valid_nhs_number(value)

    @pytest.mark.parametrize("value", INVALID_NHS_NUMBERS + [None, 9000000009])
    def test_invalid_numbers_are_rejected(self, value):
        assert not is_valid_nhs_number(value)
        with pytest.raises(InvalidNhsNumber):
            normalise_nhs_number(value)

    def test_error_is_also_a_value_error_for_form_validation(self):
        with pytest.raises(ValueError):
            normalise_nhs_number("9000000001")


class TestGetPatient:
    def test_full_record(self, pds_client, fake_pds_server):
        record = pds_client.get_patient(fake_pds.FULL_RECORD)

        assert record.nhs_number == "9000000009"
        assert record.given_names == ("Jane",)
        assert record.family_name == "Smith"
        assert record.birth_date == date(2010, 10, 22)
        assert record.gender == "female"
        # The home address, not the temporary one with the same lines and a different use.
        assert record.address_lines == (
            "1 Trevelyan Square",
            "Boar Lane",
            "City Centre",
            "Leeds",
            "West Yorkshire",
        )
        assert record.postcode == "LS1 6AE"
        assert record.gp_ods_code == "Y12345"
        assert record.restricted is False
        assert record.deceased == date(2010, 10, 22)
        assert record.superseded is False
        assert record.requested_nhs_number == "9000000009"
        [request] = fake_pds_server.pds_requests
        assert request.path == "/personal-demographics/FHIR/R4/Patient/9000000009"
        assert request.header("accept") == "application/fhir+json"

    def test_second_sandbox_record(self, pds_client):
        record = pds_client.get_patient(fake_pds.SECOND_FULL_RECORD)

        assert (record.given_names, record.family_name) == (("Jayne",), "Smyth")
        assert record.postcode == "LS1 6AE"

    def test_minimal_record_leaves_everything_else_empty(self, pds_client):
        record = pds_client.get_patient(fake_pds.MINIMAL_RECORD)

        assert record == PatientRecord(nhs_number="9000000033", requested_nhs_number="9000000033")
        assert record.given_names == () and record.family_name is None and record.birth_date is None
        assert record.address_lines == () and record.postcode is None and record.gp_ods_code is None
        assert record.deceased is False and record.restricted is False

    def test_restricted_record_keeps_no_address_or_gp(self, pds_client):
        record = pds_client.get_patient(fake_pds.RESTRICTED_RECORD)

        assert record.restricted is True
        assert (record.given_names, record.family_name) == (("Janet",), "Smythe")
        assert record.address_lines == ()
        assert record.postcode is None
        assert record.gp_ods_code is None

    @pytest.mark.parametrize(
        "nhs_number, secrets",
        [
            (
                fake_pds.RESTRICTED_WITH_ADDRESS,
                ["9 Secret Lane", "LS2 9JT", "Y99999", "01632960999"],
            ),
            (
                fake_pds.VERY_RESTRICTED_WITH_ADDRESS,
                ["10 Secret Lane", "LS2 9JU", "Y99998", "01632960998"],
            ),
        ],
    )
    def test_restricted_record_wrongly_carrying_contact_details_is_stripped(
        self, pds_client, fake_pds_server, caplog, nhs_number, secrets
    ):
        caplog.set_level(logging.DEBUG)
        served = fake_pds_server.patients[nhs_number]
        assert served["address"] and served["telecom"] and served["generalPractitioner"]

        record = pds_client.get_patient(nhs_number)

        assert record.restricted is True
        assert record.address_lines == () and record.postcode is None and record.gp_ods_code is None
        shown = " ".join([repr(record), str(record), *(str(v) for v in vars(record).values())])
        logged = "\n".join(r.getMessage() for r in caplog.records)
        for secret in secrets:
            assert secret not in shown
            assert secret not in logged

    def test_superseded_number_returns_the_current_record_marked_superseded(
        self, pds_client, fake_pds_server
    ):
        record = pds_client.get_patient(fake_pds.SUPERSEDED_NUMBER)

        assert record.superseded is True
        assert record.nhs_number == fake_pds.CUFF_CURRENT_RECORD
        assert record.requested_nhs_number == fake_pds.SUPERSEDED_NUMBER
        assert (record.given_names, record.family_name) == (("Jane",), "CUFF")
        assert fake_pds_server.pds_requests[0].path.endswith(
            f"/Patient/{fake_pds.SUPERSEDED_NUMBER}"
        )

    def test_current_usual_name_home_address_and_gp_are_chosen_by_period(self, pds_client):
        record = pds_client.get_patient(fake_pds.MOVED_AND_RENAMED)

        assert record.given_names == ("Morgan", "Avery")
        assert record.family_name == "Green"  # not the ended usual name, nor the nickname
        assert record.address_lines == ("4 New Street", "York")  # not the old home or the temp
        assert record.postcode == "YO1 9QL"
        assert record.gp_ods_code == "C82001"

    @pytest.mark.parametrize("typed", ["900 000 0009", "900-000-0009", "  9000000009 "])
    def test_spaces_and_dashes_are_accepted(self, pds_client, fake_pds_server, typed):
        record = pds_client.get_patient(typed)

        assert record.nhs_number == "9000000009"
        assert record.requested_nhs_number == "9000000009"
        assert record.superseded is False
        assert fake_pds_server.pds_requests[0].path.endswith("/Patient/9000000009")

    @pytest.mark.parametrize("value", INVALID_NHS_NUMBERS)
    def test_invalid_nhs_number_never_causes_a_request(self, pds_client, fake_pds_server, value):
        with pytest.raises(InvalidNhsNumber):
            pds_client.get_patient(value)

        assert fake_pds_server.requests == []

    @pytest.mark.parametrize(
        "nhs_number, code",
        [
            (fake_pds.UNKNOWN_NUMBER, "RESOURCE_NOT_FOUND"),
            (fake_pds.INVALIDATED_NUMBER, "INVALIDATED_RESOURCE"),
        ],
    )
    def test_missing_or_invalidated_patient_is_not_found(
        self, pds_client, fake_pds_server, nhs_number, code
    ):
        with pytest.raises(PatientNotFound) as raised:
            pds_client.get_patient(nhs_number)

        assert raised.value.code == code
        assert raised.value.status == 404
        assert raised.value.request_id == only_request_id(fake_pds_server)
        assert nhs_number not in str(raised.value)

    @pytest.mark.parametrize(
        "status, code, error",
        [
            (400, "INVALID_RESOURCE_ID", PdsRequestError),
            (400, "INVALID_SEARCH_DATA", PdsRequestError),
            (403, "ACCESS_DENIED", PdsAccessDenied),
            (404, "RESOURCE_NOT_FOUND", PatientNotFound),
        ],
    )
    def test_sandbox_error_outcomes_map_to_errors_without_retrying(
        self, pds_client, fake_pds_server, pds_sleeps, status, code, error
    ):
        fake_pds_server.fail_next(1, status=status, code=code)

        with pytest.raises(error) as raised:
            pds_client.get_patient(fake_pds.FULL_RECORD)

        assert (raised.value.status, raised.value.code) == (status, code)
        assert len(fake_pds_server.pds_requests) == 1
        assert pds_sleeps == []


class TestSearch:
    def test_sends_the_pds_search_parameters(self, pds_client, fake_pds_server):
        pds_client.search(
            family="Jones",
            given="Alice",
            birthdate=date(1980, 5, 14),
            gender="female",
            postcode="ls1 4ap",
            max_results=10,
        )

        [request] = fake_pds_server.pds_requests
        assert request.path == "/personal-demographics/FHIR/R4/Patient"
        assert request.query == {
            "family": ["Jones"],
            "given": ["Alice"],
            "birthdate": ["eq1980-05-14"],
            "gender": ["female"],
            "address-postalcode": ["LS1 4AP"],
            "_max-results": ["10"],
        }
        uuid.UUID(request.header("x-request-id"), version=4)

    def test_results_come_best_score_first(self, pds_client):
        results = pds_client.search(
            family="Jones",
            given="Alice",
            birthdate="1980-05-14",
            postcode="LS1 4AP",
            max_results=10,
        )

        scores = [score for _, score in results]
        assert scores == sorted(scores, reverse=True)
        assert scores == [1.0, 0.75, 0.75, 0.5, 0.5, 0.5]
        best, _ = results[0]
        assert (best.given_names, best.postcode) == (("Alice",), "LS1 4AP")
        assert all(record.family_name == "Jones" for record, _ in results)
        assert all(record.superseded is False for record, _ in results)

    def test_compound_given_name(self, pds_client):
        [(record, score)] = pds_client.search(
            family="Smith", given="John Paul", gender="male", birthdate="2010-10-22"
        )

        assert record.nhs_number == fake_pds.COMPOUND_NAME_RECORD
        assert record.given_names == ("John Paul",)
        assert record.family_name == "Smith"
        assert score == 1.0

    def test_too_many_matches(self, pds_client, fake_pds_server):
        with pytest.raises(TooManyMatches) as raised:
            pds_client.search(family="Jones", birthdate="1980-05-14")

        assert raised.value.code == "TOO_MANY_MATCHES"
        assert raised.value.status == 200
        assert len(fake_pds_server.pds_requests) == 1

    def test_restricted_patient_in_results_keeps_no_address(self, pds_client):
        [(record, _)] = pds_client.search(family="Hidden", birthdate="1975-03-02")

        assert record.restricted is True
        assert record.address_lines == () and record.postcode is None and record.gp_ods_code is None

    def test_superseded_patient_is_found_under_the_current_number_only(self, pds_client):
        [(record, score)] = pds_client.search(
            family="Cuff", gender="female", birthdate="1926-01-07"
        )

        assert record.nhs_number == fake_pds.CUFF_CURRENT_RECORD
        assert record.superseded is False
        assert record.postcode == "DN20 0PQ"
        assert score == 1.0

    def test_no_match_is_an_empty_list(self, pds_client):
        assert pds_client.search(family="Nobody", birthdate="1901-01-01") == []

    def test_search_below_pds_minimum_is_a_request_error(self, pds_client):
        with pytest.raises(PdsRequestError) as raised:
            pds_client.search(family="Smith")

        assert (raised.value.status, raised.value.code) == (400, "INVALID_SEARCH_DATA")

    @pytest.mark.parametrize(
        "criteria",
        [
            {},
            {"gender": "woman", "family": "Smith"},
            {"birthdate": "22/10/2010", "family": "Smith"},
        ],
    )
    def test_unusable_criteria_never_cause_a_request(self, pds_client, fake_pds_server, criteria):
        with pytest.raises(ValueError):
            pds_client.search(**criteria)

        assert fake_pds_server.requests == []


class TestRetries:
    def test_server_error_is_retried_with_the_same_request_id(
        self, pds_client, fake_pds_server, pds_sleeps
    ):
        fake_pds_server.fail_next(2, status=500)

        record = pds_client.get_patient(fake_pds.FULL_RECORD)
        pds_client.get_patient(fake_pds.FULL_RECORD)

        assert record.family_name == "Smith"
        requests_made = fake_pds_server.pds_requests
        assert [r.status for r in requests_made] == [500, 500, 200, 200]
        first_call = {r.header("x-request-id") for r in requests_made[:3]}
        assert len(first_call) == 1
        assert len({r.header("x-correlation-id") for r in requests_made[:3]}) == 1
        uuid.UUID(first_call.copy().pop(), version=4)
        assert requests_made[3].header("x-request-id") not in first_call
        assert pds_sleeps == [0.5, 1.0]  # exponential backoff

    def test_429_waits_for_retry_after(self, pds_client, fake_pds_server, pds_sleeps):
        fake_pds_server.fail_next(1, status=429, retry_after=3)

        record = pds_client.get_patient(fake_pds.FULL_RECORD)

        assert record.nhs_number == "9000000009"
        assert pds_sleeps == [3.0]
        assert [r.status for r in fake_pds_server.pds_requests] == [429, 200]
        only_request_id(fake_pds_server)

    def test_429_without_retry_after_backs_off(self, pds_client, fake_pds_server, pds_sleeps):
        fake_pds_server.fail_next(1, status=429)

        pds_client.get_patient(fake_pds.FULL_RECORD)

        assert pds_sleeps == [0.5]

    def test_retry_after_beyond_the_limit_gives_up_at_once(
        self, make_pds_client, fake_pds_server, pds_sleeps
    ):
        client = make_pds_client(max_retry_after=60)
        fake_pds_server.fail_next(1, status=429, retry_after=120)

        with pytest.raises(PdsUnavailable) as raised:
            client.get_patient(fake_pds.FULL_RECORD)

        assert raised.value.retry_after == 120
        assert raised.value.status == 429
        assert pds_sleeps == []
        assert len(fake_pds_server.pds_requests) == 1

    def test_persistent_server_error_becomes_unavailable_after_max_retries(
        self, make_pds_client, fake_pds_server, pds_sleeps
    ):
        client = make_pds_client(max_retries=3)
        fake_pds_server.fail_next(10, status=503)

        with pytest.raises(PdsUnavailable) as raised:
            client.get_patient(fake_pds.FULL_RECORD)

        assert len(fake_pds_server.pds_requests) == 4
        assert raised.value.request_id == only_request_id(fake_pds_server)
        assert raised.value.status == 503
        assert pds_sleeps == [0.5, 1.0, 2.0]

    def test_timeout_is_retried(self, make_pds_client, fake_pds_server, pds_sleeps):
        client = make_pds_client(timeout=0.5)
        fake_pds_server.stall_next(1, seconds=5)

        record = client.get_patient(fake_pds.FULL_RECORD)

        assert record.family_name == "Smith"
        assert len(fake_pds_server.pds_requests) == 2
        only_request_id(fake_pds_server)
        assert pds_sleeps == [0.5]

    def test_persistent_timeout_becomes_unavailable(
        self, make_pds_client, fake_pds_server, pds_sleeps
    ):
        client = make_pds_client(timeout=0.5, max_retries=2)
        fake_pds_server.stall_next(3, seconds=5)

        started = time.monotonic()
        with pytest.raises(PdsUnavailable):
            client.get_patient(fake_pds.FULL_RECORD)

        assert time.monotonic() - started < 4.5  # gave up on each stall at the client's timeout
        assert len(fake_pds_server.pds_requests) == 3
        only_request_id(fake_pds_server)
        assert pds_sleeps == [0.5, 1.0]

    def test_unreachable_service_is_unavailable_without_leaking_the_url(
        self, make_pds_client, pds_sleeps
    ):
        port = free_port()
        client = make_pds_client(
            base_url=f"http://127.0.0.1:{port}/personal-demographics/FHIR/R4",
            token_url=f"http://127.0.0.1:{port}/oauth2/token",
            max_retries=1,
        )

        with pytest.raises(PdsUnavailable) as raised:
            client.get_patient(fake_pds.FULL_RECORD)

        assert fake_pds.FULL_RECORD not in str(raised.value)
        assert raised.value.__cause__ is None
        assert pds_sleeps == [0.5]


class TestAuthentication:
    def test_client_assertion_is_an_rs512_jwt_the_fake_accepts(self, pds_client, fake_pds_server):
        pds_client.get_patient(fake_pds.FULL_RECORD)

        [token_request] = fake_pds_server.token_requests
        assert token_request.method == "POST"
        assert token_request.status == 200
        assert token_request.form["grant_type"] == "client_credentials"
        assert (
            token_request.form["client_assertion_type"]
            == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        )
        assert token_request.jwt_header["alg"] == "RS512"
        assert token_request.jwt_header["kid"] == PDS_KEY_ID
        claims = token_request.jwt_claims
        assert claims["iss"] == claims["sub"] == PDS_API_KEY
        assert claims["aud"] == fake_pds_server.token_url
        assert uuid.UUID(claims["jti"]).version == 4
        assert claims["exp"] <= time.time() + 300
        assert 0 < claims["exp"] - claims["iat"] <= 300
        [pds_request] = fake_pds_server.pds_requests
        assert re.fullmatch(r"Bearer \S+", pds_request.header("authorization"))

    def test_token_is_fetched_once_and_reused(self, pds_client, fake_pds_server):
        pds_client.get_patient(fake_pds.FULL_RECORD)
        pds_client.get_patient(fake_pds.MINIMAL_RECORD)
        pds_client.search(family="Smith", gender="male", birthdate="2010-10-22")

        assert len(fake_pds_server.token_requests) == 1
        assert len({r.header("authorization") for r in fake_pds_server.pds_requests}) == 1

    def test_token_is_refreshed_shortly_before_it_expires(self, pds_client, fake_pds_server):
        with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
            pds_client.get_patient(fake_pds.FULL_RECORD)
            traveller.shift(timedelta(seconds=500))
            pds_client.get_patient(fake_pds.FULL_RECORD)
            assert len(fake_pds_server.token_requests) == 1

            traveller.shift(timedelta(seconds=80))  # 580 s: within the margin of the 599 s life
            pds_client.get_patient(fake_pds.FULL_RECORD)

        assert len(fake_pds_server.token_requests) == 2
        first, second, third = (r.header("authorization") for r in fake_pds_server.pds_requests)
        assert first == second != third

    def test_concurrent_calls_share_one_token_fetch(self, pds_client, fake_pds_server):
        barrier = threading.Barrier(8)
        records, failures = [], []

        def look_up():
            barrier.wait()
            try:
                records.append(pds_client.get_patient(fake_pds.FULL_RECORD))
            except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
                failures.append(exc)

        threads = [threading.Thread(target=look_up) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

        assert failures == []
        assert len(records) == 8
        assert len(fake_pds_server.token_requests) == 1
        assert len({r.header("x-request-id") for r in fake_pds_server.pds_requests}) == 8

    def test_401_drops_the_token_and_retries_once(self, pds_client, fake_pds_server, pds_sleeps):
        pds_client.get_patient(fake_pds.FULL_RECORD)
        fake_pds_server.revoke_tokens()

        record = pds_client.get_patient(fake_pds.FULL_RECORD)

        assert record.nhs_number == "9000000009"
        assert len(fake_pds_server.token_requests) == 2
        statuses = [r.status for r in fake_pds_server.pds_requests]
        assert statuses == [200, 401, 200]
        retried = fake_pds_server.pds_requests[1:]
        assert retried[0].header("x-request-id") == retried[1].header("x-request-id")
        assert retried[0].header("authorization") != retried[1].header("authorization")
        assert pds_sleeps == []

    def test_repeated_401_is_access_denied(self, pds_client, fake_pds_server):
        fake_pds_server.fail_next(5, status=401)

        with pytest.raises(PdsAccessDenied) as raised:
            pds_client.get_patient(fake_pds.FULL_RECORD)

        assert raised.value.status == 401
        assert raised.value.code == "ACCESS_DENIED"
        assert len(fake_pds_server.pds_requests) == 2
        assert len(fake_pds_server.token_requests) == 2

    @pytest.mark.parametrize("setting", ["private_key_pem", "api_key", "key_id"])
    def test_wrong_credentials_are_refused_before_any_pds_request(
        self, make_pds_client, fake_pds_server, setting
    ):
        wrong = {
            "private_key_pem": fake_pds.generate_key_pair()[0],
            "api_key": "someone-elses-key",
            "key_id": "unknown-key",
        }
        client = make_pds_client(**{setting: wrong[setting]})

        with pytest.raises(PdsAccessDenied):
            client.get_patient(fake_pds.FULL_RECORD)

        assert fake_pds_server.pds_requests == []
        assert [r.status for r in fake_pds_server.token_requests] == [401]


def post_assertion(fake, private_pem, *, header=None, exp_offset=120, **claim_changes):
    claims = {
        "iss": PDS_API_KEY,
        "sub": PDS_API_KEY,
        "aud": fake.token_url,
        "jti": str(uuid.uuid4()),
        "exp": int(time.time()) + exp_offset,
    }
    claims.update(claim_changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    assertion = jwt.encode(
        claims,
        private_pem,
        algorithm=(header or {}).get("alg", "RS512"),
        headers={"kid": PDS_KEY_ID},
    )
    return requests.post(
        fake.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        timeout=5,
    )


class TestFakeTokenEndpoint:
    @pytest.mark.parametrize(
        "changes, status, description",
        [
            ({"exp_offset": 600}, 400, "more than 5 minutes"),
            ({"exp_offset": -10}, 400, "expired"),
            ({"aud": "https://api.service.nhs.uk/oauth2/token"}, 401, "aud"),
            ({"sub": "another-key"}, 400, "iss/sub"),
            ({"jti": None}, 400, "jti"),
            ({"header": {"alg": "RS256"}}, 400, "RS512"),
        ],
    )
    def test_rejects_assertions_pds_would_reject(
        self, fake_pds_server, pds_key_pair, changes, status, description
    ):
        response = post_assertion(fake_pds_server, pds_key_pair[0], **changes)

        assert response.status_code == status
        assert description in response.json()["error_description"]

    def test_rejects_a_reused_jti(self, fake_pds_server, pds_key_pair):
        jti = str(uuid.uuid4())

        first = post_assertion(fake_pds_server, pds_key_pair[0], jti=jti)
        second = post_assertion(fake_pds_server, pds_key_pair[0], jti=jti)

        assert first.status_code == 200
        assert first.json()["expires_in"] == "599"
        assert first.json()["token_type"] == "Bearer"
        assert second.status_code == 400
        assert "jti" in second.json()["error_description"]

    def test_pds_requires_a_uuid_request_id(self, fake_pds_server, pds_key_pair):
        token = post_assertion(fake_pds_server, pds_key_pair[0]).json()["access_token"]

        response = requests.get(
            f"{fake_pds_server.base_url}/Patient/9000000009",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "not-a-uuid"},
            timeout=5,
        )

        assert response.status_code == 400
        assert response.json()["resourceType"] == "OperationOutcome"


class TestRateLimiter:
    class FakeClock:
        def __init__(self):
            self.now = 0.0

        def monotonic(self):
            return self.now

        def sleep(self, seconds):
            self.now += seconds

    def test_eleven_calls_take_at_least_two_seconds(self, make_pds_client, fake_pds_server):
        clock = self.FakeClock()
        stamps = []

        class StampingSession(requests.Session):
            def get(self, *args, **kwargs):
                stamps.append(clock.now)
                return super().get(*args, **kwargs)

        client = make_pds_client(
            rate_limiter=RateLimiter(5, clock=clock.monotonic, sleep=clock.sleep),
            session=StampingSession(),
        )

        for _ in range(11):
            client.get_patient(fake_pds.FULL_RECORD)

        assert len(fake_pds_server.pds_requests) == 11
        assert clock.now >= 2.0
        assert all(
            later - earlier >= 1.0 for earlier, later in zip(stamps, stamps[5:], strict=False)
        )

    def test_threads_never_exceed_the_rate_in_any_second(self):
        # Each thread notes the clock reading the limiter took under its lock; with the delay it
        # was told to wait, that gives the exact moment it was released to send.
        seen = threading.local()

        def clock():
            seen.now = time.monotonic()
            return seen.now

        limiter = RateLimiter(20, clock=clock)
        released, lock = [], threading.Lock()

        def acquire_ten():
            for _ in range(10):
                waited = limiter.acquire()
                with lock:
                    released.append(seen.now + max(waited, 0.0))

        started = time.monotonic()
        threads = [threading.Thread(target=acquire_ten) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

        released.sort()
        assert len(released) == 40
        assert time.monotonic() - started >= 1.0
        assert all(
            later - earlier >= 1.0 - 1e-9
            for earlier, later in zip(released, released[20:], strict=False)
        )

    def test_clients_in_a_process_share_one_limiter(self, make_pds_client):
        first = make_pds_client(rate_limiter=None)
        second = make_pds_client(rate_limiter=None)

        assert first.rate_limiter is second.rate_limiter is process_rate_limiter(5)
        assert first.rate_limiter.rate_per_second == 5


class TestPrivacy:
    def test_logs_carry_request_ids_and_statuses_but_no_patient_data(
        self, pds_client, fake_pds_server, caplog
    ):
        caplog.set_level(logging.DEBUG)
        fake_pds_server.fail_next(1, status=500)

        pds_client.get_patient(fake_pds.FULL_RECORD)
        pds_client.search(
            family="Jones",
            given="Alice",
            birthdate="1980-05-14",
            postcode="LS1 4AP",
            max_results=10,
        )
        with pytest.raises(PatientNotFound):
            pds_client.get_patient(fake_pds.UNKNOWN_NUMBER)

        logged = "\n".join(record.getMessage() for record in caplog.records)
        for request in fake_pds_server.pds_requests:
            assert request.header("x-request-id") in logged
        assert "status=500" in logged and "status=200" in logged and "status=404" in logged
        for patient_data in [
            fake_pds.FULL_RECORD, fake_pds.UNKNOWN_NUMBER, "Smith", "Jane", "LS1 6AE", "Trevelyan",
            "Jones", "Alice", "1980-05-14", "LS1 4AP", "2010-10-22", "01632960587",
        ]:  # fmt: skip
            assert patient_data not in logged

    def test_record_repr_shows_no_patient_data(self, pds_client):
        record = pds_client.get_patient(fake_pds.FULL_RECORD)

        for text in (repr(record), str(record), f"{record}"):
            assert "9000000009" not in text and "Smith" not in text and "LS1" not in text
        assert record.full_name == "Jane Smith"


class TestFromSettings:
    def test_builds_one_shared_client_from_settings(
        self, settings, fake_pds_server, pds_key_pair, tmp_path
    ):
        key_path = tmp_path / "pds-private-key.pem"
        key_path.write_bytes(pds_key_pair[0])
        settings.PDS_BASE_URL = fake_pds_server.base_url
        settings.PDS_TOKEN_URL = fake_pds_server.token_url
        settings.PDS_API_KEY = PDS_API_KEY
        settings.PDS_KEY_ID = PDS_KEY_ID
        settings.PDS_PRIVATE_KEY_PATH = str(key_path)
        settings.PDS_TIMEOUT = 5.0
        settings.PDS_MAX_RETRIES = 2
        settings.PDS_RATE_LIMIT_PER_SECOND = 5

        client = PdsClient.from_settings()

        assert PdsClient.from_settings() is client
        assert (client.timeout, client.max_retries) == (5.0, 2)
        assert client.get_patient(fake_pds.FULL_RECORD).family_name == "Smith"

    def test_missing_private_key_is_a_configuration_error(self, settings, tmp_path):
        settings.PDS_PRIVATE_KEY_PATH = str(tmp_path / "absent.pem")

        with pytest.raises(ImproperlyConfigured):
            PdsClient.from_settings()


class TestFakePds:
    def test_control_endpoint_queues_failures_and_lists_requests(
        self, pds_client, fake_pds_server, pds_sleeps
    ):
        queued = requests.post(
            f"{fake_pds_server.root_url}/_control/fail", json={"count": 1, "status": 503}, timeout=5
        )
        assert queued.json() == {"queued": 1}

        pds_client.get_patient(fake_pds.FULL_RECORD)

        assert pds_sleeps == [0.5]
        listed = requests.get(f"{fake_pds_server.root_url}/_control/requests", timeout=5).json()
        assert [(r["path"], r["status"]) for r in listed if r["path"] != "/oauth2/token"] == [
            ("/personal-demographics/FHIR/R4/Patient/9000000009", 503),
            ("/personal-demographics/FHIR/R4/Patient/9000000009", 200),
        ]
        requests.post(f"{fake_pds_server.root_url}/_control/reset", timeout=5)
        assert fake_pds_server.requests == []

    def test_generated_patients_are_deterministic_with_valid_unique_numbers(self):
        patients = fake_pds.generated_patients()

        assert patients == fake_pds.generated_patients()
        assert len(patients) == fake_pds.GENERATED_COUNT == 50
        numbers = [p["id"] for p in patients]
        assert len(set(numbers)) == len(numbers)
        assert all(is_valid_nhs_number(n) and n.startswith("999") for n in numbers)

    def test_key_pair_is_created_private_then_reused(self, tmp_path):
        key_path = tmp_path / "fake_pds" / "private_key.pem"

        public_pem = fake_pds.ensure_key_pair(key_path)

        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        assert fake_pds.ensure_key_pair(key_path) == public_pem

    def test_command_line_server_works_with_the_key_it_writes(self, tmp_path):
        key_path = tmp_path / "private_key.pem"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PDS_")}
        command = [sys.executable, "-m", "casework.integrations.fake_pds", "--port", "0"]
        command += ["--private-key-path", str(key_path)]
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            command, cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            ready, _, _ = select.select([process.stderr], [], [], 30)
            assert ready, "the fake PDS did not start"
            announced = process.stderr.readline()
            base_url, token_url = re.search(r"at (\S+) \(token URL (\S+)\)", announced).groups()
            client = PdsClient(
                base_url,
                token_url=token_url,
                api_key="any-local-key",
                private_key_pem=key_path.read_bytes(),
                key_id="any-local-kid",
                rate_limiter=RateLimiter(100),
            )

            assert client.get_patient("900 000 0009").family_name == "Smith"
        finally:
            process.terminate()
            process.wait(10)
            process.stderr.close()
