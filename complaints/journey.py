"""The guided complaint form's route: sections, their pages, and what a draft's answers add up to.

Pure reading, no writes: the task list, back links, check answers and submission all follow the
same route, defined here as data. A page counts as done only while its saved answer still passes
its form, read together with the other answers.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from complaints import form_steps as f

KIND = "what-is-it-about"
# Destinations that are not question pages.
TASK_LIST = "task-list"
CHECK_ANSWERS = "check-answers"
MP_REFERRAL = "mp-referral"
HEALTH = "health"
PARLIAMENTARY = "parliamentary"


class Answers:
    """A draft's saved answers, each read through its own page's form (checked once per read)."""

    def __init__(self, data, *, today: date):
        self.data = data if isinstance(data, dict) else {}
        self.today = today
        self._forms: dict[str, f.StepForm | None] = {}

    def raw(self, slug: str) -> dict | None:
        value = self.data.get(slug)
        return value if isinstance(value, dict) else None

    def value(self, slug: str, name: str, default=""):
        return (self.raw(slug) or {}).get(name, default)

    def form(self, slug: str) -> f.StepForm | None:
        """The page's form bound to its saved answer, or None when the page has no answer."""
        if slug not in self._forms:
            raw = self.raw(slug)
            form = None
            if raw is not None:
                form = STEPS[slug].form_class(data=raw, answers=self, today=self.today)
                form.is_valid()
            self._forms[slug] = form
        return self._forms[slug]

    def valid(self, slug: str) -> bool:
        form = self.form(slug)
        return form is not None and form.is_valid()

    def cleaned(self, slug: str) -> dict:
        """The page's checked answer, or {} when it has none that passes."""
        return self.form(slug).cleaned_data if self.valid(slug) else {}

    def date(self, slug: str) -> date | None:
        return self.cleaned(slug).get("date")

    @property
    def kind(self) -> str:
        return self.cleaned(KIND).get("kind", "")

    @property
    def for_someone_else(self) -> bool:
        return self.cleaned("for-someone-else").get("for_someone_else") == "yes"

    @property
    def other_person_name(self) -> str:
        return self.cleaned("their-name").get("their_name", "") if self.for_someone_else else ""

    @property
    def final_response(self) -> bool:
        return self.cleaned("final-response").get("final_response") == "yes"


def _always(answers: Answers) -> bool:
    return True


def _someone_else(answers: Answers) -> bool:
    return answers.for_someone_else


def _health(answers: Answers) -> bool:
    return answers.kind == HEALTH


def _final_response(answers: Answers) -> bool:
    return answers.final_response


@dataclass(frozen=True)
class Step:
    slug: str
    form_class: type
    applies: Callable[[Answers], bool] = _always


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    steps: tuple[Step, ...] = field(default=())


SECTIONS = (
    Section("complaint-type", "What your complaint is about", (Step(KIND, f.KindForm),)),
    Section(
        "about-you",
        "About you",
        (
            Step("your-name", f.FullNameForm),
            Step("your-email", f.EmailForm),
            Step("your-phone", f.PhoneForm),
            Step("your-postcode", f.PostcodeForm),
            Step("your-address", f.AddressForm),
            Step("your-date-of-birth", f.DateOfBirthForm),
        ),
    ),
    Section(
        "who",
        "Who the complaint is about",
        (
            Step("for-someone-else", f.ForSomeoneElseForm),
            Step("their-name", f.TheirNameForm, _someone_else),
            Step("relationship", f.RelationshipForm, _someone_else),
            Step("authority", f.AuthorityForm, _someone_else),
            # The patient's: the complainant's own, or the person's they complain for.
            Step("nhs-number", f.NhsNumberForm, _health),
        ),
    ),
    Section(
        "organisations",
        "The organisations you are complaining about",
        (Step("organisations", f.OrganisationsForm),),
    ),
    Section(
        "what-happened",
        "What happened",
        (
            Step("what-happened", f.WhatHappenedForm),
            Step("when-it-happened", f.WhenForm),
            Step("where-it-happened", f.WhereForm),
        ),
    ),
    Section(
        "impact",
        "How it affected you and what you want",
        (Step("impact", f.ImpactForm), Step("what-you-want", f.RemedyForm)),
    ),
    Section(
        "complaint-to-organisation",
        "Your complaint to the organisation",
        (
            Step("date-you-complained", f.ComplainedOnForm),
            Step("final-response", f.FinalResponseForm),
            Step("final-response-date", f.FinalResponseOnForm, _final_response),
        ),
    ),
    Section("evidence", "Documents and photos", (Step("evidence", f.EvidenceForm),)),
    Section(
        "contact",
        "How we contact you",
        (Step("contact-preference", f.ContactForm), Step("adjustments", f.AdjustmentsForm)),
    ),
    Section(
        "equality",
        "Equality monitoring questions",
        (
            Step("age", f.AgeBandForm),
            Step("sex", f.SexForm),
            Step("ethnic-group", f.EthnicGroupForm),
            Step("disability", f.DisabilityForm),
        ),
    ),
)
STEPS = {step.slug: step for section in SECTIONS for step in section.steps}
SECTION_OF = {step.slug: section for section in SECTIONS for step in section.steps}


class TaskStatus(StrEnum):
    COMPLETED = "Completed"
    INCOMPLETE = "Incomplete"
    CANNOT_START = "Cannot start yet"


@dataclass(frozen=True)
class Task:
    section: Section
    status: TaskStatus
    # The page the task's link opens: the first one still to do, or the first of a done section.
    slug: str


@dataclass(frozen=True)
class Complaint:
    """A finished draft as the values a case, its details and its equality row are made from."""

    kind: str
    summary: str
    patient_nhs_number: str
    organisations: list
    constituency_code: str
    local_authority_code: str
    details: dict
    equality: dict


class Journey:
    def __init__(self, answers, *, today: date):
        self.today = today
        self.answers = Answers(answers, today=today)

    def with_answer(self, slug: str, answer: dict) -> "Journey":
        return Journey({**self.answers.data, slug: answer}, today=self.today)

    def form(self, slug: str, data=None, **kwargs) -> f.StepForm:
        return STEPS[slug].form_class(data, answers=self.answers, today=self.today, **kwargs)

    def steps(self, section: Section) -> list[Step]:
        return [step for step in section.steps if step.applies(self.answers)]

    def can_start(self, section: Section) -> bool:
        """Everything waits for the kind of complaint; parliamentary ones go to an MP instead."""
        return section.slug == SECTIONS[0].slug or self.answers.kind == HEALTH

    def available(self, slug: str) -> bool:
        """A page on the route the answers so far take."""
        step = STEPS.get(slug)
        return step is not None and self.can_start(SECTION_OF[slug]) and step.applies(self.answers)

    def status(self, section: Section) -> TaskStatus:
        if not self.can_start(section):
            return TaskStatus.CANNOT_START
        done = all(self.answers.valid(step.slug) for step in self.steps(section))
        return TaskStatus.COMPLETED if done else TaskStatus.INCOMPLETE

    def tasks(self) -> list[Task]:
        return [Task(s, self.status(s), self.first_to_do(s)) for s in SECTIONS]

    @property
    def complete(self) -> bool:
        return all(self.status(section) == TaskStatus.COMPLETED for section in SECTIONS)

    def first_to_do(self, section: Section) -> str:
        steps = self.steps(section)
        pending = next((s for s in steps if not self.answers.valid(s.slug)), steps[0])
        return pending.slug

    def after(self, slug: str, *, change: bool = False) -> str:
        """Where to go once a page is saved: a page, TASK_LIST, CHECK_ANSWERS or MP_REFERRAL."""
        if slug == KIND and self.answers.kind == PARLIAMENTARY:
            return MP_REFERRAL
        steps = self.steps(SECTION_OF[slug])
        if change:
            # Back to check answers, unless the change opened a page that needs an answer.
            pending = next((s.slug for s in steps if not self.answers.valid(s.slug)), None)
            if pending:
                return pending
            return CHECK_ANSWERS if self.complete else TASK_LIST
        slugs = [s.slug for s in steps]
        later = slugs[slugs.index(slug) + 1 :] if slug in slugs else []
        return later[0] if later else TASK_LIST

    def before(self, slug: str) -> str:
        """The page before this one in its section, or TASK_LIST for a section's first page."""
        slugs = [s.slug for s in self.steps(SECTION_OF[slug])]
        index = slugs.index(slug) if slug in slugs else 0
        return slugs[index - 1] if index > 0 else TASK_LIST

    def summary(self) -> list[tuple[Section, list[tuple[str, str, str]]]]:
        """Each section's (label, value, slug of the page that changes it), for check answers."""
        result = []
        for section in SECTIONS:
            rows = []
            for step in self.steps(section):
                form = self.answers.form(step.slug)
                if form is not None and form.is_valid():
                    rows.extend((label, value, step.slug) for label, value in form.summary())
            result.append((section, rows))
        return result

    def complaint(self) -> Complaint:
        if not self.complete:
            raise ValueError("Only a finished draft makes a complaint")
        a = self.answers
        c = a.cleaned
        postcode = c("your-postcode")
        someone_else = a.for_someone_else
        final_response = a.final_response
        adjustments = c("adjustments")
        organisations = c("organisations")
        details = {
            "full_name": c("your-name")["full_name"],
            "email": c("your-email")["email"],
            "phone": c("your-phone")["phone"],
            "postcode": postcode["postcode"],
            "postcode_found": postcode["found"],
            "address_line_1": c("your-address")["address_line_1"],
            "address_line_2": c("your-address")["address_line_2"],
            "town": c("your-address")["town"],
            "date_of_birth": a.date("your-date-of-birth"),
            "for_someone_else": someone_else,
            "other_person_name": a.other_person_name,
            "relationship": c("relationship")["relationship"] if someone_else else "",
            "authority": c("authority")["authority"] if someone_else else "",
            "unlisted_organisations": organisations["unlisted"],
            "what_happened": c("what-happened")["what_happened"],
            "happened_on": a.date("when-it-happened"),
            "where_it_happened": c("where-it-happened")["where"],
            "impact": c("impact")["impact"],
            "desired_outcome": c("what-you-want")["remedy"],
            "complained_on": a.date("date-you-complained"),
            "final_response": final_response,
            "final_response_on": a.date("final-response-date") if final_response else None,
            "has_evidence": c("evidence")["has_evidence"] == "yes",
            "contact_method": c("contact-preference")["contact_method"],
            "adjustments": list(adjustments["adjustments"]),
            "adjustment_language": adjustments["language"],
            "adjustment_other": adjustments["other"],
        }
        equality = {
            "age_band": c("age")["age_band"],
            "sex": c("sex")["sex"],
            "ethnic_group": c("ethnic-group")["ethnic_group"],
            "disability": c("disability")["disability"],
        }
        return Complaint(
            kind=a.kind,
            summary=details["what_happened"],
            patient_nhs_number=c("nhs-number").get("nhs_number", ""),
            organisations=organisations["organisations"],
            constituency_code=postcode["constituency_code"],
            local_authority_code=postcode["local_authority_code"],
            details=details,
            equality=equality,
        )

    def organisation_ids(self) -> list[int]:
        ids = self.answers.value("organisations", "organisation_ids", [])
        return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []
