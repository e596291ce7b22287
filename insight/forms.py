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


class DecisionFilterForm(forms.Form):
    """Filters for published decisions; an unknown value is an error on its field, not a crash.

    The organisation, constituency, local authority, region and theme lists hold only values
    that have a published decision, so every choice finds something.
    """

    organisation = forms.ChoiceField(label="Organisation", required=False)
    sector = forms.ChoiceField(label="Sector", required=False)
    organisation_kind = forms.ChoiceField(label="Type of organisation", required=False)
    constituency = forms.ChoiceField(label="Constituency", required=False)
    local_authority = forms.ChoiceField(label="Local authority code", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False)
    theme = forms.ChoiceField(label="Complaint theme", required=False)
    published_from = _date_field("Published from")
    published_to = _date_field("Published to")

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", "All")]
        self.fields["organisation"].choices = every + [
            (str(pk), name) for pk, name in options["organisations"]
        ]
        self.fields["sector"].choices = every + list(Sector.choices)
        self.fields["organisation_kind"].choices = every + list(OrganisationKind.choices)
        self.fields["constituency"].choices = every + list(options["constituencies"])
        self.fields["local_authority"].choices = every + [
            (c, c) for c in options["local_authorities"]
        ]
        self.fields["region"].choices = every + [(r, r) for r in options["regions"]]
        self.fields["outcome"].choices = every + list(DecisionOutcome.choices)
        self.fields["theme"].choices = every + list(options.get("themes", []))

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
