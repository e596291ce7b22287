"""Public organisation search: a page that works without JavaScript, and JSON for type-ahead."""

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.directory import (
    SEARCH_JSON_LIMIT,
    SEARCH_PAGE_LIMIT,
    OrganisationSearchForm,
    choose_url,
    local_next_url,
    organisation_search,
)


@require_safe
def organisation_search_page(request):
    """Search, then choose: each result links back to `next` with the organisation's id."""
    next_url = request.GET.get("next", "")
    if next_url and local_next_url(request, next_url) is None:
        raise SuspiciousOperation("Organisation search refused a next URL that is not on this site")
    form = OrganisationSearchForm(request.GET if "q" in request.GET else None)
    results, more = None, False
    if form.is_bound and form.is_valid():
        found = organisation_search(form.cleaned_data["q"], limit=SEARCH_PAGE_LIMIT + 1)
        results, more = found[:SEARCH_PAGE_LIMIT], len(found) > SEARCH_PAGE_LIMIT
        for organisation in results:
            organisation.choose_url = choose_url(next_url, organisation.pk) if next_url else ""
    return render(
        request,
        "accounts/directory/organisation_search.html",
        {
            "form": form,
            "results": results,
            "more": more,
            "next": next_url,
            "limit": SEARCH_PAGE_LIMIT,
        },
    )


@require_safe
def organisation_search_json(request):
    """At most ten matches as {id, name, ods_code, town, kind}, for progressive enhancement."""
    form = OrganisationSearchForm(request.GET)
    found = (
        organisation_search(form.cleaned_data["q"], limit=SEARCH_JSON_LIMIT)
        if form.is_valid()
        else []
    )
    return JsonResponse(
        {
            "results": [
                {"id": o.pk, "name": o.name, "ods_code": o.ods_code, "town": o.town, "kind": o.kind}
                for o in found
            ]
        }
    )
