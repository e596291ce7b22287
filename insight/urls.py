from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("", views.index, name="index"),
    path("you-said-we-did", views.you_said_we_did, name="you_said_we_did"),
]
