from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("", views.index, name="index"),
    path("you-said-we-did", views.you_said_we_did, name="you_said_we_did"),
    path("decisions", views.decisions, name="decisions"),
    path("decisions.csv", views.decisions_csv, name="decisions_csv"),
    path("decisions/<str:reference>", views.decision, name="decision"),
    path("counts/<str:by>.csv", views.counts_csv, name="counts_csv"),
    path("organisations/<int:pk>", views.organisation, name="organisation"),
    path("constituencies/<str:code>", views.constituency, name="constituency"),
    path("performance", views.performance, name="performance"),
    path("performance.csv", views.performance_csv, name="performance_csv"),
]
