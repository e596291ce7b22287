"""The guided complaint form's questions: one form per page, with GOV.UK wording and messages.

A form checks one page and turns it into the JSON kept in the draft (`answer()`). That JSON binds
the same form again, so every saved page is checked again whenever a draft is read: a page that
depends on another (a final response cannot come before the complaint) stops counting as done
when the other changes.
"""

import re
from datetime import date

from django import forms

from accounts.geography import InvalidPostcode, lookup_postcode, normalise_postcode
from accounts.models import Organisation
from casework.integrations.pds import InvalidNhsNumber, normalise_nhs_number
from complaints.checker_forms import display_name
from complaints.letters import clean_text, long_date
from complaints.models import (
    Adjustment,
    AgeBand,
    Authority,
    ContactMethod,
    Disability,
    EthnicGroup,
    Sex,
)

WHAT_HAPPENED_MAX = 10_000
LONG_TEXT_MAX = 5_000
WHERE_MAX = 500
NAME_MAX = 200
RELATIONSHIP_MAX = 100
ADDRESS_LINE_MAX = 200
TOWN_MAX = 100
LANGUAGE_MAX = 100
UNLISTED_NAME_MAX = 200
# People live to about 120; an older date of birth is a typing slip.
OLDEST_AGE = 120
EARLIEST_EVENT = date(1900, 1, 1)
NOT_GIVEN = "Not given"
NOT_ANSWERED = "Not answered"

YES_NO = [("yes", "Yes"), ("no", "No")]
# A UK or international number as people write it: digits with spaces, brackets and dashes.
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]*")


def _required(message: str) -> dict:
    return {"required": message, "invalid_choice": message}


class StepForm(forms.Form):
    """One page of the form; `answers` (complaints.journey.Answers) holds the other pages'."""

    # The question, shown as the page's h1 (the label or legend of question_field).
    title = ""
    question_field = ""
    summary_label = ""
    template_name = "complaints/form/question.html"
    # For radios and checkboxes: a hint under a choice, an "or" before one, a field revealed by one.
    choice_hints: dict = {}
    dividers: dict = {}
    conditionals: dict = {}
    exclusive = ""
    inline = False
    # Long text: shown with the GOV.UK character count.
    max_characters = None

    def __init__(self, data=None, *, answers, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.answers = answers
        self.today = today
        self.setup()
        if self.question_field:
            self.fields[self.question_field].label = self.title

    def setup(self) -> None:
        """Word the page for the answers given elsewhere (their name, the date complained)."""

    @classmethod
    def initial_for(cls, user) -> dict:
        """What to fill in on a first visit, from the signed-in account."""
        return {}

    @property
    def question(self):
        return self[self.question_field]

    def answer(self) -> dict:
        """The JSON kept in the draft: this page's data, tidied, in the shape it was posted."""
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) rows for the check-answers page."""
        return [(self.summary_label, self.display(self.question_field))]

    def display(self, name: str) -> str:
        value = self.cleaned_data.get(name)
        field = self.fields[name]
        choices = dict(getattr(field, "choices", ()) or ())
        if isinstance(value, list):
            return "\n".join(str(choices.get(item, item)) for item in value) or NOT_GIVEN
        if value in (None, ""):
            return NOT_GIVEN
        return str(choices.get(value, value))

    def choice_items(self):
        """The radios or checkboxes of question_field, for the template."""
        bound = self.question
        value = bound.value()
        selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        return [
            {
                # The error summary links to the first choice as <auto_id>_0, as Django names it.
                "id": f"{bound.auto_id}_{index}",
                "value": choice_value,
                "label": label,
                "hint": self.choice_hints.get(choice_value, ""),
                "divider": self.dividers.get(choice_value, ""),
                "exclusive": choice_value == self.exclusive,
                "checked": str(choice_value) in selected,
                "conditional": self[self.conditionals[choice_value]]
                if choice_value in self.conditionals
                else None,
            }
            for index, (choice_value, label) in enumerate(self.fields[self.question_field].choices)
        ]

    def long_text(self, name: str, what: str, limit: int) -> str:
        """Text as typed (any script, emoji kept), counted as the character count counts it."""
        text = clean_text(self.cleaned_data.get(name) or "")
        if not text and self.fields[name].required:
            raise forms.ValidationError(self.fields[name].error_messages["required"])
        if len(text) > limit:
            raise forms.ValidationError(f"{what} must be {limit:,} characters or fewer")
        return text


def _text(label="", *, required_message="", widget=None, required=True, **kwargs):
    # No max_length on the field: the browser would cut off pasted text without saying so.
    return forms.CharField(
        label=label,
        required=required,
        widget=widget or forms.TextInput,
        error_messages={"required": required_message} if required_message else {},
        **kwargs,
    )


def _short(form: StepForm, name: str, what: str, limit: int) -> str:
    value = clean_text(form.cleaned_data.get(name) or "")
    if len(value) > limit:
        raise forms.ValidationError(f"{what} must be {limit:,} characters or fewer")
    if not value and form.fields[name].required:
        raise forms.ValidationError(form.fields[name].error_messages["required"])
    return value


class RadiosForm(StepForm):
    """A question answered with radios (rendered by the template from choice_items)."""


class YesNoForm(RadiosForm):
    inline = True

    def yes(self) -> bool:
        return self.cleaned_data.get(self.question_field) == "yes"


# --- What the complaint is about --------------------------------------------------------------


class KindForm(RadiosForm):
    title = "What is your complaint about?"
    question_field = "kind"
    summary_label = "Complaint about"
    choice_hints = {
        "health": (
            "For example, a hospital, GP, dentist, mental health service, ambulance service or "
            "NHS 111, or a private company the NHS paid to care for you"
        ),
        "parliamentary": (
            "For example, HM Revenue and Customs (HMRC), the Department for Work and Pensions "
            "(DWP), the Home Office or the Driver and Vehicle Licensing Agency (DVLA)"
        ),
    }

    kind = forms.ChoiceField(
        choices=[
            ("health", "The NHS in England"),
            ("parliamentary", "A UK government department or public body"),
        ],
        widget=forms.RadioSelect,
        error_messages=_required("Select what your complaint is about"),
    )


# --- About you --------------------------------------------------------------------------------


class FullNameForm(StepForm):
    title = "What is your full name?"
    question_field = "full_name"
    summary_label = "Full name"

    full_name = _text(
        required_message="Enter your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )

    @classmethod
    def initial_for(cls, user):
        return {"full_name": user.full_name} if user.is_authenticated and user.full_name else {}

    def clean_full_name(self):
        return _short(self, "full_name", "Full name", NAME_MAX)


class EmailForm(StepForm):
    title = "What is your email address?"
    question_field = "email"
    summary_label = "Email address"

    email = forms.EmailField(
        help_text=(
            "We will email you when there is news about your complaint, with a link to sign in "
            "and read it."
        ),
        max_length=254,
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "email",
                "spellcheck": "false",
                "class": "govuk-!-width-two-thirds",
            }
        ),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    @classmethod
    def initial_for(cls, user):
        return {"email": user.email} if user.is_authenticated else {}


class PhoneForm(StepForm):
    title = "What is your phone number? (optional)"
    question_field = "phone"
    summary_label = "Phone number"

    phone = _text(
        required=False,
        help_text=(
            "For international numbers include the country code. We will only phone you if you "
            "ask us to, or to check something quickly."
        ),
        widget=forms.TelInput(attrs={"autocomplete": "tel", "class": "govuk-input--width-20"}),
    )

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        digits = sum(c.isdigit() for c in phone)
        if phone and (not _PHONE.fullmatch(phone) or not 7 <= digits <= 15):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
        return phone


class PostcodeForm(StepForm):
    title = "What is your postcode?"
    question_field = "postcode"
    summary_label = "Postcode"

    postcode = _text(
        required_message="Enter your postcode",
        help_text=(
            "For example, SW1A 2AA. We use it to find your local council area and your MP's "
            "constituency, to understand where complaints come from."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def clean_postcode(self):
        try:
            postcode = normalise_postcode(self.cleaned_data["postcode"])
        except InvalidPostcode:
            raise forms.ValidationError("Enter a full UK postcode, like SW1A 2AA") from None
        # Found or not, never guessed: an unknown postcode is kept as given, with no area.
        found = lookup_postcode(postcode)
        self.cleaned_data["found"] = found is not None
        self.cleaned_data["local_authority_code"] = found.local_authority_code if found else ""
        self.cleaned_data["constituency_code"] = found.constituency_code if found else ""
        return postcode

    def answer(self):
        return {
            name: self.cleaned_data[name]
            for name in ("postcode", "found", "local_authority_code", "constituency_code")
        }

    def summary(self):
        value = self.cleaned_data["postcode"]
        if not self.cleaned_data["found"]:
            value += " (not in our list of postcodes)"
        return [(self.summary_label, value)]


class AddressForm(StepForm):
    title = "What is your address?"
    summary_label = "Address"
    template_name = "complaints/form/address.html"

    address_line_1 = _text(
        "Address line 1",
        required_message="Enter address line 1, typically the building and street",
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line_2 = _text(
        "Address line 2 (optional)",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = _text(
        "Town or city",
        required_message="Enter town or city",
        widget=forms.TextInput(
            attrs={"autocomplete": "address-level2", "class": "govuk-!-width-two-thirds"}
        ),
    )

    def setup(self):
        self.postcode = self.answers.value("your-postcode", "postcode")
        self.postcode_found = self.answers.value("your-postcode", "found")

    def clean_address_line_1(self):
        return _short(self, "address_line_1", "Address line 1", ADDRESS_LINE_MAX)

    def clean_address_line_2(self):
        return _short(self, "address_line_2", "Address line 2", ADDRESS_LINE_MAX)

    def clean_town(self):
        return _short(self, "town", "Town or city", TOWN_MAX)

    def summary(self):
        lines = [self.cleaned_data[name] for name in ("address_line_1", "address_line_2", "town")]
        return [(self.summary_label, "\n".join(line for line in lines if line))]


class DateForm(StepForm):
    """The GOV.UK date input: day, month and year, with one message for the whole date."""

    template_name = "complaints/form/date.html"
    PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
    # "Date of birth": starts every message about this date.
    what = ""
    empty_message = ""
    hint = ""
    in_past = False
    # "bday" for a date of birth, so browsers can fill it in.
    autocomplete = ""

    day = forms.CharField(label="Day", required=False)
    month = forms.CharField(label="Month", required=False)
    year = forms.CharField(label="Year", required=False)

    def setup(self):
        self.error_parts: set[str] = set()
        self.date_error = ""

    def parts(self):
        return [
            {
                "field": self[name],
                "width": width,
                "error": name in self.error_parts,
                "autocomplete": f"{self.autocomplete}-{name}" if self.autocomplete else "",
            }
            for name, _, width in self.PARTS
        ]

    def earliest(self) -> date:
        return EARLIEST_EVENT

    def check(self, value: date) -> str:
        """A message when the real date breaks a rule of this question, else ""."""
        return ""

    def clean(self):
        values = {name: (self.cleaned_data.get(name) or "").strip() for name, _, _ in self.PARTS}
        everything = ["day", "month", "year"]
        missing = [name for name, value in values.items() if not value]
        if len(missing) == 3:
            return self._fail(self.empty_message, missing)
        if missing:
            return self._fail(f"{self.what} must include a {' and '.join(missing)}", missing)
        bad = [name for name, value in values.items() if not (value.isascii() and value.isdigit())]
        if bad:
            return self._fail(f"{self.what} must be a real date", bad)
        if len(values["year"]) != 4:
            return self._fail("Year must include 4 numbers", ["year"])
        try:
            value = date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            return self._fail(f"{self.what} must be a real date", everything)
        if self.in_past and value >= self.today:
            return self._fail(f"{self.what} must be in the past", everything)
        if value > self.today:
            return self._fail(f"{self.what} must be today or in the past", everything)
        if value < self.earliest():
            return self._fail(
                f"{self.what} must be the same as or after {long_date(self.earliest())}", everything
            )
        problem = self.check(value)
        if problem:
            return self._fail(problem, everything)
        self.cleaned_data["date"] = value
        return self.cleaned_data

    def _fail(self, message, parts):
        # One message, shown once and linked from the summary to the first part that is wrong.
        for name in list(self.errors):
            del self.errors[name]
        self.date_error = message
        self.error_parts = set(parts)
        first = next(name for name, _, _ in self.PARTS if name in self.error_parts)
        self.add_error(first, message)
        return self.cleaned_data

    def answer(self):
        value = self.cleaned_data["date"]
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}

    def summary(self):
        return [(self.summary_label, long_date(self.cleaned_data["date"]))]


class DateOfBirthForm(DateForm):
    title = "What is your date of birth?"
    summary_label = "Date of birth"
    what = "Date of birth"
    empty_message = "Enter your date of birth"
    hint = "For example, 27 3 1980"
    in_past = True
    autocomplete = "bday"

    def earliest(self):
        try:
            return self.today.replace(year=self.today.year - OLDEST_AGE)
        except ValueError:  # 29 February, 120 years before a year that has none
            return self.today.replace(year=self.today.year - OLDEST_AGE, day=28)


# --- Who the complaint is about ---------------------------------------------------------------


class ForSomeoneElseForm(YesNoForm):
    title = "Are you complaining for someone else?"
    question_field = "for_someone_else"
    summary_label = "Complaining for someone else"

    for_someone_else = forms.ChoiceField(
        choices=YES_NO,
        help_text="For example, for a family member, a friend or someone you care for.",
        widget=forms.RadioSelect,
        error_messages=_required("Select yes if you are complaining for someone else"),
    )


class TheirNameForm(StepForm):
    title = "What is the full name of the person you are complaining for?"
    question_field = "their_name"
    summary_label = "Their full name"

    their_name = _text(
        required_message="Enter the full name of the person you are complaining for",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def clean_their_name(self):
        return _short(self, "their_name", "Full name", NAME_MAX)


class RelationshipForm(StepForm):
    question_field = "relationship"
    summary_label = "Your relationship to them"

    relationship = _text(
        required_message="Enter your relationship to the person you are complaining for",
        help_text="For example, daughter, husband, friend or carer",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-one-half"}),
    )

    def setup(self):
        name = self.answers.other_person_name
        self.title = (
            f"What is your relationship to {name}?"
            if name
            else ("What is your relationship to the person you are complaining for?")
        )

    def clean_relationship(self):
        return _short(self, "relationship", "Relationship", RELATIONSHIP_MAX)


class AuthorityForm(RadiosForm):
    question_field = "authority"
    summary_label = "Consent or legal authority"
    choice_hints = {
        Authority.CONSENT: (
            "After you send your complaint, we will ask you to send us a consent form they "
            "have signed"
        ),
        Authority.POWER_OF_ATTORNEY: (
            "For health and welfare, or for property and financial affairs. We will ask for a copy"
        ),
        Authority.PARENT: "A young person aged 16 or over needs to give their own consent",
        Authority.NEXT_OF_KIN: (
            "Or their personal representative. We may ask for a copy of the death certificate"
        ),
        Authority.NONE: (
            "You can still send your complaint. We will talk to you about getting their consent"
        ),
    }
    dividers = {Authority.NONE: "or"}

    authority = forms.ChoiceField(
        choices=Authority.choices,
        help_text="We need this before we can share information about them with you.",
        widget=forms.RadioSelect,
        error_messages=_required(
            "Select if you have their consent, or the legal authority, to complain for them"
        ),
    )

    def setup(self):
        name = self.answers.other_person_name
        who = f"{name}’s" if name else "their"
        self.title = f"Do you have {who} consent, or the legal authority, to complain for them?"


class NhsNumberForm(StepForm):
    question_field = "nhs_number"
    summary_label = "NHS number"

    nhs_number = _text(
        required=False,
        help_text=(
            "It is 10 digits long, like 485 777 3456. You can find it on letters from the NHS, on "
            "a prescription or in the NHS App. If you do not know it, leave this blank."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )

    def setup(self):
        name = self.answers.other_person_name if self.answers.for_someone_else else ""
        self.title = (
            f"What is {name}’s NHS number? (optional)"
            if name
            else ("What is your NHS number? (optional)")
        )

    def clean_nhs_number(self):
        value = (self.cleaned_data.get("nhs_number") or "").strip()
        if not value:
            return ""
        digits = re.sub(r"[\s-]+", "", value)
        if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
            raise forms.ValidationError("NHS number must be 10 digits, like 485 777 3456")
        try:
            return normalise_nhs_number(digits)
        except InvalidNhsNumber:
            raise forms.ValidationError(
                "Enter a real NHS number. Check you have entered it correctly"
            ) from None

    def summary(self):
        number = self.cleaned_data["nhs_number"]
        shown = f"{number[:3]} {number[3:6]} {number[6:]}" if number else NOT_GIVEN
        return [(self.summary_label, shown)]


# --- Organisations ----------------------------------------------------------------------------


class OrganisationsForm(StepForm):
    """The organisations chosen from the directory and those named by the person (JSON lists)."""

    title = "Which organisations are you complaining about?"
    summary_label = "Organisations"
    template_name = "complaints/form/organisations.html"

    def clean(self):
        ids = [i for i in self.data.get("organisation_ids") or [] if isinstance(i, int)]
        unlisted = [n for n in self.data.get("unlisted") or [] if isinstance(n, str) and n.strip()]
        found = {
            organisation.pk: organisation
            for organisation in Organisation.objects.active().filter(
                pk__in=ids, sector=self.answers.kind
            )
        }
        if len(found) != len(set(ids)):
            raise forms.ValidationError(
                "One of the organisations you chose can no longer be chosen. Remove it, then "
                "search again"
            )
        if not ids and not unlisted:
            raise forms.ValidationError("Add the organisation you are complaining about")
        self.cleaned_data["organisations"] = [found[i] for i in dict.fromkeys(ids)]
        self.cleaned_data["unlisted"] = unlisted
        return self.cleaned_data

    def answer(self):
        return {
            "organisation_ids": [o.pk for o in self.cleaned_data["organisations"]],
            "unlisted": self.cleaned_data["unlisted"],
        }

    def summary(self):
        names = [display_name(o.name) for o in self.cleaned_data["organisations"]]
        names += [f"{name} (not in our list)" for name in self.cleaned_data["unlisted"]]
        return [(self.summary_label, "\n".join(names))]


class OrganisationChoiceForm(forms.Form):
    """An organisation picked in the directory search, to add to the complaint."""

    organisation = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        # Errors belong to the page, not the hidden field: the summary has nothing to link to.
        organisation_id = self.cleaned_data.pop("organisation", None)
        organisation = (
            Organisation.objects.active().filter(pk=organisation_id).first()
            if organisation_id
            else None
        )
        self.errors.pop("organisation", None)
        if organisation is None:
            raise forms.ValidationError("That organisation can no longer be chosen. Search again")
        if organisation.sector != self.kind:
            raise forms.ValidationError(
                f"{display_name(organisation.name)} is not part of the NHS in England. Search "
                "for the NHS organisation, or change what your complaint is about"
            )
        self.cleaned_data["organisation"] = organisation
        return self.cleaned_data


class UnlistedOrganisationForm(forms.Form):
    name = forms.CharField(
        label="What is the name of the organisation?",
        help_text="Give its full name and the town it is in, if you know them.",
        error_messages={"required": "Enter the name of the organisation"},
    )

    def clean_name(self):
        name = clean_text(self.cleaned_data["name"])
        if len(name) > UNLISTED_NAME_MAX:
            raise forms.ValidationError(
                f"Name of the organisation must be {UNLISTED_NAME_MAX} characters or fewer"
            )
        if not name:
            raise forms.ValidationError("Enter the name of the organisation")
        return name


# --- What happened ----------------------------------------------------------------------------


class LongTextForm(StepForm):
    what = ""

    def clean(self):
        name = self.question_field
        if name in self.cleaned_data or name not in self.errors:
            try:
                self.cleaned_data[name] = self.long_text(name, self.what, self.max_characters)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return self.cleaned_data


class WhatHappenedForm(LongTextForm):
    title = "What happened?"
    question_field = "what_happened"
    summary_label = "What happened"
    what = "What happened"
    max_characters = WHAT_HAPPENED_MAX

    what_happened = _text(
        required_message="Enter what happened",
        help_text=(
            "Tell us what went wrong, in the order it happened. Include the names of people and "
            "services, if you know them. You can send us documents after you send your complaint."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class WhenForm(DateForm):
    title = "When did it happen?"
    summary_label = "When it happened"
    what = "The date it happened"
    empty_message = "Enter the date it happened"
    hint = (
        "If it happened over a period of time, give the date it started. If you are not sure of "
        "the exact day, give your best guess. For example, 27 3 2025"
    )


class WhereForm(LongTextForm):
    title = "Where did it happen?"
    question_field = "where"
    summary_label = "Where it happened"
    what = "Where it happened"
    max_characters = WHERE_MAX

    where = _text(
        required_message="Enter where it happened",
        help_text=(
            "For example, the hospital and ward, the GP surgery, or your home if care was given "
            "there."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImpactForm(LongTextForm):
    question_field = "impact"
    summary_label = "How it affected you"
    what = "How it affected you"
    max_characters = LONG_TEXT_MAX

    impact = _text(
        required_message="Enter how this affected you",
        help_text=(
            "For example, on your health, your money, your family or your work, and how you felt."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def setup(self):
        name = self.answers.other_person_name if self.answers.for_someone_else else ""
        self.title = (
            f"How has this affected {name} or you?" if name else "How has this affected you?"
        )


class RemedyForm(LongTextForm):
    title = "What would you like to happen to put things right?"
    question_field = "remedy"
    summary_label = "What you want to happen"
    what = "What you would like to happen"
    max_characters = LONG_TEXT_MAX

    remedy = _text(
        required_message="Enter what you would like to happen to put things right",
        help_text=(
            "For example, an apology, an explanation, a change to how the organisation works so "
            "it does not happen to anyone else, or money to make up for a loss."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


# --- The complaint to the organisation --------------------------------------------------------


class ComplainedOnForm(DateForm):
    title = "When did you complain to the organisation?"
    summary_label = "Date you complained"
    what = "The date you complained"
    empty_message = "Enter the date you complained to the organisation"
    hint = (
        "If you complained more than once, give the date of your first complaint. "
        "For example, 27 3 2025"
    )


class FinalResponseForm(YesNoForm):
    title = "Have you had a final response from the organisation?"
    question_field = "final_response"
    summary_label = "Final response"

    final_response = forms.ChoiceField(
        choices=YES_NO,
        help_text=(
            "This is a letter or email that says it is the organisation’s final response, or that "
            "tells you that you can now complain to the Ombudsman."
        ),
        widget=forms.RadioSelect,
        error_messages=_required("Select yes if you have had a final response"),
    )


class FinalResponseOnForm(DateForm):
    title = "When did you get the final response?"
    summary_label = "Date of the final response"
    what = "The date of the final response"
    empty_message = "Enter the date you got the final response"
    hint = "It is usually the date on the letter or email. For example, 27 3 2025"

    def check(self, value):
        complained_on = self.answers.date("date-you-complained")
        if complained_on and value < complained_on:
            return (
                f"{self.what} must be the same as or after the date you complained "
                f"({long_date(complained_on)})"
            )
        return ""


# --- Evidence ---------------------------------------------------------------------------------


class EvidenceForm(YesNoForm):
    title = "Do you have documents or photos to send us?"
    question_field = "has_evidence"
    summary_label = "Documents to send"
    template_name = "complaints/form/evidence.html"

    has_evidence = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=_required("Select yes if you have documents or photos to send us"),
    )


# --- Contact and reasonable adjustments ------------------------------------------------------


class ContactForm(RadiosForm):
    title = "How would you like us to contact you?"
    question_field = "contact_method"
    summary_label = "Contact by"

    contact_method = forms.ChoiceField(
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select how you would like us to contact you"),
    )

    def setup(self):
        email = self.answers.value("your-email", "email")
        phone = self.answers.value("your-phone", "phone")
        line = self.answers.value("your-address", "address_line_1")
        self.choice_hints = {
            ContactMethod.EMAIL: f"To {email}" if email else "",
            ContactMethod.POST: f"To {line}" if line else "",
            ContactMethod.PHONE: f"On {phone}" if phone else "You have not given a phone number",
        }

    def clean_contact_method(self):
        method = self.cleaned_data["contact_method"]
        if method == ContactMethod.PHONE and not self.answers.value("your-phone", "phone"):
            raise forms.ValidationError(
                "Select email or post, or add your phone number in ‘About you’ first"
            )
        return method


class AdjustmentsForm(StepForm):
    title = "Do you need us to make any changes to how we contact you?"
    question_field = "adjustments"
    summary_label = "Changes you need"
    dividers = {Adjustment.NONE: "or"}
    conditionals = {Adjustment.LANGUAGE: "language", Adjustment.OTHER: "other"}
    exclusive = Adjustment.NONE

    adjustments = forms.MultipleChoiceField(
        choices=Adjustment.choices,
        help_text=(
            "These are sometimes called reasonable adjustments. We make them for anyone who needs "
            "them, for example because of a disability or health condition. Select all that apply."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required(
            "Select the changes you need, or select ‘No, I do not need any changes’"
        ),
    )
    language = _text(
        "Which language?",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-one-half"}),
    )
    other = _text(
        "What do you need?",
        required=False,
        help_text=(
            "For example, a carer or advocate joining calls, or only contacting you in the "
            "afternoon."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        chosen = self.cleaned_data.get("adjustments") or []
        if Adjustment.NONE in chosen and len(chosen) > 1:
            self.add_error(
                "adjustments",
                "Select the changes you need, or select ‘No, I do not need any changes’",
            )
        for value, name, message, limit, what in (
            (
                Adjustment.LANGUAGE,
                "language",
                "Enter the language you need",
                LANGUAGE_MAX,
                "Language",
            ),
            (Adjustment.OTHER, "other", "Enter what you need", WHERE_MAX, "What you need"),
        ):
            text = clean_text(self.cleaned_data.get(name) or "")
            if value not in chosen:
                text = ""
            elif not text:
                self.add_error(name, message)
            elif len(text) > limit:
                self.add_error(name, f"{what} must be {limit:,} characters or fewer")
            self.cleaned_data[name] = text
        return self.cleaned_data

    def answer(self):
        return {
            "adjustments": list(self.cleaned_data["adjustments"]),
            "language": self.cleaned_data["language"],
            "other": self.cleaned_data["other"],
        }

    def summary(self):
        labels = dict(Adjustment.choices)
        lines = []
        for value in self.cleaned_data["adjustments"]:
            if value == Adjustment.LANGUAGE:
                lines.append(f"{labels[value]}: {self.cleaned_data['language']}")
            elif value == Adjustment.OTHER:
                lines.append(f"{labels[value]}: {self.cleaned_data['other']}")
            else:
                lines.append(str(labels[value]))
        return [(self.summary_label, "\n".join(lines))]


# --- Equality monitoring ----------------------------------------------------------------------


class EqualityForm(RadiosForm):
    """Optional: Continue without choosing keeps no answer. Prefer not to say is a choice too."""

    template_name = "complaints/form/equality.html"
    dividers = {"prefer_not": "or"}

    def display(self, name):
        return super().display(name) if self.cleaned_data.get(name) else NOT_ANSWERED


def _equality_field(choices):
    return forms.ChoiceField(
        choices=choices,
        required=False,
        help_text="This question is optional. Your answer does not affect your complaint.",
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Select one of the answers, or continue without answering"
        },
    )


class AgeBandForm(EqualityForm):
    title = "What is your age?"
    question_field = "age_band"
    summary_label = "Age"

    def setup(self):
        # The first of the equality questions says why they are asked, before any is answered.
        self.fields["age_band"].help_text = (
            "We ask everyone who complains these questions, to check that our service is fair "
            "to everyone. They are optional. Your answers do not affect your complaint, and the "
            "caseworker who looks at it cannot see them."
        )

    age_band = _equality_field(AgeBand.choices)


class SexForm(EqualityForm):
    title = "What is your sex?"
    question_field = "sex"
    summary_label = "Sex"

    sex = _equality_field(Sex.choices)


class EthnicGroupForm(EqualityForm):
    title = "What is your ethnic group?"
    question_field = "ethnic_group"
    summary_label = "Ethnic group"

    ethnic_group = _equality_field(EthnicGroup.choices)


class DisabilityForm(EqualityForm):
    title = (
        "Do you have any physical or mental health conditions or illnesses lasting or expected "
        "to last 12 months or more?"
    )
    question_field = "disability"
    summary_label = "Long-term health condition or illness"

    disability = _equality_field(Disability.choices)


class ReturnLinkForm(forms.Form):
    """Where to send a save-and-return link."""

    email = forms.EmailField(
        label="Email address",
        help_text="We will only use it to send you the link.",
        max_length=254,
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "email",
                "spellcheck": "false",
                "class": "govuk-!-width-two-thirds",
            }
        ),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
