"""Builders for the precedent and triage tests: decided cases with codes, and closed cases."""

from django.utils import timezone

from accounts.models import OrganisationKind, Sector
from casework.coding.terminology import icd10_description
from casework.coding.themes import THEME_LABELS
from casework.models import (
    ClinicalCode,
    CodeAxis,
    CodeReview,
    CodingRun,
    CodingSource,
    Decision,
)
from casework.state import CaseStatus
from tests.casework.backoffice_support import make_case, organisation
from tests.factories import UserFactory


def with_codes(case, *, themes=(), codes=(), review=CodeReview.CONFIRMED):
    """Give a case theme and condition codes, as the coder and a caseworker's review would."""
    run, _ = CodingRun.objects.get_or_create(
        case=case, document=None, source=CodingSource.NARRATIVE
    )
    rows = [
        ClinicalCode(
            case=case,
            run=run,
            axis=CodeAxis.THEME,
            system="theme",
            code=theme,
            description=THEME_LABELS.get(theme, theme),
            start=0,
            end=1,
            text="x",
            review=review,
        )
        for theme in themes
    ] + [
        ClinicalCode(
            case=case,
            run=run,
            axis=CodeAxis.CONDITION,
            system=code.split(":")[0],
            code=code.split(":")[1],
            description=icd10_description(code.split(":")[1])
            if code.startswith("ICD-10:")
            else code,
            start=0,
            end=1,
            text="x",
            review=review,
        )
        for code in codes
    ]
    ClinicalCode.objects.bulk_create(rows)
    return case


def health_body(kind=OrganisationKind.NHS_TRUST):
    sector = (
        Sector.PARLIAMENTARY if kind == OrganisationKind.GOVERNMENT_DEPARTMENT else Sector.HEALTH
    )
    return organisation(kind=kind, sector=sector)


def decided_case(
    summary,
    *,
    kind=OrganisationKind.NHS_TRUST,
    outcome="upheld",
    decision_summary="",
    themes=(),
    codes=(),
    published=False,
):
    """A case closed with a decision outcome: what precedent checks may offer."""
    case = make_case(summary=summary, organisations=[health_body(kind)], status=CaseStatus.CLOSED)
    staff = UserFactory()
    decision = Decision.objects.create(
        case=case,
        outcome=outcome,
        public_summary=decision_summary,
        redacted_summary=decision_summary if published else "",
        updated_by=staff,
    )
    if published:
        Decision.objects.filter(pk=decision.pk).update(
            redaction_confirmed_at=timezone.now(),
            redaction_confirmed_by=staff,
            published_at=timezone.now(),
        )
    return with_codes(case, themes=themes, codes=codes)
