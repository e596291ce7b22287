"""Writes for the unified search: its documents (refreshed by a task) and the anonymous log."""

import html
import re
from datetime import datetime

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from casework.models import DecisionOutcome
from foi.models import DisclosureEntry
from insight.models import (
    CaseFact,
    DocumentType,
    RefreshState,
    SearchClick,
    SearchDocument,
    SearchLog,
)

SEARCH_DOCUMENTS = "search_documents"
MAX_QUERY_LENGTH = 200

# The service's own guidance and start pages: (URL name, template). Their text is read from the
# template, so the search finds what the page says without a second copy to keep up to date.
GUIDANCE_PAGES = [
    ("home", "pages/home.html"),
    ("complaints:start", "complaints/start.html"),
    ("foi:start", "foi/start.html"),
    ("insight:index", "insight/index.html"),
    ("contact", "pages/contact.html"),
    ("accessibility", "pages/accessibility.html"),
    ("privacy", "pages/privacy.html"),
    ("cookies", "pages/cookies.html"),
]

_BLOCK = r"{%%\s*block %s\s*%%}(.*?){%%\s*endblock"
_TEMPLATE_SYNTAX = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _plain(text: str) -> str:
    text = _TAGS.sub(" ", _TEMPLATE_SYNTAX.sub(" ", text))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def _guidance_documents() -> list[SearchDocument]:
    documents = []
    for url_name, template_name in GUIDANCE_PAGES:
        source = loader.get_template(template_name).template.source
        title = re.search(_BLOCK % "title", source, re.S)
        content = re.search(_BLOCK % "content", source, re.S)
        documents.append(
            SearchDocument(
                doc_type=DocumentType.GUIDANCE,
                key=url_name,
                title=_plain(title.group(1)) if title else url_name,
                body=_plain(content.group(1) if content else source),
                url=reverse(url_name),
            )
        )
    return documents


def _organisation_documents() -> list[SearchDocument]:
    organisations = Organisation.objects.active().prefetch_related("aliases").order_by("pk")
    return [
        SearchDocument(
            doc_type=DocumentType.ORGANISATION,
            key=str(org.pk),
            title=org.name,
            body=" ".join(
                filter(
                    None,
                    [org.get_kind_display(), org.town, org.region, org.ods_code or ""]
                    + [alias.name for alias in org.aliases.all()],
                )
            ),
            url=reverse("insight:organisation", args=[org.pk]),
        )
        for org in organisations.iterator(chunk_size=2000)
    ]


def _disclosure_documents() -> list[SearchDocument]:
    return [
        SearchDocument(
            doc_type=DocumentType.DISCLOSURE,
            key=entry.reference,
            title=entry.title,
            body=f"{entry.topic} {entry.response_text}".strip(),
            url=reverse("foi:disclosure_detail", args=[entry.reference]),
            published_on=entry.published_on,
        )
        for entry in DisclosureEntry.objects.order_by("pk").iterator(chunk_size=2000)
    ]


def _decision_title(fact: CaseFact, outcomes: dict) -> str:
    return f"{fact.organisation_name or 'Decision'}: {outcomes.get(fact.outcome, 'Decided')}"


def _decision_documents(*, since: datetime | None) -> list[SearchDocument]:
    facts = CaseFact.objects.published().order_by("pk")
    if since is not None:
        facts = facts.filter(refreshed_at__gte=since)
    outcomes = dict(DecisionOutcome.choices)
    return [
        SearchDocument(
            doc_type=DocumentType.DECISION,
            key=fact.reference,
            title=_decision_title(fact, outcomes),
            body=fact.published_summary,
            url=reverse("insight:decision", args=[fact.reference]),
            published_on=fact.published_on,
        )
        for fact in facts.iterator(chunk_size=2000)
    ]


def _upsert(documents: list[SearchDocument], now: datetime) -> None:
    for document in documents:
        document.updated_at = now
    SearchDocument.objects.bulk_create(
        documents,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["doc_type", "key"],
        update_fields=["title", "body", "url", "published_on", "updated_at"],
    )


@transaction.atomic
def search_documents_refresh(*, now: datetime | None = None) -> int:
    """Bring the search documents up to date; returns how many were written.

    Guidance, organisations and the disclosure log are small and rewritten whole; decisions,
    which run to millions, are rewritten only where their case fact changed since the last run.
    """
    now = now or timezone.now()
    state, _ = RefreshState.objects.get_or_create(name=SEARCH_DOCUMENTS)
    state = RefreshState.objects.select_for_update().get(pk=state.pk)
    written = 0
    for doc_type, documents in (
        (DocumentType.GUIDANCE, _guidance_documents()),
        (DocumentType.ORGANISATION, _organisation_documents()),
        (DocumentType.DISCLOSURE, _disclosure_documents()),
    ):
        _upsert(documents, now)
        written += len(documents)
        SearchDocument.objects.filter(doc_type=doc_type).exclude(updated_at=now).delete()
    decisions = _decision_documents(since=state.watermark)
    _upsert(decisions, now)
    written += len(decisions)
    # A decision withdrawn from publication leaves the search at the next run.
    published = CaseFact.objects.published().values("reference")
    SearchDocument.objects.filter(doc_type=DocumentType.DECISION).exclude(
        key__in=published
    ).delete()
    if connection.vendor == "postgresql":
        SearchDocument.objects.filter(updated_at=now).update(
            search_vector=SearchVector("title", weight="A", config="english")
            + SearchVector("body", weight="B", config="english")
        )
    state.watermark = now
    state.last_run_at = now
    state.rows_changed = written
    state.save()
    return written


def normalise_query(text: str) -> str:
    """What is logged and searched for: lower case, single spaces, no control characters."""
    text = _SPACE.sub(" ", text or "")
    return "".join(ch for ch in text if ch.isprintable()).strip().lower()[:MAX_QUERY_LENGTH]


@transaction.atomic
def search_log_record(*, query: str, doc_type: str, result_count: int) -> SearchLog:
    """Log a search with nothing about who ran it: no IP address, user, session or cookie."""
    return SearchLog.objects.create(query=query, doc_type=doc_type, result_count=result_count)


@transaction.atomic
def search_click_record(*, search: SearchLog, document: SearchDocument) -> SearchClick:
    return SearchClick.objects.create(search=search, document=document, url=document.url)
