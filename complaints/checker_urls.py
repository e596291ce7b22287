from django.urls import path

from complaints import checker_views as views
from complaints.checker import Outcome

app_name = "checker"

urlpatterns = [
    path("", views.start, name="start"),
    path("start-again", views.start_again, name="start_again"),
    path("what-is-it-about", views.OrganisationTypeView.as_view(), name="organisation_type"),
    path("which-country", views.NationView.as_view(), name="nation"),
    path("which-organisation", views.OrganisationView.as_view(), name="organisation"),
    path("have-you-complained", views.ComplainedView.as_view(), name="complained"),
    path("how-long-ago", views.WaitedView.as_view(), name="waited"),
    path("when-did-you-find-out", views.AwareView.as_view(), name="aware"),
    path("why-did-it-take-longer", views.LateReasonView.as_view(), name="late_reason"),
    path("find-your-mp", views.PostcodeView.as_view(), name="postcode"),
    path("choose-your-constituency", views.ConstituencyView.as_view(), name="constituency"),
    path(
        "you-can-complain",
        views.OutcomeView.as_view(outcome=Outcome.READY),
        name="ready",
    ),
    path(
        "complain-to-the-organisation-first",
        views.OutcomeView.as_view(outcome=Outcome.COMPLAIN_FIRST),
        name="complain_first",
    ),
    path(
        "get-a-final-response-first",
        views.OutcomeView.as_view(outcome=Outcome.FINISH_COMPLAINT),
        name="finish_complaint",
    ),
    path(
        "who-can-help",
        views.OutcomeView.as_view(outcome=Outcome.OTHER_ROUTE),
        name="other_route",
    ),
    path(
        "ask-an-mp",
        views.OutcomeView.as_view(outcome=Outcome.ASK_MP),
        name="ask_mp",
    ),
    path("letter.txt", views.letter_download, {"extension": "txt"}, name="letter_txt"),
    path("letter.docx", views.letter_download, {"extension": "docx"}, name="letter_docx"),
]
