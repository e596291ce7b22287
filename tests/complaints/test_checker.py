"""The checker's decision logic, route by route: pure Python, no database."""

from datetime import date

import pytest

from complaints.checker import (
    AWARE_MONTHS_CAP,
    Answers,
    Complained,
    Decision,
    Nation,
    OrganisationType,
    Outcome,
    Question,
    Sector,
    Signpost,
    aware_months_bucket,
    decide,
    is_late,
    months_before,
    whole_months_between,
)

TODAY = date(2025, 6, 15)
RECENT = date(2025, 1, 10)
LATE = date(2023, 11, 2)
ANNIVERSARY = date(2024, 6, 15)  # exactly 12 months: still in time
DAY_TOO_LATE = date(2024, 6, 14)

TYPE, NATION, ORG, COMPLAINED, WAITED, AWARE, REASON, MP = Question
READY, COMPLAIN_FIRST, FINISH_COMPLAINT, OTHER_ROUTE, ASK_MP = Outcome
LGSCO, SPSO, PSOW, NIPSO, IOPC, HMCTS, ISCAS, CITIZENS_ADVICE = Signpost
NHS = {"organisation_type": OrganisationType.NHS_ENGLAND}
GOV = {"organisation_type": OrganisationType.UK_GOVERNMENT}
SKIPPED = {"organisation_answered": True}
FINAL = {"complained": Complained.FINAL_RESPONSE}
WAITING = {"complained": Complained.WAITING}
NOT_YET = {"complained": Complained.NO}


def answers(*parts, **more):
    merged = {}
    for part in parts:
        merged.update(part)
    merged.update(more)
    return Answers(**merged)


def kind(value, **more):
    return answers({"organisation_type": value}, **more)


# id, answers, where they lead (the next question or the outcome), signpost, late, path.
ROUTES = [
    ("nothing answered", answers(), TYPE, None, False, (TYPE,)),
    # Not ours: another body is named straight away.
    ("council", kind("council"), OTHER_ROUTE, LGSCO, False, (TYPE,)),
    ("private healthcare", kind("private_healthcare"), OTHER_ROUTE, ISCAS, False, (TYPE,)),
    ("police", kind("police"), OTHER_ROUTE, IOPC, False, (TYPE,)),
    ("courts", kind("courts"), OTHER_ROUTE, HMCTS, False, (TYPE,)),
    ("something else", kind("other"), OTHER_ROUTE, CITIZENS_ADVICE, False, (TYPE,)),
    ("devolved NHS asks where", kind("nhs_devolved"), NATION, None, False, (TYPE, NATION)),
    ("NHS Scotland", kind("nhs_devolved", nation=Nation.SCOTLAND), OTHER_ROUTE, SPSO, False,
     (TYPE, NATION)),
    ("NHS Wales", kind("nhs_devolved", nation=Nation.WALES), OTHER_ROUTE, PSOW, False,
     (TYPE, NATION)),
    ("NHS Northern Ireland", kind("nhs_devolved", nation=Nation.NORTHERN_IRELAND), OTHER_ROUTE,
     NIPSO, False, (TYPE, NATION)),
    ("council ignores later answers", kind("council", complained="no", aware_on=LATE),
     OTHER_ROUTE, LGSCO, False, (TYPE,)),
    # The NHS in England.
    ("NHS asks which organisation", answers(NHS), ORG, None, False, (TYPE, ORG)),
    ("NHS England ignores a nation", answers(NHS, nation="wales"), ORG, None, False, (TYPE, ORG)),
    ("NHS organisation skipped", answers(NHS, SKIPPED), COMPLAINED, None, False,
     (TYPE, ORG, COMPLAINED)),
    ("NHS organisation chosen", answers(NHS, SKIPPED, organisation_id=7), COMPLAINED, None,
     False, (TYPE, ORG, COMPLAINED)),
    ("NHS not complained", answers(NHS, SKIPPED, NOT_YET), COMPLAIN_FIRST, None, False,
     (TYPE, ORG, COMPLAINED)),
    ("NHS waiting asks how long", answers(NHS, SKIPPED, WAITING), WAITED, None, False,
     (TYPE, ORG, COMPLAINED, WAITED)),
    ("NHS waiting 6 months or less", answers(NHS, SKIPPED, WAITING, waited_over_six_months=False),
     FINISH_COMPLAINT, None, False, (TYPE, ORG, COMPLAINED, WAITED)),
    ("NHS waiting over 6 months asks when",
     answers(NHS, SKIPPED, WAITING, waited_over_six_months=True), AWARE, None, False,
     (TYPE, ORG, COMPLAINED, WAITED, AWARE)),
    ("NHS over 6 months without a response is ready",
     answers(NHS, SKIPPED, WAITING, waited_over_six_months=True, aware_on=RECENT), READY, None,
     False, (TYPE, ORG, COMPLAINED, WAITED, AWARE)),
    ("NHS final response asks when", answers(NHS, SKIPPED, FINAL), AWARE, None, False,
     (TYPE, ORG, COMPLAINED, AWARE)),
    ("NHS final response ignores how long",
     answers(NHS, SKIPPED, FINAL, waited_over_six_months=False, aware_on=RECENT), READY, None,
     False, (TYPE, ORG, COMPLAINED, AWARE)),
    ("NHS on the anniversary is in time", answers(NHS, SKIPPED, FINAL, aware_on=ANNIVERSARY),
     READY, None, False, (TYPE, ORG, COMPLAINED, AWARE)),
    ("NHS a day late asks why", answers(NHS, SKIPPED, FINAL, aware_on=DAY_TOO_LATE), REASON,
     None, True, (TYPE, ORG, COMPLAINED, AWARE, REASON)),
    ("NHS late with an empty reason", answers(NHS, SKIPPED, FINAL, aware_on=LATE, late_reason=""),
     REASON, None, True, (TYPE, ORG, COMPLAINED, AWARE, REASON)),
    ("NHS late with a reason is ready and flagged",
     answers(NHS, SKIPPED, FINAL, aware_on=LATE, late_reason="I was ill"), READY, None, True,
     (TYPE, ORG, COMPLAINED, AWARE, REASON)),
    ("NHS in time ignores a reason",
     answers(NHS, SKIPPED, FINAL, aware_on=RECENT, late_reason="left over"), READY, None, False,
     (TYPE, ORG, COMPLAINED, AWARE)),
    ("NHS never needs an MP",
     answers(NHS, SKIPPED, FINAL, aware_on=RECENT, constituency_code="E14001170"), READY, None,
     False, (TYPE, ORG, COMPLAINED, AWARE)),
    # UK government departments and public bodies: an MP must refer.
    ("government asks which organisation", answers(GOV), ORG, None, False, (TYPE, ORG)),
    ("government not complained", answers(GOV, SKIPPED, NOT_YET), COMPLAIN_FIRST, None, False,
     (TYPE, ORG, COMPLAINED)),
    ("government waiting must finish", answers(GOV, SKIPPED, WAITING), FINISH_COMPLAINT, None,
     False, (TYPE, ORG, COMPLAINED)),
    ("government waiting however long",
     answers(GOV, SKIPPED, WAITING, waited_over_six_months=True, aware_on=RECENT),
     FINISH_COMPLAINT, None, False, (TYPE, ORG, COMPLAINED)),
    ("government final response asks when", answers(GOV, SKIPPED, FINAL), AWARE, None, False,
     (TYPE, ORG, COMPLAINED, AWARE)),
    ("government asks for the MP", answers(GOV, SKIPPED, FINAL, aware_on=RECENT), MP, None,
     False, (TYPE, ORG, COMPLAINED, AWARE, MP)),
    ("government with a constituency",
     answers(GOV, SKIPPED, FINAL, aware_on=RECENT, constituency_code="E14001170"), ASK_MP,
     None, False, (TYPE, ORG, COMPLAINED, AWARE, MP)),
    ("government finding their own MP",
     answers(GOV, SKIPPED, FINAL, aware_on=RECENT, constituency_code=""), ASK_MP, None, False,
     (TYPE, ORG, COMPLAINED, AWARE, MP)),
    ("government late asks why", answers(GOV, SKIPPED, FINAL, aware_on=LATE), REASON, None,
     True, (TYPE, ORG, COMPLAINED, AWARE, REASON)),
    ("government late then the MP",
     answers(GOV, SKIPPED, FINAL, aware_on=LATE, late_reason="Waiting"), MP, None, True,
     (TYPE, ORG, COMPLAINED, AWARE, REASON, MP)),
    ("government late, ask an MP, flagged",
     answers(GOV, SKIPPED, FINAL, aware_on=LATE, late_reason="Waiting",
             constituency_code="N05000001"),
     ASK_MP, None, True, (TYPE, ORG, COMPLAINED, AWARE, REASON, MP)),
]  # fmt: skip


class TestDecide:
    @pytest.mark.parametrize(
        ("given", "leads_to", "signpost", "late", "path"),
        [pytest.param(*row[1:], id=row[0]) for row in ROUTES],
    )
    def test_routes(self, given, leads_to, signpost, late, path):
        decision = decide(given, today=TODAY)

        if isinstance(leads_to, Question):
            assert (decision.next_question, decision.outcome) == (leads_to, None)
            assert not decision.complete
        else:
            assert (decision.next_question, decision.outcome) == (None, leads_to)
            assert decision.complete
        assert decision.signpost == signpost
        assert decision.late is late
        assert decision.path == path

    @pytest.mark.parametrize(
        ("organisation_type", "sector"),
        [("nhs_england", Sector.HEALTH), ("uk_government", Sector.PARLIAMENTARY)],
    )
    def test_our_organisation_types_have_a_sector(self, organisation_type, sector):
        assert decide(kind(organisation_type), today=TODAY).sector == sector

    @pytest.mark.parametrize("organisation_type", ["council", "police", "courts", "other"])
    def test_other_routes_have_no_sector(self, organisation_type):
        assert decide(kind(organisation_type), today=TODAY).sector is None

    def test_every_question_outcome_and_signpost_is_reached(self):
        reached = {row[2] for row in ROUTES} | {row[3] for row in ROUTES}

        assert reached - {None} == set(Question) | set(Outcome) | set(Signpost)

    def test_the_clock_decides_lateness(self):
        given = answers(NHS, SKIPPED, FINAL, aware_on=date(2024, 3, 1))

        assert decide(given, today=date(2025, 3, 1)).outcome == READY
        assert decide(given, today=date(2025, 3, 2)).next_question == REASON


class TestDecisionPrevious:
    def test_previous_question_on_the_path(self):
        decision = decide(answers(GOV, SKIPPED, FINAL, aware_on=RECENT), today=TODAY)

        assert decision.previous(MP) == AWARE
        assert decision.previous(COMPLAINED) == ORG
        assert decision.previous(TYPE) is None

    def test_before_the_outcome_is_the_last_question(self):
        decision = decide(answers(NHS, SKIPPED, NOT_YET), today=TODAY)

        assert decision.previous(None) == COMPLAINED

    def test_empty_path_has_no_previous(self):
        assert Decision(path=()).previous(None) is None


class TestAnswersFromSession:
    def test_reads_what_the_views_store(self):
        stored = {
            "organisation_type": "uk_government",
            "organisation_answered": True,
            "organisation_id": 12,
            "complained": "final_response",
            "waited_over_six_months": False,
            "aware_on": "2024-02-29",
            "late_reason": "I was in hospital",
            "constituency_code": "E14001290",
        }

        assert Answers.from_session(stored) == Answers(
            organisation_type="uk_government",
            organisation_answered=True,
            organisation_id=12,
            complained="final_response",
            waited_over_six_months=False,
            aware_on=date(2024, 2, 29),
            late_reason="I was in hospital",
            constituency_code="E14001290",
        )

    @pytest.mark.parametrize(
        "stored",
        [
            None,
            "not a dict",
            {"organisation_type": "hospital"},
            {"organisation_type": 3},
            {"nation": "england"},
            {"complained": "maybe"},
            {"organisation_answered": "yes", "organisation_id": "12"},
            {"waited_over_six_months": "true"},
            {"aware_on": "2024-02-30"},
            {"aware_on": 20240201},
            {"late_reason": ["list"]},
            {"constituency_code": 5},
        ],
    )
    def test_anything_unreadable_is_not_answered(self, stored):
        assert Answers.from_session(stored) == Answers()


class TestDates:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2025, 6, 15), 12, date(2024, 6, 15)),
            (date(2025, 3, 31), 1, date(2025, 2, 28)),
            (date(2024, 3, 31), 1, date(2024, 2, 29)),
            (date(2025, 2, 28), 12, date(2024, 2, 28)),
            (date(2024, 2, 29), 12, date(2023, 2, 28)),
            (date(2025, 1, 15), 1, date(2024, 12, 15)),
            (date(2025, 1, 15), 25, date(2022, 12, 15)),
        ],
    )
    def test_months_before(self, day, months, expected):
        assert months_before(day, months) == expected

    @pytest.mark.parametrize(
        ("earlier", "later", "expected"),
        [
            (date(2025, 1, 10), date(2025, 1, 10), 0),
            (date(2025, 1, 10), date(2025, 2, 9), 0),
            (date(2025, 1, 10), date(2025, 2, 10), 1),
            (date(2023, 6, 15), date(2025, 6, 14), 23),
            (date(2025, 6, 15), date(2025, 1, 1), 0),
        ],
    )
    def test_whole_months_between(self, earlier, later, expected):
        assert whole_months_between(earlier, later) == expected

    def test_late_only_after_the_anniversary(self):
        assert not is_late(date(2024, 6, 15), today=TODAY)
        assert is_late(date(2024, 6, 14), today=TODAY)
        # A 29 February is in time until the last day of the next February.
        assert not is_late(date(2024, 2, 29), today=date(2025, 2, 28))
        assert is_late(date(2024, 2, 28), today=date(2025, 3, 1))

    def test_aware_months_bucket_is_capped(self):
        assert aware_months_bucket(None, today=TODAY) is None
        assert aware_months_bucket(date(2025, 6, 1), today=TODAY) == 0
        assert aware_months_bucket(date(2024, 6, 14), today=TODAY) == 12
        assert aware_months_bucket(date(1990, 1, 1), today=TODAY) == AWARE_MONTHS_CAP
