"""Forms for evidence requests, letters and decisions (the staff back office)."""

from django import forms

from casework.models import CommentParty, DecisionOutcome, EvidenceRequest
from casework.services_decisions import (
    EVIDENCE_REQUEST_DEFAULT_WORKING_DAYS,
    EVIDENCE_REQUEST_MAX_WORKING_DAYS,
    LetterKind,
)

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d"]


def _date_field(label, example="27/3/2026"):
    return forms.DateField(
        label=label,
        help_text=f"For example, {example}",
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "invalid": f"{label} must be a real date, like {example}",
        },
    )


def _text(label, *, required_message, help_text="", rows=5, max_length=5_000, required=True):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class EvidenceRequestForm(forms.Form):
    organisation = OrganisationChoiceField(
        label="Which organisation are you asking?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the organisation you are asking for evidence"},
    )
    description = _text(
        "What evidence do you need?",
        required_message="Enter what evidence you need",
        help_text="For example, the clinical records for May 2025 and the complaint file.",
        max_length=EvidenceRequest.MAX_LENGTH,
    )
    working_days = forms.IntegerField(
        label="How many working days do they have to respond?",
        help_text=(
            f"Usually {EVIDENCE_REQUEST_DEFAULT_WORKING_DAYS}. Bank holidays are not counted."
        ),
        initial=EVIDENCE_REQUEST_DEFAULT_WORKING_DAYS,
        min_value=1,
        max_value=EVIDENCE_REQUEST_MAX_WORKING_DAYS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how many working days they have to respond",
            "invalid": "Working days must be a whole number, like 20",
            "min_value": "Working days must be 1 or more",
            "max_value": f"Working days must be {EVIDENCE_REQUEST_MAX_WORKING_DAYS} or fewer",
        },
    )
    sent_to = forms.EmailField(
        label="Email address to send the request to (optional)",
        help_text="We email them that there is a request and a link. The email does not say what "
        "you asked for.",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class EvidenceResponseForm(forms.Form):
    received_on = _date_field("Date the evidence was received")
    note = _text(
        "Notes (optional)",
        required_message="",
        help_text="For example, how it arrived or what is still missing.",
        rows=3,
        max_length=2_000,
        required=False,
    )


class EvidenceExtendForm(forms.Form):
    extra_working_days = forms.IntegerField(
        label="How many more working days have you agreed?",
        min_value=1,
        max_value=EVIDENCE_REQUEST_MAX_WORKING_DAYS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how many more working days you have agreed",
            "invalid": "Working days must be a whole number, like 10",
            "min_value": "Working days must be 1 or more",
            "max_value": f"Working days must be {EVIDENCE_REQUEST_MAX_WORKING_DAYS} or fewer",
        },
    )
    reason = _text(
        "Why did the organisation ask for more time?",
        required_message="Enter why the organisation asked for more time",
        rows=3,
        max_length=1_000,
    )


class EvidenceWithdrawForm(forms.Form):
    reason = _text(
        "Why is the request being withdrawn?",
        required_message="Enter why the request is being withdrawn",
        rows=3,
        max_length=1_000,
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the decision"},
    )
    findings = _text(
        "What we found", required_message="Enter what we found", rows=6, max_length=20_000
    )
    reasons = _text(
        "Reasons for the decision",
        required_message="Enter the reasons for the decision",
        rows=6,
        max_length=20_000,
    )


class ProvisionalReportForm(forms.Form):
    report = _text(
        "Provisional report",
        required_message="Enter the provisional report",
        help_text="The complainant and the organisations have 20 working days to comment.",
        rows=10,
        max_length=50_000,
    )


class ProvisionalCommentForm(forms.Form):
    party = forms.ChoiceField(
        label="Who sent the comments?",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who sent the comments"},
    )
    body = _text("Comments", required_message="Enter the comments", rows=6, max_length=10_000)
    received_on = _date_field("Date the comments were received")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["party"].choices = [(CommentParty.COMPLAINANT.value, "The complainant")] + [
            (f"organisation-{pk}", o.name) for pk, o in self.organisations.items()
        ]

    def party_and_organisation(self):
        party = self.cleaned_data["party"]
        if party.startswith("organisation-"):
            return CommentParty.ORGANISATION, self.organisations[
                party.removeprefix("organisation-")
            ]
        return CommentParty.COMPLAINANT, None


class RecommendationForm(forms.Form):
    organisation = OrganisationChoiceField(
        label="Which organisation is it for?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the organisation the recommendation is for"},
    )
    text = _text("Recommendation", required_message="Enter the recommendation", rows=4)
    due_date = _date_field("Date it is due", example="30/6/2026")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ComplianceForm(forms.Form):
    complied = forms.ChoiceField(
        label="Did the organisation comply?",
        choices=[("yes", "Yes, it complied"), ("no", "No, it did not comply")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the organisation complied"},
    )
    evidence = forms.MultipleChoiceField(
        label="Documents that show it complied",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text("Notes", required_message="", rows=3, max_length=2_000, required=False)

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(str(d.pk), d.original_filename) for d in documents]


class PublicSummaryForm(forms.Form):
    public_summary = _text(
        "Public summary",
        required_message="Enter the public summary",
        help_text="Names, NHS numbers, dates, addresses, postcodes, phone numbers and email "
        "addresses are masked before you check it.",
        rows=8,
        max_length=10_000,
    )


class RedactionConfirmForm(forms.Form):
    redacted_summary = _text(
        "Redacted summary to publish",
        required_message="Enter the redacted summary",
        help_text="Mask anything else that could identify someone, for example [name].",
        rows=8,
        max_length=10_000,
    )
    confirmed = forms.BooleanField(
        label="I have read the summary and it identifies nobody",
        error_messages={
            "required": "Confirm that you have read the summary and it identifies nobody"
        },
    )


class LetterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which letter?",
        choices=LetterKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which letter to generate"},
    )
