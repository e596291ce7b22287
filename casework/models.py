import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.state import ENDED_STATUSES, CaseStatus


class CaseKind(models.TextChoices):
    HEALTH = "health", "Health"
    PARLIAMENTARY = "parliamentary", "Parliamentary"


REFERENCE_PREFIX = {CaseKind.HEALTH: "HC", CaseKind.PARLIAMENTARY: "PC"}


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=ENDED_STATUSES)

    def awaiting_pds_lookup(self):
        """Health cases with an NHS number that have neither a PDS match nor a not-found result yet."""
        return (
            self.filter(kind=CaseKind.HEALTH)
            .exclude(patient_nhs_number="")
            .filter(pds_matches__isnull=True)
            .exclude(events__kind=CaseEventKind.PDS_NOT_FOUND)
        )

    def visible_to(self, user):
        """Cases this user may see: caseworkers and managers all of them, complainants their own."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("casework.view_case_queue"):
            return self
        return self.filter(complainant=user)

    def for_complainant(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(complainant=user)


class Case(models.Model):
    """A complaint to the ombudsman. Status changes only through casework.services.case_transition."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    status = models.CharField(max_length=30, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    summary = models.TextField(blank=True)
    # The NHS number of the patient a health complaint is about, as given; checked against PDS.
    patient_nhs_number = models.CharField(max_length=10, blank=True)
    organisations = models.ManyToManyField(
        "accounts.Organisation", through="CaseOrganisation", related_name="cases", blank=True
    )
    # Parliamentary complaints must be referred by an MP (Parliamentary Commissioner Act 1967 s.5(1)).
    referring_mp = models.ForeignKey(
        "accounts.MemberOfParliament", null=True, blank=True, on_delete=models.PROTECT, related_name="referred_cases"
    )
    # Where the complainant lives, from their postcode: for insight and MP tracking, not for contact.
    constituency = models.ForeignKey(
        "accounts.Constituency", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    local_authority_code = models.CharField(max_length=9, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return self.reference


class CaseOrganisation(models.Model):
    """An organisation a case complains about; a caseworker confirms it before investigation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_organisations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="unique_case_organisation")]


class CaseReferenceSequence(models.Model):
    """The last number issued per prefix and year, so references are gap-free and never reused."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_sequence")]


class CaseEventKind(models.TextChoices):
    RECEIVED = "received", "Complaint received"
    STATUS_CHANGED = "status_changed", "Status changed"
    MESSAGE_SENT = "message_sent", "Message sent"
    PDS_MATCH_FOUND = "pds_match_found", "NHS patient record found"
    PDS_NOT_FOUND = "pds_not_found", "No NHS patient record found"
    PDS_MATCH_CONFIRMED = "pds_match_confirmed", "NHS patient record confirmed"
    PDS_MATCH_REJECTED = "pds_match_rejected", "NHS patient record rejected"
    EVIDENCE_UPLOADED = "evidence_uploaded", "Evidence uploaded"
    EVIDENCE_INFECTED = "evidence_infected", "Evidence rejected: virus found"
    EVIDENCE_DELETED = "evidence_deleted", "Evidence deleted"


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Case events are append-only")

    def delete(self):
        raise TypeError("Case events are append-only")


class CaseEvent(models.Model):
    """Append-only timeline of a case: the complainant's tracking page, audit and insight read it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40, choices=CaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Who acted when no person did, e.g. "complaint_submit" or a task name.
    system_reason = models.CharField(max_length=100, blank=True)
    from_status = models.CharField(max_length=30, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=CaseStatus.choices, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(system_reason=""), name="case_event_has_actor"
            )
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Case events are append-only")


class PdsMatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a caseworker to check"
    CONFIRMED = "confirmed", "Confirmed by a caseworker"
    REJECTED = "rejected", "Rejected by a caseworker"


class PdsMatch(models.Model):
    """A patient record found in the NHS Personal Demographics Service for a case.

    Kept as found so the caseworker confirms what they saw. For restricted records (meta.security R
    or V) the client never returns address or GP, so they are never stored here either.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pds_matches")
    requested_nhs_number = models.CharField(max_length=10)
    nhs_number = models.CharField(max_length=10)
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    address_lines = models.JSONField(default=list, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    gp_ods_code = models.CharField(max_length=12, blank=True)
    restricted = models.BooleanField(default=False)
    deceased = models.BooleanField(default=False)
    superseded = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=PdsMatchStatus.choices, default=PdsMatchStatus.PENDING)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "requested_nhs_number"], name="one_pds_match_per_case_and_number"
            ),
            models.CheckConstraint(
                condition=models.Q(restricted=False) | (models.Q(postcode="") & models.Q(gp_ods_code="")),
                name="restricted_pds_match_has_no_address_or_gp",
            ),
        ]

    @property
    def full_name(self):
        return f"{self.given_names} {self.family_name}".strip()


class UploaderRole(models.TextChoices):
    COMPLAINANT = "complainant", "Complainant"
    REPRESENTATIVE = "representative", "Representative"
    MP_OFFICE = "mp_office", "MP's office"
    ORGANISATION = "organisation", "Organisation"
    STAFF = "staff", "Ombudsman staff"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Checking for viruses"
    CLEAN = "clean", "Ready"
    REJECTED = "rejected", "Rejected"


class TextStatus(models.TextChoices):
    PENDING = "pending", "Not read yet"
    EXTRACTED = "extracted", "Text extracted"
    NO_TEXT = "no_text", "No text found"
    FAILED = "failed", "Could not be read"


class Sensitivity(models.TextChoices):
    NORMAL = "normal", "Normal"
    SENSITIVE = "sensitive", "Sensitive"
    # UK GDPR Article 9: health, ethnicity, religion, sexual orientation and the like.
    SPECIAL_CATEGORY = "special_category", "Special category data"


def document_storage_key(now=None) -> str:
    """A fresh storage name that says nothing about the file and cannot collide with another."""
    now = now or timezone.now()
    return f"evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Caseworkers and managers see every document; complainants the shared ones on their own cases."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("casework.view_case_queue"):
            return self
        return self.filter(case__complainant=user, internal=False)

    def usable(self):
        """Documents that may be opened: scanned clean and not deleted."""
        return self.filter(status=DocumentStatus.CLEAN, deleted_at__isnull=True)

    def not_deleted(self):
        return self.filter(deleted_at__isnull=True)

    def awaiting_scan(self):
        return self.filter(status=DocumentStatus.PENDING, deleted_at__isnull=True)

    def holding_bytes(self):
        """Documents whose bytes are in storage: accepted at upload, not found infected, not purged."""
        return self.filter(
            status__in=[DocumentStatus.PENDING, DocumentStatus.CLEAN], purged_at__isnull=True
        )

    def due_for_purge(self, now):
        return self.filter(deleted_at__isnull=False, purge_after__lte=now, purged_at__isnull=True)


class Document(models.Model):
    """One uploaded file of evidence, served only through permission-checked views.

    Files refused at upload are kept as rows (status rejected, with the reason the uploader was
    shown) but their bytes are never stored. A document belongs to a case; FOI requests will get
    a nullable foreign key of their own when they take documents, rather than a generic owner.
    """

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploaded_documents"
    )
    uploader_role = models.CharField(max_length=20, choices=UploaderRole.choices)
    # Already neutralised by safe_display_name: for showing and for the download name only.
    original_filename = models.CharField(max_length=255)
    storage_key = models.CharField(
        max_length=200, unique=True, editable=False, default=document_storage_key
    )
    size = models.PositiveBigIntegerField(default=0)
    # Detected from the bytes, never taken from the browser.
    content_type = models.CharField(max_length=100, blank=True)
    # Of the bytes stored (for images, the re-encoded picture); of the bytes received if refused.
    sha256 = models.CharField(max_length=64, blank=True)
    sensitivity = models.CharField(
        max_length=20, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    # Staff-only documents are never shown to the complainant.
    internal = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    rejection_reason = models.TextField(blank=True)
    extracted_text = models.TextField(blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    text_status = models.CharField(
        max_length=20, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    scanned_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purge_after = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["uploaded_by", "status"]),
            models.Index(
                fields=["created_at"],
                name="document_awaiting_scan",
                condition=models.Q(status="pending", deleted_at__isnull=True),
            ),
            models.Index(
                fields=["purge_after"],
                name="document_awaiting_purge",
                condition=models.Q(deleted_at__isnull=False, purged_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purge_after__isnull=True) | models.Q(deleted_at__isnull=False),
                name="document_purged_only_after_deletion",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="rejected_document_has_reason",
            ),
        ]

    def __str__(self):
        return self.original_filename

    @property
    def is_usable(self) -> bool:
        return self.status == DocumentStatus.CLEAN and self.deleted_at is None

    @property
    def can_preview(self) -> bool:
        """PDFs and images open in the browser; other types only download."""
        return self.content_type == "application/pdf" or self.content_type.startswith("image/")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only")

    def delete(self):
        raise TypeError("Audit entries are append-only")


class AuditEntry(models.Model):
    """Append-only record of a staff read or action: who, when, from where, on what."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Dotted and stable, e.g. "document.download": reports group by it.
    action = models.CharField(max_length=100)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["case", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self):
        return f"{self.action} by {self.user_id} at {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only")


class MessageParty(models.TextChoices):
    """Who, besides the ombudsman, a conversation on a case is with. One thread per party."""

    COMPLAINANT = "complainant", "Complainant"
    REPRESENTATIVE = "representative", "Representative"
    MP_OFFICE = "mp_office", "MP's office"
    ORGANISATION = "organisation", "Organisation"


class MessageQuerySet(models.QuerySet):
    def thread(self, *, case, party, organisation=None):
        return self.filter(case=case, party=party, organisation=organisation).select_related("author")

    def unread_by_ombudsman(self):
        return self.filter(from_ombudsman=False, read_at__isnull=True)

    def unread_by_party(self):
        return self.filter(from_ombudsman=True, read_at__isnull=True)


class Message(models.Model):
    """A secure message between the ombudsman and one party to a case.

    Notifications about a message never carry its text: only that a message is waiting, with a link.
    """

    MAX_LENGTH = 10_000

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    party = models.CharField(max_length=20, choices=MessageParty.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_ombudsman = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "party", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party="organisation", organisation__isnull=False)
                | (~models.Q(party="organisation") & models.Q(organisation__isnull=True)),
                name="organisation_thread_names_its_organisation",
            )
        ]
