from django.urls import path

from insight import views_staff

app_name = "insight_staff"

urlpatterns = [
    path("", views_staff.dashboard, name="dashboard"),
    path("charts/<slug:slug>.csv", views_staff.chart_csv, name="chart_csv"),
    path("search", views_staff.search_queries, name="search"),
    path("geography", views_staff.geography, name="geography"),
    path("alerts", views_staff.alerts, name="alerts"),
    path("forecasts", views_staff.forecasts, name="forecasts"),
    path("alerts/<int:pk>", views_staff.alert, name="alert"),
]
