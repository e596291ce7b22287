from django.urls import path

from accounts import views, views_directory

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff-security-code", views.staff_verify, name="staff_verify"),
    path("staff-authenticator", views.staff_setup, name="staff_setup"),
    path(
        "organisations/search", views_directory.organisation_search_page, name="organisation_search"
    ),
    path(
        "organisations/search.json",
        views_directory.organisation_search_json,
        name="organisation_search_json",
    ),
]
