import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# The equality categories are casework's: one set for answers given here and those taken by staff.
from casework.models import AgeBand, Disability, EthnicGroup, Sex
from complaints.checker import Complained, Nation, OrganisationType, Outcome, Signpost


class CheckerResult(models.Model):
    """One finished "Can the ombudsman help?" check, kept for insight and nothing else.

    Anonymous by design: no user, no IP address, no free text, no postcode, no exact date. The
    time is kept to the hour and how long ago the person found out in whole months.
    """

    # Random, made when the check starts and kept in the session: finishing the same check again
    # (reloading the outcome page, going back and changing an answer) updates this row.
    token = models.UUIDField(unique=True, editable=False)
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices)
    nation = models.CharField(max_length=32, choices=Nation.choices, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    complained = models.CharField(max_length=32, choices=Complained.choices, blank=True)
    waited_over_six_months = models.BooleanField(null=True, blank=True)
    aware_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Whole months since the person found out about the problem (36: 36 or more).",
    )
    late_reason_given = models.BooleanField(default=False)
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    signpost = models.CharField(max_length=32, choices=Signpost.choices, blank=True)
    constituency_code = models.CharField(max_length=9, blank=True)
    created_at = models.DateTimeField(help_text="To the hour.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "created_at"])]

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.created_at:%Y-%m-%d %H:00})"


# --- The guided complaint form: drafts, what was said, and equality monitoring ----------------


class ComplaintDraftQuerySet(models.QuerySet):
    def in_progress(self, now=None):
        """Not sent yet and not past their keeping period."""
        return self.filter(submitted_at__isnull=True, expires_at__gt=now or timezone.now())

    def owned_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def expired(self, now):
        return self.filter(expires_at__lte=now)


class ComplaintDraft(models.Model):
    """A complaint being written in the guided form, saved page by page until it is sent.

    Answers are kept as each page's own form data, checked again by that page's form whenever they
    are read (complaints.journey), so a draft can never send what a page would refuse. A draft
    with no owner belongs to the browser session that started or restored it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="complaint_drafts",
    )
    answers = models.JSONField(default=dict, blank=True)
    # Where the person would go next: resuming a draft returns them to the same point.
    current_step = models.CharField(max_length=50, blank=True)
    # Replaced whenever an answer changes. The check-answers page posts the token it was drawn
    # with, so a page showing older answers (another tab) cannot send what the person did not see.
    submission_token = models.UUIDField(default=uuid.uuid4)
    case = models.OneToOneField(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    objects = ComplaintDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["owner", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=True, submitted_at__isnull=True)
                | models.Q(case__isnull=False, submitted_at__isnull=False),
                name="complaint_draft_sent_with_its_case",
            )
        ]

    def __str__(self):
        return f"Draft {self.public_id}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class DraftReturnLink(models.Model):
    """A single-use, expiring link that brings a draft back into a browser.

    Only a hash of the token is kept: someone who reads this table cannot use a link from it.
    """

    draft = models.ForeignKey(ComplaintDraft, on_delete=models.CASCADE, related_name="return_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Return link for {self.draft_id}"


class Authority(models.TextChoices):
    """Why someone may complain for another person."""

    CONSENT = "consent", "Yes, they have agreed to me complaining for them"
    POWER_OF_ATTORNEY = "power_of_attorney", "Yes, I have a lasting power of attorney for them"
    PARENT = "parent", "Yes, I am the parent or guardian of a child under 16"
    NEXT_OF_KIN = "next_of_kin", "Yes, they have died and I am their next of kin or executor"
    NONE = "none", "No, not yet"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"
    PHONE = "phone", "Phone"


class Adjustment(models.TextChoices):
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BSL = "bsl", "British Sign Language (BSL) interpreter"
    LANGUAGE = "language", "Another language"
    OTHER = "other", "Something else"
    NONE = "none", "No, I do not need any changes"


class ComplaintDetails(models.Model):
    """What the complainant told us in the guided form, kept beside the case it became."""

    case = models.OneToOneField(
        "casework.Case", on_delete=models.PROTECT, related_name="complaint_details"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=8)
    # False when the postcode is real in shape but not in the postcode directory we hold.
    postcode_found = models.BooleanField(default=False)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    for_someone_else = models.BooleanField(default=False)
    other_person_name = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(max_length=100, blank=True)
    authority = models.CharField(max_length=30, choices=Authority.choices, blank=True)
    # Organisations the person could not find in the directory, by the names they gave.
    unlisted_organisations = models.JSONField(default=list, blank=True)
    what_happened = models.TextField()
    happened_on = models.DateField()
    where_it_happened = models.TextField()
    impact = models.TextField()
    desired_outcome = models.TextField()
    complained_on = models.DateField()
    final_response = models.BooleanField()
    final_response_on = models.DateField(null=True, blank=True)
    has_evidence = models.BooleanField()
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    adjustments = models.JSONField(default=list, blank=True)
    adjustment_language = models.CharField(max_length=100, blank=True)
    adjustment_other = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "complaint details"

    def __str__(self):
        return f"Details of {self.case_id}"


class EqualityMonitoringQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only people who work on insight read these answers; caseworkers never do."""
        if user.is_authenticated and user.has_perm("insight.view_dashboards"):
            return self
        return self.none()


class EqualityMonitoring(models.Model):
    """Equality monitoring answers given with a complaint, kept apart from it.

    They are for finding out who our service reaches and who it misses, never for deciding a
    complaint. So Case has no accessor for them (related_name "+"), the admin does not list them,
    and they are read only through visible_to. Blank means the question was left unanswered.
    """

    case = models.OneToOneField("casework.Case", on_delete=models.PROTECT, related_name="+")
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    ethnic_group = models.CharField(max_length=12, choices=EthnicGroup.choices, blank=True)
    disability = models.CharField(max_length=12, choices=Disability.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EqualityMonitoringQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "equality monitoring"

    def __str__(self):
        return f"Equality monitoring {self.pk}"


class DraftDocumentPurpose(models.TextChoices):
    CONSENT = "consent", "Consent or authority to complain for them"
    FINAL_RESPONSE = "final_response", "The organisation’s final response"
    EVIDENCE = "evidence", "Documents and photos"


class DraftDocument(models.Model):
    """A file uploaded on a page of the guided form, kept with the draft until it is sent.

    The document has no case until the complaint is sent; then it joins the new case
    (complaints.services.draft_documents_attach), and this link records where it came in.
    """

    draft = models.ForeignKey(ComplaintDraft, on_delete=models.CASCADE, related_name="documents")
    document = models.OneToOneField(
        "casework.Document", on_delete=models.CASCADE, related_name="draft_link"
    )
    purpose = models.CharField(max_length=20, choices=DraftDocumentPurpose.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_purpose_display()} for {self.draft_id}"
