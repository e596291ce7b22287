"""Can the ombudsman help? The checker's decision: answers in, the next question or an outcome out.

Pure Python with no database and no request, so that every route through the questions can be
tested as a table. The views keep the answers in the session and ask `decide` where to go next.

The rules it applies:
- Remit. The Health Service Commissioners Act 1993 (ss.2 and 3) covers the NHS in England and the
  Parliamentary Commissioner Act 1967 (s.4 and Schedule 2) UK government departments and other
  public bodies. Everything else (councils, the NHS in Scotland, Wales and Northern Ireland,
  police, courts, private healthcare) has another ombudsman or route, which we name.
- Complain to the organisation first. NHS bodies must handle a complaint under the Local Authority
  Social Services and National Health Service Complaints (England) Regulations 2009, and reply
  within six months (reg. 14); after six months without a final response the complainant may come
  to us. A government body's own complaints process must have finished: the Commissioner's
  discretion (1967 Act s.5(5)) is used to give the organisation the chance to put things right.
- Time limit. A complaint should reach us within 12 months of the person first knowing about the
  problem (1993 Act s.9(4); 1967 Act s.6(3)); later ones may be accepted for a good reason
  (s.9(5); s.6(3)), so a late complaint goes on, with its reason, flagged for assessment.
- MP filter. A parliamentary complaint must be referred by an MP (1967 Act s.5(1)), so that route
  ends with finding the person's MP rather than with the complaint form.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import TextChoices

# Months after which a complaint counts as late (1993 Act s.9(4), 1967 Act s.6(3)).
TIME_LIMIT_MONTHS = 12
# Months an NHS body has to reply before the complainant may come to us (2009 Regulations reg. 14).
NHS_RESPONSE_MONTHS = 6
# Insight keeps how long ago someone found out in whole months, no more precisely than this: the
# figures show how many come close to and beyond the time limit without keeping a date.
AWARE_MONTHS_CAP = 36


class OrganisationType(TextChoices):
    NHS_ENGLAND = "nhs_england", "The NHS in England"
    UK_GOVERNMENT = "uk_government", "A UK government department or public body"
    COUNCIL = "council", "A council or adult social care"
    PRIVATE_HEALTHCARE = "private_healthcare", "Private healthcare you paid for yourself"
    NHS_DEVOLVED = "nhs_devolved", "The NHS in Scotland, Wales or Northern Ireland"
    POLICE = "police", "The police"
    COURTS = "courts", "A court or tribunal"
    OTHER = "other", "Something else"


class Nation(TextChoices):
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Sector(StrEnum):
    """Which of our two jurisdictions a complaint falls in (accounts.models.Sector values)."""

    HEALTH = "health"
    PARLIAMENTARY = "parliamentary"


class Complained(TextChoices):
    FINAL_RESPONSE = "final_response", "Yes, and I have had its final response"
    WAITING = "waiting", "Yes, but I have not had its final response"
    NO = "no", "No"


class Question(StrEnum):
    ORGANISATION_TYPE = "organisation_type"
    NATION = "nation"
    ORGANISATION = "organisation"
    COMPLAINED = "complained"
    WAITED = "waited"
    AWARE = "aware"
    LATE_REASON = "late_reason"
    MP = "mp"


class Outcome(TextChoices):
    READY = "ready", "Can complain to us"
    COMPLAIN_FIRST = "complain_first", "Complain to the organisation first"
    FINISH_COMPLAINT = "finish_complaint", "Finish the organisation's complaints process first"
    OTHER_ROUTE = "other_route", "Another organisation can help"
    ASK_MP = "ask_mp", "Ask an MP to refer the complaint"


class Signpost(TextChoices):
    """The body we send someone to when we cannot look at their complaint."""

    LGSCO = "lgsco", "Local Government and Social Care Ombudsman"
    SPSO = "spso", "Scottish Public Services Ombudsman"
    PSOW = "psow", "Public Services Ombudsman for Wales"
    NIPSO = "nipso", "Northern Ireland Public Services Ombudsman"
    IOPC = "iopc", "Independent Office for Police Conduct"
    HMCTS = "hmcts", "HM Courts & Tribunals Service"
    ISCAS = "iscas", "Independent Sector Complaints Adjudication Service"
    CITIZENS_ADVICE = "citizens_advice", "Citizens Advice"


SECTOR_BY_TYPE = {
    OrganisationType.NHS_ENGLAND: Sector.HEALTH,
    OrganisationType.UK_GOVERNMENT: Sector.PARLIAMENTARY,
}
SIGNPOST_BY_TYPE = {
    OrganisationType.COUNCIL: Signpost.LGSCO,
    OrganisationType.PRIVATE_HEALTHCARE: Signpost.ISCAS,
    OrganisationType.POLICE: Signpost.IOPC,
    OrganisationType.COURTS: Signpost.HMCTS,
    OrganisationType.OTHER: Signpost.CITIZENS_ADVICE,
}
SIGNPOST_BY_NATION = {
    Nation.SCOTLAND: Signpost.SPSO,
    Nation.WALES: Signpost.PSOW,
    Nation.NORTHERN_IRELAND: Signpost.NIPSO,
}


@dataclass(frozen=True)
class Answers:
    """What someone has answered so far; None is "not asked yet"."""

    organisation_type: str | None = None
    nation: str | None = None
    # organisation_answered with no id means they skipped the question.
    organisation_answered: bool = False
    organisation_id: int | None = None
    complained: str | None = None
    waited_over_six_months: bool | None = None
    aware_on: date | None = None
    late_reason: str | None = None
    # "" means they chose to find their MP themselves.
    constituency_code: str | None = None

    @classmethod
    def from_session(cls, data: dict) -> "Answers":
        """Answers from their session form; anything unreadable counts as not answered."""
        data = data if isinstance(data, dict) else {}
        aware_on = None
        if isinstance(data.get("aware_on"), str):
            try:
                aware_on = date.fromisoformat(data["aware_on"])
            except ValueError:
                aware_on = None
        organisation_id = data.get("organisation_id")
        waited = data.get("waited_over_six_months")
        return cls(
            organisation_type=_choice(data.get("organisation_type"), OrganisationType),
            nation=_choice(data.get("nation"), Nation),
            organisation_answered=data.get("organisation_answered") is True,
            organisation_id=organisation_id if isinstance(organisation_id, int) else None,
            complained=_choice(data.get("complained"), Complained),
            waited_over_six_months=waited if isinstance(waited, bool) else None,
            aware_on=aware_on,
            late_reason=data["late_reason"] if isinstance(data.get("late_reason"), str) else None,
            constituency_code=(
                data["constituency_code"]
                if isinstance(data.get("constituency_code"), str)
                else None
            ),
        )


def _choice(value, choices):
    return value if value in choices.values else None


@dataclass(frozen=True)
class Decision:
    """Where the answers lead.

    path is every question on the route the answers take, in order: the ones answered and, while
    the check is unfinished, the next one. Answers to questions off the path are ignored.
    """

    path: tuple[Question, ...]
    next_question: Question | None = None
    outcome: Outcome | None = None
    sector: Sector | None = None
    signpost: Signpost | None = None
    # Found out over TIME_LIMIT_MONTHS ago: may still come to us, with a reason, to be assessed.
    late: bool = False

    @property
    def complete(self) -> bool:
        return self.outcome is not None

    def previous(self, question: Question | None) -> Question | None:
        """The question before this one on the path (before the outcome, for None)."""
        if question is None:
            return self.path[-1] if self.path else None
        index = self.path.index(question)
        return self.path[index - 1] if index else None


def decide(answers: Answers, *, today: date) -> Decision:
    """The next question to ask, or the outcome when there is nothing left to ask."""
    path: list[Question] = []

    def ask(question: Question, **known) -> Decision:
        path.append(question)
        return Decision(path=tuple(path), next_question=question, **known)

    def end(outcome: Outcome, **known) -> Decision:
        return Decision(path=tuple(path), outcome=outcome, **known)

    if answers.organisation_type is None:
        return ask(Question.ORGANISATION_TYPE)
    path.append(Question.ORGANISATION_TYPE)
    organisation_type = OrganisationType(answers.organisation_type)

    if organisation_type == OrganisationType.NHS_DEVOLVED:
        if answers.nation is None:
            return ask(Question.NATION)
        path.append(Question.NATION)
        return end(Outcome.OTHER_ROUTE, signpost=SIGNPOST_BY_NATION[Nation(answers.nation)])
    if organisation_type in SIGNPOST_BY_TYPE:
        return end(Outcome.OTHER_ROUTE, signpost=SIGNPOST_BY_TYPE[organisation_type])

    sector = SECTOR_BY_TYPE[organisation_type]
    if not answers.organisation_answered:
        return ask(Question.ORGANISATION, sector=sector)
    path.append(Question.ORGANISATION)

    if answers.complained is None:
        return ask(Question.COMPLAINED, sector=sector)
    path.append(Question.COMPLAINED)
    if answers.complained == Complained.NO:
        return end(Outcome.COMPLAIN_FIRST, sector=sector)
    if answers.complained == Complained.WAITING:
        if sector == Sector.PARLIAMENTARY:
            return end(Outcome.FINISH_COMPLAINT, sector=sector)
        if answers.waited_over_six_months is None:
            return ask(Question.WAITED, sector=sector)
        path.append(Question.WAITED)
        if not answers.waited_over_six_months:
            return end(Outcome.FINISH_COMPLAINT, sector=sector)

    if answers.aware_on is None:
        return ask(Question.AWARE, sector=sector)
    path.append(Question.AWARE)
    late = is_late(answers.aware_on, today=today)
    if late:
        if not answers.late_reason:
            return ask(Question.LATE_REASON, sector=sector, late=late)
        path.append(Question.LATE_REASON)

    if sector == Sector.PARLIAMENTARY:
        if answers.constituency_code is None:
            return ask(Question.MP, sector=sector, late=late)
        path.append(Question.MP)
        return end(Outcome.ASK_MP, sector=sector, late=late)
    return end(Outcome.READY, sector=sector, late=late)


def months_before(day: date, months: int) -> date:
    """The same day of the month, months earlier; the month's last day when it is shorter."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(earlier: date, later: date) -> int:
    """Complete months from earlier to later (0 when later is not after earlier)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def is_late(aware_on: date, *, today: date) -> bool:
    """Found out more than 12 months ago: the anniversary itself is still in time."""
    return aware_on < months_before(today, TIME_LIMIT_MONTHS)


def aware_months_bucket(aware_on: date | None, *, today: date) -> int | None:
    """How long ago, in whole months, capped at AWARE_MONTHS_CAP; None when not asked."""
    if aware_on is None:
        return None
    return min(whole_months_between(aware_on, today), AWARE_MONTHS_CAP)
