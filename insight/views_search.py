"""The public unified search, its click-through redirect, and the staff report of what was asked."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from insight import selectors
from insight.forms import SearchForm
from insight.models import SearchDocument, SearchLog
from insight.services_search import normalise_query, search_click_record, search_log_record


def _page_number(text) -> int:
    try:
        return max(1, min(int(text), 50))
    except (TypeError, ValueError):
        return 1


@require_safe
def search(request):
    form = SearchForm(request.GET or None)
    query, doc_type, results, log = "", "", None, None
    if form.is_valid():
        query = normalise_query(form.cleaned_data["q"])
        doc_type = form.cleaned_data["type"]
    page = _page_number(request.GET.get("page"))
    if query:
        results = selectors.search_documents(query=query, doc_type=doc_type, page=page)
        # Only a first page is a new search: paging through results is the same question.
        if page == 1:
            log = search_log_record(query=query, doc_type=doc_type, result_count=results.count)
        else:
            log = SearchLog.objects.filter(query=query, doc_type=doc_type).first()
    return render(
        request,
        "insight/search.html",
        {
            "form": form,
            "query": query,
            "doc_type": doc_type,
            "results": results,
            "log": log,
            "page": page,
            "more_pages": bool(results and results.count > page * selectors.PAGE_SIZE),
            "count_limit": selectors.COUNT_LIMIT,
        },
    )


@require_safe
def search_go(request, search_id, document_id):
    """Record which result was opened, then go to it. Only a search document's own URL is ever
    the target, so this cannot be used to send people to another site."""
    log = get_object_or_404(SearchLog, pk=search_id)
    document = get_object_or_404(SearchDocument, pk=document_id)
    search_click_record(search=log, document=document)
    return redirect(document.url)
