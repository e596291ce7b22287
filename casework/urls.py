from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/nhs-patient", views.pds_match, name="pds_match"),
    path("cases/<str:reference>/documents", views.case_documents, name="case_documents"),
    path(
        "cases/<str:reference>/documents/uploaded",
        views.case_documents_uploaded,
        name="case_documents_uploaded",
    ),
    path(
        "cases/<str:reference>/documents/<int:document_id>/download",
        views.document_download,
        name="document_download",
    ),
    path(
        "cases/<str:reference>/documents/<int:document_id>/delete",
        views.document_delete_confirm,
        name="document_delete",
    ),
    path("documents/pending", views.documents_pending, name="documents_pending"),
]
