"""Forms of the complainant's account: messages, withdrawal, feedback, contact details."""

import re

from django import forms

from accounts.geography import InvalidPostcode, normalise_postcode
from accounts.models import Adjustment, ContactMethod, ContactPreferences
from casework.models import Message
from insight.models import CaseFeedback, Satisfaction

REASON_MAX_LENGTH = 2_000
OTHER_ADJUSTMENT_MAX_LENGTH = ContactPreferences._meta.get_field("other_adjustment").max_length
IMPROVEMENTS_MAX_LENGTH = CaseFeedback._meta.get_field("improvements").max_length


class TextareaField(forms.CharField):
    """Free text in a GOV.UK textarea with a character count."""

    widget = forms.Textarea

    def to_python(self, value):
        # Browsers send a textarea's line breaks as CRLF while the character count counts one
        # character for each: count them the same way here, before the length is checked.
        return super().to_python(value).replace("\r\n", "\n")

    def widget_attrs(self, widget):
        # No maxlength: the character count lets people go over and then tells them by how much,
        # rather than the browser silently cutting off what they type or paste.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class RadioItem:
    """One radio of a GOV.UK radios question, for templates that write the markup themselves."""

    def __init__(self, field, index, value, label, hint=""):
        # As Django names them, so that the error summary's link reaches the first one.
        self.id = f"{field.auto_id}_{index}"
        self.value = value
        self.label = label
        self.hint = hint
        self.checked = str(field.value()) == str(value)


def radio_items(field, hints=None):
    hints = hints or {}
    return [
        RadioItem(field, index, value, label, hints.get(value, ""))
        for index, (value, label) in enumerate(field.field.choices)
        if value != ""
    ]


class MessageForm(forms.Form):
    body = TextareaField(
        label="Send a message to your caseworker",
        max_length=Message.MAX_LENGTH,
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {Message.MAX_LENGTH:,} characters or fewer",
        },
    )


class WithdrawForm(forms.Form):
    YES, NO = "yes", "no"

    confirm = forms.ChoiceField(
        label="Are you sure you want to withdraw your complaint?",
        choices=[(YES, "Yes, withdraw my complaint"), (NO, "No, keep my complaint open")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you want to withdraw your complaint"},
    )
    reason = TextareaField(
        label="Why are you withdrawing your complaint? (optional)",
        help_text="This helps us improve. You do not have to tell us.",
        required=False,
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "max_length": f"Your reason must be {REASON_MAX_LENGTH:,} characters or fewer"
        },
    )

    @property
    def withdraw(self) -> bool:
        return self.cleaned_data["confirm"] == self.YES


def _satisfaction_field(label, about):
    return forms.TypedChoiceField(
        label=label,
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select how satisfied you were with {about}"},
    )


class FeedbackForm(forms.Form):
    ease_of_use = _satisfaction_field(
        "How satisfied were you with how easy our service was to use?",
        "how easy our service was to use",
    )
    kept_informed = _satisfaction_field(
        "How satisfied were you with how we kept you informed about your complaint?",
        "how we kept you informed",
    )
    improvements = TextareaField(
        label="What could we do better? (optional)",
        help_text="Do not include personal information, such as your name or medical details.",
        required=False,
        max_length=IMPROVEMENTS_MAX_LENGTH,
        error_messages={
            "max_length": f"What we could do better must be {IMPROVEMENTS_MAX_LENGTH:,} "
            "characters or fewer"
        },
    )


class PreferencesForm(forms.Form):
    """One question about the person's contact preferences, asked with what they have now."""

    def changes(self) -> dict:
        """The preferences these answers set."""
        return dict(self.cleaned_data)


# Digits after an optional +, once spaces, brackets, dots and hyphens are taken out.
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_UK_NATIONAL = re.compile(r"0\d{9,10}")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")
PHONE_EXAMPLE = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"


class PhoneForm(PreferencesForm):
    phone = forms.CharField(
        label="What is your phone number?",
        help_text="For international numbers include the country code. Leave this empty if you "
        "do not want us to phone you.",
        required=False,
        max_length=30,
        error_messages={"max_length": PHONE_EXAMPLE},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, preferences: ContactPreferences, **kwargs):
        super().__init__(*args, initial={"phone": preferences.phone}, **kwargs)
        self.preferences = preferences

    def clean_phone(self):
        typed = self.cleaned_data["phone"].strip()
        if not typed:
            if self.preferences.contact_method == ContactMethod.PHONE:
                raise forms.ValidationError(
                    "Enter a phone number. We contact you by phone, so to remove your number "
                    "first choose another way for us to contact you"
                )
            return ""
        compact = _PHONE_SEPARATORS.sub("", typed)
        if compact.startswith("+44"):
            compact = "0" + compact[3:].removeprefix("0")
        if not (_UK_NATIONAL.fullmatch(compact) or _INTERNATIONAL.fullmatch(compact)):
            raise forms.ValidationError(PHONE_EXAMPLE)
        return typed if len(typed) <= 20 else compact


class AddressForm(PreferencesForm):
    address_line_1 = forms.CharField(
        label="Address line 1",
        required=False,
        max_length=100,
        error_messages={"max_length": "Address line 1 must be 100 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "Address line 2 must be 100 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = forms.CharField(
        label="Town or city",
        required=False,
        max_length=100,
        error_messages={"max_length": "Town or city must be 100 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        error_messages={"max_length": "Enter a full UK postcode"},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    FIELDS = ("address_line_1", "address_line_2", "town", "postcode")

    def __init__(self, *args, preferences: ContactPreferences, **kwargs):
        initial = {name: getattr(preferences, name) for name in self.FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        self.preferences = preferences

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"]
        if not postcode.strip():
            return ""
        try:
            return normalise_postcode(postcode)
        except InvalidPostcode:
            raise forms.ValidationError("Enter a full UK postcode") from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not any(data.get(name) for name in self.FIELDS):
            if self.preferences.contact_method == ContactMethod.POST:
                self.add_error(
                    "address_line_1",
                    "Enter your address. We contact you by post, so to remove your address "
                    "first choose another way for us to contact you",
                )
            return data
        if not data.get("address_line_1"):
            self.add_error(
                "address_line_1", "Enter address line 1, typically the building and street"
            )
        if not data.get("town"):
            self.add_error("town", "Enter town or city")
        if not data.get("postcode"):
            self.add_error("postcode", "Enter postcode")
        return data


class ContactMethodForm(PreferencesForm):
    contact_method = forms.ChoiceField(
        label="How should we contact you?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want us to contact you"},
    )

    def __init__(self, *args, preferences: ContactPreferences, email: str, **kwargs):
        super().__init__(*args, initial={"contact_method": preferences.contact_method}, **kwargs)
        self.preferences = preferences
        self.hints = {
            ContactMethod.EMAIL: f"We will email {email} to tell you when there is news, and "
            "you read it when you sign in",
            ContactMethod.PHONE: f"We will call {preferences.phone}"
            if preferences.phone
            else "Add your phone number first",
            ContactMethod.POST: "We will write to " + ", ".join(preferences.address_lines)
            if preferences.address_lines
            else "Add your address first",
        }

    def clean_contact_method(self):
        method = self.cleaned_data["contact_method"]
        if method == ContactMethod.PHONE and not self.preferences.phone:
            raise forms.ValidationError(
                "You have not given us a phone number. Add your phone number, or select "
                "another way for us to contact you"
            )
        if method == ContactMethod.POST and not self.preferences.address_lines:
            raise forms.ValidationError(
                "You have not given us an address. Add your address, or select another way for "
                "us to contact you"
            )
        return method

    @property
    def radio_items(self):
        return radio_items(self["contact_method"], self.hints)


class AdjustmentsForm(PreferencesForm):
    needs = forms.MultipleChoiceField(
        label="Do you need us to change how we communicate with you?",
        help_text="Select all that apply. If you do not need any of these, leave them all "
        "unselected.",
        choices=Adjustment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select the changes you need from the list"},
    )
    language = forms.CharField(
        label="Which language?",
        required=False,
        max_length=100,
        error_messages={"max_length": "The language must be 100 characters or fewer"},
    )
    other_adjustment = TextareaField(
        label="Tell us what you need",
        required=False,
        max_length=OTHER_ADJUSTMENT_MAX_LENGTH,
        error_messages={
            "max_length": f"What you need must be {OTHER_ADJUSTMENT_MAX_LENGTH:,} characters "
            "or fewer"
        },
    )

    def __init__(self, *args, preferences: ContactPreferences, **kwargs):
        needs = [
            value
            for value, chosen in (
                (Adjustment.LARGE_PRINT, preferences.large_print),
                (Adjustment.EASY_READ, preferences.easy_read),
                (Adjustment.BSL, preferences.bsl),
                (Adjustment.LANGUAGE, bool(preferences.language)),
                (Adjustment.OTHER, bool(preferences.other_adjustment)),
            )
            if chosen
        ]
        initial = {
            "needs": needs,
            "language": preferences.language,
            "other_adjustment": preferences.other_adjustment,
        }
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self):
        data = super().clean()
        needs = set(data.get("needs") or ())
        if (
            Adjustment.LANGUAGE in needs
            and not data.get("language")
            and "language" not in self.errors
        ):
            self.add_error("language", "Enter the language you need us to use")
        if (
            Adjustment.OTHER in needs
            and not data.get("other_adjustment")
            and "other_adjustment" not in self.errors
        ):
            self.add_error("other_adjustment", "Tell us what you need us to change")
        return data

    def changes(self) -> dict:
        """The preferences these answers set; a need not selected clears what it had."""
        needs = set(self.cleaned_data["needs"])
        return {
            "large_print": Adjustment.LARGE_PRINT in needs,
            "easy_read": Adjustment.EASY_READ in needs,
            "bsl": Adjustment.BSL in needs,
            "language": self.cleaned_data["language"] if Adjustment.LANGUAGE in needs else "",
            "other_adjustment": self.cleaned_data["other_adjustment"]
            if Adjustment.OTHER in needs
            else "",
        }

    def checkbox_items(self):
        field = self["needs"]
        chosen = {str(value) for value in (field.value() or ())}
        return [
            {
                "id": f"{field.auto_id}_{index}",
                "value": value,
                "label": label,
                "checked": value in chosen,
            }
            for index, (value, label) in enumerate(field.field.choices)
        ]
