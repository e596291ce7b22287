from django.urls import path

from portals import views_staff

app_name = "portals_staff"

urlpatterns = [
    path("extension-requests/", views_staff.extension_requests, name="extension_requests"),
    path(
        "extension-requests/<int:extension_id>",
        views_staff.extension_request,
        name="extension_request",
    ),
    path("offices/", views_staff.offices, name="offices"),
    path("referrals/", views_staff.referrals, name="referrals"),
    path("messages/", views_staff.portal_messages, name="messages"),
    path(
        "cases/<str:reference>/mp-office-messages", views_staff.office_thread, name="office_thread"
    ),
    path(
        "cases/<str:reference>/organisations/<int:organisation_id>/messages",
        views_staff.organisation_thread,
        name="organisation_thread",
    ),
    path("referrals/<int:referral_id>", views_staff.referral, name="referral"),
    path("offices/<int:office_id>/handover", views_staff.handover, name="handover"),
]
