import re

from django import forms
from django.contrib.auth import get_user_model

from accounts.roles import Role
from foi.models import AnswerFormat, Channel, Exemption, Kind, Outcome
from foi.redaction import find_personal_data
from foi.responses import TEMPLATE_CHOICES

# The same shape phso.notifications accepts for a name in an email we send.
_NAME = re.compile(r"[^\W\d_]+(?:(?:[ '’-]+|\. +)[^\W\d_]+)*\.?")
DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"]
DATE_HINT = "For example, 27/11/2026"


def _clean_name(value: str) -> str:
    value = value.strip()
    if not _NAME.fullmatch(value):
        raise forms.ValidationError(
            "Enter a name using only letters, spaces, hyphens and apostrophes"
        )
    return value


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a real date",
        },
        **kwargs,
    )


class ContactForm(forms.Form):
    """FOIA s.8(1)(b): a valid request gives a name and an address for correspondence.

    The requester's name, email and postal address, as the requester fills them in; a form for
    staff logging someone else's request relabels them with `for_staff()`.
    """

    name = forms.CharField(
        label="Your full name",
        max_length=100,
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="We will send your reference number and our reply here.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    address = forms.CharField(
        label="Postal address (if you want a reply by post)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def for_staff(self):
        """Labels for an officer typing in someone else's details (no autocomplete of their own)."""
        name, email, address = self.fields["name"], self.fields["email"], self.fields["address"]
        name.label = "Requester’s full name"
        name.error_messages["required"] = "Enter the requester’s full name"
        email.help_text = ""
        address.label = "Postal address"
        for field in (name, email, address):
            field.widget.attrs.pop("autocomplete", None)
            field.widget.attrs.pop("spellcheck", None)

    def clean_name(self):
        return _clean_name(self.cleaned_data["name"])

    def _check_contact(self, cleaned):
        email, address, answer = (
            cleaned.get("email"),
            cleaned.get("address"),
            cleaned.get("answer_format"),
        )
        if not email and not address:
            self.add_error(
                "email", "Enter an email address or a postal address so that we can reply"
            )
        elif answer == AnswerFormat.EMAIL and not email:
            self.add_error("email", "Enter an email address if you want the answer by email")
        elif answer == AnswerFormat.POST and not address:
            self.add_error("address", "Enter a postal address if you want the answer by post")
        return cleaned


class InformationRequestForm(ContactForm):
    field_order = ["text", "environmental", "name", "email", "address", "answer_format"]

    text = forms.CharField(
        label="What information do you want?",
        help_text="Describe the information as clearly as you can. "
        "Dates and subjects help us find it.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        error_messages={"required": "Enter the information you want"},
    )
    environmental = forms.ChoiceField(
        label="Is it about the environment?",
        help_text="For example land, air, water, energy, waste or emissions.",
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if your request is about the environment"},
    )
    answer_format = forms.ChoiceField(
        label="How do you want the answer?",
        choices=AnswerFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want the answer"},
    )

    def clean(self):
        return self._check_contact(super().clean())

    @property
    def kind(self):
        return Kind.EIR if self.cleaned_data.get("environmental") == "yes" else Kind.FOI


class SubjectAccessForm(forms.Form):
    whose = forms.ChoiceField(
        label="Whose personal data are you asking for?",
        choices=[
            ("mine", "My own"),
            ("someone_else", "Someone else’s, with their permission or a legal right"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose personal data you are asking for"},
    )
    on_behalf_of = forms.CharField(
        label="Their full name (if it is someone else’s data)",
        required=False,
        max_length=200,
    )
    text = forms.CharField(
        label="What personal data do you want?",
        help_text="For example, your complaint file, or letters about a complaint reference. "
        "Leave it general to ask for everything.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        error_messages={"required": "Enter the personal data you want"},
    )
    answer_format = forms.ChoiceField(
        label="How do you want the answer?",
        choices=AnswerFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want the answer"},
    )
    identity_document = forms.FileField(
        label="Proof of identity or authority (if it is someone else’s data)",
        required=False,
        help_text="A PDF or photo of their signed permission or your legal authority, "
        "and of their ID. "
        "It is checked for viruses, and an officer checks it before the one month starts.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("whose") == "someone_else":
            if not (cleaned.get("on_behalf_of") or "").strip():
                self.add_error(
                    "on_behalf_of",
                    "Enter the full name of the person whose data you are asking for",
                )
            if not cleaned.get("identity_document"):
                self.add_error(
                    "identity_document", "Select a file showing their permission or your authority"
                )
        return cleaned


class AnonymousSubjectAccessForm(ContactForm, SubjectAccessForm):
    """Without an account we do not know who is asking, so proof of identity is always needed."""

    field_order = [
        "name",
        "email",
        "address",
        "whose",
        "on_behalf_of",
        "text",
        "answer_format",
        "identity_document",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        proof = self.fields["identity_document"]
        proof.label = "Proof of your identity"
        proof.help_text = (
            "A PDF or photo of your passport, driving licence or another official document "
            "with your name. If it is someone else’s data, put their signed permission or your "
            "legal authority, and their ID, in the same file. It is checked for viruses, and an "
            "officer checks it before the one month starts. Only our information rights team "
            "can open it."
        )

    def clean(self):
        cleaned = self._check_contact(super().clean())
        if not cleaned.get("identity_document") and "identity_document" not in self.errors:
            self.add_error("identity_document", "Select a file showing who you are")
        return cleaned


class LogRequestForm(ContactForm):
    field_order = [
        "kind",
        "channel",
        "received_on",
        "name",
        "email",
        "address",
        "answer_format",
        "text",
    ]

    kind = forms.ChoiceField(
        label="Type of request",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of request"},
    )
    channel = forms.ChoiceField(
        label="How it arrived",
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the request arrived"},
    )
    received_on = _date_field("Date received")
    answer_format = forms.ChoiceField(
        label="How they want the answer",
        choices=AnswerFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they want the answer"},
    )
    text = forms.CharField(
        label="The request",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        error_messages={"required": "Enter the request"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_staff()

    def clean(self):
        cleaned = self._check_contact(super().clean())
        if cleaned.get("channel") == Channel.PHONE and cleaned.get("kind") == Kind.FOI:
            self.add_error(
                "channel",
                "A freedom of information request must be in writing: ask the caller to email "
                "or write to us",
            )
        return cleaned


def foi_officers():
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name__in=[Role.FOI_OFFICER.value, Role.MANAGER.value]
        )
        .distinct()
        .order_by("full_name", "email")
    )


class _OfficerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class AssignForm(forms.Form):
    assignee = _OfficerChoice(
        label="Assign to", queryset=None, error_messages={"required": "Select an officer"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = foi_officers()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason"},
    )


class ClarificationForm(forms.Form):
    reason = forms.CharField(
        label="What you asked the requester",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter what you asked the requester"},
    )


class ExtendForm(forms.Form):
    """Only the fields the request's law uses: FOI a new total, EIR none, SAR months and notice."""

    reason = forms.CharField(
        label="Reason for the extension",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for the extension"},
    )
    to_working_days = forms.IntegerField(
        label="New total in working days",
        min_value=21,
        max_value=40,
        help_text="A reasonable extension for the public interest test: at most 40 working days "
        "in total.",
        error_messages={
            "required": "Enter the new total in working days",
            "invalid": "Enter the new total as a whole number of working days",
            "min_value": "Enter a total of more than 20 working days",
            "max_value": "Enter a total of no more than 40 working days",
        },
    )
    by_months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[("1", "1 month"), ("2", "2 months")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how many months to extend by"},
    )
    notified_on = _date_field("Date the requester was told")

    FIELDS_BY_KIND = {
        Kind.FOI: {"to_working_days"},
        Kind.EIR: set(),
        Kind.SAR: {"by_months", "notified_on"},
    }

    def __init__(self, *args, kind=Kind.FOI, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.FIELDS_BY_KIND[Kind(kind)] | {"reason"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class SearchForm(forms.Form):
    searched = forms.CharField(
        label="Where you searched and with what terms",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Enter where you searched"},
    )
    found = forms.CharField(
        label="What you found",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Enter what you found, or that nothing was found"},
    )


class ExemptionForm(forms.Form):
    code = forms.ChoiceField(
        label="Exemption or exception",
        choices=Exemption.choices,
        error_messages={"required": "Select an exemption or exception"},
    )
    public_interest_notes = forms.CharField(
        label="Public interest test",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text="Required for a qualified exemption: the arguments for and against "
        "disclosure, and the balance.",
    )


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(label="Start from a template", choices=TEMPLATE_CHOICES)


class DraftForm(forms.Form):
    response_text = forms.CharField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        error_messages={"required": "Enter the response"},
    )


class SendForm(forms.Form):
    sent_on = _date_field("Date sent")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[c for c in Outcome.choices if c[0] != Outcome.WITHDRAWN],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    publish = forms.BooleanField(
        label="Publish this response in the disclosure log",
        required=False,
        help_text="You will check it for personal data before it is published.",
    )
    topic = forms.CharField(label="Topic (for the disclosure log)", required=False, max_length=100)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publish") and not (cleaned.get("topic") or "").strip():
            self.add_error("topic", "Enter a topic for the disclosure log")
        return cleaned


class ReviewForm(forms.Form):
    text = forms.CharField(
        label="What the requester asked to be reviewed",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={"required": "Enter what the requester asked to be reviewed"},
    )


class IcoAppealForm(forms.Form):
    received_on = _date_field("Date the Commissioner told us")
    ico_reference = forms.CharField(
        label="Commissioner’s reference",
        max_length=40,
        error_messages={"required": "Enter the Commissioner’s reference"},
    )
    ico_outcome = forms.CharField(
        label="Outcome (when known)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class AttachmentForm(forms.Form):
    files = forms.FileField(label="Choose a file", error_messages={"required": "Select a file"})


class PublishForm(forms.Form):
    title = forms.CharField(
        label="Title for the disclosure log",
        max_length=200,
        error_messages={"required": "Enter a title"},
    )
    redacted_text = forms.CharField(
        label="Response as it will be published",
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=50_000,
        error_messages={"required": "Enter the response text"},
    )
    attachments = forms.MultipleChoiceField(
        label="Attachments to publish", required=False, widget=forms.CheckboxSelectMultiple
    )
    confirmed = forms.BooleanField(
        label="I have read the whole response and it contains no personal data",
        error_messages={"required": "Confirm that you have checked the response for personal data"},
    )

    def clean_redacted_text(self):
        text = self.cleaned_data["redacted_text"]
        findings = find_personal_data(text, names=[self.requester_name])
        if findings:
            kinds = ", ".join(sorted({f.label for f in findings}))
            raise forms.ValidationError(
                f"The text still contains personal data: {kinds}. Replace it with [REDACTED]"
            )
        return text

    def __init__(self, *args, attachment_choices=(), requester_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.requester_name = requester_name
        self.fields["attachments"].choices = list(attachment_choices)
        if not attachment_choices:
            del self.fields["attachments"]


class DisclosureSearchForm(forms.Form):
    q = forms.CharField(label="Search the disclosure log", required=False, max_length=200)
    topic = forms.ChoiceField(label="Topic", required=False)
    published_from = _date_field("Published from", required=False)
    published_to = _date_field("Published to", required=False)

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "All topics")] + [(t, t) for t in topics]
