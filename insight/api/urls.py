from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from insight.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("decisions/", views.PublishedDecisionList.as_view(), name="decision-list"),
    path(
        "decisions/<str:reference>/",
        views.PublishedDecisionDetail.as_view(),
        name="decision-detail",
    ),
    path("counts/<str:by>/", views.CaseCounts.as_view(), name="counts"),
]
