from django import forms


class StaffTokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text=(
            "The 6-digit code from the authenticator app on your phone, "
            "or one of your backup codes."
        ),
        max_length=16,
        error_messages={
            "required": "Enter the security code from your authenticator app",
            "max_length": "Security codes are 6 digits (backup codes are up to 16 characters)",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isalnum():
            raise forms.ValidationError("Security codes contain only numbers and letters")
        return token


class StaffEnrolmentTokenForm(StaffTokenForm):
    """Setting up a new app: only a code from that app can prove it was added correctly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].help_text = "The 6-digit code the app shows for this service."
