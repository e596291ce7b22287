from datetime import datetime

from django import forms
from django.conf import settings

from casework.evidence.screening import format_size
from casework.models import (
    AgeBand,
    CaseLinkKind,
    CaseNote,
    Disability,
    EthnicGroup,
    Message,
    Sensitivity,
    Sex,
)
from casework.state import CaseAction


class PdsDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is this the right patient?",
        choices=[
            ("confirm", "Yes, this is the patient the complaint is about"),
            ("reject", "No, this is not the right patient"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this is the right patient"},
    )
    reason = forms.CharField(
        label="Why is it not the right patient?",
        help_text="For example, the date of birth or name does not match what the complainant "
        "told us.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 1000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter why this is not the right patient")
        return cleaned


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Every file chosen, unchecked: screening judges each one and reports on it by name."""

    widget = MultipleFileInput

    def to_python(self, data):
        return data

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class DocumentUploadForm(forms.Form):
    files = MultipleFileField(
        label="Upload files",
        error_messages={"required": "Select a file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = (
            "PDF, Word document (.docx), JPG, PNG or GIF image, text file (.txt) or email (.eml). "
            f"Each file must be smaller than {format_size(settings.EVIDENCE_MAX_UPLOAD_BYTES)}. "
            f"You can select up to {settings.EVIDENCE_MAX_FILES_PER_UPLOAD} files at a time."
        )

    @property
    def max_files(self) -> int:
        return settings.EVIDENCE_MAX_FILES_PER_UPLOAD

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.EVIDENCE_MAX_FILES_PER_UPLOAD
        if len(files) > limit:
            raise forms.ValidationError(f"You can only select up to {limit} files at the same time")
        return files


class StaffDocumentUploadForm(DocumentUploadForm):
    sensitivity = forms.ChoiceField(
        label="How sensitive are these files?",
        choices=Sensitivity.choices,
        initial=Sensitivity.NORMAL,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how sensitive these files are"},
    )
    shared_with_complainant = forms.BooleanField(
        label="Let the complainant see these files",
        help_text="Leave this unticked for files only ombudsman staff should see.",
        required=False,
    )


# The staff back office.


class IdListField(forms.Field):
    """Every id ticked in a list (checkboxes named alike), as integers; junk is dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        return [int(v) for v in values if str(v).isdigit()][:500]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class BulkAssignForm(forms.Form):
    cases = IdListField(error_messages={"required": "Select the cases to assign"})
    assignee = forms.ModelChoiceField(
        label="Assign the selected cases to",
        queryset=None,
        empty_label="Choose a caseworker",
        error_messages={"required": "Select who to assign the cases to"},
    )
    reason = forms.CharField(
        label="Reason (if any are already assigned to someone else)",
        required=False,
        max_length=1000,
        error_messages={"max_length": "Reason must be 1000 characters or fewer"},
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Caseworker",
        queryset=None,
        empty_label="Choose a caseworker",
        error_messages={"required": "Select who to assign the case to"},
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=None,
        required=False,
        empty_label="Keep the current team",
        help_text="Only teams the caseworker is in can take the case.",
    )
    reason = forms.CharField(
        label="Why are you assigning or reassigning this case?",
        help_text="Needed when the case is already assigned to someone else.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 1000 characters or fewer"},
    )

    def __init__(self, *args, assignees, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["team"].queryset = teams


class TransitionForm(forms.Form):
    action = forms.ChoiceField(
        choices=CaseAction.choices,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose what to do with the case"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 2000 characters or fewer"},
    )
    # The status_changed_at the person saw: a later change makes the form stale.
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["version"].error_messages["required"] = STALE_FORM_MESSAGE

    def clean_version(self):
        try:
            seen = datetime.fromisoformat(self.cleaned_data["version"])
        except ValueError:
            raise forms.ValidationError(STALE_FORM_MESSAGE) from None
        if seen.tzinfo is None:
            raise forms.ValidationError(STALE_FORM_MESSAGE)
        return seen


STALE_FORM_MESSAGE = "This form is out of date. Open the case again and try once more"


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Add an internal note",
        help_text="Only ombudsman staff can see notes. They cannot be changed once saved.",
        max_length=CaseNote.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the note",
            "max_length": f"The note must be {CaseNote.MAX_LENGTH:,} characters or fewer",
        },
    )


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label="Send a message to the complainant",
        help_text="They will get an email saying a message is waiting, without what it says.",
        max_length=Message.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {Message.MAX_LENGTH:,} characters or fewer",
        },
    )


class DemographicsForm(forms.Form):
    given = forms.ChoiceField(
        label="Has the complainant given their equality information?",
        choices=[("yes", "Yes"), ("declined", "No, they declined to give it")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the complainant gave their equality information"
        },
    )
    age_band = forms.ChoiceField(
        label="Age", choices=AgeBand.choices, widget=forms.RadioSelect, required=False
    )
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=forms.RadioSelect, required=False
    )
    ethnic_group = forms.ChoiceField(
        label="Ethnic group", choices=EthnicGroup.choices, widget=forms.RadioSelect, required=False
    )
    disability = forms.ChoiceField(
        label="Do they have a physical or mental health condition or illness lasting or expected "
        "to last 12 months or more?",
        choices=Disability.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    MISSING = {
        "age_band": "Select the complainant's age, or 'Prefer not to say'",
        "sex": "Select the complainant's sex, or 'Prefer not to say'",
        "ethnic_group": "Select the complainant's ethnic group, or 'Prefer not to say'",
        "disability": (
            "Select whether the complainant has a long-term condition, or 'Prefer not to say'"
        ),
    }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("given") == "yes":
            for name, message in self.MISSING.items():
                if not cleaned.get(name):
                    self.add_error(name, message)
        return cleaned


class CaseLinkForm(forms.Form):
    other = forms.CharField(
        label="Reference of the other case",
        help_text="For example, HC-2026-000123",
        max_length=20,
        error_messages={"required": "Enter the reference of the case to link to"},
    )
    kind = forms.ChoiceField(
        label="How are the cases linked?",
        choices=[
            (CaseLinkKind.DUPLICATE, "It is a duplicate: the same complaint made again"),
            (CaseLinkKind.RELATED, "It is related: a different complaint about connected events"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the cases are linked"},
    )
    reason = forms.CharField(
        label="Why are you linking them?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why these cases are linked",
            "max_length": "Reason must be 1000 characters or fewer",
        },
    )

    def clean_other(self):
        return self.cleaned_data["other"].strip().upper()


class PersonSearchForm(forms.Form):
    email = forms.CharField(
        label="Email address of the other record",
        help_text="All or part of the email address the person used for their other account.",
        max_length=254,
        error_messages={"required": "Enter an email address to search for"},
    )


class PersonMergeForm(forms.Form):
    reason = forms.CharField(
        label="Why are these records the same person?",
        help_text=(
            "For example, the name, address and date of birth match. This is kept in the audit log."
        ),
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why these records are the same person"},
    )


class PersonMergeReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reversing this merge?",
        help_text="This is kept in the audit log.",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are reversing this merge"},
    )
