"""Unified search: documents from decisions, the disclosure log, organisations and guidance; ranked
full-text search with snippets on PostgreSQL, a plain fallback on SQLite; anonymous query log."""

import pytest
from django.db import connection
from django.urls import reverse

from insight.models import DocumentType, SearchClick, SearchDocument, SearchLog
from insight.selectors import search_documents
from insight.services_reporting import insight_refresh
from insight.services_search import normalise_query, search_documents_refresh
from insight.tasks import search_documents_refresh as search_documents_refresh_task
from tests.insight.builders import decided_case, disclosure_entry, organisation

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def indexed():
    org = organisation(name="Meadowbank Hospital NHS Trust")
    decided_case(org=org, summary="The hospital delayed a cancer diagnosis by six months.")
    decided_case(org=org, published=False, summary="Unpublished words about a cancer delay.")
    disclosure_entry(title="Complaints about ambulance response times", text="We hold 40 records.")
    insight_refresh()
    search_documents_refresh()
    return org


class TestSearchDocumentsRefresh:
    def test_indexes_every_kind_of_public_content(self, indexed):
        kinds = set(SearchDocument.objects.values_list("doc_type", flat=True))
        assert kinds == {
            DocumentType.DECISION,
            DocumentType.DISCLOSURE,
            DocumentType.ORGANISATION,
            DocumentType.GUIDANCE,
        }
        assert SearchDocument.objects.filter(doc_type=DocumentType.DECISION).count() == 1
        assert not SearchDocument.objects.filter(body__contains="Unpublished").exists()

    def test_guidance_text_is_read_from_the_page(self, indexed):
        contact = SearchDocument.objects.get(doc_type=DocumentType.GUIDANCE, key="contact")
        assert contact.url == reverse("contact")
        assert "helpline" in contact.body
        assert "{%" not in contact.body and "<" not in contact.body

    def test_rerun_is_idempotent_and_drops_what_left(self, indexed):
        before = SearchDocument.objects.count()
        search_documents_refresh()
        assert SearchDocument.objects.count() == before
        indexed.is_active = False
        indexed.save()
        search_documents_refresh()
        assert not SearchDocument.objects.filter(doc_type=DocumentType.ORGANISATION).exists()

    def test_task_runs_the_refresh(self, db):
        assert search_documents_refresh_task.delay().get() > 0

    def test_stored_vector_on_postgresql(self, indexed):
        vectors = SearchDocument.objects.exclude(search_vector=None).count()
        assert vectors == (SearchDocument.objects.count() if POSTGRES else 0)


class TestSearchDocuments:
    def test_finds_a_decision_with_a_highlighted_snippet(self, indexed):
        results = search_documents(query="cancer diagnosis")
        assert results.count == 1
        result = results.results[0]
        assert result.doc_type == DocumentType.DECISION
        if POSTGRES:
            assert "<mark>" in result.snippet_html
        assert "six months" in result.snippet_html

    def test_finds_the_disclosure_log_and_filters_by_type(self, indexed):
        assert search_documents(query="ambulance").results[0].doc_type == DocumentType.DISCLOSURE
        assert search_documents(query="ambulance", doc_type=DocumentType.DECISION).count == 0

    def test_snippet_text_is_escaped(self, db):
        decided_case(summary="Staff wrote <script>alert(1)</script> in the record.")
        insight_refresh()
        search_documents_refresh()
        result = search_documents(query="staff record").results[0]
        # PostgreSQL's headline drops the tags as markup; the fallback escapes them.
        assert "<script>" not in result.snippet_html
        assert "alert(1)" in result.snippet_html

    def test_typo_gets_a_suggestion_on_postgresql(self, indexed):
        results = search_documents(query="meadowbnak hosptial")
        assert results.count == 0
        expected = "Meadowbank Hospital NHS Trust" if POSTGRES else ""
        assert results.suggestion == expected


class TestSearchPage:
    @pytest.mark.parametrize(
        "query",
        [
            "'; DROP TABLE insight_searchdocument; --",
            "<script>alert(1)</script>",
            "!!! & | ( :* ",
            "x" * 500,
            "cancer\x00",
        ],
    )
    def test_hostile_queries_give_a_clear_page(self, client, indexed, query):
        response = client.get(reverse("search:search"), {"q": query})
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content
        assert SearchDocument.objects.exists()

    def test_logs_the_query_anonymously(self, client, indexed, complainant):
        client.force_login(complainant)
        client.get(reverse("search:search"), {"q": "  Cancer   DIAGNOSIS "}, REMOTE_ADDR="10.1.2.3")
        log = SearchLog.objects.get()
        assert (log.query, log.result_count) == ("cancer diagnosis", 1)
        assert {f.name for f in SearchLog._meta.get_fields()} == {
            "id",
            "query",
            "doc_type",
            "result_count",
            "created_at",
            "clicks",
        }

    def test_zero_results_are_logged(self, client, indexed):
        response = client.get(reverse("search:search"), {"q": "zebra"})
        assert b"0 results" in response.content
        assert SearchLog.objects.get().result_count == 0

    def test_click_is_recorded_and_redirects_to_the_result(self, client, indexed):
        client.get(reverse("search:search"), {"q": "ambulance"})
        log = SearchLog.objects.get()
        document = SearchDocument.objects.get(doc_type=DocumentType.DISCLOSURE)
        response = client.get(reverse("search:go", args=[log.pk, document.pk]))
        assert response.status_code == 302
        assert response["Location"] == document.url
        assert SearchClick.objects.get().document == document

    def test_click_on_unknown_ids_is_not_found(self, client, db):
        assert client.get(reverse("search:go", args=[1, 2])).status_code == 404

    def test_huge_page_number_and_empty_database(self, client, db):
        response = client.get(reverse("search:search"), {"q": "cancer", "page": "99999999"})
        assert response.status_code == 200
        assert b"0 results" in response.content

    @pytest.mark.parametrize("rows", [1, 30])
    def test_queries_do_not_grow_with_rows(self, client, django_assert_max_num_queries, rows):
        org = organisation()
        for _ in range(rows):
            decided_case(org=org, summary="Delayed cancer diagnosis.")
        insight_refresh()
        search_documents_refresh()
        with django_assert_max_num_queries(8):
            response = client.get(reverse("search:search"), {"q": "cancer"})
        assert response.content.count(b'app-search-result"') == min(rows, 20)


class TestNormaliseQuery:
    def test_lower_case_single_spaces_and_no_control_characters(self):
        assert normalise_query("  Hello\tWORLD\x00 ") == "hello world"
        assert len(normalise_query("a" * 999)) == 200
