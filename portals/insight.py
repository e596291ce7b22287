"""Figures for the portals' insight pages, from aggregate counts only.

An MP's office sees its constituency beside the whole country; counts below SUPPRESS_BELOW are
shown as "fewer than 5" so that no one's complaint can be picked out of a small number.
"""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from casework.models import Case, CaseKind, Decision, DecisionOutcome, EvidenceRequest
from casework.state import CaseStatus

SUPPRESS_BELOW = 5
SUPPRESSED = "fewer than 5"


def shown(count: int) -> str:
    return SUPPRESSED if count < SUPPRESS_BELOW else f"{count:,}"


@dataclass(frozen=True)
class Row:
    label: str
    local: str
    national: str


@dataclass(frozen=True)
class Table:
    dimension: str
    rows: list[Row]


def _counts(queryset, field) -> dict:
    return {
        key: n
        for key, n in queryset.values_list(field).annotate(n=Count("id", distinct=True)).order_by()
        if key is not None
    }


def constituency_tables(constituency, *, months: int = 12) -> list[Table]:
    """Complaints from a constituency against the national figures, by organisation, sector,
    outcome and month received (the last `months` months)."""
    local = Case.objects.filter(constituency=constituency)
    national = Case.objects.all()
    since = timezone.now() - timedelta(days=31 * months)
    tables = []
    by_org_local = _counts(local, "organisations__name")
    by_org_national = _counts(
        national.filter(organisations__name__in=list(by_org_local)), "organisations__name"
    )
    top = sorted(by_org_local, key=lambda name: (-by_org_local[name], name))[:15]
    tables.append(
        Table(
            "Organisation",
            [Row(n, shown(by_org_local[n]), shown(by_org_national.get(n, 0))) for n in top],
        )
    )
    by_kind_local, by_kind_national = _counts(local, "kind"), _counts(national, "kind")
    tables.append(
        Table(
            "Sector",
            [
                Row(
                    kind.label,
                    shown(by_kind_local.get(kind.value, 0)),
                    shown(by_kind_national.get(kind.value, 0)),
                )
                for kind in CaseKind
            ],
        )
    )
    outcome_local = _counts(
        Decision.objects.filter(case__constituency=constituency).exclude(outcome=""), "outcome"
    )
    outcome_national = _counts(Decision.objects.exclude(outcome=""), "outcome")
    tables.append(
        Table(
            "Outcome",
            [
                Row(
                    o.label,
                    shown(outcome_local.get(o.value, 0)),
                    shown(outcome_national.get(o.value, 0)),
                )
                for o in DecisionOutcome
            ],
        )
    )
    month_local = _counts(
        local.filter(received_at__gte=since).annotate(month=TruncMonth("received_at")), "month"
    )
    month_national = _counts(
        national.filter(received_at__gte=since).annotate(month=TruncMonth("received_at")), "month"
    )
    month_keys = sorted(set(month_local) | set(month_national))
    tables.append(
        Table(
            "Month received",
            [
                Row(f"{m:%B %Y}", shown(month_local.get(m, 0)), shown(month_national.get(m, 0)))
                for m in month_keys
            ],
        )
    )
    return tables


def tables_csv(tables: list[Table], *, local_name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["dimension", "value", local_name, "national"])
    for table in tables:
        for row in table.rows:
            writer.writerow([table.dimension, row.label, row.local, row.national])
    return out.getvalue()


def organisation_figures(organisation) -> dict:
    """An organisation's own responsiveness, volumes and outcomes, beside its sector's."""
    own_requests = EvidenceRequest.objects.filter(organisation=organisation)
    sector_requests = EvidenceRequest.objects.filter(organisation__sector=organisation.sector)
    cases = Case.objects.filter(case_organisations__organisation=organisation)
    since = timezone.now() - timedelta(days=31 * 12)
    volumes = (
        cases.filter(received_at__gte=since)
        .annotate(month=TruncMonth("received_at"))
        .values_list("month")
        .annotate(n=Count("id", distinct=True))
        .order_by("month")
    )
    own_outcomes = _counts(Decision.objects.filter(case__in=cases).exclude(outcome=""), "outcome")
    sector_outcomes = _counts(
        Decision.objects.filter(
            case__case_organisations__organisation__sector=organisation.sector
        ).exclude(outcome=""),
        "outcome",
    )
    own_total, sector_total = sum(own_outcomes.values()), sum(sector_outcomes.values())
    # Outcomes over time: each decision counted in the quarter its final decision was issued.
    issued = (
        Decision.objects.filter(
            case__in=cases,
            case__events__to_status=CaseStatus.FINAL_DECISION,
            case__events__created_at__gte=since,
        )
        .exclude(outcome="")
        .annotate(quarter=TruncQuarter("case__events__created_at"))
        .values_list("quarter", "outcome")
        .annotate(n=Count("id", distinct=True))
        .order_by("quarter")
    )
    by_quarter: dict = {}
    for quarter, outcome, n in issued:
        by_quarter.setdefault(quarter, {})[outcome] = n
    return {
        "outcome_labels": [o.label for o in DecisionOutcome],
        "outcomes_by_quarter": [
            (quarter, [counts.get(o.value, 0) for o in DecisionOutcome])
            for quarter, counts in by_quarter.items()
        ],
        "own": own_requests.responsiveness(),
        "sector": sector_requests.responsiveness(),
        "volumes": [(month, n) for month, n in volumes],
        "outcomes": [
            {
                "label": o.label,
                "own": own_outcomes.get(o.value, 0),
                "own_percent": round(100 * own_outcomes.get(o.value, 0) / own_total)
                if own_total
                else None,
                "sector_percent": (
                    round(100 * sector_outcomes.get(o.value, 0) / sector_total)
                    if sector_total
                    else None
                ),
            }
            for o in DecisionOutcome
        ],
    }
