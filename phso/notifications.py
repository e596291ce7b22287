"""Email and SMS through GOV.UK Notify, or through Django's email backend when Notify is not set up.

The rule: a notification never carries case details. It says that something happened and links to
the service, where the person signs in to read it. Messages cross systems we do not control (Notify,
mail providers, phones on lock screens), and the ombudsman's duty of confidentiality (Parliamentary
Commissioner Act 1967 s.11 and Health Service Commissioners Act 1993 s.15) covers everything learnt
in an investigation. So every template declares the only personalisation fields it takes, from a
short list (the recipient's name, a case or request reference, a link into this service), and each
value is checked for shape; anything else raises ValueError before a message leaves the service.

Templates are named by the service ("new_message"); settings.NOTIFY_TEMPLATES maps each name to a
Notify template id. Without settings.NOTIFY_API_KEY, emails are rendered from
templates/notifications/<name>.txt (first line the subject) and SMS is not sent.
"""

import logging
import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.template.loader import render_to_string
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError, InvalidResponse

logger = logging.getLogger(__name__)

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)


class NotificationError(Exception):
    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class NotificationTemporaryError(NotificationError):
    """Worth retrying: Notify was down, busy (429) or unreachable, or the mail server failed."""


class NotificationRejected(NotificationError):
    """Will fail again: a bad template, recipient or API key (Notify 4xx other than 429)."""


@dataclass(frozen=True)
class NotificationTemplate:
    name: str
    channel: str
    fields: frozenset[str]


def _template(name: str, channel: str, *fields: str) -> NotificationTemplate:
    return NotificationTemplate(name=name, channel=channel, fields=frozenset(fields))


TEMPLATES: dict[str, NotificationTemplate] = {
    t.name: t
    for t in (
        _template("email_verification", EMAIL, "link"),
        _template("password_reset", EMAIL, "link"),
        _template("complaint_received", EMAIL, "name", "reference", "link"),
        _template("complaint_draft_return", EMAIL, "link"),
        _template("case_status_changed", EMAIL, "name", "reference", "link"),
        _template("new_message", EMAIL, "name", "reference", "link"),
        _template("new_letter", EMAIL, "name", "reference", "link"),
        _template("evidence_requested", EMAIL, "reference", "link"),
        _template("evidence_request_reminder", EMAIL, "reference", "link"),
        _template("evidence_request_overdue", EMAIL, "reference", "link"),
        _template("portal_invitation", EMAIL, "link"),
        _template("referral_consent", EMAIL, "link"),
        _template("case_share_request", EMAIL, "reference", "link"),
        _template("information_request_received", EMAIL, "name", "reference", "link"),
        _template(
            "information_request_acknowledged", EMAIL, "name", "reference", "link", "due_date"
        ),
        _template("information_request_answered", EMAIL, "name", "reference", "link"),
        _template("information_request_due", EMAIL, "reference", "due_date", "link"),
        _template("information_request_extended", EMAIL, "name", "reference", "link", "due_date"),
        _template("new_message_sms", SMS, "reference", "link"),
        _template("case_status_changed_sms", SMS, "reference", "link"),
    )
}

# A case or request reference such as HC-2026-000123 or FOI/2026/0042: never free text.
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{0,39}")
# Words of letters joined by spaces, apostrophes, hyphens or an initial's full stop and space: a
# "name" typed at sign-up must not be able to carry a URL or an address ("www.example.com",
# "a@b.org") into a message sent in the ombudsman's name.
_NAME = re.compile(r"[^\W\d_]+(?:(?:[ '’-]+|\. +)[^\W\d_]+)*\.?")
_NAME_MAX = 100
_LINK_MAX = 500
# Notify's own reference for our bookkeeping (e.g. "message-42"); Notify asks that it hold no
# personal data, so it is an identifier only.
_CLIENT_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_DUE_DATE = re.compile(
    r"[0-3]?[0-9] (?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December) [0-9]{4}"
)
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{6,19}")


def greeting_name(full_name: str | None) -> str:
    """The name to greet someone by in a message: their own if it is only a name, else "there".

    A name typed with digits or symbols (a URL, an address) is never put in a message sent in the
    ombudsman's name.
    """
    name = (full_name or "").strip()
    return name if name and len(name) <= _NAME_MAX and _NAME.fullmatch(name) else "there"


def _check_link(value: str) -> None:
    base = settings.SITE_URL.rstrip("/") + "/"
    if len(value) > _LINK_MAX or not value.startswith(base) or any(c.isspace() for c in value):
        raise ValueError(f"link must be a URL within this service ({base})")


def _check_field(field: str, value) -> None:
    if not isinstance(value, str):
        raise ValueError(f"personalisation {field!r} must be a string")
    if field == "link":
        _check_link(value)
    elif field == "reference":
        if not _REFERENCE.fullmatch(value):
            raise ValueError("reference must be a case or request reference")
    elif field == "due_date":
        # A statutory due date such as "24 December 2026": a date, never free text.
        if not _DUE_DATE.fullmatch(value):
            raise ValueError("due_date must be a date such as 24 December 2026")
    elif field == "name":
        if len(value) > _NAME_MAX or not _NAME.fullmatch(value):
            raise ValueError("name may contain only letters, spaces, apostrophes and hyphens")
    else:
        raise ValueError(f"personalisation field {field!r} has no rule")


def notification_validate(
    *, channel: str, to: str, template: str, personalisation: dict, reference: str
) -> NotificationTemplate:
    """The template, once the whole message is known to carry nothing but what it declares."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValueError(f"unknown notification template {template!r}")
    if spec.channel != channel:
        raise ValueError(f"template {template!r} is for {spec.channel}, not {channel}")
    if not isinstance(personalisation, dict):
        raise ValueError("personalisation must be a dict")
    extra = set(personalisation) - spec.fields
    if extra:
        raise ValueError(
            f"template {template!r} does not allow personalisation {sorted(extra)}: "
            "notifications never carry case details"
        )
    missing = spec.fields - set(personalisation)
    if missing:
        raise ValueError(f"template {template!r} needs personalisation {sorted(missing)}")
    for field, value in personalisation.items():
        _check_field(field, value)
    if not isinstance(reference, str) or not _CLIENT_REFERENCE.fullmatch(reference):
        raise ValueError("reference must be an identifier such as 'message-42'")
    if channel == EMAIL:
        try:
            validate_email(to)
        except ValidationError as exc:
            raise ValueError("not a valid email address") from exc
    elif not isinstance(to, str) or not _PHONE.fullmatch(to):
        raise ValueError("not a valid phone number")
    return spec


class NotificationSender:
    """Sends one notification through Notify when an API key is set, else Django's email backend.

    Returns a JSON-safe result: {"status": "sent", "via": ..., "id": ...}, or
    {"status": "skipped", ...} for SMS when SMS is not available. Raises NotificationTemporaryError
    (retry) or NotificationRejected (do not retry).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        template_ids: dict | None = None,
        sms_enabled: bool | None = None,
    ):
        self.api_key = settings.NOTIFY_API_KEY if api_key is None else api_key
        self.base_url = settings.NOTIFY_BASE_URL if base_url is None else base_url
        self.template_ids = settings.NOTIFY_TEMPLATES if template_ids is None else template_ids
        self.sms_enabled = settings.NOTIFY_SMS_ENABLED if sms_enabled is None else sms_enabled
        self._client = None

    @property
    def uses_notify(self) -> bool:
        return bool(self.api_key)

    @property
    def client(self) -> NotificationsAPIClient:
        if self._client is None:
            self._client = NotificationsAPIClient(
                self.api_key, base_url=self.base_url, timeout=settings.NOTIFY_TIMEOUT
            )
        return self._client

    def send_email(self, *, to: str, template: str, personalisation: dict, reference: str) -> dict:
        return self._send(EMAIL, to, template, personalisation, reference)

    def send_sms(self, *, to: str, template: str, personalisation: dict, reference: str) -> dict:
        return self._send(SMS, to, template, personalisation, reference)

    def _send(self, channel, to, template, personalisation, reference) -> dict:
        notification_validate(
            channel=channel,
            to=to,
            template=template,
            personalisation=personalisation,
            reference=reference,
        )
        if channel == SMS and not (self.uses_notify and self.sms_enabled):
            logger.info("SMS %s (%s) not sent: SMS is not enabled", reference, template)
            return {"status": "skipped", "via": None, "id": None}
        if self.uses_notify:
            return self._send_by_notify(channel, to, template, personalisation, reference)
        return self._send_by_email_backend(to, template, personalisation, reference)

    def _send_by_notify(self, channel, to, template, personalisation, reference) -> dict:
        template_id = self.template_ids.get(template)
        if not template_id:
            raise ImproperlyConfigured(
                f"NOTIFY_TEMPLATES has no Notify template id for {template!r}"
            )
        try:
            if channel == EMAIL:
                response = self.client.send_email_notification(
                    email_address=to,
                    template_id=template_id,
                    personalisation=personalisation,
                    reference=reference,
                )
            else:
                response = self.client.send_sms_notification(
                    phone_number=to,
                    template_id=template_id,
                    personalisation=personalisation,
                    reference=reference,
                )
        except APIError as exc:
            raise _classify(exc) from exc
        return {"status": "sent", "via": "notify", "id": response.get("id")}

    def _send_by_email_backend(self, to, template, personalisation, reference) -> dict:
        text = render_to_string(
            f"notifications/{template}.txt", {**personalisation, "site_name": settings.SITE_NAME}
        )
        subject, _, body = text.strip().partition("\n")
        message = EmailMessage(
            subject=subject.strip(),
            body=body.strip() + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"X-Notification-Reference": reference},
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotificationRejected("the mail server refused the recipient") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise NotificationTemporaryError(f"the mail server failed: {exc}") from exc
        return {"status": "sent", "via": "email_backend", "id": None}


def _classify(exc: APIError) -> NotificationError:
    status = exc.status_code
    message = f"Notify answered {status}: {exc.message}"
    # The client reports a failed connection or timeout as 503 with no response; a 2xx that is not
    # JSON may or may not have been sent, and retrying is the lesser harm than a lost notification.
    if isinstance(exc, InvalidResponse) or status == 429 or status >= 500:
        return NotificationTemporaryError(message, status_code=status)
    return NotificationRejected(message, status_code=status)
