from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff-security-code", views.staff_verify, name="staff_verify"),
    path("staff-authenticator", views.staff_setup, name="staff_setup"),
]
