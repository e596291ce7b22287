"""Staff dashboards for analysts and managers (behind the /staff/ TOTP gate)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from insight.csv import csv_response, shown
from insight.selectors_dashboards import dashboard_charts, search_report

VIEW_DASHBOARDS = "insight.view_dashboards"


def _check_access(request):
    if not request.user.has_perm(VIEW_DASHBOARDS):
        raise PermissionDenied("Dashboards are for analysts and managers.")


@require_safe
def dashboard(request):
    _check_access(request)
    charts = dashboard_charts(user=request.user, today=timezone.localdate())
    return render(request, "insight/staff/dashboard.html", {"charts": charts})


@require_safe
def chart_csv(request, slug):
    _check_access(request)
    charts = {c.slug: c for c in dashboard_charts(user=request.user, today=timezone.localdate())}
    chart = charts.get(slug)
    if chart is None:
        raise Http404("No such chart")
    return csv_response(
        filename=f"{slug}.csv",
        header=["label", chart.value_label.lower()],
        rows=([label, shown(value)] for label, value in chart.rows),
    )


@require_safe
def search_queries(request):
    _check_access(request)
    since = timezone.localdate() - timedelta(days=30)
    return render(
        request, "insight/staff/search.html", {"report": search_report(since=since), "since": since}
    )
