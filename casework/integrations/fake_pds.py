"""A local fake of the NHS PDS FHIR R4 API and its OAuth token endpoint.

It serves the NHS sandbox's own responses (pds_fixtures/) plus about fifty generated patients,
checks signed JWT client assertions the way NHS England's token endpoint does, and can be told to
fail (5xx, 429 with Retry-After, stalls) so that tests exercise the client's retries over real HTTP.

Run it for local development with `python -m casework.integrations.fake_pds --port 8001`. On its
first start it generates an RSA key pair and writes the private key to PDS_PRIVATE_KEY_PATH (by
default var/fake_pds/private_key.pem, which the local settings point the client at); later starts
reuse that key. Tests run it in a background thread with `running_fake_pds()`.

Control endpoint (for manual testing; tests use the methods of FakePds directly):
    POST /_control/fail    {"count": 2, "status": 500}
                           or {"count": 1, "status": 429, "retry_after": 2}
                           or {"count": 1, "status": 400, "code": "INVALID_SEARCH_DATA"}
                           or {"count": 1, "stall": 5}
    POST /_control/reset   forget failures, recorded requests and issued tokens
    GET  /_control/requests
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import secrets
import socketserver
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

FIXTURES_DIR = Path(__file__).resolve().with_name("pds_fixtures")
BASE_PATH = "/personal-demographics/FHIR/R4"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a URL path, not a secret
CONTROL_PATH = "/_control"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME_SECONDS = 300
# PDS returns one match unless the caller asks for more with _max-results (at most 50).
DEFAULT_MAX_RESULTS = 1

# Sandbox patients (pds_fixtures/).
FULL_RECORD = "9000000009"
SECOND_FULL_RECORD = "9000000017"
RESTRICTED_RECORD = "9000000025"
MINIMAL_RECORD = "9000000033"
COMPOUND_NAME_RECORD = "9000000015"  # search only: its check digit is not valid
CUFF_CURRENT_RECORD = "9732019395"
# Patients this fake adds. 999 numbers are reserved for testing and never issued to a person.
RESTRICTED_WITH_ADDRESS = "9991000011"  # R, yet the response wrongly carries address/telecom/GP
VERY_RESTRICTED_WITH_ADDRESS = "9991000038"  # V, likewise wrongly populated
MOVED_AND_RENAMED = "9991000046"  # several names and home addresses over time
SUPERSEDED_NUMBER = "9991000054"  # merged into CUFF_CURRENT_RECORD
INVALIDATED_NUMBER = "9991000062"
UNKNOWN_NUMBER = "9991000070"  # valid, but no such patient
# A cluster of same-name, same-birthday patients for scoring and TOO_MANY_MATCHES.
CLUSTER_FAMILY = "Jones"
CLUSTER_BIRTH_DATE = "1980-05-14"
GENERATED_COUNT = 50

_CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
_SPINE_CODES = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BIRTHDATE = re.compile(r"^(eq|ge|le)?(\d{4}-\d{2}-\d{2})$")
_SEARCH_PARAMS = {
    "family",
    "given",
    "birthdate",
    "gender",
    "address-postalcode",
    "address-postcode",
    "_max-results",
    "_fuzzy-match",
    "_exact-match",
    "_history",
}


def nhs_number_from(first_nine: str) -> str | None:
    """Append the modulus 11 check digit; None when the nine digits can have none."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else first_nine + str(check)


def _valid_number(value: str) -> bool:
    return bool(re.fullmatch(r"\d{10}", value)) and nhs_number_from(value[:9]) == value


# Patients ---------------------------------------------------------------------------------------


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))


def error_outcome(code: str, *, display: str | None = None, diagnostics: str | None = None) -> dict:
    """An OperationOutcome: the sandbox's own body where there is one, filled in where templated."""
    path = FIXTURES_DIR / "errors" / f"{code}.json"
    if path.exists():
        outcome = json.loads(path.read_text(encoding="utf-8"))
    else:
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "processing",
                    "details": {"coding": [{"system": _SPINE_CODES, "version": "1", "code": code}]},
                }
            ],
        }
    for issue in outcome["issue"]:
        for coding in issue.get("details", {}).get("coding", []):
            if display or coding.get("display") in (None, "#(display)"):
                coding["display"] = display or code.replace("_", " ").capitalize()
        if diagnostics:
            issue["diagnostics"] = diagnostics
        elif issue.get("diagnostics") == "#(diagnostics)":
            del issue["diagnostics"]
    return outcome


def _patient(
    nhs_number: str,
    *,
    given: list[str],
    family: str,
    gender: str,
    birth_date: str,
    lines: list[str] | None,
    postcode: str | None,
    gp: str | None,
    phone: str | None = None,
    security: str = "U",
    prefix: str | None = None,
) -> dict:
    displays = {"U": "unrestricted", "R": "restricted", "V": "very restricted"}
    resource: dict = {
        "resourceType": "Patient",
        "id": nhs_number,
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}],
        "meta": {
            "versionId": "1",
            "security": [
                {"system": _CONFIDENTIALITY, "code": security, "display": displays[security]}
            ],
        },
        "name": [
            {
                "id": "N1",
                "use": "usual",
                "period": {"start": birth_date},
                "given": given,
                "family": family,
                **({"prefix": [prefix]} if prefix else {}),
            }
        ],
        "gender": gender,
        "birthDate": birth_date,
    }
    if lines:
        resource["address"] = [
            {
                "id": "A1",
                "use": "home",
                "period": {"start": birth_date},
                "line": lines,
                "postalCode": postcode,
            }
        ]
    if gp:
        resource["generalPractitioner"] = [
            {
                "id": "G1",
                "type": "Organization",
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": gp,
                    "period": {"start": birth_date},
                },
            }
        ]
    if phone:
        resource["telecom"] = [{"id": "T1", "system": "phone", "value": phone, "use": "home"}]
    return resource


_FEMALE = ["Amelia", "Olivia", "Isla", "Ava", "Mia", "Grace", "Sophie", "Ruby", "Evie", "Freya"]
_MALE = ["Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie", "Alfie"]
_FAMILIES = [
    "Taylor", "Williams", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts", "Johnson",
    "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Green", "Hall", "Lewis", "Harris",
]  # fmt: skip
_STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Park Avenue",
    "Victoria Road",
]
_TOWNS = [("Leeds", "LS"), ("York", "YO"), ("Bristol", "BS"), ("Norwich", "NR"), ("Exeter", "EX")]


def generated_patients() -> list[dict]:
    """About fifty deterministic patients with valid (999, never issued) NHS numbers."""
    # Seeded, not secure, on purpose: the same patients on every machine and every run.
    rng = random.Random(20240914)  # noqa: S311
    numbers = (n for n in (nhs_number_from(f"999200{i:03d}") for i in range(1000)) if n)
    patients = []
    # The cluster: same family name and birthday, told apart by given name, gender and postcode.
    cluster = [
        ("Alice", "female", "LS1 4AP"),
        ("Alice", "female", "YO1 7HH"),
        ("Beth", "female", "LS1 4AP"),
        ("Carys", "female", "BS1 5TR"),
        ("David", "male", "NR2 1AB"),
        ("Evan", "male", "EX4 3SR"),
    ]
    for index, (given, gender, postcode) in enumerate(cluster):
        patients.append(
            _patient(
                next(numbers),
                given=[given],
                family=CLUSTER_FAMILY,
                gender=gender,
                birth_date=CLUSTER_BIRTH_DATE,
                lines=[f"{index + 1} {_STREETS[index % len(_STREETS)]}", "Town Centre"],
                postcode=postcode,
                gp=f"B8{index + 1:04d}",
                phone=f"0163296{index:04d}",
            )
        )
    while len(patients) < GENERATED_COUNT:
        gender = rng.choice(["female", "male"])
        town, area = rng.choice(_TOWNS)
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 85 * 365))
        patients.append(
            _patient(
                next(numbers),
                given=[rng.choice(_FEMALE if gender == "female" else _MALE)],
                family=rng.choice(_FAMILIES),
                gender=gender,
                birth_date=born.isoformat(),
                lines=[f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}", town],
                postcode=f"{area}{rng.randrange(1, 20)} {rng.randrange(1, 9)}"
                f"{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
                gp=f"{rng.choice('ABCDEF')}{rng.randrange(10000, 99999)}",
                phone=f"01632{rng.randrange(960000, 960999)}",
            )
        )
    return patients


def _special_patients() -> list[dict]:
    wrongly_restricted = _patient(
        RESTRICTED_WITH_ADDRESS,
        given=["Rowan"],
        family="Hidden",
        gender="female",
        birth_date="1975-03-02",
        lines=["9 Secret Lane", "Leeds"],
        postcode="LS2 9JT",
        gp="Y99999",
        phone="01632960999",
        security="R",
    )
    very_restricted = _patient(
        VERY_RESTRICTED_WITH_ADDRESS,
        given=["Sasha"],
        family="Hidden",
        gender="male",
        birth_date="1968-11-30",
        lines=["10 Secret Lane", "Leeds"],
        postcode="LS2 9JU",
        gp="Y99998",
        phone="01632960998",
        security="V",
    )
    moved = _patient(
        MOVED_AND_RENAMED,
        given=["Morgan"],
        family="Green",
        gender="female",
        birth_date="1985-07-19",
        lines=["4 New Street", "York"],
        postcode="YO1 9QL",
        gp="C82001",
    )
    moved["name"] = [
        {"id": "N0", "use": "usual", "period": {"start": "1985-07-19", "end": "2012-06-01"},
         "given": ["Morgan"], "family": "Brown"},
        {"id": "N1", "use": "usual", "period": {"start": "2012-06-02"},
         "given": ["Morgan", "Avery"], "family": "Green"},
        {"id": "N2", "use": "nickname", "given": ["Mo"], "family": "Green"},
    ]  # fmt: skip
    moved["address"] = [
        {"id": "A0", "use": "home", "period": {"start": "1985-07-19", "end": "2019-03-31"},
         "line": ["1 Old Road", "Leeds"], "postalCode": "LS6 2AA"},
        {"id": "A1", "use": "home", "period": {"start": "2019-04-01"},
         "line": ["4 New Street", "York"], "postalCode": "YO1 9QL"},
        {"id": "A2", "use": "temp", "period": {"start": "2019-04-01"},
         "line": ["Flat 2", "Halls of Residence", "Durham"], "postalCode": "DH1 3LE"},
    ]  # fmt: skip
    moved["generalPractitioner"] = [
        {"id": "G0", "type": "Organization", "identifier": {
            "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B86001",
            "period": {"start": "1985-07-19", "end": "2019-04-30"}}},
        {"id": "G1", "type": "Organization", "identifier": {
            "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "C82001",
            "period": {"start": "2019-05-01"}}},
    ]  # fmt: skip
    return [wrongly_restricted, very_restricted, moved]


def sandbox_patients() -> list[dict]:
    patients = [
        load_fixture(name)
        for name in (
            "Patient.json",
            "Patient-Jayne-Smyth.json",
            "Sensitive_Patient.json",
            "Minimal_Patient.json",
        )
    ]
    for bundle in ("PatientCompoundName.json", "cuff_superseded_searchset.json"):
        patients.extend(entry["resource"] for entry in load_fixture(bundle)["entry"])
    return patients


# The WSGI app -----------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    status: int | None = None
    form: dict[str, str] | None = None  # token requests only
    jwt_header: dict | None = None
    jwt_claims: dict | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class _Failure:
    status: int | None = None
    retry_after: float | None = None
    stall: float | None = None
    code: str | None = None


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "application/fhir+json"
    headers: list[tuple[str, str]] = field(default_factory=list)


_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip


def _json(status: int, payload, *, content_type="application/fhir+json", headers=()) -> _Response:
    return _Response(status, json.dumps(payload).encode(), content_type, list(headers))


class FakePds:
    """The fake PDS WSGI application. Thread-safe; one instance serves many concurrent requests."""

    def __init__(
        self,
        public_key_pem: str | bytes,
        *,
        api_key: str | None = None,
        key_id: str | None = None,
        audience: str | None = None,
        token_lifetime: int = 599,
        default_max_results: int = DEFAULT_MAX_RESULTS,
    ):
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        self._public_key = serialization.load_pem_public_key(pem)
        # None accepts any API key / key id, so that a locally generated configuration just works.
        self.api_key = api_key
        self.key_id = key_id
        self.audience = audience
        self.token_lifetime = token_lifetime
        self.default_max_results = default_max_results
        self.patients: dict[str, dict] = {}
        for resource in [*sandbox_patients(), *_special_patients(), *generated_patients()]:
            self.patients[resource["id"]] = resource
        self.superseded = {SUPERSEDED_NUMBER: CUFF_CURRENT_RECORD}
        self.invalidated = {INVALIDATED_NUMBER}
        self.root_url: str | None = None
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._failures: deque[_Failure] = deque()
        self._requests: list[RecordedRequest] = []
        self._tokens: dict[str, float] = {}
        self._jtis: set[str] = set()

    # Control and inspection

    @property
    def base_url(self) -> str:
        return f"{self.root_url}{BASE_PATH}"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}{TOKEN_PATH}"

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        retry_after: float | None = None,
        code: str | None = None,
    ):
        """The next `count` PDS requests (not token requests) get this status.

        `code` picks the OperationOutcome's Spine code (one of pds_fixtures/errors/ serves the
        sandbox's own body); by default it follows the status.
        """
        failure = _Failure(status=status, retry_after=retry_after, code=code)
        with self._lock:
            self._failures.extend(copy.copy(failure) for _ in range(count))

    def stall_next(self, count: int = 1, *, seconds: float):
        """The next `count` PDS requests wait this long before answering normally."""
        with self._lock:
            self._failures.extend(_Failure(stall=seconds) for _ in range(count))

    def revoke_tokens(self):
        with self._lock:
            self._tokens.clear()

    def reset(self):
        """Forget failures, recorded requests and tokens; wake any stalled request."""
        self._release.set()
        with self._lock:
            self._failures.clear()
            self._requests.clear()
            self._tokens.clear()
            self._jtis.clear()
            self._release = threading.Event()

    def release_stalls(self):
        self._release.set()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def pds_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(BASE_PATH)]

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == TOKEN_PATH]

    # WSGI

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        record = RecordedRequest(
            method, path, parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True), headers
        )
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length else b""
        root = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"

        if path.startswith(CONTROL_PATH):
            response = self._control(method, path, body)
        else:
            with self._lock:
                self._requests.append(record)
            if path == TOKEN_PATH:
                response = self._token(method, body, record, root)
            elif path.startswith(BASE_PATH + "/"):
                response = self._pds(method, path[len(BASE_PATH) :], record, root)
            else:
                response = _json(404, {"error": "not found"}, content_type="application/json")
        record.status = response.status
        start_response(
            f"{response.status} {_REASONS.get(response.status, 'Unknown')}",
            [("Content-Type", response.content_type), *response.headers],
        )
        return [response.body]

    def _control(self, method: str, path: str, body: bytes) -> _Response:
        action = path[len(CONTROL_PATH) :].strip("/")
        if method == "POST" and action == "fail":
            try:
                spec = json.loads(body or b"{}")
                count = int(spec.get("count", 1))
                if spec.get("stall"):
                    self.stall_next(count, seconds=float(spec["stall"]))
                else:
                    retry_after = spec.get("retry_after")
                    self.fail_next(
                        count,
                        status=int(spec.get("status", 500)),
                        retry_after=float(retry_after) if retry_after is not None else None,
                        code=spec.get("code"),
                    )
            except (ValueError, TypeError, AttributeError):
                return _json(
                    400, {"error": "invalid failure spec"}, content_type="application/json"
                )
            return _json(200, {"queued": count}, content_type="application/json")
        if method == "POST" and action == "reset":
            self.reset()
            return _json(200, {"reset": True}, content_type="application/json")
        if method == "GET" and action == "requests":
            return _json(200, [asdict(r) for r in self.requests], content_type="application/json")
        return _json(404, {"error": "unknown control action"}, content_type="application/json")

    # OAuth token endpoint

    def _token(self, method: str, body: bytes, record: RecordedRequest, root: str) -> _Response:
        def refuse(status: int, error: str, description: str) -> _Response:
            payload = {
                "error": error,
                "error_description": description,
                "message_id": str(uuid.uuid4()),
            }
            return _json(status, payload, content_type="application/json")

        if method != "POST":
            return refuse(405, "invalid_request", "The token endpoint accepts POST only")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        record.form = form
        if form.get("grant_type") != "client_credentials":
            return refuse(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return refuse(
                400, "invalid_request", f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}"
            )
        assertion = form.get("client_assertion")
        if not assertion:
            return refuse(400, "invalid_request", "Missing client_assertion")
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.DecodeError:
            return refuse(400, "invalid_request", "Malformed JWT in client_assertion")
        record.jwt_header = header
        if header.get("alg") != "RS512":
            return refuse(400, "invalid_request", "Invalid 'alg' header in JWT - must be 'RS512'")
        if not header.get("kid") or (self.key_id and header["kid"] != self.key_id):
            return refuse(
                401, "invalid_request", "Invalid 'kid' header in JWT - no matching public key"
            )
        try:
            claims = jwt.decode(
                assertion,
                self._public_key,
                algorithms=["RS512"],
                audience=self.audience or f"{root}{TOKEN_PATH}",
                options={"require": ["iss", "sub", "aud", "jti", "exp"]},
            )
        except jwt.InvalidSignatureError:
            return refuse(401, "public_key error", "JWT signature verification failed")
        except jwt.ExpiredSignatureError:
            return refuse(400, "invalid_request", "Invalid exp claim in JWT - JWT has expired")
        except jwt.InvalidAudienceError:
            return refuse(401, "invalid_request", "Invalid aud claim in JWT")
        except jwt.MissingRequiredClaimError as exc:
            return refuse(400, "invalid_request", f"Missing '{exc.claim}' claim in JWT")
        except jwt.InvalidTokenError:
            return refuse(400, "invalid_request", "Invalid JWT in client_assertion")
        record.jwt_claims = claims
        now = time.time()
        if claims["iss"] != claims["sub"]:
            return refuse(400, "invalid_request", "Invalid iss/sub claims in JWT")
        if self.api_key and claims["iss"] != self.api_key:
            return refuse(401, "invalid_request", "Invalid iss/sub claims in JWT")
        if claims["exp"] > now + MAX_ASSERTION_LIFETIME_SECONDS:
            return refuse(
                400, "invalid_request", "Invalid exp claim in JWT - more than 5 minutes in future"
            )
        with self._lock:
            if claims["jti"] in self._jtis:
                return refuse(400, "invalid_request", "Non-unique jti claim in JWT")
            self._jtis.add(claims["jti"])
            token = secrets.token_urlsafe(24)
            self._tokens[token] = now + self.token_lifetime
        payload = {
            "access_token": token,
            "expires_in": str(self.token_lifetime),
            "token_type": "Bearer",
            "issued_at": str(int(now * 1000)),
        }
        return _json(200, payload, content_type="application/json")

    # PDS

    def _pds(self, method: str, path: str, record: RecordedRequest, root: str) -> _Response:
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            release = self._release
        if failure and failure.stall:
            release.wait(failure.stall)
        elif failure:
            headers = []
            if failure.retry_after is not None:
                headers.append(("Retry-After", f"{failure.retry_after:g}"))
            code = failure.code or {
                401: "ACCESS_DENIED",
                403: "ACCESS_DENIED",
                429: "TOO_MANY_REQUESTS",
            }.get(failure.status, "SERVICE_ERROR")
            return _json(failure.status, error_outcome(code), headers=headers)

        token = (record.header("authorization") or "").removeprefix("Bearer ").strip()
        with self._lock:
            expires_at = self._tokens.get(token)
        if expires_at is None or expires_at <= time.time():
            return _json(401, error_outcome("ACCESS_DENIED", display="Invalid Access Token"))
        request_id = record.header("x-request-id") or ""
        if not _UUID.match(request_id):
            return _json(
                400,
                error_outcome(
                    "INVALID_VALUE",
                    diagnostics=f"Invalid value - '{request_id}' in header 'X-Request-ID'",
                ),
            )
        if method != "GET":
            return _json(405, error_outcome("NOT_SUPPORTED"))
        if path == "/Patient":
            return self._search(record.query, root)
        match = re.fullmatch(r"/Patient/([^/]+)", path)
        if match:
            return self._read(match.group(1))
        return _json(404, error_outcome("RESOURCE_NOT_FOUND"))

    def _read(self, nhs_number: str) -> _Response:
        if not _valid_number(nhs_number):
            return _json(400, error_outcome("INVALID_RESOURCE_ID"))
        if nhs_number in self.invalidated:
            return _json(404, error_outcome("INVALIDATED_RESOURCE"))
        resource = self.patients.get(self.superseded.get(nhs_number, nhs_number))
        if resource is None:
            return _json(404, error_outcome("RESOURCE_NOT_FOUND"))
        version = resource.get("meta", {}).get("versionId", "1")
        return _json(200, resource, headers=[("ETag", f'W/"{version}"')])

    def _search(self, query: dict[str, list[str]], root: str) -> _Response:
        def invalid(diagnostics: str) -> _Response:
            return _json(400, error_outcome("INVALID_SEARCH_DATA", diagnostics=diagnostics))

        unexpected = sorted(set(query) - _SEARCH_PARAMS)
        if unexpected:
            return invalid(f"Invalid request with error - '{unexpected[0]}' was unexpected")
        family = (query.get("family") or [""])[0].strip()
        if not family or not query.get("birthdate"):
            return invalid(
                "Invalid search data provided - 'No searches were performed as the search criteria "
                "did not meet the minimum requirements'"
            )
        birthdates = []
        for value in query["birthdate"]:
            found = _BIRTHDATE.match(value)
            if not found:
                return invalid(f"Invalid value - '{value}' in field 'birthdate'")
            birthdates.append((found.group(1) or "eq", found.group(2)))
        gender = (query.get("gender") or [None])[0]
        if gender is not None and gender not in {"male", "female", "other", "unknown"}:
            return invalid(f"Invalid value - '{gender}' in field 'gender'")
        try:
            max_results = int((query.get("_max-results") or [self.default_max_results])[0])
        except ValueError:
            max_results = 0
        if not 1 <= max_results <= 50:
            return invalid("Invalid value in field '_max-results'")
        given = " ".join(query.get("given") or []).strip().lower()
        postcode = (query.get("address-postalcode") or query.get("address-postcode") or [""])[0]

        matches = []
        for resource in self.patients.values():
            if not _matches(resource, family, birthdates, gender):
                continue
            misses = 0
            if given and not _given_matches(resource, given):
                misses += 1
            if postcode and not _postcode_matches(resource, postcode):
                misses += 1
            matches.append((resource, round(1.0 - 0.25 * misses, 4)))
        if len(matches) > max_results:
            return _json(200, error_outcome("TOO_MANY_MATCHES"))
        matches.sort(key=lambda pair: (-pair[1], pair[0]["id"]))
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "total": len(matches),
            "entry": [
                {
                    "fullUrl": f"{root}{BASE_PATH}/Patient/{resource['id']}",
                    "search": {"score": score},
                    "resource": copy.deepcopy(resource),
                }
                for resource, score in matches
            ],
        }
        return _json(200, bundle)


def _matches(resource: dict, family: str, birthdates, gender: str | None) -> bool:
    """The criteria treated as required: family name (trailing * wildcard), birth date, gender."""
    family = family.lower()
    families = [(n.get("family") or "").lower() for n in resource.get("name") or []]
    if family.endswith("*"):
        if not any(f.startswith(family[:-1]) for f in families):
            return False
    elif family not in families:
        return False
    born = resource.get("birthDate")
    if not born:
        return False
    for prefix, value in birthdates:
        if (
            (prefix == "eq" and born != value)
            or (prefix == "ge" and born < value)
            or (prefix == "le" and born > value)
        ):
            return False
    return gender is None or resource.get("gender") == gender


def _given_matches(resource: dict, given: str) -> bool:
    return any(
        " ".join(n.get("given") or []).lower().startswith(given) for n in resource.get("name") or []
    )


def _postcode_matches(resource: dict, postcode: str) -> bool:
    wanted = postcode.replace(" ", "").upper()
    return any(
        (a.get("postalCode") or "").replace(" ", "").upper() == wanted
        for a in resource.get("address") or []
    )


# Serving ----------------------------------------------------------------------------------------


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is the base class's
        pass


def generate_key_pair() -> tuple[bytes, bytes]:
    """A fresh 2048-bit RSA pair as (private PEM, public PEM), for tests and local runs only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def ensure_key_pair(private_key_path: Path) -> bytes:
    """Reuse the private key at the path, or create one there; return the matching public PEM."""
    if private_key_path.exists():
        key = serialization.load_pem_private_key(private_key_path.read_bytes(), password=None)
    else:
        private_pem, _ = generate_key_pair()
        private_key_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(private_key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as key_file:
            key_file.write(private_pem)
        key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@contextmanager
def running_fake_pds(
    app: FakePds | None = None, *, host: str = "127.0.0.1", **kwargs
) -> Iterator[FakePds]:
    """Serve a FakePds on a free loopback port in a background thread for the duration."""
    if app is None:
        app = FakePds(**kwargs)
    server = make_server(host, 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    app.root_url = f"http://{host}:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-pds", daemon=True
    )
    thread.start()
    try:
        yield app
    finally:
        app.release_stalls()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(host: str, port: int, app: FakePds) -> None:
    """Serve until interrupted (the `make run` and manual-testing entry)."""
    with make_server(host, port, app, server_class=_ThreadingServer) as server:
        app.root_url = f"http://{host}:{server.server_port}"
        print(f"Fake PDS at {app.base_url} (token URL {app.token_url})", file=sys.stderr)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> None:
    default_key = Path(__file__).resolve().parents[2] / "var" / "fake_pds" / "private_key.pem"
    parser = argparse.ArgumentParser(description="Local fake of the NHS PDS FHIR R4 API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--private-key-path",
        type=Path,
        default=Path(os.environ.get("PDS_PRIVATE_KEY_PATH") or default_key),
        help="the client's private key; created on first start if missing",
    )
    parser.add_argument("--api-key", default=os.environ.get("PDS_API_KEY") or None)
    parser.add_argument("--key-id", default=os.environ.get("PDS_KEY_ID") or None)
    args = parser.parse_args(argv)
    public_pem = ensure_key_pair(args.private_key_path)
    serve(args.host, args.port, FakePds(public_pem, api_key=args.api_key, key_id=args.key_id))


if __name__ == "__main__":
    main()
