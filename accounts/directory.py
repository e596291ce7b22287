"""Read paths of the organisation directory used by public forms: search and choosing a result."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Organisation

SEARCH_PAGE_LIMIT = 50
SEARCH_JSON_LIMIT = 10
# The parameter the chosen organisation's id comes back in, on the page that asked for it.
CHOSEN_PARAMETER = "organisation"
_LISTED_FIELDS = ("id", "name", "ods_code", "town", "postcode", "kind")


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label="Name, town or ODS code of the organisation",
        help_text="For example, Leeds Teaching Hospitals, Stockton-on-Tees or RR8",
        min_length=2,
        max_length=100,
        error_messages={
            "required": "Enter the name, town or ODS code of the organisation",
            "min_length": "Enter at least 2 characters",
            "max_length": "Enter 100 characters or fewer",
        },
    )


def organisation_search(text: str, *, limit: int) -> list[Organisation]:
    """Active organisations matching text, best first: one query, at most limit rows."""
    return list(Organisation.objects.active().search(text).only(*_LISTED_FIELDS)[:limit])


def local_next_url(request, candidate: str) -> str | None:
    """candidate if it is a path on this site, otherwise None (an open redirect is refused)."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return candidate


def choose_url(next_url: str, organisation_id: int) -> str:
    """next_url with the chosen organisation's id in its query string, replacing an earlier one."""
    parts = urlsplit(next_url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != CHOSEN_PARAMETER
    ]
    query.append((CHOSEN_PARAMETER, str(organisation_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))
