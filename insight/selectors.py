"""Reads for insight pages and the open data API, all from the reporting store."""

from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    TrigramSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts.geography import local_authority_names
from accounts.models import LocalAuthority, OrganisationKind, Sector
from casework.models import DecisionOutcome
from insight.models import (
    CaseFact,
    CaseFactCode,
    CodeAxis,
    DashboardCount,
    DocumentType,
    MonthlyPerformance,
    RefreshState,
    SearchDocument,
)

# Numbers this small could point to a person in a small place or organisation (ONS disclosure
# control practice): they are published as "fewer than 5", and as null in the API.
SUPPRESS_BELOW = 5


def suppressed(n: int) -> int | None:
    return None if n < SUPPRESS_BELOW else n


DIMENSIONS = {
    "sector": ("sector", dict(Sector.choices)),
    "organisation_kind": ("organisation_kind", dict(OrganisationKind.choices)),
    "organisation": ("organisation_id", None),
    "constituency": ("constituency_code", None),
    "local_authority": ("local_authority_code", None),
    "region": ("region", None),
    "outcome": ("outcome", dict(DecisionOutcome.choices)),
    # Confirmed complaint themes, from the facts' codes; a case with two themes counts in both.
    "theme": ("code", None),
}


FILTER_OPTIONS_TTL = 24 * 60 * 60


def decision_filter_options() -> dict:
    """The choices of the decisions filters, worked out once per refresh that changed anything.

    Building them reads every published fact (most of a second at a million cases); the key
    names the store's state, so a refresh that changes the facts makes a new entry and the old
    one simply expires.
    """
    version = RefreshState.objects.cache_version()
    if version is None:
        return _decision_filter_options()
    key = f"insight:decision-filter-options:{version}"
    options = cache.get(key)
    if options is None:
        options = _decision_filter_options()
        cache.set(key, options, FILTER_OPTIONS_TTL)
    return options


def _decision_filter_options() -> dict:
    published = CaseFact.objects.published().order_by()
    return {
        # The themes the refresh counted, each kept if one published decision has it: a probe
        # of the (axis, code) index per theme, where DISTINCT over every code would read them all.
        "themes": list(
            DashboardCount.objects.filter(dimension=CodeAxis.THEME)
            .filter(
                Exists(
                    CaseFactCode.objects.filter(
                        axis=CodeAxis.THEME, code=OuterRef("key"), published=True
                    )
                )
            )
            .values_list("key", "label")
            .order_by("label", "key")
        ),
        "organisations": list(
            published.exclude(organisation_id=None)
            .values_list("organisation_id", "organisation_name")
            .distinct()
            .order_by("organisation_name", "organisation_id")
        ),
        "constituencies": list(
            published.exclude(constituency_code="")
            .values_list("constituency_code", "constituency_name")
            .distinct()
            .order_by("constituency_name")
        ),
        "local_authorities": _named_local_authorities(published.exclude(local_authority_code="")),
        "regions": list(
            published.exclude(region="")
            .values_list("region", flat=True)
            .distinct()
            .order_by("region")
        ),
    }


def _filtered(queryset: QuerySet, filters: dict) -> QuerySet:
    lookups = {
        "organisation": "organisation_id",
        "sector": "sector",
        "organisation_kind": "organisation_kind",
        "constituency": "constituency_code",
        "local_authority": "local_authority_code",
        "region": "region",
        "outcome": "outcome",
    }
    for name, column in lookups.items():
        if filters.get(name):
            queryset = queryset.filter(**{column: filters[name]})
    if filters.get("theme"):
        queryset = queryset.filter(_has_theme(filters["theme"]))
    return queryset


def _has_theme(theme: str, *, published_only=False) -> Exists:
    # EXISTS rather than a join: a fact is listed once however its codes are stored.
    codes = CaseFactCode.objects.filter(case_fact=OuterRef("pk"), axis=CodeAxis.THEME, code=theme)
    return Exists(codes.filter(published=True) if published_only else codes)


# A published fact's confirmed themes, as `theme_codes`, for the API and a decision's page.
THEMES_PREFETCH = Prefetch(
    "codes",
    queryset=CaseFactCode.objects.filter(axis=CodeAxis.THEME).order_by("description"),
    to_attr="theme_codes",
)


def published_decisions(filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    decisions = _filtered(CaseFact.objects.published(), {**filters, "theme": None})
    if filters.get("theme"):
        decisions = decisions.filter(_has_theme(filters["theme"], published_only=True))
    if filters.get("published_from"):
        decisions = decisions.filter(published_on__gte=filters["published_from"])
    if filters.get("published_to"):
        decisions = decisions.filter(published_on__lte=filters["published_to"])
    return decisions.order_by("-published_on", "-id")


def case_counts(*, by: str, filters: dict | None = None) -> list[dict]:
    """Cases received and decided grouped by one dimension, with small numbers suppressed."""
    column, labels = DIMENSIONS[by]
    facts = _filtered(CaseFact.objects.all(), filters or {})
    if by == "theme":
        return _theme_counts(facts)
    if by == "organisation":
        facts = facts.annotate(label=F("organisation_name"))
    elif by == "constituency":
        facts = facts.annotate(label=F("constituency_name"))
    else:
        facts = facts.annotate(label=F(column))
    rows = (
        facts.exclude(**{column: None} if by == "organisation" else {column: ""})
        .values(column, "label")
        .annotate(received=Count("id"), decided=Count("id", filter=Q(decided_on__isnull=False)))
        .order_by("-received", column)
    )
    if by == "local_authority":
        rows = list(rows)
        labels = local_authority_names(row[column] for row in rows)
    return [
        {
            "key": str(row[column]),
            "label": labels.get(row["label"], row["label"]) if labels else row["label"],
            "received": suppressed(row["received"]),
            "decided": suppressed(row["decided"]),
        }
        for row in rows
    ]


def _theme_counts(facts: QuerySet) -> list[dict]:
    rows = (
        CaseFactCode.objects.filter(axis=CodeAxis.THEME, case_fact__in=facts.values("pk"))
        .values("code", "description")
        .annotate(
            received=Count("id"), decided=Count("id", filter=Q(case_fact__decided_on__isnull=False))
        )
        .order_by("-received", "code")
    )
    return [
        {
            "key": row["code"],
            "label": row["description"],
            "received": suppressed(row["received"]),
            "decided": suppressed(row["decided"]),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class Figures:
    received: int | None
    decided: int | None
    published: int | None
    upheld: int | None
    outcomes: list


def figures(facts: QuerySet) -> Figures:
    """The headline figures of an organisation's or constituency's page, suppressed."""
    totals = facts.aggregate(
        received=Count("id"),
        decided=Count("id", filter=Q(decided_on__isnull=False)),
        published=Count("id", filter=Q(published=True)),
        upheld=Count(
            "id", filter=Q(outcome__in=[DecisionOutcome.UPHELD, DecisionOutcome.PARTLY_UPHELD])
        ),
    )
    outcomes = dict(DecisionOutcome.choices)
    by_outcome = (
        facts.exclude(outcome="").values("outcome").annotate(n=Count("id")).order_by("outcome")
    )
    return Figures(
        received=suppressed(totals["received"]),
        decided=suppressed(totals["decided"]),
        published=suppressed(totals["published"]),
        upheld=suppressed(totals["upheld"]),
        outcomes=[
            (outcomes.get(r["outcome"], r["outcome"]), suppressed(r["n"])) for r in by_outcome
        ],
    )


def place_figures(*, organisation_id: int | None = None, constituency_code: str = "") -> Figures:
    """An organisation's or a constituency's figures, cached until the next refresh that changes
    something: the largest organisations have tens of thousands of facts to count."""
    if organisation_id is not None:
        facts, key = CaseFact.objects.filter(organisation_id=organisation_id), organisation_id
    else:
        facts, key = CaseFact.objects.filter(constituency_code=constituency_code), constituency_code
    version = RefreshState.objects.cache_version()
    if version is None:
        return figures(facts)
    name = "organisation" if organisation_id is not None else "constituency"
    return cache.get_or_set(
        f"insight:figures:{name}:{key}:{version}", lambda: figures(facts), FILTER_OPTIONS_TTL
    )


def monthly_performance() -> QuerySet:
    return MonthlyPerformance.objects.order_by("-month")


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole >= SUPPRESS_BELOW else None


def performance_row(month: MonthlyPerformance) -> dict:
    """A month's published figures: counts under 5, and anything worked out from them, withheld."""
    enough_assessed = month.assessed >= SUPPRESS_BELOW
    enough_decided = month.decided >= SUPPRESS_BELOW
    return {
        "month": month.month,
        "assessed": suppressed(month.assessed),
        "median_days_to_assess": month.median_days_to_assess if enough_assessed else None,
        "decided": suppressed(month.decided),
        "median_days_to_decide": month.median_days_to_decide if enough_decided else None,
        "foi_answered": suppressed(month.foi_answered),
        "foi_on_time_percent": _percent(month.foi_on_time, month.foi_answered),
        "feedback_count": suppressed(month.feedback_count),
        "satisfied_percent": _percent(month.feedback_satisfied, month.feedback_count),
    }


# Unified search.

PAGE_SIZE = 20
# Counting every match of a common word across a million documents costs more than the search
# itself; past this the page says "more than 1,000".
COUNT_LIMIT = 1000
# Ranking reads every candidate's whole vector, so a word found in half a million documents
# would take seconds to rank. Only the first few thousand matches the index hands back are
# ranked: a common word's best result may be missed, and adding a second word finds it.
RANK_CANDIDATES = 1000


@dataclass(frozen=True)
class SearchResults:
    results: list
    count: int
    suggestion: str


def search_documents(*, query: str, doc_type: str = "", page: int = 1) -> SearchResults:
    """Documents matching query, best first, with a highlighted snippet each."""
    documents = SearchDocument.objects.all()
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if not query:
        return SearchResults([], 0, "")
    offset = (max(page, 1) - 1) * PAGE_SIZE
    if connection.vendor == "postgresql":
        return _search_postgresql(documents, query, offset, doc_type)
    return _search_fallback(documents, query, offset)


def _ranked_ids(query: str, doc_type: str, offset: int) -> list[int]:
    """One page of ids, best first, ranking only the first RANK_CANDIDATES matches.

    Raw SQL because the candidates must be a LIMITed subquery in FROM, which the ORM cannot
    write; every value is a query parameter.
    """
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    type_filter = "AND doc_type = %s" if doc_type else ""
    sql = (
        "SELECT id FROM ("  # noqa: S608 - the table name comes from the model, values are params  # nosec B608
        f"  SELECT id, published_on, search_vector FROM {table}"
        "   WHERE search_vector @@ websearch_to_tsquery('english', %s) "
        f"  {type_filter} LIMIT %s"
        ") AS candidates "
        "ORDER BY ts_rank(search_vector, websearch_to_tsquery('english', %s)) DESC, "
        "published_on DESC NULLS LAST, id OFFSET %s LIMIT %s"
    )
    params = [query, *([doc_type] if doc_type else []), RANK_CANDIDATES, query, offset, PAGE_SIZE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _search_postgresql(
    documents: QuerySet, query: str, offset: int, doc_type: str
) -> SearchResults:
    search_query = SearchQuery(query, search_type="websearch", config="english")
    # No ORDER BY in the count: the model's default ordering would sort every match.
    matches = documents.filter(search_vector=search_query).order_by()
    count = matches[: COUNT_LIMIT + 1].count()
    # Ranked ids first, then snippets for this page only: ts_headline reads the whole body, so
    # it must never run over every match.
    ids = _ranked_ids(query, doc_type, offset)
    snippets = SearchHeadline(
        "body",
        search_query,
        config="english",
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
    )
    by_id = {d.pk: d for d in SearchDocument.objects.filter(pk__in=ids).annotate(snippet=snippets)}
    results = [by_id[pk] for pk in ids if pk in by_id]
    for result in results:
        result.snippet_html = _marked(result.snippet)
    suggestion = "" if count else _suggestion(documents, query)
    return SearchResults(results, count, suggestion)


# Private-use characters mark the matches, so that the snippet can be escaped whole (it is the
# document's own text) and only then given its <mark> tags.
_START, _STOP = "\ue000", "\ue001"


def _marked(snippet: str) -> str:
    return mark_safe(escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308  # nosec B308, B703


@SearchDocument._meta.get_field("title").register_lookup
class TrigramMatch(Lookup):
    """pg_trgm's `%` operator (similarity above pg_trgm.similarity_threshold, 0.3 by default),
    which the title's GIN trigram index answers; filtering on similarity() would read every row.
    """

    lookup_name = "trigram_match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %% {rhs}", [*lhs_params, *rhs_params]


def _suggestion(documents: QuerySet, query: str) -> str:
    """The title closest to what was typed (pg_trgm), offered when nothing matched."""
    # Suggestions come from organisation names and guidance titles only: decision titles repeat
    # the organisation's name a million times over and would make the trigram index unselective.
    best = (
        documents.filter(doc_type__in=[DocumentType.ORGANISATION, DocumentType.GUIDANCE])
        .filter(title__trigram_match=query)
        .annotate(similarity=TrigramSimilarity("title", query))
        .order_by("-similarity")
        .values_list("title", flat=True)
        .first()
    )
    return best or ""


def _search_fallback(documents: QuerySet, query: str, offset: int) -> SearchResults:
    """SQLite: every word must appear in the title or body; no ranking or typo tolerance."""
    for word in query.split()[:8]:
        documents = documents.filter(Q(title__icontains=word) | Q(body__icontains=word))
    count = documents[: COUNT_LIMIT + 1].count()
    results = list(documents.order_by("-published_on", "title", "id")[offset : offset + PAGE_SIZE])
    for result in results:
        result.snippet_html = escape(" ".join(result.body.split()[:35]))
    return SearchResults(results, count, "")


def _named_local_authorities(facts: QuerySet) -> list[tuple[str, str]]:
    """(code, name) by name, in one query; a code we have no name for is listed as itself, after
    the names."""
    name = LocalAuthority.objects.filter(code=OuterRef("local_authority_code")).values("name")
    rows = (
        facts.values_list("local_authority_code", Subquery(name[:1]))
        .distinct()
        .order_by("local_authority_code")
    )
    named_first = sorted(rows, key=lambda row: (row[1] is None, row[1] or row[0]))
    return [(code, name or code) for code, name in named_first]
