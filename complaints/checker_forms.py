"""The checker's questions: one form per page, GOV.UK wording, hints and error messages."""

import re
from datetime import date

from django import forms

from accounts import directory
from accounts.geography import InvalidPostcode, lookup_postcode, normalise_postcode
from accounts.models import Constituency, Organisation
from complaints.checker import (
    NHS_RESPONSE_MONTHS,
    TIME_LIMIT_MONTHS,
    Complained,
    Nation,
    OrganisationType,
    Sector,
)
from complaints.letters import clean_text

LATE_REASON_MAX_LENGTH = 1000
EARLIEST_AWARE_ON = date(1900, 1, 1)
SEARCH_LIMIT = 20


# Kept in capitals when a name in capitals is shown in title case.
_ACRONYMS = {"NHS", "GP", "HM", "HMRC", "DWP", "DVLA", "UK", "ICB", "CCG", "HMCTS", "CIC", "LLP"}
_SMALL_WORDS = {"a", "and", "at", "by", "for", "in", "of", "on", "the", "to", "upon", "with"}
_WORD = re.compile(r"[A-Za-z]+")


def display_name(text: str) -> str:
    """A name from the directory as people write it.

    NHS Organisation Data Service files publish names and towns in capitals ("GUY'S AND ST
    THOMAS' NHS FOUNDATION TRUST"), which read as shouting in a heading or a letter; those are
    shown in title case with acronyms kept. Names in mixed case are left exactly as they are.
    """
    if not text or not text.isupper():
        return text
    position = 0

    def word(match):
        nonlocal position
        position += 1
        value = match.group()
        # A letter straight after an apostrophe ("GUY'S") continues the word before it.
        if match.start() and text[match.start() - 1] == "'":
            return value.lower()
        if value in _ACRONYMS:
            return value
        if position > 1 and value.lower() in _SMALL_WORDS:
            return value.lower()
        return value.capitalize()

    return _WORD.sub(word, text)


class RadioQuestion:
    """A form whose page asks one question with radios: items carry a hint and divider each."""

    question_field = ""
    hints: dict[str, str] = {}
    dividers: dict[str, str] = {}
    inline = False

    @property
    def question(self):
        return self[self.question_field]

    def radio_choices(self):
        """(value, label, hint) for each radio, in order."""
        return [
            (value, label, self.hints.get(value, ""))
            for value, label in self.fields[self.question_field].choices
        ]

    def radio_items(self):
        bound = self.question
        current = bound.value()
        selected = "" if current is None else str(current)
        return [
            {
                # The error summary links to the first radio as <auto_id>_0, as Django names it.
                "id": f"{bound.auto_id}_{index}",
                "value": value,
                "label": label,
                "hint": hint,
                "divider": self.dividers.get(value, ""),
                "checked": str(value) == selected,
            }
            for index, (value, label, hint) in enumerate(self.radio_choices())
        ]


class OrganisationTypeForm(RadioQuestion, forms.Form):
    question_field = "organisation_type"
    hints = {
        OrganisationType.NHS_ENGLAND: (
            "For example, a hospital, GP, dentist, mental health service, ambulance service or "
            "NHS 111, or a private company the NHS paid to care for you"
        ),
        OrganisationType.UK_GOVERNMENT: (
            "For example, HM Revenue and Customs (HMRC), the Department for Work and Pensions "
            "(DWP), the Home Office or the Driver and Vehicle Licensing Agency (DVLA)"
        ),
        OrganisationType.COUNCIL: (
            "Including care homes and care at home, even if you paid for it yourself"
        ),
        OrganisationType.PRIVATE_HEALTHCARE: "If the NHS paid for it, choose the NHS in England",
        OrganisationType.POLICE: "For example, how officers behaved or how a police force acted",
        OrganisationType.COURTS: "Including HM Courts & Tribunals Service",
    }
    dividers = {OrganisationType.OTHER: "or"}

    organisation_type = forms.ChoiceField(
        label="What do you want to complain about?",
        choices=OrganisationType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you want to complain about",
            "invalid_choice": "Select what you want to complain about",
        },
    )


class NationForm(RadioQuestion, forms.Form):
    question_field = "nation"

    nation = forms.ChoiceField(
        label="Where is the NHS service you want to complain about?",
        choices=Nation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the NHS service is",
            "invalid_choice": "Select where the NHS service is",
        },
    )


class OrganisationChoiceForm(RadioQuestion, forms.Form):
    """Choosing one organisation from the search results shown (any active one in the sector)."""

    question_field = "organisation"

    organisation = forms.ModelChoiceField(
        label="Choose the organisation",
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the organisation, or skip this question",
            "invalid_choice": "Select an organisation from the list",
        },
    )

    def __init__(self, *args, sector: str, results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.results = list(results)
        self.fields["organisation"].queryset = Organisation.objects.active().filter(sector=sector)

    def radio_choices(self):
        # From the results only: the field's own choices would be every organisation in the sector.
        return [
            (organisation.pk, display_name(organisation.name), _organisation_hint(organisation))
            for organisation in self.results
        ]


class OrganisationSearchForm(directory.OrganisationSearchForm):
    """The directory's search, worded for the sector being searched."""

    def __init__(self, *args, sector: str, **kwargs):
        super().__init__(*args, **kwargs)
        if sector == Sector.PARLIAMENTARY:
            self.fields["q"].label = "Name of the department or public body"
            self.fields[
                "q"
            ].help_text = "For example, HMRC, Department for Work and Pensions or DVLA"
            self.fields["q"].error_messages["required"] = (
                "Enter the name of the department or public body"
            )


def _organisation_hint(organisation: Organisation) -> str:
    parts = [organisation.get_kind_display()]
    if organisation.town:
        parts.append(display_name(organisation.town))
    hint = ", ".join(parts)
    return f"{hint} (ODS code {organisation.ods_code})" if organisation.ods_code else hint


def organisation_search(text: str, *, sector: str) -> list[Organisation]:
    """Active organisations in the sector matching text, best first: one query."""
    return list(
        Organisation.objects.active()
        .filter(sector=sector)
        .search(text)
        .only("id", "name", "ods_code", "town", "kind")[:SEARCH_LIMIT]
    )


class ComplainedForm(RadioQuestion, forms.Form):
    question_field = "complained"

    complained = forms.ChoiceField(
        label="Have you complained to the organisation?",
        help_text="Complaining to the organisation first gives it the chance to put things right.",
        choices=Complained.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select if you have complained to the organisation",
            "invalid_choice": "Select if you have complained to the organisation",
        },
    )

    def __init__(self, *args, organisation_name: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation_name:
            self.fields["complained"].label = f"Have you complained to {organisation_name}?"


class WaitedForm(RadioQuestion, forms.Form):
    question_field = "waited"
    inline = True

    waited = forms.ChoiceField(
        label=f"Did you complain more than {NHS_RESPONSE_MONTHS} months ago?",
        help_text=(
            f"The NHS should usually send its final response within {NHS_RESPONSE_MONTHS} months "
            "of getting a complaint."
        ),
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Select yes if you complained more than {NHS_RESPONSE_MONTHS} months ago",
            "invalid_choice": (
                f"Select yes if you complained more than {NHS_RESPONSE_MONTHS} months ago"
            ),
        },
    )


class AwareDateForm(forms.Form):
    """The GOV.UK date input: day, month and year, with one message for the whole date."""

    WHAT = "Date you found out about the problem"
    PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    day = forms.CharField(label="Day", required=False, max_length=10)
    month = forms.CharField(label="Month", required=False, max_length=10)
    year = forms.CharField(label="Year", required=False, max_length=10)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.error_parts: set[str] = set()
        self.date_error = ""
        # Validation lives in clean(): a part's own max_length message would say nothing useful.
        for name, _, _ in self.PARTS:
            self.fields[name].error_messages["max_length"] = f"{self.WHAT} must be a real date"

    def parts(self):
        """The three inputs, for the template."""
        return [
            {"field": self[name], "width": width, "error": name in self.error_parts}
            for name, _, width in self.PARTS
        ]

    def clean(self):
        values = {name: (self.cleaned_data.get(name) or "").strip() for name, _, _ in self.PARTS}
        if self.errors:
            return self._fail(f"{self.WHAT} must be a real date", ["day", "month", "year"])
        missing = [name for name, value in values.items() if not value]
        if len(missing) == 3:
            return self._fail("Enter the date you found out about the problem", missing)
        if missing:
            return self._fail(f"{self.WHAT} must include a {' and '.join(missing)}", missing)
        if not all(value.isdigit() for value in values.values()):
            bad = [name for name, value in values.items() if not value.isdigit()]
            return self._fail(f"{self.WHAT} must be a real date", bad)
        if len(values["year"]) != 4:
            return self._fail("Year must include 4 numbers", ["year"])
        try:
            aware_on = date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            return self._fail(f"{self.WHAT} must be a real date", ["day", "month", "year"])
        if aware_on > self.today:
            return self._fail(f"{self.WHAT} must be today or in the past", ["day", "month", "year"])
        if aware_on < EARLIEST_AWARE_ON:
            return self._fail(
                f"{self.WHAT} must be the same as or after 1 January 1900", ["day", "month", "year"]
            )
        self.cleaned_data["aware_on"] = aware_on
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

    @classmethod
    def initial_for(cls, aware_on: date | None) -> dict:
        if aware_on is None:
            return {}
        return {"day": aware_on.day, "month": aware_on.month, "year": aware_on.year}


class LateReasonForm(forms.Form):
    late_reason = forms.CharField(
        label=f"Why did it take more than {TIME_LIMIT_MONTHS} months to complain?",
        help_text=(
            f"We can usually only look at a complaint within {TIME_LIMIT_MONTHS} months of you "
            "finding out about the problem. We can make an exception if there is a good reason, "
            "for example if you were waiting for the organisation's final response, or you were "
            "unwell or caring for someone."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": f"Enter why it took more than {TIME_LIMIT_MONTHS} months to complain",
        },
    )

    max_length = LATE_REASON_MAX_LENGTH

    def clean_late_reason(self):
        # Counted as the character count component counts: a line break is one character.
        text = clean_text(self.cleaned_data["late_reason"])
        if not text:
            raise forms.ValidationError(self.fields["late_reason"].error_messages["required"])
        if len(text) > LATE_REASON_MAX_LENGTH:
            raise forms.ValidationError(
                f"Reason must be {LATE_REASON_MAX_LENGTH:,} characters or fewer"
            )
        return text


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label="Your postcode",
        help_text="For example, SW1A 2AA. We only use it to find your MP, and we do not keep it.",
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={
            "required": "Enter your postcode",
            "max_length": "Enter a real postcode",
        },
    )

    def clean_postcode(self):
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except InvalidPostcode:
            raise forms.ValidationError("Enter a real postcode") from None

    def constituency(self) -> Constituency | None:
        """The constituency of a valid postcode, when the directories know both."""
        found = lookup_postcode(self.cleaned_data["postcode"])
        if found is None or not found.constituency_code:
            return None
        return Constituency.objects.filter(code=found.constituency_code).first()


class ConstituencySearchForm(forms.Form):
    q = forms.CharField(
        label="Name of your constituency",
        help_text="For example, Chorley or Holborn and St Pancras",
        min_length=2,
        max_length=100,
        error_messages={
            "required": "Enter the name of your constituency",
            "min_length": "Enter at least 2 characters",
            "max_length": "Enter 100 characters or fewer",
        },
    )


def constituency_search(text: str) -> list[Constituency]:
    """Constituencies whose name has every word of text in it, by name: one query."""
    queryset = Constituency.objects.all()
    for word in text.split()[:8]:
        queryset = queryset.filter(name__icontains=word)
    return list(queryset.order_by("name")[:SEARCH_LIMIT])


class ConstituencyChoiceForm(RadioQuestion, forms.Form):
    question_field = "constituency"

    constituency = forms.ModelChoiceField(
        label="Choose your constituency",
        queryset=Constituency.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select your constituency, or choose to find your MP yourself",
            "invalid_choice": "Select a constituency from the list",
        },
    )

    def __init__(self, *args, results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.results = list(results)

    def radio_choices(self):
        return [(constituency.code, constituency.name, "") for constituency in self.results]
