"""Read paths: access helpers that 404 on what the user may not see, and the published figures."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.shortcuts import get_object_or_404

from foi.models import DataExport, DisclosureEntry, InformationRequest, Kind


def request_for_staff(request, reference: str) -> InformationRequest:
    """A request for an FOI officer or manager; everyone else on the staff side gets 403."""
    if not request.user.has_perm("foi.manage_requests"):
        raise PermissionDenied
    return get_object_or_404(
        InformationRequest.objects.select_related(
            "assigned_to",
            "drafted_by",
            "signed_off_by",
            "review_of",
            "possible_repeat_of",
            "identity_verified_by",
        ),
        reference=reference,
    )


def request_for_requester(request, reference: str) -> InformationRequest:
    """The signed-in requester's own request, or 404 (never revealing that another exists)."""
    return get_object_or_404(
        InformationRequest.objects.of_requester(request.user), reference=reference
    )


def export_for_owner(request, export_id: int) -> DataExport:
    return get_object_or_404(DataExport.objects.filter(user=request.user), pk=export_id)


def disclosure_entries(
    *,
    q: str = "",
    topic: str = "",
    published_from: date | None = None,
    published_to: date | None = None,
):
    entries = DisclosureEntry.objects.search(q)
    if topic:
        entries = entries.filter(topic=topic)
    if published_from:
        entries = entries.filter(published_on__gte=published_from)
    if published_to:
        entries = entries.filter(published_on__lte=published_to)
    return entries.only("reference", "title", "topic", "published_on", "response_text")


def disclosure_topics() -> list[str]:
    return list(
        DisclosureEntry.objects.exclude(topic="")
        .order_by("topic")
        .values_list("topic", flat=True)
        .distinct()
    )


def performance_by_quarter() -> list[dict]:
    """% answered on time per quarter of the response, for FOI, EIR and SAR: counts, no people.

    Internal reviews are left out: they have no statutory deadline of their own (s.45 Code of
    Practice sets a target), and counting them would double-count requests.
    """
    rows = (
        InformationRequest.objects.answered()
        .annotate(year=ExtractYear("sent_on"), quarter=ExtractQuarter("sent_on"))
        .values("year", "quarter", "kind")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(sent_on__lte=F("due_on"))))
        .order_by("-year", "-quarter", "kind")
    )
    table: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["year"], row["quarter"])
        entry = table.setdefault(key, {"year": row["year"], "quarter": row["quarter"], "kinds": {}})
        entry["kinds"][row["kind"]] = {
            "total": row["total"],
            "on_time": row["on_time"],
            "percent": round(100 * row["on_time"] / row["total"]) if row["total"] else None,
        }
    result = []
    for entry in table.values():
        entry["cells"] = [(kind.label, entry["kinds"].get(kind.value)) for kind in Kind]
        result.append(entry)
    return result
