"""A fake GOV.UK Notify REST API (v2) for tests: the real client talks to it over loopback HTTP.

It checks what Notify checks about the caller: a Bearer JWT signed HS256 with the API key's secret,
whose `iss` is the service id and whose `iat` is within 30 seconds of now. An API key is
`{key_name}-{service_id}-{secret}`; the client takes the last 36 characters as the secret and the 36
before the separating hyphen as the service id. It then validates the notification against its
templates and answers as Notify does, or with a failure it has been told to give.

    with FakeNotify() as notify:
        template_id = notify.add_template(body="Hello ((name))")
        ...  # point NotificationsAPIClient(notify.api_key, base_url=notify.base_url) at it
        notify.fail_next(500)
"""

import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
import pytest

CLOCK_SKEW_SECONDS = 30
_PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_ERRORS = {
    400: ("BadRequestError", "Bad request"),
    403: ("AuthError", "Invalid token: API key not found"),
    404: ("NotFoundError", "The requested URL was not found on the server."),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}
_ROUTES = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}
_REASONS = {
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    body: dict | None
    claims: dict | None = None
    status: int | None = None


@dataclass
class FakeTemplate:
    id: str
    type: str
    subject: str
    body: str
    version: int = 1


@dataclass
class FakeNotify:
    key_name: str = "test_key"
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    templates: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    sent: list = field(default_factory=list)

    def __post_init__(self):
        self._failures = deque()
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # Configuration -----------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return f"{self.key_name}-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_template(self, template_id=None, *, type="email", subject="Subject", body="") -> str:
        template_id = template_id or str(uuid.uuid4())
        self.templates[template_id] = FakeTemplate(template_id, type, subject, body)
        return template_id

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` authenticated notifications with this error status."""
        with self._lock:
            self._failures.extend([status] * times)

    # Running -----------------------------------------------------------------------------------

    def start(self) -> "FakeNotify":
        self._server = make_server(
            "127.0.0.1", 0, self, server_class=WSGIServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # The WSGI application ----------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        recorded = RecordedRequest(method, path, headers, body)
        with self._lock:
            self.requests.append(recorded)
        status, payload = self._handle(recorded, raw)
        recorded.status = status
        data = json.dumps(payload).encode()
        start_response(
            f"{status} {_REASONS.get(status, 'Error')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _handle(self, request: RecordedRequest, raw: bytes):
        kind = _ROUTES.get(request.path)
        if kind is None:
            return _error(404)
        if request.method != "POST":
            return 405, {"result": "error", "message": "The method is not allowed"}

        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        claims, problem = self._check_token(auth.removeprefix("Bearer ").strip())
        if problem:
            return _error(403, "AuthError", problem)
        request.claims = claims

        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure:
            return _error(failure)

        if request.body is None or raw.strip()[:1] != b"{":
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        return self._accept(kind, request.body)

    def _check_token(self, token: str):
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None, "Invalid token: signature, api token not found"
        if header.get("alg") != "HS256":
            return None, "Invalid token: algorithm used is not HS256"
        if unverified.get("iss") != self.service_id:
            return None, "Invalid token: service not found"
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None, "Invalid token: signature, api token not found"
        if "iat" not in claims or abs(time.time() - int(claims["iat"])) > CLOCK_SKEW_SECONDS:
            return None, "Error: Your system clock must be accurate to within 30 seconds"
        return claims, None

    def _accept(self, kind: str, body: dict):
        recipient_field = "email_address" if kind == "email" else "phone_number"
        for required in (recipient_field, "template_id"):
            if not body.get(required):
                return _error(400, "ValidationError", f"{required} is a required property")
        template = self.templates.get(body["template_id"])
        if template is None or template.type != kind:
            return _error(400, "BadRequestError", "Template not found")
        recipient = body[recipient_field]
        if kind == "email" and not _EMAIL.fullmatch(recipient):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        if kind == "sms" and len(re.sub(r"\D", "", recipient)) < 10:
            return _error(400, "ValidationError", "phone_number Not enough digits")
        personalisation = body.get("personalisation") or {}
        needed = set(_PLACEHOLDER.findall(template.subject + template.body))
        missing = sorted(needed - set(personalisation))
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")

        notification_id = str(uuid.uuid4())
        content = {"body": _render(template.body, personalisation)}
        if kind == "email":
            content |= {
                "subject": _render(template.subject, personalisation),
                "from_email": "ombudsman@notifications.service.gov.uk",
                "one_click_unsubscribe_url": None,
            }
        else:
            content["from_number"] = "OMBUDSMAN"
        response = {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": template.id,
                "version": template.version,
                "uri": f"{self.base_url}/v2/template/{template.id}",
            },
        }
        with self._lock:
            self.sent.append({"type": kind, **body, "id": notification_id, "content": content})
        return 201, response


def _render(text: str, personalisation: dict) -> str:
    return _PLACEHOLDER.sub(lambda m: str(personalisation.get(m.group(1), m.group(0))), text)


def _error(status: int, error: str | None = None, message: str | None = None):
    default_error, default_message = _ERRORS.get(status, ("Exception", "Error"))
    return status, {
        "status_code": status,
        "errors": [{"error": error or default_error, "message": message or default_message}],
    }


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


@pytest.fixture
def fake_notify(settings):
    """A running fake Notify with a template for each of the service's notifications, configured
    in settings (API key, base URL, template ids, SMS on)."""
    from phso.notifications import TEMPLATES

    with FakeNotify() as notify:
        template_ids = {}
        for spec in TEMPLATES.values():
            placeholders = " ".join(f"(({name}))" for name in sorted(spec.fields))
            template_ids[spec.name] = notify.add_template(
                type=spec.channel, subject=spec.name, body=f"{spec.name}: {placeholders}"
            )
        settings.NOTIFY_API_KEY = notify.api_key
        settings.NOTIFY_BASE_URL = notify.base_url
        settings.NOTIFY_TEMPLATES = template_ids
        settings.NOTIFY_SMS_ENABLED = True
        yield notify
