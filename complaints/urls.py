from django.urls import path

from complaints import account_views, views

app_name = "complaints"

urlpatterns = [
    path("", views.start, name="start"),
    path("cases/", account_views.case_list, name="cases"),
    path("cases/<str:reference>", account_views.case_detail, name="case"),
    path("cases/<str:reference>/messages", account_views.case_messages, name="messages"),
    path("cases/<str:reference>/letters", account_views.case_letters, name="letters"),
    path("cases/<str:reference>/withdraw", account_views.case_withdraw, name="withdraw"),
    path("cases/<str:reference>/feedback", account_views.case_feedback, name="feedback"),
    path("cases/<str:reference>/evidence", views.evidence, name="evidence"),
    path(
        "cases/<str:reference>/evidence/uploaded",
        views.evidence_uploaded,
        name="evidence_uploaded",
    ),
    path(
        "cases/<str:reference>/documents/<int:document_id>/download",
        views.document_download,
        name="document_download",
    ),
    path("your-details", account_views.your_details, name="your_details"),
    path("your-details/phone", account_views.your_phone, name="your_phone"),
    path("your-details/address", account_views.your_address, name="your_address"),
    path(
        "your-details/contact-method",
        account_views.your_contact_method,
        name="your_contact_method",
    ),
    path("your-details/adjustments", account_views.your_adjustments, name="your_adjustments"),
]
