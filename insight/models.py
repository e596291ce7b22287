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
