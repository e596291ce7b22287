from django import forms


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
