from django.db import models

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
