from django.urls import path

from foi import staff_views

app_name = "foi_staff"

urlpatterns = [
    path("", staff_views.request_list, name="list"),
    path("log", staff_views.request_log, name="log"),
    path("<str:reference>", staff_views.request_detail, name="detail"),
    path("<str:reference>/attach", staff_views.request_attach, name="attach"),
    path("<str:reference>/publish", staff_views.request_publish, name="publish"),
    path(
        "<str:reference>/documents/<int:document_id>", staff_views.request_document, name="document"
    ),
    path("<str:reference>/<slug:action>", staff_views.request_action, name="action"),
]
