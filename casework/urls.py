from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/nhs-patient", views.pds_match, name="pds_match"),
]
