"""Portal forms, with GOV.UK error messages."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import MemberOfParliament, Organisation
from casework.forms import DocumentUploadForm, MultipleFileField
from casework.models import CaseKind
from portals.models import ConsentMethod, InvitationRole, OfficeRole


class OfficeInviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the email address of the person you are inviting",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="What will they do?",
        widget=forms.RadioSelect,
        choices=[
            (InvitationRole.OFFICE_CASEWORKER.value, "Caseworker: refers and follows complaints"),
            (
                InvitationRole.OFFICE_MANAGER.value,
                "Office manager: also manages the office's users",
            ),
        ],
        error_messages={"required": "Select what they will do"},
    )


class OrganisationInviteForm(forms.Form):
    email = OfficeInviteForm.base_fields["email"]
    role = forms.ChoiceField(
        label="What will they do?",
        widget=forms.RadioSelect,
        choices=[
            (
                InvitationRole.ORGANISATION_USER.value,
                "User: answers requests and comments on reports",
            ),
            (
                InvitationRole.ORGANISATION_ADMIN.value,
                "Administrator: also manages your organisation's users",
            ),
        ],
        error_messages={"required": "Select what they will do"},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        choices=OfficeRole.choices,
        error_messages={"required": "Select a role"},
    )


class InvitationAccountForm(forms.Form):
    """A new person sets up their account from the invitation link (which proves their email)."""

    full_name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter your full name"}
    )
    password = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words make a good password.",
        error_messages={"required": "Enter a password"},
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        try:
            password_validation.validate_password(password)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from exc
        return password


class ConstituentForm(forms.Form):
    constituent_name = forms.CharField(
        label="Constituent's full name",
        max_length=200,
        error_messages={"required": "Enter the constituent's full name"},
    )
    constituent_email = forms.EmailField(
        label="Constituent's email address",
        required=False,
        help_text="We need this to ask them to confirm their consent by email.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    constituent_phone = forms.CharField(
        label="Constituent's phone number (optional)", max_length=20, required=False
    )
    constituent_postcode = forms.RegexField(
        label="Constituent's postcode",
        regex=r"^\s*[A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*[0-9][A-Za-z]{2}\s*$",
        max_length=8,
        error_messages={
            "required": "Enter the constituent's postcode",
            "invalid": "Enter a real postcode, like SW1A 1AA",
        },
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is the complaint about?",
        widget=forms.RadioSelect,
        choices=[
            (CaseKind.HEALTH.value, "An NHS service in England"),
            (CaseKind.PARLIAMENTARY.value, "A UK government department or public body"),
        ],
        error_messages={"required": "Select what the complaint is about"},
    )
    organisation = OrganisationChoiceField(
        label="Which organisation is the complaint about?",
        queryset=Organisation.objects.active().order_by("name"),
        empty_label="Select an organisation",
        error_messages={
            "required": "Select the organisation",
            "invalid_choice": "Select the organisation",
        },
    )
    summary = forms.CharField(
        label="What happened, and what does the constituent want to happen now?",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        error_messages={
            "required": "Enter what happened",
            "max_length": "What happened must be 10,000 characters or fewer",
        },
    )

    def clean(self):
        cleaned = super().clean()
        organisation, kind = cleaned.get("organisation"), cleaned.get("kind")
        if organisation and kind and organisation.sector != kind:
            self.add_error(
                "organisation",
                "Select an NHS organisation for a health complaint, or a government body for a "
                "parliamentary complaint",
            )
        return cleaned


class ConsentForm(forms.Form):
    consent_method = forms.ChoiceField(
        label="How will the constituent give their consent?",
        widget=forms.RadioSelect,
        choices=ConsentMethod.choices,
        error_messages={"required": "Select how the constituent will give their consent"},
    )
    files = MultipleFileField(
        label="Signed consent form",
        required=False,
        help_text="A scan or photo of the form the constituent signed. PDF, JPG or PNG.",
    )

    def __init__(self, *args, constituent_email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.constituent_email = constituent_email

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("consent_method")
        if method == ConsentMethod.UPLOAD and not cleaned.get("files"):
            self.add_error("files", "Select the signed consent form")
        if method == ConsentMethod.EMAIL and not self.constituent_email:
            self.add_error(
                "consent_method",
                "Go back and enter the constituent's email address, "
                "or upload a signed consent form",
            )
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Send a message to the caseworker",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        error_messages={
            "required": "Enter your message",
            "max_length": "Your message must be 10,000 characters or fewer",
        },
    )


class EvidenceAnswerForm(DocumentUploadForm):
    note = forms.CharField(
        label="Covering note (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5_000,
        required=False,
        error_messages={"max_length": "The covering note must be 5,000 characters or fewer"},
    )


class ExtensionForm(forms.Form):
    extra_working_days = forms.IntegerField(
        label="How many more working days do you need?",
        min_value=1,
        max_value=40,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many more working days you need",
            "invalid": "Enter the number of working days as a number, like 10",
            "min_value": "Enter at least 1 working day",
            "max_value": "You can ask for up to 40 more working days",
        },
    )
    reason = forms.CharField(
        label="Why do you need more time?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2_000,
        error_messages={"required": "Enter why you need more time"},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comments on the provisional report",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
        error_messages={
            "required": "Enter your comments",
            "max_length": "Your comments must be 10,000 characters or fewer",
        },
    )


class ComplianceForm(DocumentUploadForm):
    note = forms.CharField(
        label="What did you do? (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5_000,
        required=False,
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you agree to more time?",
        widget=forms.RadioSelect,
        choices=[("agree", "Yes, agree"), ("refuse", "No, refuse")],
        error_messages={"required": "Select whether you agree to more time"},
    )
    note = forms.CharField(
        label="Reason (needed when you refuse)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("note", "").strip():
            self.add_error("note", "Enter why you are refusing more time")
        return cleaned


class HandoverForm(forms.Form):
    new_mp = forms.ModelChoiceField(
        label="New Member of Parliament",
        queryset=MemberOfParliament.objects.current()
        .select_related("constituency")
        .order_by("name"),
        empty_label="Select the new MP",
        error_messages={"required": "Select the new MP", "invalid_choice": "Select the new MP"},
    )


class ShareRequestForm(forms.Form):
    reference = forms.RegexField(
        label="Complaint reference",
        regex=r"^\s*[A-Za-z]{2}-\d{4}-\d{6}\s*$",
        help_text="The constituent will find it in our emails to them, for example HC-2026-000123.",
        error_messages={
            "required": "Enter the complaint reference",
            "invalid": "Enter a reference in the correct format, like HC-2026-000123",
        },
    )
