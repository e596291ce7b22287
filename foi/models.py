"""Information requests (FOIA 2000, EIR 2004, UK GDPR Art. 15), clocks and the disclosure log."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from foi.state import TRANSITIONS, Status
from phso.clock import StatutoryClock


class Kind(models.TextChoices):
    FOI = "foi", "Freedom of information"
    EIR = "eir", "Environmental information"
    SAR = "sar", "Subject access request"


class Channel(models.TextChoices):
    ONLINE = "online", "Online form"
    EMAIL = "email", "Email"
    POST = "post", "Post"
    # EIR 2004 reg. 5 and UK GDPR Art. 15 take requests in any form, phone included; a FOI
    # request must be in writing (FOIA s.8(1)).
    PHONE = "phone", "Phone (environmental information or personal data only)"


class AnswerFormat(models.TextChoices):
    EMAIL = "email", "By email"
    POST = "post", "By post"


class Outcome(models.TextChoices):
    GRANTED = "granted", "Granted in full"
    PARTLY_GRANTED = "partly_granted", "Partly granted"
    REFUSED = "refused", "Refused"
    NOT_HELD = "not_held", "Information not held"
    VEXATIOUS = "vexatious", "Vexatious or repeated (FOIA s.14)"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Exemption(models.TextChoices):
    S21 = "s21", "s.21 Information accessible by other means"
    S22 = "s22", "s.22 Intended for future publication"
    S31 = "s31", "s.31 Law enforcement"
    S36 = "s36", "s.36 Prejudice to effective conduct of public affairs"
    S40_1 = "s40_1", "s.40(1) Requester's own personal data"
    S40_2 = "s40_2", "s.40(2) Third party personal data"
    S41 = "s41", "s.41 Information provided in confidence"
    S42 = "s42", "s.42 Legal professional privilege"
    S43 = "s43", "s.43 Commercial interests"
    S44 = "s44", "s.44 Prohibitions on disclosure"
    R12_4_B = "r12_4_b", "EIR reg. 12(4)(b) Manifestly unreasonable"
    R12_5_B = "r12_5_b", "EIR reg. 12(5)(b) Course of justice"
    R13 = "r13", "EIR reg. 13 Personal data"


# Exemptions that are qualified: a public interest test must be recorded (FOIA s.2(2)(b), EIR
# reg. 12(1)(b)). s.21, s.40(1), s.41, s.44 are absolute; s.40(2)/reg. 13 turn on the data
# protection principles instead.
PUBLIC_INTEREST_TEST = frozenset(
    {
        Exemption.S22,
        Exemption.S31,
        Exemption.S36,
        Exemption.S42,
        Exemption.S43,
        Exemption.R12_4_B,
        Exemption.R12_5_B,
    }
)
EIR_EXCEPTIONS = frozenset({Exemption.R12_4_B, Exemption.R12_5_B, Exemption.R13})


class InformationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=sorted(Status.OPEN))

    def overdue(self, today: date):
        return self.open().filter(due_on__lt=today)

    def due_between(self, first: date, last: date):
        return self.open().filter(due_on__gte=first, due_on__lte=last)

    def of_requester(self, user):
        """A requester's own requests: only ever those made from their account."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def for_staff_list(self):
        return self.select_related("assigned_to").order_by("due_on", "id")

    def answered(self):
        return self.filter(sent_on__isnull=False, due_on__isnull=False, review_of__isnull=True)


class InformationRequest(models.Model):
    """One request for information or for the requester's own data, with its statutory clock.

    `clock` holds a phso.clock.StatutoryClock (to_dict); `due_on` copies its due date so queues can
    be filtered in the database, and is rewritten by every service that changes the clock.
    """

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=3, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(max_length=30, choices=Status.CHOICES, default=Status.RECEIVED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    # FOIA s.8(1)(b): a request states the requester's name and an address for correspondence.
    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField(blank=True)
    requester_address = models.TextField(blank=True)
    answer_format = models.CharField(
        max_length=10, choices=AnswerFormat.choices, default=AnswerFormat.EMAIL
    )
    text = models.TextField()
    # A SAR made for somebody else, with their authority (proof is checked before the clock runs).
    on_behalf_of = models.CharField(max_length=200, blank=True)
    received_on = models.DateField()
    clock = models.JSONField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_verified_on = models.DateField(null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    possible_repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_text = models.TextField(blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # UK GDPR Art. 12(3): the requester is told of an extension, and why, within the first month.
    extension_notified_on = models.DateField(null=True, blank=True)
    review_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    # FOIA s.50: an application to the Information Commissioner after the internal review.
    ico_received_on = models.DateField(null=True, blank=True)
    ico_reference = models.CharField(max_length=40, blank=True)
    ico_outcome = models.TextField(blank=True)
    publish = models.BooleanField(default=False)
    topic = models.CharField(max_length=100, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["requester_email", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(requester_email="", requester_address=""),
                name="information_request_has_contact_address",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def statutory_clock(self) -> StatutoryClock | None:
        return StatutoryClock.from_dict(self.clock) if self.clock else None

    @property
    def is_open(self) -> bool:
        return self.status in Status.OPEN

    @property
    def kind_label(self) -> str:
        return "Internal review" if self.review_of_id else self.get_kind_display()


class AppliedExemption(models.Model):
    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="exemptions"
    )
    code = models.CharField(max_length=10, choices=Exemption.choices)
    public_interest_notes = models.TextField(blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_code_display()


class RequestEventKind(models.TextChoices):
    RECEIVED = "received", "Request received"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    SEARCH_RECORDED = "search_recorded", "Search recorded"
    EXEMPTION_APPLIED = "exemption_applied", "Exemption applied"
    CLOCK_EXTENDED = "clock_extended", "Deadline extended"
    REPEAT_FLAGGED = "repeat_flagged", "Possible repeat request"
    REVIEW_OPENED = "review_opened", "Internal review opened"
    ICO_APPEAL_RECORDED = "ico_appeal_recorded", "Information Commissioner appeal recorded"
    PUBLISHED = "published", "Published in the disclosure log"
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    DOCUMENT_ATTACHED = "document_attached", "Document attached"


class RequestEvent(models.Model):
    """Append-only history of a request: who did what, when, and why."""

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=RequestEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    system_reason = models.CharField(max_length=100, blank=True)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.request_id})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Request events are append-only")
        super().save(*args, **kwargs)

    @property
    def description(self) -> str:
        """What happened, in words: a status change is named by its transition."""
        if self.kind == RequestEventKind.STATUS_CHANGED:
            move = TRANSITIONS.get((self.payload or {}).get("action"))
            if move:
                return move.label
        return self.get_kind_display()


class RequestDocumentPurpose(models.TextChoices):
    IDENTITY = "identity", "Proof of identity or authority"
    RESPONSE = "response", "Response attachment"


class RequestDocument(models.Model):
    """A casework Document (screened and virus-scanned like all evidence) held for a request."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.PROTECT, related_name="documents"
    )
    document = models.OneToOneField(
        "casework.Document", on_delete=models.PROTECT, related_name="information_request_link"
    )
    purpose = models.CharField(max_length=20, choices=RequestDocumentPurpose.choices)

    def __str__(self):
        return f"{self.get_purpose_display()}: {self.document_id}"


class DisclosureEntryQuerySet(models.QuerySet):
    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            models.Q(title__icontains=text) | models.Q(response_text__icontains=text)
        )


class DisclosureEntry(models.Model):
    """A published FOI/EIR response, with no requester fields: FOIA disclosure is to the world."""

    request = models.OneToOneField(
        InformationRequest, on_delete=models.PROTECT, related_name="disclosure"
    )
    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=100, blank=True, db_index=True)
    response_text = models.TextField()
    attachments = models.ManyToManyField("casework.Document", blank=True, related_name="+")
    published_on = models.DateField(db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = DisclosureEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return self.reference


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    PURGED = "purged", "Expired"


class DataExportQuerySet(models.QuerySet):
    def due_for_purge(self, now):
        return self.filter(status=ExportStatus.READY, expires_at__lte=now)


class DataExport(models.Model):
    """A zip of everything the service holds about one account holder (UK GDPR Art. 15(3))."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    storage_key = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Data download {self.pk} ({self.status})"


class ReferenceSequence(models.Model):
    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="foi_reference_sequence_unique")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}"
