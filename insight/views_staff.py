"""Staff dashboards for analysts and managers (behind the /staff/ TOTP gate)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from insight.csv import csv_response, shown
from insight.forms import NearPostcodeForm, SystemicReviewForm
from insight.models import TrendAlert
from insight.selectors_dashboards import dashboard_chart, dashboard_charts, search_report
from insight.selectors_forecasts import HOURS_PER_CASE, HOURS_PER_FTE_MONTH, forecast_views
from insight.selectors_geography import PostcodeNotFound, area_charts, cases_near, density_map
from insight.selectors_trends import control_chart
from insight.services_trends import ReviewAlreadyOpen, alert_cases, systemic_review_open

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
    chart = dashboard_chart(slug=slug, user=request.user, today=timezone.localdate())
    if chart is None:
        chart = {c.slug: c for c in area_charts()}.get(slug)
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


@require_safe
def geography(request):
    _check_access(request)
    form = NearPostcodeForm(request.GET or None)
    nearby = None
    if form.is_valid():
        try:
            nearby = cases_near(
                postcode=form.cleaned_data["postcode"], radius_km=form.cleaned_data["radius"]
            )
        except PostcodeNotFound:
            form.add_error("postcode", "We do not have that postcode in our postcode directory")
    return render(
        request,
        "insight/staff/geography.html",
        {"form": form, "nearby": nearby, "charts": area_charts(), "map": density_map()},
    )


ALERTS_SHOWN = 200


@require_safe
def alerts(request):
    _check_access(request)
    rows = TrendAlert.objects.select_related("review").order_by("-week_start", "organisation_name")
    return render(request, "insight/staff/alerts.html", {"alerts": rows[:ALERTS_SHOWN]})


@require_http_methods(["GET", "HEAD", "POST"])
def alert(request, pk):
    _check_access(request)
    trend = get_object_or_404(TrendAlert.objects.select_related("review"), pk=pk)
    may_open = request.user.has_perm("insight.open_systemic_review")
    form = SystemicReviewForm(request.POST or None, initial={"title": str(trend)})
    if request.method == "POST":
        if not may_open:
            raise PermissionDenied("Only managers can open a systemic review.")
        if form.is_valid():
            try:
                systemic_review_open(
                    alert=trend, actor=request.user, title=form.cleaned_data["title"]
                )
            except ReviewAlreadyOpen as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Systemic review opened with the cases below.")
            return redirect("insight_staff:alert", pk=trend.pk)
    return render(
        request,
        "insight/staff/alert.html",
        {
            "alert": trend,
            "chart": control_chart(trend),
            "cases": alert_cases(trend)[:ALERTS_SHOWN],
            "form": form,
            "may_open": may_open,
        },
    )


@require_safe
def forecasts(request):
    _check_access(request)
    return render(
        request,
        "insight/staff/forecasts.html",
        {
            "forecasts": forecast_views(),
            "hours_per_case": HOURS_PER_CASE,
            "hours_per_fte": HOURS_PER_FTE_MONTH,
        },
    )
