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
