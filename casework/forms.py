from django import forms
from django.conf import settings

from casework.evidence.screening import format_size
from casework.models import Sensitivity


class PdsDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Is this the right patient?",
        choices=[("confirm", "Yes, this is the patient the complaint is about"), ("reject", "No, this is not the right patient")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this is the right patient"},
    )
    reason = forms.CharField(
        label="Why is it not the right patient?",
        help_text="For example, the date of birth or name does not match what the complainant told us.",
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
