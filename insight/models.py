from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 5, "Very satisfied"
    SATISFIED = 4, "Satisfied"
    NEITHER = 3, "Neither satisfied nor dissatisfied"
    DISSATISFIED = 2, "Dissatisfied"
    VERY_DISSATISFIED = 1, "Very dissatisfied"


class CaseFeedback(models.Model):
    """A complainant's answers to the short survey offered when their case ends.

    One per case and final once sent. Held against the case only, with no user, name or address,
    so it can be counted and reported without the person; the case's status when they answered is
    kept because a reopened case would otherwise change what the answer is read against.
    """

    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="feedback")
    case_status = models.CharField(max_length=30)
    ease_of_use = models.PositiveSmallIntegerField(
        "how easy our service was to use", choices=Satisfaction.choices
    )
    kept_informed = models.PositiveSmallIntegerField(
        "how well we kept them informed", choices=Satisfaction.choices
    )
    improvements = models.TextField("what we could do better", max_length=2000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name_plural = "case feedback"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ease_of_use__gte=1, ease_of_use__lte=5)
                & models.Q(kept_informed__gte=1, kept_informed__lte=5),
                name="case_feedback_ratings_1_to_5",
            )
        ]

    def __str__(self):
        return f"Feedback of {self.submitted_at:%Y-%m-%d}"


class YouSaidWeDidQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class YouSaidWeDid(models.Model):
    """A change we made because of what people told us, kept by staff in the admin."""

    you_said = models.TextField(
        "you said", help_text="What people told us, in their words or ours."
    )
    we_did = models.TextField("we did", help_text="What we changed because of it.")
    date = models.DateField(help_text="When we made the change.")
    published = models.BooleanField(
        default=False, help_text="Only published entries appear on the public page."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = YouSaidWeDidQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "“You said, we did” entry"
        verbose_name_plural = "“You said, we did” entries"

    def __str__(self):
        return f"{self.date:%d %B %Y}: {self.you_said[:60]}"


# The reporting store. Insight pages and the open data API read these tables, never the live
# casework ones: the figures are what the last refresh saw, and a busy back office is never slowed
# by someone browsing statistics.


class CaseFactQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def decided(self):
        return self.filter(decided_on__isnull=False)


class CaseFact(models.Model):
    """One row per case: the dimensions and durations insight counts by, with no personal data.

    The organisation is the first one named on the case (most cases name one); the published
    summary is copied only once staff have confirmed its redaction and published it.
    """

    case_id = models.BigIntegerField(unique=True)
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, db_index=True)
    status = models.CharField(max_length=30, db_index=True)
    sector = models.CharField(max_length=16, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    organisation_name = models.CharField(max_length=255, blank=True)
    organisation_kind = models.CharField(max_length=32, blank=True, db_index=True)
    region = models.CharField(max_length=100, blank=True, db_index=True)
    constituency_code = models.CharField(max_length=9, blank=True, db_index=True)
    constituency_name = models.CharField(max_length=200, blank=True)
    local_authority_code = models.CharField(max_length=9, blank=True, db_index=True)
    referred_by_mp = models.BooleanField(default=False)
    # Where the complainant lives, to the 1 km square of the British National Grid that holds
    # their postcode: enough for distance searches and density maps, too coarse to find a home.
    grid_east_km = models.PositiveIntegerField(null=True, blank=True)
    grid_north_km = models.PositiveIntegerField(null=True, blank=True)
    received_on = models.DateField(db_index=True)
    assessed_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True, db_index=True)
    days_to_assess = models.PositiveIntegerField(null=True, blank=True)
    days_to_decide = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True, db_index=True)
    published = models.BooleanField(default=False)
    published_on = models.DateField(null=True, blank=True)
    published_summary = models.TextField(blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    objects = CaseFactQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(
                fields=["-published_on", "-id"],
                name="casefact_published_order",
                condition=models.Q(published=True),
            ),
            models.Index(fields=["grid_east_km", "grid_north_km"], name="casefact_grid"),
            # A place's or an organisation's published decisions, newest first, from one index:
            # otherwise PostgreSQL ANDs the column's index with all 150,000 published rows.
            models.Index(
                fields=["constituency_code", "-published_on", "-id"],
                name="casefact_published_place",
                condition=models.Q(published=True),
            ),
            models.Index(
                fields=["organisation_id", "-published_on", "-id"],
                name="casefact_published_org",
                condition=models.Q(published=True),
            ),
        ]

    def __str__(self):
        return self.reference


class CodeAxis(models.TextChoices):
    # The same values as casework's clinical code axes, copied so the reporting store can be read
    # without casework's models.
    CONDITION = "condition", "Condition or procedure"
    THEME = "theme", "Complaint theme"


class CaseFactCode(models.Model):
    """A confirmed clinical code or complaint theme of a case, one row per distinct code.

    A child table rather than an array column on CaseFact: the same b-tree index on (axis, code)
    answers "the cases with this theme" on SQLite and on PostgreSQL alike (an array would need
    a PostgreSQL-only GIN index), and counting by code is a plain GROUP BY. Rows go with their
    fact, which each refresh rebuilds whole, so a code rejected or un-confirmed since is gone.
    """

    case_fact = models.ForeignKey(CaseFact, on_delete=models.CASCADE, related_name="codes")
    axis = models.CharField(max_length=20, choices=CodeAxis.choices)
    system = models.CharField(max_length=40)
    code = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)
    # The fact's published flag, copied: counting the published decisions with a theme then
    # reads this table's small partial index instead of joining every case with that theme.
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["axis", "system", "code"]
        indexes = [
            models.Index(fields=["axis", "code", "case_fact"], name="casefactcode_axis_code"),
            models.Index(
                fields=["axis", "code", "case_fact"],
                name="casefactcode_published",
                condition=models.Q(published=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case_fact", "axis", "system", "code"], name="casefactcode_once_per_fact"
            )
        ]

    def __str__(self):
        return f"{self.system} {self.code}"


class WeeklyCodeCount(models.Model):
    """Cases received per week with one confirmed theme or clinical code, for trend detection."""

    week_start = models.DateField(db_index=True)
    axis = models.CharField(max_length=20, choices=CodeAxis.choices)
    system = models.CharField(max_length=40)
    code = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week_start", "axis", "system", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "axis", "system", "code"], name="weekly_code_count_unique"
            )
        ]

    def __str__(self):
        return f"Week of {self.week_start}: {self.received} with {self.code}"


class DashboardCount(models.Model):
    """Case facts counted by each staff dashboard chart's dimension, rebuilt by every refresh.

    The charts read these few hundred rows instead of grouping a million facts on each view.
    """

    dimension = models.CharField(max_length=30)
    key = models.CharField(max_length=300, blank=True)
    label = models.CharField(max_length=300, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dimension", "-n", "key"]
        indexes = [models.Index(fields=["dimension", "key"], name="dashboardcount_dimension")]

    def __str__(self):
        return f"{self.dimension} {self.key}: {self.n}"


class WeeklyCount(models.Model):
    """Cases received and decided per week (Monday), sector and organisation."""

    week_start = models.DateField(db_index=True)
    sector = models.CharField(max_length=16, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    received = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week_start", "sector", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "sector", "organisation_id"],
                name="weekly_count_unique",
            )
        ]

    def __str__(self):
        return f"Week of {self.week_start}: {self.received} received"


class MonthlyPerformance(models.Model):
    """Published performance figures for one calendar month, rebuilt by every refresh."""

    month = models.DateField(unique=True)
    assessed = models.PositiveIntegerField(default=0)
    median_days_to_assess = models.PositiveIntegerField(null=True, blank=True)
    decided = models.PositiveIntegerField(default=0)
    median_days_to_decide = models.PositiveIntegerField(null=True, blank=True)
    foi_answered = models.PositiveIntegerField(default=0)
    foi_on_time = models.PositiveIntegerField(default=0)
    feedback_count = models.PositiveIntegerField(default=0)
    feedback_satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"Performance for {self.month:%B %Y}"


CASE_FACTS_REFRESH = "case_facts"


class RefreshStateQuerySet(models.QuerySet):
    def cache_version(self) -> str | None:
        """The case facts' cache version, or None before any refresh (nothing to key on)."""
        state = self.filter(name=CASE_FACTS_REFRESH).only("generation", "changed_at").first()
        return state.cache_version if state and state.generation else None


class RefreshState(models.Model):
    """How far a refresh has read: the next one only looks at what changed since."""

    name = models.CharField(max_length=40, unique=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    rows_changed = models.PositiveIntegerField(default=0)
    # Goes up by one whenever a refresh changes anything; cached figures are keyed by it, so they
    # last exactly until the store they were worked out from changes.
    generation = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    objects = RefreshStateQuerySet.as_manager()

    def __str__(self):
        return f"{self.name} up to {self.watermark}"

    @property
    def cache_version(self) -> str:
        """Names this state of the store for cache keys (the time too, as databases restart
        their generation at 0 and a shared cache must never serve one database's figures to
        another)."""
        changed = self.changed_at.timestamp() if self.changed_at else 0
        return f"{self.generation}-{changed:.6f}"


# Unified search.


class DocumentType(models.TextChoices):
    DECISION = "decision", "Published decision"
    DISCLOSURE = "disclosure", "Freedom of information response"
    ORGANISATION = "organisation", "Organisation"
    GUIDANCE = "guidance", "Guidance"


class SearchDocument(models.Model):
    """One thing the public search finds, with its text and a stored tsvector (PostgreSQL).

    The vector and its GIN index are kept on PostgreSQL only (migration 0002); on SQLite the
    search falls back to matching the title and body text.
    """

    doc_type = models.CharField(max_length=20, choices=DocumentType.choices, db_index=True)
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    published_on = models.DateField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "key"], name="search_document_unique_key")
        ]

    def __str__(self):
        return self.title


class SearchLog(models.Model):
    """A search someone ran, logged with no IP address, user or session: only what was asked."""

    query = models.CharField(max_length=200, db_index=True)
    doc_type = models.CharField(max_length=20, blank=True)
    result_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.query!r} ({self.result_count})"


class SearchClick(models.Model):
    """A result opened from a search, through the redirect endpoint."""

    search = models.ForeignKey(SearchLog, on_delete=models.CASCADE, related_name="clicks")
    document = models.ForeignKey(SearchDocument, on_delete=models.SET_NULL, null=True)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Click on {self.url}"


# Trend detection: statistical process control over weekly counts.


class TrendRule(models.TextChoices):
    """The NHS "Making Data Count" rules for special cause variation on an XmR chart."""

    OUTSIDE_LIMITS = "outside_limits", "A week outside the 3-sigma process limits"
    SHIFT = "shift", "7 weeks in a row on the same side of the mean"
    TREND = "trend", "6 weeks in a row each higher (or each lower) than the last"
    TWO_OF_THREE = "two_of_three", "2 of 3 weeks beyond 2-sigma on the same side"


class TrendDirection(models.TextChoices):
    UP = "up", "More complaints"
    DOWN = "down", "Fewer complaints"


class TrendAlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(review__isnull=True)


class TrendDimension(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    THEME = "theme", "Complaint theme"
    CONDITION = "condition", "Condition or procedure"


class TrendAlert(models.Model):
    """Special cause variation in one series of weekly complaints, for a manager to look at: one
    organisation's, or those with one confirmed complaint theme or clinical code.

    One per series, rule and week the signal ended, so detecting again finds the same row.
    """

    dimension = models.CharField(
        max_length=20, choices=TrendDimension.choices, default=TrendDimension.ORGANISATION
    )
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    organisation_name = models.CharField(max_length=255, blank=True)
    code_system = models.CharField(max_length=40, blank=True)
    code = models.CharField(max_length=40, blank=True)
    code_description = models.CharField(max_length=300, blank=True)
    rule = models.CharField(max_length=20, choices=TrendRule.choices)
    direction = models.CharField(max_length=4, choices=TrendDirection.choices)
    first_week = models.DateField()
    week_start = models.DateField(help_text="The week the signal ended.")
    mean = models.FloatField()
    lower_limit = models.FloatField()
    upper_limit = models.FloatField()
    # The weekly counts the limits were worked out from: [[week ISO date, count], ...].
    series = models.JSONField(default=list)
    detected_at = models.DateTimeField(default=timezone.now)

    objects = TrendAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "organisation_name", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_id", "rule", "week_start"],
                condition=models.Q(dimension="organisation"),
                name="trend_alert_unique",
            ),
            models.UniqueConstraint(
                fields=["dimension", "code_system", "code", "rule", "week_start"],
                condition=~models.Q(dimension="organisation"),
                name="trend_alert_code_unique",
            ),
        ]

    def __str__(self):
        return f"{self.subject}: {self.get_rule_display()} ({self.week_start})"

    @property
    def subject(self) -> str:
        """What the series counts, as a manager reads it."""
        if self.dimension == TrendDimension.ORGANISATION:
            return self.organisation_name or "Unnamed organisation"
        if self.dimension == TrendDimension.THEME:
            return f"Theme: {self.code_description or self.code}"
        return f"{self.code_system} {self.code}: {self.code_description}".strip(": ")


class SystemicReview(models.Model):
    """A manager's review of a possible systemic problem, opened from a trend alert."""

    alert = models.OneToOneField(TrendAlert, on_delete=models.PROTECT, related_name="review")
    title = models.CharField(max_length=200)
    cases = models.ManyToManyField("casework.Case", related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.title


class ForecastFrequency(models.TextChoices):
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"


class SeriesForecast(models.Model):
    """The latest forecast of one series of complaints received (all, or one sector)."""

    series = models.CharField(max_length=60, help_text="'all', a sector or 'theme:<slug>'.")
    frequency = models.CharField(max_length=5, choices=ForecastFrequency.choices)
    method = models.CharField(max_length=30)
    backtest = models.JSONField(default=dict, help_text="Method → MAPE (per cent) or null.")
    history = models.JSONField(default=list, help_text="[[period ISO date, count], ...]")
    points = models.JSONField(default=list, help_text="[[period, forecast, lower, upper], ...]")
    trained_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["frequency", "series"]
        constraints = [
            models.UniqueConstraint(fields=["series", "frequency"], name="series_forecast_unique")
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} forecast for {self.series}"
