from django.urls import path

from portals import views_links, views_mp

app_name = "mp_portal"

urlpatterns = [
    path("", views_mp.home, name="home"),
    path("cases/<str:reference>", views_mp.case_detail, name="case"),
    path("cases/<str:reference>/messages", views_mp.case_messages, name="case_messages"),
    path("refer/", views_mp.refer_constituent, name="refer_constituent"),
    path("refer/complaint", views_mp.refer_complaint, name="refer_complaint"),
    path("refer/consent", views_mp.refer_consent, name="refer_consent"),
    path("team/", views_mp.team, name="team"),
    path("team/invite", views_mp.team_invite, name="team_invite"),
    path("team/<int:membership_id>", views_mp.team_member, name="team_member"),
    path("insight/", views_mp.insight_page, name="insight"),
    path("insight.csv", views_mp.insight_csv, name="insight_csv"),
    path("invitation/<str:token>", views_links.invitation, name="invitation"),
    path("consent/<str:token>", views_links.consent, name="consent"),
    path("share/", views_mp.share_request, name="share_request"),
    path("share/<str:token>", views_links.share_confirm, name="share_confirm"),
]
