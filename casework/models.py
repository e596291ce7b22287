import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.state import OPEN_STATUSES, CaseStatus


class CaseKind(models.TextChoices):
    HEALTH = "health", "Health"
    PARLIAMENTARY = "parliamentary", "Parliamentary"


REFERENCE_PREFIX = {CaseKind.HEALTH: "HC", CaseKind.PARLIAMENTARY: "PC"}

# Sorted, so that the SQL the queues send matches the partial indexes' predicates word for word
# (a frozenset's order changes from one process to the next, and PostgreSQL then cannot tell
# that a query's `status IN (...)` is the same as the index's).
OPEN_STATUS_VALUES = sorted(s.value for s in OPEN_STATUSES)
_OPEN = models.Q(status__in=OPEN_STATUS_VALUES)


class CaseFlag(models.TextChoices):
    """Things about a case a caseworker may want to find all of: worked out, never stored."""

    MP_REFERRED = "mp_referred", "Referred by an MP"
    UNREAD_MESSAGES = "unread_messages", "Unread messages"
    NHS_RECORD_TO_CHECK = "nhs_record_to_check", "NHS patient record to check"
    ORGANISATIONS_UNCONFIRMED = "organisations_unconfirmed", "Organisation not confirmed"
    LINKED = "linked", "Linked to other cases"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUS_VALUES)

    def awaiting_pds_lookup(self):
        """Health cases with an NHS number and neither a PDS match nor a not-found result yet."""
        return (
            self.filter(kind=CaseKind.HEALTH)
            .exclude(patient_nhs_number="")
            .filter(pds_matches__isnull=True)
            .exclude(events__kind=CaseEventKind.PDS_NOT_FOUND)
        )

    def awaiting_coding(self):
        """Cases whose narrative has never been coded (no coding run at all)."""
        narrative_runs = CodingRun.objects.filter(case=models.OuterRef("pk"), document__isnull=True)
        return self.exclude(models.Exists(narrative_runs))

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

    # The staff queues. `today` is a UK date, passed in so that a page and its counts agree.

    def unassigned(self):
        return self.filter(assignee__isnull=True)

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def in_teams_of(self, user):
        return self.filter(team__members=user)

    def awaiting_information(self):
        return self.filter(status=CaseStatus.AWAITING_INFORMATION)

    def overdue(self, today):
        return self.open().filter(target_date__lt=today)

    def due_between(self, first, last):
        return self.open().filter(target_date__gte=first, target_date__lte=last)

    def flagged(self, flag):
        flag = CaseFlag(flag)
        if flag == CaseFlag.MP_REFERRED:
            return self.filter(referring_mp__isnull=False)
        here = models.OuterRef("pk")
        if flag == CaseFlag.UNREAD_MESSAGES:
            related = Message.objects.filter(case=here).unread_by_ombudsman()
        elif flag == CaseFlag.NHS_RECORD_TO_CHECK:
            related = PdsMatch.objects.filter(case=here, status=PdsMatchStatus.PENDING)
        elif flag == CaseFlag.ORGANISATIONS_UNCONFIRMED:
            related = CaseOrganisation.objects.filter(case=here, confirmed_at__isnull=True)
        else:
            related = CaseLink.objects.filter(case=here)
        return self.filter(models.Exists(related))

    def for_queue_list(self):
        """What a queue row shows, fetched in a fixed number of queries whatever the rows."""
        organisations = CaseOrganisation.objects.select_related("organisation").order_by("id")
        return self.select_related(
            "assignee", "team", "complainant", "constituency"
        ).prefetch_related(models.Prefetch("case_organisations", queryset=organisations))


class Case(models.Model):
    """A complaint to the ombudsman. Status changes only in casework.services.case_transition."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    status = models.CharField(
        max_length=30, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED, db_index=True
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    summary = models.TextField(blank=True)
    # The NHS number of the patient a health complaint is about, as given; checked against PDS.
    patient_nhs_number = models.CharField(max_length=10, blank=True)
    organisations = models.ManyToManyField(
        "accounts.Organisation", through="CaseOrganisation", related_name="cases", blank=True
    )
    # Parliamentary complaints must be referred by an MP (Parliamentary Commissioner Act 1967
    # s.5(1)).
    referring_mp = models.ForeignKey(
        "accounts.MemberOfParliament",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_cases",
    )
    # Where the complainant lives, from their postcode: for insight and MP tracking, not contact.
    constituency = models.ForeignKey(
        "accounts.Constituency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    local_authority_code = models.CharField(max_length=9, blank=True)
    # Someone who complains for the complainant with their consent (a relative, an advocate).
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    team = models.ForeignKey(
        "casework.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the current stage should be finished (UK working days): set by the services that change
    # the stage, never worked out in a template, so that the queues can sort and filter on it.
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        # Most cases are closed; the queues only ever look at open ones, so their indexes are
        # partial and stay small however many years of closed cases build up.
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(
                fields=["received_at"],
                name="case_unassigned_open",
                condition=_OPEN & models.Q(assignee__isnull=True),
            ),
            models.Index(
                fields=["assignee", "received_at"], name="case_assignee_open", condition=_OPEN
            ),
            models.Index(fields=["team", "received_at"], name="case_team_open", condition=_OPEN),
            models.Index(fields=["target_date"], name="case_target_open", condition=_OPEN),
        ]

    def __str__(self):
        return self.reference


class CaseOrganisation(models.Model):
    """An organisation a case complains about; a caseworker confirms it before investigation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_organisations")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], name="unique_case_organisation"
            )
        ]

    def __str__(self):
        return f"Organisation {self.organisation_id} on case {self.case_id}"


class CaseReferenceSequence(models.Model):
    """The last number issued per prefix and year, so references are gap-free and never reused."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_sequence")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_number}"


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
    ASSIGNED = "assigned", "Case assigned"
    ORGANISATION_CONFIRMED = "organisation_confirmed", "Organisation confirmed"
    DEMOGRAPHICS_RECORDED = "demographics_recorded", "Equality information recorded"
    NOTE_ADDED = "note_added", "Internal note added"
    CASE_LINKED = "case_linked", "Linked to another case"
    EVIDENCE_REQUESTED = "evidence_requested", "Evidence requested from an organisation"
    EVIDENCE_REQUEST_ANSWERED = "evidence_request_answered", "Evidence request answered"
    EVIDENCE_REQUEST_EXTENDED = "evidence_request_extended", "Evidence request extended"
    EVIDENCE_REQUEST_WITHDRAWN = "evidence_request_withdrawn", "Evidence request withdrawn"
    EVIDENCE_REQUEST_REMINDED = "evidence_request_reminded", "Evidence request reminder sent"
    EVIDENCE_REQUEST_CHASED = "evidence_request_chased", "Overdue evidence request chased"
    LETTER_GENERATED = "letter_generated", "Letter generated"
    LETTER_SENT = "letter_sent", "Letter sent to the complainant"
    DECISION_RECORDED = "decision_recorded", "Decision recorded"
    PROVISIONAL_REPORT_SHARED = (
        "provisional_report_shared",
        "Provisional report shared for comments",
    )
    PROVISIONAL_COMMENTS_RECEIVED = (
        "provisional_comments_received",
        "Comments on the provisional report received",
    )
    RECOMMENDATION_MADE = "recommendation_made", "Recommendation made"
    RECOMMENDATION_COMPLIANCE = "recommendation_compliance", "Recommendation compliance recorded"
    DECISION_REDACTION_CONFIRMED = (
        "decision_redaction_confirmed",
        "Public summary redaction confirmed",
    )
    DECISION_PUBLISHED = "decision_published", "Decision published"
    PERSON_MERGED = "person_merged", "Complainant records merged"
    PERSON_MERGE_REVERSED = "person_merge_reversed", "Complainant records merge reversed"


# Timeline entries about the ombudsman's internal handling, never shown to a complainant.
INTERNAL_EVENT_KINDS = frozenset(
    {
        CaseEventKind.ASSIGNED,
        CaseEventKind.ORGANISATION_CONFIRMED,
        CaseEventKind.DEMOGRAPHICS_RECORDED,
        CaseEventKind.NOTE_ADDED,
        CaseEventKind.CASE_LINKED,
        CaseEventKind.PDS_MATCH_FOUND,
        CaseEventKind.PDS_NOT_FOUND,
        CaseEventKind.PDS_MATCH_CONFIRMED,
        CaseEventKind.PDS_MATCH_REJECTED,
        # Dealings with organisations and the drafting of a decision: the complainant hears of
        # the decision itself when it is issued, and of the provisional report when it is shared.
        CaseEventKind.EVIDENCE_REQUESTED,
        CaseEventKind.EVIDENCE_REQUEST_ANSWERED,
        CaseEventKind.EVIDENCE_REQUEST_EXTENDED,
        CaseEventKind.EVIDENCE_REQUEST_WITHDRAWN,
        CaseEventKind.EVIDENCE_REQUEST_REMINDED,
        CaseEventKind.EVIDENCE_REQUEST_CHASED,
        CaseEventKind.LETTER_GENERATED,
        CaseEventKind.DECISION_RECORDED,
        CaseEventKind.PROVISIONAL_COMMENTS_RECEIVED,
        CaseEventKind.RECOMMENDATION_MADE,
        CaseEventKind.RECOMMENDATION_COMPLIANCE,
        CaseEventKind.DECISION_REDACTION_CONFIRMED,
        # Tidying duplicate accounts is back-office housekeeping, not progress on the complaint.
        CaseEventKind.PERSON_MERGED,
        CaseEventKind.PERSON_MERGE_REVERSED,
    }
)


class CaseEventQuerySet(models.QuerySet):
    def visible_to_complainant(self):
        """Events a complainant's own timeline may show: none of the internal handling."""
        return self.exclude(kind__in=sorted(INTERNAL_EVENT_KINDS))

    def update(self, **kwargs):
        raise TypeError("Case events are append-only")

    def delete(self):
        raise TypeError("Case events are append-only")


class CaseEvent(models.Model):
    """Append-only timeline of a case, read by the tracking page, audit and insight."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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
                condition=models.Q(actor__isnull=False) | ~models.Q(system_reason=""),
                name="case_event_has_actor",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on case {self.case_id}"

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
    status = models.CharField(
        max_length=20, choices=PdsMatchStatus.choices, default=PdsMatchStatus.PENDING
    )
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
                condition=models.Q(restricted=False)
                | (models.Q(postcode="") & models.Q(gp_ods_code="")),
                name="restricted_pds_match_has_no_address_or_gp",
            ),
        ]

    def __str__(self):
        # No name or NHS number: a string of this may end up in a log.
        return f"PDS match {self.pk} for case {self.case_id} ({self.status})"

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
        """Caseworkers and managers see every document; complainants the shared ones on their own
        cases."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("casework.view_case_queue"):
            return self
        return self.for_complainant(user)

    def for_complainant(self, user):
        """What a complainant may see: the documents on their own cases not kept internal."""
        return self.filter(case__complainant=user, internal=False)

    def usable(self):
        """Documents that may be opened: scanned clean and not deleted."""
        return self.filter(status=DocumentStatus.CLEAN, deleted_at__isnull=True)

    def not_deleted(self):
        return self.filter(deleted_at__isnull=True)

    def awaiting_scan(self):
        return self.filter(status=DocumentStatus.PENDING, deleted_at__isnull=True)

    def awaiting_coding(self):
        """Documents whose text was read but never coded."""
        return self.filter(
            text_status=TextStatus.EXTRACTED, deleted_at__isnull=True, coding_runs__isnull=True
        )

    def holding_bytes(self):
        """Documents whose bytes are in storage: accepted at upload, not infected, not purged."""
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
    # None for proof of identity sent with a subject access request by someone without an account.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uploaded_documents",
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
        return self.filter(case=case, party=party, organisation=organisation).select_related(
            "author"
        )

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

    def __str__(self):
        return f"Message {self.pk} on case {self.case_id} ({self.get_party_display()})"


# The back office: teams and assignment, internal notes, equality information, related cases.


class Team(models.Model):
    """A group of caseworkers who share a queue; a case may belong to a team and to one assignee."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseNoteQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Case notes are append-only")

    def delete(self):
        raise TypeError("Case notes are append-only")


class CaseNote(models.Model):
    """An internal note on a case: staff only, never shown to a complainant or other party.

    Append-only like the timeline it sits on: a correction is a further note, so that what staff
    knew when they acted stays on record.
    """

    MAX_LENGTH = 10_000

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self):
        return f"Note on case {self.case_id} by {self.author_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Case notes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Case notes are append-only")


# Equality monitoring, in the ONS 2021 Census categories so figures compare with the population.
# "Prefer not to say" is an answer to each question; declining the whole set is `declined`.
# One set of categories and values serves both the answers taken here by caseworkers and those
# given with the complaint form (complaints.models.EqualityMonitoring), so they can be counted
# together.
PREFER_NOT_TO_SAY = ("prefer_not", "Prefer not to say")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18 to 24"
    AGE_25_34 = "25_34", "25 to 34"
    AGE_35_44 = "35_44", "35 to 44"
    AGE_45_54 = "45_54", "45 to 54"
    AGE_55_64 = "55_64", "55 to 64"
    AGE_65_74 = "65_74", "65 to 74"
    AGE_75_OVER = "75_plus", "75 or over"
    NOT_SAID = PREFER_NOT_TO_SAY


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_SAID = PREFER_NOT_TO_SAY


class EthnicGroup(models.TextChoices):
    """The five high-level groups of the ONS 2021 Census ethnicity question (England)."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_SAID = PREFER_NOT_TO_SAY


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SAID = PREFER_NOT_TO_SAY


class CaseDemographics(models.Model):
    """Equality information a caseworker took for a case (by phone or letter), or the record that
    the complainant declined to give it.

    Special category data (UK GDPR Art. 9), for equality monitoring in aggregate and never for
    deciding a complaint: the back office records the answers but shows only that they were given.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="demographics")
    declined = models.BooleanField(default=False)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    ethnic_group = models.CharField(max_length=20, choices=EthnicGroup.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "case demographics"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(declined=True, age_band="", sex="", ethnic_group="", disability="")
                    | (
                        models.Q(declined=False)
                        & ~models.Q(age_band="")
                        & ~models.Q(sex="")
                        & ~models.Q(ethnic_group="")
                        & ~models.Q(disability="")
                    )
                ),
                name="demographics_answered_or_declined",
            )
        ]

    def __str__(self):
        return f"Equality information for case {self.case_id}"


class CaseLinkKind(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate"
    RELATED = "related", "Related"


class CaseLink(models.Model):
    """One direction of a link between two cases; casework.services.case_link writes both."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CaseLinkKind.choices)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "other"], name="unique_case_link"),
            models.CheckConstraint(
                condition=~models.Q(case=models.F("other")), name="case_link_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: case {self.case_id} and case {self.other_id}"


# Evidence requests to organisations, decisions and their recommendations.


class EvidenceRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for a response"
    MET = "met", "Met on time"
    MET_LATE = "met_late", "Met late"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EvidenceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=EvidenceRequestStatus.OPEN)

    def answered(self):
        return self.filter(status__in=[EvidenceRequestStatus.MET, EvidenceRequestStatus.MET_LATE])

    def due_for_reminder(self, *, last_due_date):
        """Open requests due on or before `last_due_date` that have had no reminder yet."""
        return self.open().filter(reminder_sent_at__isnull=True, due_date__lte=last_due_date)

    def due_for_chaser(self, *, today):
        """Open requests past their due date that have not been chased yet."""
        return self.open().filter(chaser_sent_at__isnull=True, due_date__lt=today)

    def responsiveness(self) -> dict:
        """How an organisation (or any set of requests) answers: counts, % on time, median days.

        Counts in one aggregate query; the median from the answered requests' dates in a second,
        because SQLite (the embedded default) has no percentile aggregate.
        """
        figures = self.aggregate(
            # A withdrawn request was not needed in the end: it counts for or against nobody.
            total=models.Count("id", filter=~models.Q(status=EvidenceRequestStatus.WITHDRAWN)),
            withdrawn=models.Count("id", filter=models.Q(status=EvidenceRequestStatus.WITHDRAWN)),
            open=models.Count("id", filter=models.Q(status=EvidenceRequestStatus.OPEN)),
            met=models.Count("id", filter=models.Q(status=EvidenceRequestStatus.MET)),
            met_late=models.Count("id", filter=models.Q(status=EvidenceRequestStatus.MET_LATE)),
            overdue=models.Count(
                "id",
                filter=models.Q(
                    status=EvidenceRequestStatus.OPEN, due_date__lt=timezone.localdate()
                ),
            ),
        )
        answered = figures["met"] + figures["met_late"]
        figures["answered"] = answered
        figures["on_time_percent"] = round(100 * figures["met"] / answered) if answered else None
        days = sorted(
            (responded - requested).days
            for requested, responded in self.answered().values_list("requested_on", "responded_on")
        )
        figures["median_days"] = _median(days)
        return figures


def _median(values: list) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


class EvidenceRequest(models.Model):
    """A request to an organisation for evidence on a case, with a due date in UK working days.

    `clock` holds the phso.clock.StatutoryClock as JSON (its history records every extension and
    why); `due_date` is copied from it so that the reminder task and the queues can filter on it.
    """

    MAX_LENGTH = 5_000

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_requests")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="evidence_requests"
    )
    description = models.TextField(max_length=MAX_LENGTH)
    # The address the request went to: organisations have no contact address in the directory,
    # and the one a caseworker uses can differ from case to case.
    sent_to = models.EmailField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_on = models.DateField()
    due_date = models.DateField()
    clock = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=EvidenceRequestStatus.choices, default=EvidenceRequestStatus.OPEN
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    response_note = models.TextField(blank=True)
    response_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    chaser_sent_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["case", "requested_at"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(
                fields=["due_date"],
                name="evidence_request_open_due",
                condition=models.Q(status="open"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "withdrawn"], responded_on__isnull=True)
                | models.Q(status__in=["met", "met_late"], responded_on__isnull=False),
                name="evidence_request_answered_has_date",
            )
        ]

    def __str__(self):
        return f"Evidence request {self.pk} to {self.organisation_id} on case {self.case_id}"


class DecisionOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DISCONTINUED = "discontinued", "Discontinued"


class DecisionQuerySet(models.QuerySet):
    def published(self):
        """Decisions whose redacted summary staff confirmed and published: the insight input."""
        return self.filter(published_at__isnull=False)


class Decision(models.Model):
    """The ombudsman's decision on a case: provisional report, comments, final outcome, summary.

    Only the redacted summary, confirmed by a person, is ever published; the findings, reasons and
    report stay with the case.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices, blank=True)
    findings = models.TextField(blank=True)
    reasons = models.TextField(blank=True)
    provisional_report = models.TextField(blank=True)
    provisional_shared_at = models.DateTimeField(null=True, blank=True)
    comments_due = models.DateField(null=True, blank=True)
    public_summary = models.TextField(blank=True)
    redacted_summary = models.TextField(blank=True)
    redaction_findings = models.JSONField(default=list, blank=True)
    redaction_confirmed_at = models.DateTimeField(null=True, blank=True)
    redaction_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True)
                | models.Q(redaction_confirmed_at__isnull=False),
                name="decision_published_only_when_redaction_confirmed",
            )
        ]

    def __str__(self):
        return f"Decision on case {self.case_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class CommentParty(models.TextChoices):
    COMPLAINANT = "complainant", "Complainant"
    ORGANISATION = "organisation", "Organisation"


class ProvisionalComment(models.Model):
    """A party's comments on the provisional report, as received (by the portal, email or post)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="comments")
    party = models.CharField(max_length=20, choices=CommentParty.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=10_000)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party="organisation", organisation__isnull=False)
                | (~models.Q(party="organisation") & models.Q(organisation__isnull=True)),
                name="organisation_comment_names_its_organisation",
            )
        ]

    def __str__(self):
        return (
            f"Comments from the {self.get_party_display().lower()} on decision {self.decision_id}"
        )


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for compliance"
    COMPLIED = "complied", "Complied"
    NOT_COMPLIED = "not_complied", "Not complied"


class Recommendation(models.Model):
    """Something the organisation should do to put things right, by a date, and whether it did."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="recommendations")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(max_length=5_000)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=RecommendationStatus.choices, default=RecommendationStatus.PENDING
    )
    compliance_note = models.TextField(blank=True)
    evidence = models.ManyToManyField(Document, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"Recommendation {self.pk} on decision {self.decision_id}"


class PersonMergeQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(reversed_at__isnull=True)

    def involving(self, user):
        return self.filter(models.Q(kept=user) | models.Q(merged=user))


class PersonMerge(models.Model):
    """Two accounts of one person made one: the merged account's rows moved to the kept account.

    `moved` lists exactly the rows changed ({"model", "pk", "field"}), so that a reversal puts back
    those rows and no others, even after the kept account has gained new ones.
    """

    kept = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    moved = models.JSONField(default=list, blank=True)
    # Whether the merged account could sign in before, so that a reversal restores exactly that.
    merged_was_active = models.BooleanField(default=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_reason = models.TextField(blank=True)

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kept=models.F("merged")), name="person_merge_not_into_self"
            ),
            # An account can be merged away only once at a time.
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(reversed_at__isnull=True),
                name="person_merge_one_in_force",
            ),
        ]

    def __str__(self):
        return f"Person merge {self.pk}: {self.merged_id} into {self.kept_id}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


# --- Clinical coding, precedent checks and triage (suggestions a caseworker decides on) ---------


class CodingSource(models.TextChoices):
    NARRATIVE = "narrative", "Complaint narrative"
    DOCUMENT = "document", "Document"


class CodingRunStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be coded"
    DONE = "done", "Coded"
    STOPPED = "stopped", "Stopped"


class CodingRun(models.Model):
    """One coding of one text (the case's narrative or one document), with what happened.

    Re-coding a source replaces its run and its unreviewed suggestions; a stopped run records why
    (empty text, text too long, the document deleted meanwhile) instead of crashing the worker.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="coding_runs")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="coding_runs"
    )
    source = models.CharField(max_length=20, choices=CodingSource.choices)
    status = models.CharField(
        max_length=20, choices=CodingRunStatus.choices, default=CodingRunStatus.PENDING
    )
    reason = models.TextField(blank=True)
    chars_total = models.PositiveIntegerField(default=0)
    chars_coded = models.PositiveIntegerField(default=0)
    truncated = models.BooleanField(default=False)
    findings_count = models.PositiveIntegerField(default=0)
    engine_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(document__isnull=True),
                name="coding_run_one_per_narrative",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(document__isnull=False),
                name="coding_run_one_per_document",
            ),
            models.CheckConstraint(
                condition=models.Q(source="narrative", document__isnull=True)
                | models.Q(source="document", document__isnull=False),
                name="coding_run_source_matches_document",
            ),
        ]

    def __str__(self):
        return f"Coding of {self.get_source_display().lower()} on case {self.case_id}"


class CodeAxis(models.TextChoices):
    CONDITION = "condition", "Condition or procedure"
    THEME = "theme", "Complaint theme"


class CodeReview(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class ClinicalCodeQuerySet(models.QuerySet):
    def confirmed(self):
        """What a caseworker confirmed: the only codes that may feed insight."""
        return self.filter(review=CodeReview.CONFIRMED)

    def conditions(self):
        return self.filter(axis=CodeAxis.CONDITION)

    def themes(self):
        return self.filter(axis=CodeAxis.THEME)


class ClinicalCode(models.Model):
    """One suggested code, where it was found (character offsets into its source text), and a
    caseworker's review of it.

    `axis` condition: an ICD-10 (or SNOMED CT) code with its context status (present, negated,
    historical, family, hypothetical). `axis` theme: a complaint theme (system "theme", code the
    theme's slug, status present). Codes are never published unless confirmed.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clinical_codes")
    run = models.ForeignKey(CodingRun, on_delete=models.CASCADE, related_name="codes")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="clinical_codes"
    )
    axis = models.CharField(max_length=20, choices=CodeAxis.choices, default=CodeAxis.CONDITION)
    system = models.CharField(max_length=40)
    code = models.CharField(max_length=40)
    description = models.CharField(max_length=300)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    status = models.CharField(max_length=20, default="present")
    confidence = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    kind = models.CharField(max_length=20, blank=True)
    review = models.CharField(
        max_length=20, choices=CodeReview.choices, default=CodeReview.SUGGESTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ClinicalCodeQuerySet.as_manager()

    class Meta:
        ordering = ["document_id", "start", "id"]
        indexes = [
            models.Index(fields=["case", "axis", "review"]),
            models.Index(
                fields=["axis", "code"],
                name="clinical_code_confirmed",
                condition=models.Q(review="confirmed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="clinical_code_span_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.system} {self.code} ({self.status}) on case {self.case_id}"


class PrecedentSuggestion(models.Model):
    """A past decided case offered as a precedent for a case, why, and whether it helped."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="precedent_suggestions")
    precedent = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    # Why it matched: {"organisation_kind": bool, "themes": [...], "codes": [...], "terms": [...]}.
    reasons = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    useful = models.BooleanField(null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["case", "precedent"], name="precedent_once_per_case"),
            models.CheckConstraint(
                condition=~models.Q(case=models.F("precedent")), name="precedent_not_itself"
            ),
        ]

    def __str__(self):
        return f"Precedent {self.precedent_id} for case {self.case_id}"


class TriageModelQuerySet(models.QuerySet):
    def deployed(self):
        return self.filter(deployed=True).order_by("-version")


class TriageModel(models.Model):
    """One trained triage model: its version, training data's date range, report and weights.

    `report` holds per-class precision and recall on the held-out split, the majority-class
    baseline and the comparison across equality-monitoring groups. A model that does worse than
    the baseline is kept for the record with `deployed` false and the reason.
    """

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now)
    data_from = models.DateField(null=True, blank=True)
    data_to = models.DateField(null=True, blank=True)
    train_size = models.PositiveIntegerField(default=0)
    test_size = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    deployed = models.BooleanField(default=False)
    not_deployed_reason = models.TextField(blank=True)
    # The fitted scikit-learn pipelines, serialised with joblib by the training service.
    artifact = models.BinaryField(editable=False)

    objects = TriageModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Triage model v{self.version}"


class TriageSuggestion(models.Model):
    """What a triage model suggests for a new complaint; shown to the assessor, never acted on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage_suggestions")
    model = models.ForeignKey(TriageModel, on_delete=models.PROTECT, related_name="suggestions")
    outcome = models.CharField(max_length=30)
    outcome_probability = models.FloatField()
    theme = models.CharField(max_length=40, blank=True)
    theme_probability = models.FloatField(null=True, blank=True)
    # [{"word": ..., "weight": ...}, ...] the words that pushed most towards the suggestion.
    top_words = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "model"], name="triage_once_per_case_and_model"
            ),
        ]

    def __str__(self):
        return f"Triage suggestion for case {self.case_id} (model v{self.model.version})"
