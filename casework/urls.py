from django.urls import path

from casework import views, views_coding, views_decisions, views_precedents

app_name = "casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/nhs-patient", views.pds_match, name="pds_match"),
    path("cases/<str:reference>/documents", views.case_documents, name="case_documents"),
    path(
        "cases/<str:reference>/documents/uploaded",
        views.case_documents_uploaded,
        name="case_documents_uploaded",
    ),
    path(
        "cases/<str:reference>/documents/<int:document_id>/download",
        views.document_download,
        name="document_download",
    ),
    path(
        "cases/<str:reference>/documents/<int:document_id>/delete",
        views.document_delete_confirm,
        name="document_delete",
    ),
    path("documents/pending", views.documents_pending, name="documents_pending"),
]

urlpatterns += [
    path("queues/<slug:queue>", views.queue, name="queue"),
    path("cases/<str:reference>", views.case_detail, name="case_detail"),
    path("cases/<str:reference>/transition", views.case_transition_view, name="case_transition"),
    path("cases/<str:reference>/assign", views.case_assign_view, name="case_assign"),
    path(
        "cases/<str:reference>/organisations/<int:case_organisation_id>/confirm",
        views.case_organisation_confirm_view,
        name="case_organisation_confirm",
    ),
    path(
        "cases/<str:reference>/equality-information",
        views.case_demographics_view,
        name="case_demographics",
    ),
    path("cases/<str:reference>/notes", views.case_note_add_view, name="case_note_add"),
    path("cases/<str:reference>/messages", views.case_message_send_view, name="case_message_send"),
    path("cases/<str:reference>/links", views.case_links_view, name="case_links"),
    path("cases/<str:reference>/audit", views.case_audit, name="case_audit"),
    path("users/<int:user_id>/activity", views.user_activity_view, name="user_activity"),
    path("people/<int:user_id>", views.person, name="person"),
    path("teams", views.teams, name="teams"),
    path("teams/<int:team_id>", views.team_detail, name="team"),
]

# Evidence requests to organisations, letters and decisions (casework/views_decisions.py).
urlpatterns += [
    path(
        "cases/<str:reference>/evidence-requests",
        views_decisions.evidence_requests,
        name="evidence_requests",
    ),
    path(
        "cases/<str:reference>/evidence-requests/new",
        views_decisions.evidence_request_new,
        name="evidence_request_new",
    ),
    path(
        "cases/<str:reference>/evidence-requests/<int:evidence_request_id>/response",
        views_decisions.evidence_request_response,
        name="evidence_request_response",
    ),
    path(
        "cases/<str:reference>/evidence-requests/<int:evidence_request_id>/extension",
        views_decisions.evidence_request_extension,
        name="evidence_request_extension",
    ),
    path(
        "cases/<str:reference>/evidence-requests/<int:evidence_request_id>/withdrawal",
        views_decisions.evidence_request_withdrawal,
        name="evidence_request_withdrawal",
    ),
    path(
        "organisations/<int:organisation_id>",
        views_decisions.organisation_detail,
        name="organisation",
    ),
    path("cases/<str:reference>/letters", views_decisions.letters, name="letters"),
    path(
        "cases/<str:reference>/letters/<int:document_id>/send",
        views_decisions.letter_send_view,
        name="letter_send",
    ),
    path("cases/<str:reference>/decision", views_decisions.decision, name="decision"),
    path(
        "cases/<str:reference>/decision/provisional-report",
        views_decisions.provisional_report,
        name="decision_provisional_report",
    ),
    path(
        "cases/<str:reference>/decision/comments",
        views_decisions.provisional_comment,
        name="decision_comment",
    ),
    path(
        "cases/<str:reference>/decision/recommendations",
        views_decisions.recommendation_new,
        name="decision_recommendation",
    ),
    path(
        "cases/<str:reference>/decision/recommendations/<int:recommendation_id>/compliance",
        views_decisions.recommendation_compliance,
        name="decision_compliance",
    ),
    path(
        "cases/<str:reference>/decision/summary",
        views_decisions.public_summary,
        name="decision_summary",
    ),
    path(
        "cases/<str:reference>/decision/summary/check",
        views_decisions.redaction_check,
        name="decision_redaction",
    ),
    path(
        "cases/<str:reference>/decision/publish", views_decisions.publish, name="decision_publish"
    ),
]

urlpatterns += [
    path("people/<int:user_id>/merge", views.person_merge_search, name="person_merge_search"),
    path(
        "people/<int:user_id>/merge/<int:other_id>",
        views.person_merge_confirm,
        name="person_merge_confirm",
    ),
    path(
        "people/merges/<int:merge_id>/reverse",
        views.person_merge_reverse_confirm,
        name="person_merge_reverse",
    ),
]

# Clinical codes suggested for a case, and a caseworker's review of them (casework/views_coding.py).
urlpatterns += [
    path("cases/<str:reference>/codes", views_coding.case_codes, name="case_codes"),
    path(
        "cases/<str:reference>/codes/<int:code_id>/<slug:decision>",
        views_coding.clinical_code_review_view,
        name="clinical_code_review",
    ),
    path(
        "cases/<str:reference>/codes/runs/<int:run_id>/confirm-present",
        views_coding.clinical_codes_confirm_present_view,
        name="clinical_codes_confirm_present",
    ),
]

# Precedent checks on a case, and the triage models' reports (casework/views_precedents.py).
urlpatterns += [
    path("cases/<str:reference>/precedents", views_precedents.precedents, name="precedents"),
    path(
        "cases/<str:reference>/precedents/find",
        views_precedents.precedents_find_view,
        name="precedents_find",
    ),
    path(
        "cases/<str:reference>/precedents/<int:suggestion_id>/feedback",
        views_precedents.precedent_feedback,
        name="precedent_feedback",
    ),
    path("triage-models", views_precedents.triage_models, name="triage_models"),
]
