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
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return self.reference


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
    PDS_MATCH_FOUND = "pds_match_found", "NHS patient record found"
    PDS_NOT_FOUND = "pds_not_found", "No NHS patient record found"
    PDS_MATCH_CONFIRMED = "pds_match_confirmed", "NHS patient record confirmed"
    PDS_MATCH_REJECTED = "pds_match_rejected", "NHS patient record rejected"


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
