from django.urls import path

from portals import views_links, views_org

app_name = "org_portal"

urlpatterns = [
    path("", views_org.choose, name="choose"),
    path("invitation/<str:token>", views_links.invitation, name="invitation"),
    path("<int:organisation_id>/", views_org.home, name="home"),
    path(
        "<int:organisation_id>/evidence-requests/",
        views_org.evidence_requests,
        name="evidence_requests",
    ),
    path(
        "<int:organisation_id>/evidence-requests/<int:evidence_request_id>",
        views_org.evidence_request,
        name="evidence_request",
    ),
    path(
        "<int:organisation_id>/evidence-requests/<int:evidence_request_id>/more-time",
        views_org.evidence_request_more_time,
        name="more_time",
    ),
    path("<int:organisation_id>/cases/<str:reference>", views_org.case_detail, name="case"),
    path(
        "<int:organisation_id>/cases/<str:reference>/messages",
        views_org.case_messages,
        name="case_messages",
    ),
    path(
        "<int:organisation_id>/cases/<str:reference>/provisional-report",
        views_org.provisional_report,
        name="provisional_report",
    ),
    path(
        "<int:organisation_id>/recommendations/", views_org.recommendations, name="recommendations"
    ),
    path(
        "<int:organisation_id>/recommendations/<int:recommendation_id>",
        views_org.recommendation,
        name="recommendation",
    ),
    path("<int:organisation_id>/users/", views_org.users, name="users"),
    path("<int:organisation_id>/users/invite", views_org.users_invite, name="users_invite"),
    path(
        "<int:organisation_id>/users/<int:membership_id>/remove",
        views_org.users_remove,
        name="users_remove",
    ),
    path("<int:organisation_id>/insight/", views_org.insight_page, name="insight"),
]
