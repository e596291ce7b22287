from django.urls import path

from foi import views
from foi.feeds import DisclosureLogFeed

app_name = "foi"

urlpatterns = [
    path("", views.start, name="start"),
    path("ask", views.ask, name="ask"),
    path("ask/check", views.ask_check, name="ask_check"),
    path("confirmation", views.confirmation, name="confirmation"),
    path("personal-data", views.personal_data, name="personal_data"),
    path("personal-data/check", views.personal_data_check, name="personal_data_check"),
    path("yours", views.mine, name="mine"),
    path("yours/<str:reference>", views.mine_detail, name="mine_detail"),
    path("my-data", views.my_data, name="my_data"),
    path("my-data/<int:export_id>/download", views.my_data_download, name="my_data_download"),
    path("disclosure-log", views.disclosure_log, name="disclosure_log"),
    path("disclosure-log/feed", DisclosureLogFeed(), name="disclosure_feed"),
    path("disclosure-log/<str:reference>", views.disclosure_detail, name="disclosure_detail"),
    path(
        "disclosure-log/<str:reference>/attachments/<int:document_id>",
        views.disclosure_attachment,
        name="disclosure_attachment",
    ),
    path("performance", views.performance, name="performance"),
]
