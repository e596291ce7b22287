from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.start, name="start"),
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
]
