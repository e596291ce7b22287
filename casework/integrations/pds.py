"""Client for the NHS Personal Demographics Service (PDS) FHIR R4 API.

Application-restricted access: the service signs a short-lived JWT with its private key,
exchanges it at the NHS OAuth endpoint for an access token, and reads patients with that token.
Nothing here logs or puts into an exception message any patient data: only request ids,
operation names, attempt numbers and HTTP status codes.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FHIR_JSON = "application/fhir+json"
GENDERS = frozenset({"male", "female", "other", "unknown"})
# v3-Confidentiality codes PDS uses for sensitive patients: R restricted, V very restricted.
# REDACTED is treated the same way because it can only be more sensitive, never less.
RESTRICTED_CODES = frozenset({"R", "V", "REDACTED"})

# NHS England caps the client assertion at five minutes; a shorter life leaves room for clock skew
# between this server and the token endpoint.
ASSERTION_LIFETIME_SECONDS = 240
# Refresh the access token this long before PDS would reject it, so that a call started just before
# expiry does not arrive with a dead token.
TOKEN_REFRESH_MARGIN_SECONDS = 30
_TRANSIENT_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class PdsError(Exception):
    """Any failure of a PDS call. The message never contains patient data."""

    def __init__(self, message: str, *, request_id=None, status=None, code=None):
        super().__init__(message)
        self.request_id = request_id
        self.status = status
        self.code = code


class InvalidNhsNumber(PdsError, ValueError):
    """The NHS number is not 10 digits with a valid modulus 11 check digit."""


class PatientNotFound(PdsError):
    """PDS holds no patient (or only an invalidated record) for the NHS number."""


class PdsRequestError(PdsError):
    """PDS rejected the request as malformed (HTTP 400 and similar)."""


class PdsAccessDenied(PdsError):
    """PDS or its token endpoint refused this application's credentials."""


class TooManyMatches(PdsError):
    """The search matched more patients than PDS will return: narrow it down."""


class PdsUnavailable(PdsError):
    """PDS did not answer usefully after every retry; try again later.

    `retry_after` carries the delay PDS asked for, when it asked for one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class PdsConfigurationError(PdsError):
    """The client was given settings it cannot work with (for example an unreadable key)."""


class _TransientFailure(Exception):
    """Internal: a failure worth retrying (5xx, 429, timeout, unreachable)."""

    def __init__(self, reason: str, *, status=None, retry_after=None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


# NHS numbers ------------------------------------------------------------------------------------

_NHS_NUMBER_SEPARATORS = re.compile(r"[\s-]+")


def normalise_nhs_number(value) -> str:
    """Return the NHS number as 10 digits, accepting spaces and dashes; raise InvalidNhsNumber."""
    if not isinstance(value, str):
        raise InvalidNhsNumber("An NHS number must be given as text")
    digits = _NHS_NUMBER_SEPARATORS.sub("", value)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise InvalidNhsNumber("An NHS number is 10 digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = (11 - total % 11) % 11
    # A remainder giving 10 means the number can never have been issued.
    if check == 10 or check != int(digits[9]):
        raise InvalidNhsNumber("The NHS number's check digit is wrong")
    return digits


def is_valid_nhs_number(value) -> bool:
    try:
        normalise_nhs_number(value)
    except InvalidNhsNumber:
        return False
    return True


# Patient records --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, repr=False)
class PatientRecord:
    """What the service keeps of a PDS patient. Restricted records never carry address or GP."""

    nhs_number: str
    given_names: tuple[str, ...] = ()
    family_name: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    gp_ods_code: str | None = None
    restricted: bool = False
    deceased: bool | date = False
    superseded: bool = False
    requested_nhs_number: str | None = None

    def __repr__(self) -> str:
        # Records end up in tracebacks and debug output: show nothing that identifies the patient.
        return f"<PatientRecord restricted={self.restricted} superseded={self.superseded}>"

    __str__ = __repr__

    @property
    def full_name(self) -> str:
        return " ".join([*self.given_names, self.family_name or ""]).strip()


def patient_record_from_fhir(
    resource: Mapping, *, requested_nhs_number: str | None = None, today: date | None = None
) -> PatientRecord:
    """A PatientRecord from a FHIR Patient, dropping what a restricted record must not keep."""
    today = today or date.today()
    nhs_number = str(resource.get("id") or _identifier_nhs_number(resource) or "")
    restricted = _is_restricted(resource)
    name = _current_name(resource.get("name") or [], today)
    address_lines: tuple[str, ...] = ()
    postcode = gp_ods_code = None
    if not restricted:
        homes = [a for a in resource.get("address") or [] if a.get("use") == "home"]
        address = _current(homes, today, lambda a: a.get("period"))
        if address:
            address_lines = tuple(line for line in address.get("line") or [] if line)
            postcode = address.get("postalCode") or None
        practices = [gp.get("identifier") or {} for gp in resource.get("generalPractitioner") or []]
        practice = _current(practices, today, lambda identifier: identifier.get("period"))
        if practice:
            gp_ods_code = practice.get("value") or None
    return PatientRecord(
        nhs_number=nhs_number,
        given_names=tuple(n for n in (name or {}).get("given") or [] if n),
        family_name=(name or {}).get("family") or None,
        birth_date=_parse_date(resource.get("birthDate")),
        gender=resource.get("gender") or None,
        address_lines=address_lines,
        postcode=postcode,
        gp_ods_code=gp_ods_code,
        restricted=restricted,
        deceased=_deceased(resource),
        superseded=requested_nhs_number is not None and nhs_number != requested_nhs_number,
        requested_nhs_number=requested_nhs_number,
    )


def _identifier_nhs_number(resource: Mapping) -> str | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == NHS_NUMBER_SYSTEM:
            return identifier.get("value")
    return None


def _is_restricted(resource: Mapping) -> bool:
    security = (resource.get("meta") or {}).get("security") or []
    return any(label.get("code") in RESTRICTED_CODES for label in security)


def _current_name(names: list, today: date) -> Mapping | None:
    usual = [n for n in names if n.get("use") == "usual"]
    # PDS always has a usual name; the fallback only covers records that lack one.
    candidates = usual or [n for n in names if n.get("use") not in {"old", "maiden"}]
    return _current(candidates, today, lambda n: n.get("period"))


def _current(items: list, today: date, period_of: Callable[[Mapping], Mapping | None]):
    """The item in force today; else the one that ended most recently; else the next to start.

    Sandbox records carry periods that have since ended, and real records can lag a move, so a
    record with no item in force still shows the latest one PDS has.
    """
    current, past, future = [], [], []
    for item in items:
        period = period_of(item) or {}
        start, end = _parse_date(period.get("start")), _parse_date(period.get("end"))
        if start and start > today:
            future.append((start, item))
        elif end and end < today:
            past.append((end, item))
        else:
            current.append((start or date.min, item))
    if current:
        return max(current, key=lambda pair: pair[0])[1]
    if past:
        return max(past, key=lambda pair: pair[0])[1]
    if future:
        return min(future, key=lambda pair: pair[0])[1]
    return None


def _parse_date(value) -> date | None:
    """A full date from a FHIR date or dateTime; partial dates (YYYY, YYYY-MM) give None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _deceased(resource: Mapping) -> bool | date:
    if "deceasedDateTime" in resource:
        return _parse_date(resource["deceasedDateTime"]) or True
    return bool(resource.get("deceasedBoolean", False))


# Rate limiting ----------------------------------------------------------------------------------


class RateLimiter:
    """At most `rate_per_second` acquisitions in any one-second window, across threads.

    Each caller reserves the earliest free slot under the lock and sleeps outside it, so waiting
    callers do not block each other's bookkeeping.
    """

    def __init__(
        self,
        rate_per_second: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if int(rate_per_second) < 1:
            raise ValueError("rate_per_second must be at least 1")
        self.rate_per_second = int(rate_per_second)
        self._clock = clock
        self._sleep = sleep
        self._slots: collections.deque[float] = collections.deque(maxlen=self.rate_per_second)
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait until a request may be sent; return how long the caller waited."""
        with self._lock:
            now = self._clock()
            slot = now
            if len(self._slots) == self.rate_per_second:
                slot = max(now, self._slots[0] + 1.0)
            self._slots.append(slot)
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


_process_limiters: dict[int, RateLimiter] = {}
_process_limiters_lock = threading.Lock()


def process_rate_limiter(rate_per_second: int) -> RateLimiter:
    """The limiter every client in this process shares for a given rate.

    Clients are normally built from settings, so in practice the whole process shares one.
    """
    with _process_limiters_lock:
        limiter = _process_limiters.get(int(rate_per_second))
        if limiter is None:
            limiter = _process_limiters[int(rate_per_second)] = RateLimiter(rate_per_second)
        return limiter


# The client -------------------------------------------------------------------------------------


class PdsClient:
    """Reads and searches PDS, with token caching, retries, and a process-wide rate limit."""

    def __init__(
        self,
        base_url: str,
        *,
        token_url: str,
        api_key: str,
        private_key_pem: str | bytes,
        key_id: str,
        timeout: float = 10.0,
        max_retries: int = 3,
        rate_limit_per_second: int = 5,
        session: requests.Session | None = None,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 60.0,
    ):
        if not (base_url and token_url and api_key and key_id):
            raise PdsConfigurationError("PDS base URL, token URL, API key and key id are required")
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.api_key = api_key
        self.key_id = key_id
        self.timeout = timeout
        self.max_retries = max_retries
        self.session = session or requests.Session()
        self.rate_limiter = rate_limiter or process_rate_limiter(rate_limit_per_second)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        # A longer wait than this would hold a caseworker's page or a worker for too long:
        # give up and let the caller (a Celery retry) come back later instead.
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._private_key = _load_private_key(private_key_pem)
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> PdsClient:
        """The process's client for the PDS_* settings, shared so that its token cache is too."""
        key_path = settings.PDS_PRIVATE_KEY_PATH
        if not (settings.PDS_BASE_URL and settings.PDS_TOKEN_URL and key_path):
            raise ImproperlyConfigured(
                "PDS_BASE_URL, PDS_TOKEN_URL and PDS_PRIVATE_KEY_PATH must be set"
            )
        try:
            key_version = os.stat(key_path).st_mtime_ns
        except OSError as exc:
            raise ImproperlyConfigured(
                f"PDS_PRIVATE_KEY_PATH cannot be read: {exc.strerror}"
            ) from None
        config = (
            settings.PDS_BASE_URL,
            settings.PDS_TOKEN_URL,
            settings.PDS_API_KEY,
            str(key_path),
            key_version,
            settings.PDS_KEY_ID,
            settings.PDS_TIMEOUT,
            settings.PDS_MAX_RETRIES,
            settings.PDS_RATE_LIMIT_PER_SECOND,
        )
        with _settings_clients_lock:
            client = _settings_clients.get(config)
            if client is None:
                with open(key_path, "rb") as key_file:
                    private_key_pem = key_file.read()
                client = cls(
                    settings.PDS_BASE_URL,
                    token_url=settings.PDS_TOKEN_URL,
                    api_key=settings.PDS_API_KEY,
                    private_key_pem=private_key_pem,
                    key_id=settings.PDS_KEY_ID,
                    timeout=settings.PDS_TIMEOUT,
                    max_retries=settings.PDS_MAX_RETRIES,
                    rate_limit_per_second=settings.PDS_RATE_LIMIT_PER_SECOND,
                )
                _settings_clients.clear()
                _settings_clients[config] = client
            return client

    # Public operations

    def get_patient(self, nhs_number: str) -> PatientRecord:
        """Read one patient. A superseded number returns the current record, marked superseded."""
        number = normalise_nhs_number(nhs_number)
        body, request_id = self._call("read", f"Patient/{number}")
        if body.get("resourceType") != "Patient":
            raise PdsError("PDS returned something other than a Patient", request_id=request_id)
        return patient_record_from_fhir(body, requested_nhs_number=number)

    def search(
        self,
        *,
        family: str | None = None,
        given: str | Iterable[str] | None = None,
        birthdate: date | str | None = None,
        gender: str | None = None,
        postcode: str | None = None,
        max_results: int | None = None,
    ) -> list[tuple[PatientRecord, float]]:
        """Search PDS; return (record, score) pairs, best first. Raises TooManyMatches."""
        params: list[tuple[str, str]] = []
        if family:
            params.append(("family", family.strip()))
        givens = [given] if isinstance(given, str) else list(given or [])
        params.extend(("given", name.strip()) for name in givens if name and name.strip())
        if birthdate:
            params.append(("birthdate", "eq" + _iso_date(birthdate)))
        if gender:
            if gender not in GENDERS:
                raise ValueError(f"gender must be one of {sorted(GENDERS)}")
            params.append(("gender", gender))
        if postcode and postcode.strip():
            params.append(("address-postalcode", " ".join(postcode.upper().split())))
        if max_results is not None:
            params.append(("_max-results", str(int(max_results))))
        if not params:
            raise ValueError("A PDS search needs at least one criterion")
        body, request_id = self._call("search", "Patient", params)
        if body.get("resourceType") != "Bundle":
            raise PdsError("PDS returned something other than a Bundle", request_id=request_id)
        results = []
        for entry in body.get("entry") or []:
            resource = entry.get("resource") or {}
            if resource.get("resourceType") != "Patient":
                continue
            score = float((entry.get("search") or {}).get("score") or 0.0)
            results.append((patient_record_from_fhir(resource), score))
        results.sort(key=lambda pair: pair[1], reverse=True)
        return results

    # Transport

    def _call(self, operation: str, path: str, params=None) -> tuple[dict, str]:
        """One logical call: one X-Request-ID on every attempt, retried on transient failure."""
        request_id = str(uuid.uuid4())
        correlation_id = str(uuid.uuid4())
        url = f"{self.base_url}/{path}"
        attempt = 0
        reauthenticated = False
        while True:
            self.rate_limiter.acquire()
            token = None
            try:
                token = self._access_token(request_id)
                response = self.session.get(
                    url,
                    params=params,
                    headers={
                        "Accept": FHIR_JSON,
                        "Authorization": f"Bearer {token}",
                        "X-Request-ID": request_id,
                        "X-Correlation-ID": correlation_id,
                    },
                    timeout=self.timeout,
                    allow_redirects=False,
                )
                logger.info(
                    "PDS %s request_id=%s attempt=%d status=%d",
                    operation,
                    request_id,
                    attempt + 1,
                    response.status_code,
                )
                if response.status_code == 401 and not reauthenticated:
                    # The token may have been revoked or expired early: fetch a new one, once.
                    reauthenticated = True
                    self._drop_token(token)
                    continue
                if response.status_code == 429:
                    raise _TransientFailure(
                        "throttled", status=429, retry_after=_retry_after_seconds(response)
                    )
                if response.status_code >= 500:
                    raise _TransientFailure("server error", status=response.status_code)
                return self._interpret(response, request_id), request_id
            except _TRANSIENT_ERRORS as exc:
                # The exception text names the URL, which holds the NHS number or search terms.
                failure = _TransientFailure(type(exc).__name__)
            except _TransientFailure as exc:
                failure = exc
            delay = (
                failure.retry_after if failure.retry_after is not None else self._backoff(attempt)
            )
            if attempt >= self.max_retries or delay > self.max_retry_after:
                logger.warning(
                    "PDS %s request_id=%s gave up after %d attempts: %s status=%s",
                    operation,
                    request_id,
                    attempt + 1,
                    failure.reason,
                    failure.status,
                )
                raise PdsUnavailable(
                    "PDS is unavailable; try again later",
                    request_id=request_id,
                    status=failure.status,
                    retry_after=failure.retry_after,
                ) from None
            logger.warning(
                "PDS %s request_id=%s attempt=%d failed: %s status=%s; retrying in %.2fs",
                operation,
                request_id,
                attempt + 1,
                failure.reason,
                failure.status,
                delay,
            )
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * (2**attempt))

    def _interpret(self, response: requests.Response, request_id: str) -> dict:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        codes = _outcome_codes(body)
        code = codes[0] if codes else None
        context = {"request_id": request_id, "status": status, "code": code}
        if status == 200 and isinstance(body, dict):
            if body.get("resourceType") != "OperationOutcome":
                return body
            if "TOO_MANY_MATCHES" in codes:
                raise TooManyMatches(
                    "Too many patients match: add more details to the search", **context
                )
        if status == 404 or {"RESOURCE_NOT_FOUND", "INVALIDATED_RESOURCE"} & set(codes):
            raise PatientNotFound("PDS has no patient with that NHS number", **context)
        if status in (401, 403) or "ACCESS_DENIED" in codes:
            raise PdsAccessDenied("PDS refused this application's access", **context)
        if 400 <= status < 500:
            raise PdsRequestError("PDS rejected the request", **context)
        raise PdsError("PDS returned an unexpected response", **context)

    # Authentication

    def _access_token(self, request_id: str) -> str:
        # Holding the lock while fetching means concurrent callers wait for one fetch rather than
        # each asking the token endpoint for a token of their own.
        with self._token_lock:
            if self._token is None or self._clock() >= self._token_expires_at:
                token, lifetime = self._fetch_token(request_id)
                self._token = token
                self._token_expires_at = self._clock() + max(
                    0.0, lifetime - TOKEN_REFRESH_MARGIN_SECONDS
                )
            return self._token

    def _drop_token(self, stale: str | None) -> None:
        with self._token_lock:
            # Another thread may already have replaced it; only a stale token is dropped.
            if self._token == stale:
                self._token = None

    def _client_assertion(self) -> str:
        now = int(self._clock())
        claims = {
            "iss": self.api_key,
            "sub": self.api_key,
            "aud": self.token_url,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        }
        return jwt.encode(
            claims, self._private_key, algorithm="RS512", headers={"kid": self.key_id}
        )

    def _fetch_token(self, request_id: str) -> tuple[str, float]:
        try:
            response = self.session.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": CLIENT_ASSERTION_TYPE,
                    "client_assertion": self._client_assertion(),
                },
                headers={"Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except _TRANSIENT_ERRORS as exc:
            raise _TransientFailure(f"token endpoint {type(exc).__name__}") from None
        logger.info("PDS token request_id=%s status=%d", request_id, response.status_code)
        if response.status_code == 429:
            raise _TransientFailure(
                "token endpoint throttled", status=429, retry_after=_retry_after_seconds(response)
            )
        if response.status_code >= 500:
            raise _TransientFailure("token endpoint error", status=response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("access_token"):
            raise PdsAccessDenied(
                "The PDS token endpoint refused this application's credentials",
                request_id=request_id,
                status=response.status_code,
                code=body.get("error") if isinstance(body, dict) else None,
            )
        try:
            lifetime = float(body.get("expires_in", 0))
        except (TypeError, ValueError):
            lifetime = 0.0
        return body["access_token"], lifetime


_settings_clients: dict[tuple, PdsClient] = {}
_settings_clients_lock = threading.Lock()


def _load_private_key(private_key_pem: str | bytes) -> RSAPrivateKey:
    data = private_key_pem.encode() if isinstance(private_key_pem, str) else private_key_pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise PdsConfigurationError("The PDS private key is not an unencrypted PEM key") from None
    if not isinstance(key, RSAPrivateKey):
        raise PdsConfigurationError("The PDS private key must be an RSA key (RS512 signing)")
    return key


def _outcome_codes(body) -> list[str]:
    """The Spine error codes of an OperationOutcome body, in order."""
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        return []
    codes = []
    for issue in body.get("issue") or []:
        for coding in (issue.get("details") or {}).get("coding") or []:
            if coding.get("code"):
                codes.append(coding["code"])
    return codes


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _iso_date(value: date | str) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("birthdate must be a date or YYYY-MM-DD") from None
