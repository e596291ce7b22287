from django.urls import path

from complaints import form_views as views

app_name = "complaint_form"

urlpatterns = [
    path("", views.start, name="start"),
    path("drafts", views.drafts, name="drafts"),
    path("return/<str:token>", views.return_link, name="return"),
    path("<uuid:draft_id>/", views.task_list, name="task_list"),
    path("<uuid:draft_id>/resume", views.resume, name="resume"),
    path("<uuid:draft_id>/organisations", views.organisations, name="organisations"),
    path(
        "<uuid:draft_id>/organisations/not-listed",
        views.organisation_not_listed,
        name="organisation_not_listed",
    ),
    path("<uuid:draft_id>/ask-an-mp", views.mp_referral, name="mp_referral"),
    path("<uuid:draft_id>/check-your-answers", views.check_answers, name="check_answers"),
    path("<uuid:draft_id>/complaint-sent", views.sent, name="sent"),
    path("<uuid:draft_id>/save", views.save, name="save"),
    path("<uuid:draft_id>/save/link-sent", views.save_sent, name="save_sent"),
    path("<uuid:draft_id>/files/<slug:step>", views.draft_files_upload, name="files_upload"),
    path(
        "<uuid:draft_id>/files/<slug:step>/<int:document_id>/remove",
        views.draft_file_remove,
        name="file_remove",
    ),
    path("<uuid:draft_id>/<slug:step>", views.step, name="step"),
]
