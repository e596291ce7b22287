"""Who may use the MP office and organisation portals, the invitations that let them in, MP
referrals with the constituent's consent, and what organisations send back through the portal.

Membership is checked against these rows on every request (never cached in the session), so that
removing someone or ending an office takes effect on their next click.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class MpOfficeQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class MpOffice(models.Model):
    """An MP's office: an account group tied to one Member of Parliament.

    Ended (never deleted) when a new MP takes the constituency over, so the record of who worked
    which referral stays.
    """

    mp = models.OneToOneField(
        "accounts.MemberOfParliament", on_delete=models.PROTECT, related_name="office"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MpOfficeQuerySet.as_manager()

    class Meta:
        ordering = ["mp__name"]
        verbose_name = "MP office"

    def __str__(self):
        return f"Office of {self.mp}"

    @property
    def constituency(self):
        return self.mp.constituency


class OfficeRole(models.TextChoices):
    MANAGER = "manager", "Office manager"
    CASEWORKER = "caseworker", "Caseworker"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class MpOfficeMembership(models.Model):
    """A person's place in an MP's office. Managers run the office's users; caseworkers refer
    and track complaints."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="office_memberships"
    )
    office = models.ForeignKey(MpOffice, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=OfficeRole.choices)
    active = models.BooleanField(default=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            # One office at a time: a person works for one MP, and every page is that office's.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(active=True), name="one_active_office_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(active=True, removed_at__isnull=True)
                | models.Q(active=False, removed_at__isnull=False),
                name="office_membership_removed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.office} ({self.get_role_display()})"


class OrganisationMembership(models.Model):
    """A person who answers for an organisation; admins invite and remove the others."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organisation_memberships"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    is_admin = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(active=True),
                name="one_active_membership_per_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(active=True, removed_at__isnull=True)
                | models.Q(active=False, removed_at__isnull=False),
                name="organisation_membership_removed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.user} for {self.organisation}"


class InvitationRole(models.TextChoices):
    OFFICE_MANAGER = "office_manager", "Office manager"
    OFFICE_CASEWORKER = "office_caseworker", "Caseworker"
    ORGANISATION_ADMIN = "organisation_admin", "Administrator"
    ORGANISATION_USER = "organisation_user", "User"


class Invitation(models.Model):
    """A single-use, expiring link to join an office or an organisation. Only the token's hash is
    kept, so a copy of the database cannot be used to accept an invitation."""

    email = models.EmailField()
    office = models.ForeignKey(
        MpOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    role = models.CharField(max_length=20, choices=InvitationRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(office__isnull=False, organisation__isnull=True)
                | models.Q(office__isnull=True, organisation__isnull=False),
                name="invitation_to_one_office_or_organisation",
            )
        ]

    def __str__(self):
        return f"Invitation for {self.email}"

    @property
    def is_pending(self) -> bool:
        return (
            self.used_at is None and self.cancelled_at is None and self.expires_at > timezone.now()
        )


class ConsentMethod(models.TextChoices):
    UPLOAD = "upload", "Upload a signed consent form"
    EMAIL = "email", "Email the constituent a link to confirm"


class ReferralQuerySet(models.QuerySet):
    def for_office(self, office):
        return self.filter(office=office)

    def awaiting_consent(self):
        return self.filter(case__isnull=True, consent_confirmed_at__isnull=True)


class Referral(models.Model):
    """A complaint an MP's office refers for a constituent (Parliamentary Commissioner Act 1967
    s.5(1)), with the constituent's details and their consent.

    The case is created once consent is in hand: at once for an uploaded signed form, or when the
    constituent confirms through the emailed link. `office` is the office that follows the case
    now; after an election a staff handover moves open referrals to the new MP's office, while the
    case keeps its original referring MP.
    """

    office = models.ForeignKey(MpOffice, on_delete=models.PROTECT, related_name="referrals")
    case = models.OneToOneField(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )
    kind = models.CharField(
        max_length=20, choices=[("health", "Health"), ("parliamentary", "Parliamentary")]
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(max_length=10_000)
    constituent_name = models.CharField(max_length=200)
    constituent_email = models.EmailField(blank=True)
    constituent_phone = models.CharField(max_length=20, blank=True)
    constituent_postcode = models.CharField(max_length=8)
    consent_method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    consent_document = models.ForeignKey(
        "casework.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_token_hash = models.CharField(max_length=64, blank=True)
    consent_expires_at = models.DateTimeField(null=True, blank=True)
    consent_confirmed_at = models.DateTimeField(null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "created_at"])]

    def __str__(self):
        return f"Referral {self.pk} by {self.office}"


class ExtensionRequestStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a decision"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"


class ExtensionRequest(models.Model):
    """An organisation's request for more time on an evidence request. Casework's extension
    service records only agreed extensions, so the asking and the caseworker's answer live here."""

    evidence_request = models.ForeignKey(
        "casework.EvidenceRequest", on_delete=models.PROTECT, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    extra_working_days = models.PositiveSmallIntegerField()
    reason = models.TextField(max_length=2_000)
    status = models.CharField(
        max_length=20,
        choices=ExtensionRequestStatus.choices,
        default=ExtensionRequestStatus.REQUESTED,
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence_request"],
                condition=models.Q(status="requested"),
                name="one_open_extension_request",
            )
        ]

    def __str__(self):
        return f"Extension request {self.pk} on evidence request {self.evidence_request_id}"


class ComplianceSubmission(models.Model):
    """Evidence an organisation sent that it did what a recommendation asked; a caseworker then
    records compliance through casework's recommendation service."""

    recommendation = models.ForeignKey(
        "casework.Recommendation", on_delete=models.PROTECT, related_name="compliance_submissions"
    )
    note = models.TextField(max_length=5_000, blank=True)
    documents = models.ManyToManyField("casework.Document", related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"Compliance evidence {self.pk} for recommendation {self.recommendation_id}"


class CaseShareQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class CaseShare(models.Model):
    """A complainant's consent for their MP's office to follow a complaint they made themselves.

    The office asks by case reference; the complainant is emailed (at their own account's address,
    never one the office typed) a single-use link, and confirms signed in as the complainant.
    """

    office = models.ForeignKey(MpOffice, on_delete=models.PROTECT, related_name="shares")
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseShareQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "case"],
                condition=models.Q(confirmed_at__isnull=False),
                name="one_confirmed_share_per_office_and_case",
            )
        ]

    def __str__(self):
        return f"Case {self.case_id} shared with {self.office}"
