from django.urls import path

from foi import views

app_name = "foi"

urlpatterns = [
    path("", views.start, name="start"),
]
