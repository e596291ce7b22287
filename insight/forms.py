from django import forms

from accounts.geography import InvalidPostcode, normalise_postcode
from accounts.models import OrganisationKind, Sector
from casework.models import DecisionOutcome
from insight.models import DocumentType

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2026",
        error_messages={"invalid": f"{label} must be a real date"},
    )


class OptionField(forms.CharField):
    """A select whose options can run to thousands (every organisation with a decision).

    A ChoiceField normalises its whole list on every form built and checks a value by walking
    it; this one keeps the list as given for the template and checks against a set.
    """

    widget = forms.Select

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.choices: list = []
        self.valid: frozenset = frozenset()

    def set_options(self, options) -> None:
        self.choices = [("", "All"), *options]
        self.valid = frozenset(str(value) for value, _ in options)

    def validate(self, value):
        super().validate(value)
        if value and value not in self.valid:
            raise forms.ValidationError(
                "Select a valid choice. %(value)s is not one of the available choices.",
                code="invalid_choice",
                params={"value": value},
            )


class DecisionFilterForm(forms.Form):
    """Filters for published decisions; an unknown value is an error on its field, not a crash.

    The organisation, constituency, local authority, region and theme lists hold only values
    that have a published decision, so every choice finds something.
    """

    organisation = OptionField(label="Organisation")
    sector = OptionField(label="Sector")
    organisation_kind = OptionField(label="Type of organisation")
    constituency = OptionField(label="Constituency")
    local_authority = OptionField(label="Local authority")
    region = OptionField(label="Region")
    outcome = OptionField(label="Outcome")
    theme = OptionField(label="Complaint theme")
    published_from = _date_field("Published from")
    published_to = _date_field("Published to")

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("organisation", [(str(pk), name) for pk, name in options["organisations"]]),
            ("sector", Sector.choices),
            ("organisation_kind", OrganisationKind.choices),
            ("constituency", options["constituencies"]),
            ("local_authority", options["local_authorities"]),
            ("region", [(r, r) for r in options["regions"]]),
            ("outcome", DecisionOutcome.choices),
            ("theme", options.get("themes", [])),
        ):
            self.fields[name].set_options(choices)

    def filters(self) -> dict:
        """The valid, non-empty filters (an invalid one is left out and shown as an error)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    type = forms.ChoiceField(
        label="Show only",
        required=False,
        choices=[("", "Everything")] + list(DocumentType.choices),
    )


class NearPostcodeForm(forms.Form):
    postcode = forms.CharField(label="Postcode", max_length=20)
    radius = forms.IntegerField(
        label="Distance in kilometres",
        min_value=1,
        max_value=100,
        initial=10,
        help_text="From 1 to 100",
        error_messages={
            "min_value": "Distance must be at least 1 kilometre",
            "max_value": "Distance must be 100 kilometres or less",
            "invalid": "Distance must be a whole number of kilometres",
        },
    )

    def clean_postcode(self):
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except InvalidPostcode as error:
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA") from error


class SystemicReviewForm(forms.Form):
    title = forms.CharField(
        label="What the review is about",
        max_length=200,
        error_messages={"required": "Enter what the review is about"},
    )
