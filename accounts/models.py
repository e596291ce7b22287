from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.roles import STAFF_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in. Email is the login; roles are held as auth Groups named by Role."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        return frozenset(self.groups.filter(name__in=Role.values).values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def is_ombudsman_staff(self) -> bool:
        """Caseworker and above: must pass a TOTP check before any staff page."""
        return self.is_active and (self.is_superuser or self.has_role(*STAFF_ROLES))


# Reference directories: organisations complained about, the parliamentary directory, postcodes.


class OrganisationKind(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    ICB = "icb", "Integrated care board"
    GOVERNMENT_DEPARTMENT = "government_department", "Government department"
    PUBLIC_BODY = "public_body", "Public body"
    OTHER = "other", "Other"


class Sector(models.TextChoices):
    HEALTH = "health", "Health"
    PARLIAMENTARY = "parliamentary", "Parliamentary"


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        """Organisations matching every word of text in name, alias, town or ODS code.

        An exact ODS code comes first, then names starting with the text, then the rest by name.
        """
        words = (text or "").split()[:8]
        if not words:
            return self.none()
        queryset = self
        for word in words:
            alias_match = OrganisationAlias.objects.filter(
                organisation=models.OuterRef("pk"), name__icontains=word
            )
            queryset = queryset.filter(
                models.Q(name__icontains=word)
                | models.Q(town__icontains=word)
                | models.Q(ods_code__istartswith=word)
                | models.Q(models.Exists(alias_match))
            )
        whole = " ".join(words)
        return queryset.annotate(
            search_rank=models.Case(
                models.When(ods_code__iexact=whole, then=models.Value(0)),
                models.When(name__istartswith=whole, then=models.Value(1)),
                default=models.Value(2),
            )
        ).order_by("search_rank", "name", "pk")


class Organisation(models.Model):
    """A body the ombudsman can investigate: NHS organisations (ODS code) and government bodies."""

    name = models.CharField(max_length=255)
    # NULL rather than "" when absent, so that the unique constraint only applies to real codes.
    ods_code = models.CharField(
        "ODS code",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text="NHS Organisation Data Service code, for NHS organisations only.",
    )
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    sector = models.CharField(max_length=16, choices=Sector.choices)
    region = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Inactive organisations (closed, dormant, merged) are not offered in searches.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self):
        return f"{self.name} ({self.ods_code})" if self.ods_code else self.name


class OrganisationAlias(models.Model):
    """Another name people use for an organisation (an acronym, a former or informal name)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "organisation aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_alias_per_organisation"
            )
        ]

    def __str__(self):
        return self.name


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


# The first letter of every ONS (GSS) code names the nation it belongs to.
NATION_BY_CODE_PREFIX = {
    "E": Nation.ENGLAND,
    "W": Nation.WALES,
    "S": Nation.SCOTLAND,
    "N": Nation.NORTHERN_IRELAND,
}


class ConstituencyQuerySet(models.QuerySet):
    def in_nation(self, nation: str):
        prefix = next(p for p, n in NATION_BY_CODE_PREFIX.items() if n == nation)
        return self.filter(code__startswith=prefix)


class Constituency(models.Model):
    """A Westminster parliamentary constituency, by its ONS code (for example E14001063)."""

    code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConstituencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "constituencies"

    def __str__(self):
        return self.name

    @property
    def nation(self) -> Nation | None:
        # Derived, never stored: the code is the single source of truth for the nation.
        return NATION_BY_CODE_PREFIX.get(self.code[:1])


class MemberOfParliamentQuerySet(models.QuerySet):
    def current(self):
        """Sitting MPs: no end date, or one that has not arrived yet."""
        return self.filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gt=timezone.localdate())
        )


class MemberOfParliament(models.Model):
    """An MP. Members who leave are end-dated, never deleted: old cases keep their referring MP."""

    parliament_id = models.PositiveIntegerField(
        "UK Parliament member id", unique=True, help_text="The id in the UK Parliament Members API."
    )
    name = models.CharField(max_length=200)
    party = models.CharField(max_length=100, blank=True)
    constituency = models.ForeignKey(Constituency, on_delete=models.PROTECT, related_name="members")
    email = models.EmailField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberOfParliamentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "Member of Parliament"
        verbose_name_plural = "Members of Parliament"
        indexes = [models.Index(fields=["constituency", "end_date"])]

    def __str__(self):
        return f"{self.name} ({self.constituency})" if self.constituency_id else self.name


class LocalAuthority(models.Model):
    """A local authority district's ONS code and name ("E08000035", "Leeds"), so that places are
    shown by the name people know; postcodes and case facts carry the code."""

    code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class Postcode(models.Model):
    """One postcode of the ONS Postcode Directory, keyed by its published form ("SW1A 1AA")."""

    postcode = models.CharField(max_length=8, primary_key=True)
    easting = models.IntegerField(null=True, blank=True)
    northing = models.IntegerField(null=True, blank=True)
    local_authority_code = models.CharField(max_length=9, blank=True)
    constituency_code = models.CharField(max_length=9, blank=True)
    country_code = models.CharField(max_length=9, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    terminated_on = models.DateField(
        null=True,
        blank=True,
        help_text="First day of the month Royal Mail stopped using the postcode.",
    )

    class Meta:
        ordering = ["postcode"]

    def __str__(self):
        return self.postcode


# How a person wants us to contact them, and what we change so they can use the service.


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    POST = "post", "Post"


class Adjustment(models.TextChoices):
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BSL = "bsl", "A British Sign Language (BSL) interpreter"
    LANGUAGE = "language", "Another language"
    OTHER = "other", "Something else"


class ContactPreferences(models.Model):
    """A person's contact details, how they want to hear from us, and the reasonable adjustments
    they asked for (Equality Act 2010 s.20). Changed only by the person, through
    accounts.services.contact_preferences_update; caseworkers read it for every case of theirs.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="contact_preferences")
    phone = models.CharField("phone number", max_length=20, blank=True)
    address_line_1 = models.CharField(max_length=100, blank=True)
    address_line_2 = models.CharField(max_length=100, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    contact_method = models.CharField(
        "how we contact you",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    large_print = models.BooleanField(default=False)
    easy_read = models.BooleanField(default=False)
    bsl = models.BooleanField("BSL interpreter", default=False)
    # The language to use instead of English; blank when none is needed.
    language = models.CharField(max_length=100, blank=True)
    other_adjustment = models.TextField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "contact preferences"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(contact_method="phone") | ~models.Q(phone=""),
                name="phone_contact_needs_a_phone_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(contact_method="post")
                | (~models.Q(address_line_1="") & ~models.Q(postcode="")),
                name="post_contact_needs_an_address",
            ),
        ]

    def __str__(self):
        return f"Contact preferences of {self.user}"

    @property
    def address_lines(self) -> list[str]:
        lines = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return [line for line in lines if line]

    @property
    def adjustments(self) -> list[str]:
        """The adjustments asked for, as staff and the person see them."""
        needs = [
            label
            for field, label in (
                ("large_print", Adjustment.LARGE_PRINT.label),
                ("easy_read", Adjustment.EASY_READ.label),
                ("bsl", Adjustment.BSL.label),
            )
            if getattr(self, field)
        ]
        if self.language:
            needs.append(f"Information in {self.language}")
        if self.other_adjustment:
            needs.append(self.other_adjustment)
        return needs
