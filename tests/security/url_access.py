"""Who may open each named URL: the declared outcome of a GET (and, where it differs or the URL
takes only POST, of a POST) for every role in tests/security/world.py.

Outcomes: 200; LOGIN (sent to the sign-in page); REDIRECT (sent elsewhere: a signed-in person
away from the sign-in page, a form back to its first question, verified staff to the
authenticator pages they do not need, staff without the admin role to the admin's login, which
refuses them); 403; 404 (the object is scoped away, or does not exist for this person); 405
(method); ALLOWED (a POST this role may make: not sent, so that the shared objects stay as built).

A URL with parameters is tried with the role's own objects and, where scoping applies, with
someone else's. The anonymous, complainant, MP office and organisation people each own something
in the world: see its docstring.
"""

from tests.security.matrix import (
    ALLOWED,
    LOGIN,
    REDIRECT,
    Access,
    row,
    staff_only,
)

PUBLIC = row(200)
SIGNED_IN = row(200, anonymous=LOGIN)
# Reached by the complainant only, on their own objects; everyone else gets a 404 that does not
# reveal the object exists, and the anonymous are asked to sign in first.
COMPLAINANT_OWN = row(404, anonymous=LOGIN, complainant=200)
NOBODY_SIGNED_IN = row(404, anonymous=LOGIN)
MP_OFFICE_OWN = row(404, anonymous=LOGIN, mp_office=200)
ORGANISATION_OWN = row(404, anonymous=LOGIN, organisation=200)
CASEWORK = staff_only(200, foi_officer=403, analyst=403)
CASEWORK_POST = staff_only(ALLOWED, foi_officer=403, analyst=403)
CASEWORK_SCOPED_AWAY = staff_only(404, foi_officer=403, analyst=403)
MANAGERS = staff_only(403, manager=200, administrator=200)
MANAGERS_POST = staff_only(403, manager=ALLOWED, administrator=ALLOWED)
FOI_STAFF = staff_only(200, caseworker=403, analyst=403)
INSIGHT_STAFF = staff_only(403, manager=200, analyst=200, administrator=200)
# Staff without the admin's own permission are sent to its login page, which refuses them.
ADMIN = staff_only(REDIRECT, administrator=200)
ADMIN_POST_ONLY = staff_only(REDIRECT, administrator=405)
# Pages the admin offers no one: cases are made by the service, feedback by complainants, and
# neither is deleted by hand (records of what happened).
ADMIN_REFUSED = staff_only(REDIRECT, administrator=403)

# The open data API does not read the session (no authentication classes), so what it returns is
# the same for everyone and may be cached even when the caller happens to be signed in.
SESSIONLESS = frozenset({"api:schema", "api:decision-list", "api:decision-detail", "api:counts"})


def literal(*values):
    return lambda w: list(values)


def ref(name):
    return lambda w: [getattr(w, name).reference]


def pk(*names):
    return lambda w: [getattr(w, name).pk for name in names]


def ref_pk(reference_of, pk_of):
    return lambda w: [getattr(w, reference_of).reference, getattr(w, pk_of).pk]


def draft(name, *rest, pk_of=None):
    extra = [pk_of] if pk_of else []
    return lambda w: [getattr(w, name).public_id, *rest, *(getattr(w, e).pk for e in extra)]


URLS = {
    "accessibility": Access(None, PUBLIC),
    "account_change_password": Access(None, SIGNED_IN),
    "account_confirm_email": Access(literal("forged-key"), PUBLIC),
    "account_confirm_login_code": Access(None, row(REDIRECT, anonymous=LOGIN)),
    "account_confirm_reauthentication_code": Access(None, row(REDIRECT, anonymous=LOGIN)),
    "account_email": Access(None, SIGNED_IN),
    "account_email_verification_sent": Access(None, PUBLIC),
    "account_inactive": Access(None, PUBLIC),
    "account_login": Access(None, row(REDIRECT, anonymous=200)),
    "account_logout": Access(None, row(200, anonymous=REDIRECT)),
    "account_reauthenticate": Access(None, SIGNED_IN),
    "account_request_reauthentication_code": Access(None, SIGNED_IN),
    "account_reset_password": Access(None, PUBLIC),
    "account_reset_password_done": Access(None, PUBLIC),
    "account_reset_password_from_key": Access(literal("1", "forged-key"), PUBLIC),
    "account_reset_password_from_key_done": Access(None, PUBLIC),
    "account_set_password": Access(None, row(REDIRECT, anonymous=LOGIN)),
    "account_signup": Access(None, row(REDIRECT, anonymous=200)),
    "accounts:home": Access(None, SIGNED_IN),
    "accounts:organisation_search": Access(None, PUBLIC),
    "accounts:organisation_search_json": Access(None, PUBLIC),
    "accounts:staff_setup": Access(None, staff_only(REDIRECT)),
    "accounts:staff_verify": Access(None, staff_only(REDIRECT)),
    "api:counts": Access(literal("sector"), PUBLIC),
    "api:decision-detail": (
        Access(ref("published_case"), PUBLIC, post=row(405)),
        Access(ref("unpublished_case"), row(404), post=row(405)),
    ),
    "api:decision-list": Access(None, PUBLIC),
    "api:schema": Access(None, PUBLIC),
    "casework:case_assign": Access(ref("own_case"), staff_only(200, foi_officer=403, analyst=403)),
    "casework:case_audit": Access(
        ref("own_case"), staff_only(403, manager=200, administrator=200), post=staff_only(405)
    ),
    "casework:case_codes": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:case_demographics": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:case_detail": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:case_documents": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:case_documents_uploaded": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:case_links": Access(ref("own_case"), staff_only(200, foi_officer=403, analyst=403)),
    "casework:case_message_send": Access(
        ref("own_case"), staff_only(405), post=staff_only(ALLOWED, foi_officer=403, analyst=403)
    ),
    "casework:case_note_add": Access(
        ref("own_case"), staff_only(405), post=staff_only(ALLOWED, foi_officer=403, analyst=403)
    ),
    "casework:case_organisation_confirm": (
        Access(
            lambda w: [w.own_case.reference, w.own_case.case_organisations.first().pk],
            staff_only(405),
            post=CASEWORK_POST,
        ),
        Access(
            lambda w: [w.own_case.reference, w.others_case.case_organisations.first().pk],
            staff_only(405),
            post=CASEWORK_SCOPED_AWAY,
        ),
    ),
    "casework:case_transition": Access(
        ref("own_case"), staff_only(REDIRECT, foi_officer=403, analyst=403)
    ),
    "casework:clinical_code_review": (
        Access(
            lambda w: [w.own_case.reference, w.own_code.pk, "confirm"],
            staff_only(405),
            post=CASEWORK_POST,
        ),
        # Another case's code under this case's address is not found, even by those who may
        # review codes.
        Access(
            lambda w: [w.own_case.reference, w.others_code.pk, "confirm"],
            staff_only(405),
            post=CASEWORK_SCOPED_AWAY,
        ),
    ),
    "casework:clinical_codes_confirm_present": (
        Access(ref_pk("own_case", "own_coding_run"), staff_only(405), post=CASEWORK_POST),
        Access(ref_pk("own_case", "others_coding_run"), staff_only(405), post=CASEWORK_SCOPED_AWAY),
    ),
    "casework:decision": Access(ref("own_case"), staff_only(200, foi_officer=403, analyst=403)),
    "casework:decision_comment": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:decision_compliance": (
        Access(ref_pk("own_case", "recommendation_a"), CASEWORK),
        Access(ref_pk("own_case", "recommendation_b"), CASEWORK_SCOPED_AWAY),
    ),
    "casework:decision_provisional_report": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:decision_publish": Access(
        ref("own_case"), staff_only(405), post=staff_only(ALLOWED, foi_officer=403, analyst=403)
    ),
    "casework:decision_recommendation": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:decision_redaction": Access(
        ref("own_case"), staff_only(REDIRECT, foi_officer=403, analyst=403)
    ),
    "casework:decision_summary": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:document_delete": (
        Access(ref_pk("own_case", "own_document"), CASEWORK, post=CASEWORK_POST),
        Access(ref_pk("own_case", "others_document"), CASEWORK_SCOPED_AWAY),
    ),
    "casework:document_download": (
        Access(ref_pk("own_case", "own_document"), CASEWORK, post=staff_only(405)),
        Access(ref_pk("own_case", "others_document"), CASEWORK_SCOPED_AWAY, post=staff_only(405)),
    ),
    "casework:documents_pending": Access(
        None, staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:evidence_request_extension": (
        Access(ref_pk("own_case", "request_a"), CASEWORK),
        Access(ref_pk("own_case", "request_b"), CASEWORK_SCOPED_AWAY),
    ),
    "casework:evidence_request_new": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "casework:evidence_request_response": (
        Access(ref_pk("own_case", "request_a"), CASEWORK),
        Access(ref_pk("own_case", "request_b"), CASEWORK_SCOPED_AWAY),
    ),
    "casework:evidence_request_withdrawal": (
        Access(ref_pk("own_case", "request_a"), CASEWORK),
        Access(ref_pk("own_case", "request_b"), CASEWORK_SCOPED_AWAY),
    ),
    "casework:evidence_requests": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:home": Access(None, staff_only(200)),
    "casework:letters": Access(ref("own_case"), staff_only(200, foi_officer=403, analyst=403)),
    "casework:letter_send": (
        Access(ref_pk("own_case", "own_letter"), staff_only(405), post=CASEWORK_POST),
        # A letter of another case, under this case's address: not found, not sent.
        Access(ref_pk("own_case", "others_letter"), staff_only(405), post=CASEWORK_SCOPED_AWAY),
    ),
    "casework:organisation": Access(
        pk("org_a"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:pds_match": Access(ref("own_case"), staff_only(200, foi_officer=403, analyst=403)),
    "casework:person": Access(
        lambda w: [w.users["complainant"].pk],
        staff_only(200, foi_officer=403, analyst=403),
        post=staff_only(405),
    ),
    "casework:person_merge_confirm": Access(
        lambda w: [w.users["complainant"].pk, w.someone_else.pk],
        staff_only(403, manager=200, administrator=200),
    ),
    "casework:person_merge_reverse": Access(
        pk("merge"), staff_only(403, manager=200, administrator=200)
    ),
    "casework:person_merge_search": Access(
        lambda w: [w.users["complainant"].pk],
        staff_only(403, manager=200, administrator=200),
        post=staff_only(405),
    ),
    "casework:precedent_feedback": (
        Access(ref_pk("own_case", "own_suggestion"), staff_only(405), post=CASEWORK_POST),
        Access(ref_pk("own_case", "others_suggestion"), staff_only(405), post=CASEWORK_SCOPED_AWAY),
    ),
    "casework:precedents": Access(
        ref("own_case"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:precedents_find": Access(
        ref("own_case"), staff_only(405), post=staff_only(ALLOWED, foi_officer=403, analyst=403)
    ),
    "casework:queue": Access(literal("unassigned"), staff_only(200, foi_officer=403, analyst=403)),
    "casework:team": Access(
        pk("team"), staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:teams": Access(
        None, staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "casework:triage_models": Access(
        None, staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "casework:user_activity": Access(
        lambda w: [w.users["complainant"].pk],
        staff_only(403, manager=200, administrator=200),
        post=staff_only(405),
    ),
    "checker:ask_mp": Access(None, row(REDIRECT)),
    "checker:aware": Access(None, row(REDIRECT)),
    "checker:complain_first": Access(None, row(REDIRECT)),
    "checker:complained": Access(None, row(REDIRECT)),
    "checker:constituency": Access(None, row(REDIRECT)),
    "checker:finish_complaint": Access(None, row(REDIRECT)),
    "checker:late_reason": Access(None, row(REDIRECT)),
    "checker:letter_docx": Access(None, row(404), post=row(405)),
    "checker:letter_txt": Access(None, row(404), post=row(405)),
    "checker:nation": Access(None, row(REDIRECT)),
    "checker:organisation": Access(None, row(REDIRECT)),
    "checker:organisation_type": Access(None, PUBLIC),
    "checker:other_route": Access(None, row(REDIRECT)),
    "checker:postcode": Access(None, row(REDIRECT)),
    "checker:ready": Access(None, row(REDIRECT)),
    "checker:start": Access(None, row(REDIRECT)),
    "checker:start_again": Access(None, row(405), post=row(ALLOWED)),
    "checker:waited": Access(None, row(REDIRECT)),
    "complaint_form:check_answers": (
        Access(draft("own_draft"), row(404, complainant=REDIRECT)),
        Access(draft("others_draft"), row(404)),
    ),
    "complaint_form:drafts": Access(None, SIGNED_IN),
    "complaint_form:file_remove": (
        Access(
            draft("own_draft", "evidence", pk_of="own_document"),
            row(405, anonymous=LOGIN),
            post=row(404, anonymous=LOGIN),
        ),
        Access(
            draft("others_draft", "evidence", pk_of="others_document"),
            row(405, anonymous=LOGIN),
            post=row(404, anonymous=LOGIN),
        ),
    ),
    "complaint_form:files_upload": (
        Access(draft("own_draft", "evidence"), row(405), post=row(404, anonymous=LOGIN)),
        Access(draft("others_draft", "evidence"), row(405), post=row(404, anonymous=LOGIN)),
    ),
    "complaint_form:mp_referral": (
        Access(draft("own_draft"), row(404, complainant=200), post=row(405)),
        Access(draft("others_draft"), row(404), post=row(405)),
    ),
    "complaint_form:organisation_not_listed": (
        Access(draft("own_draft"), row(404, complainant=REDIRECT)),
        Access(draft("others_draft"), row(404)),
    ),
    "complaint_form:organisations": (
        Access(draft("own_draft"), row(404, complainant=REDIRECT)),
        Access(draft("others_draft"), row(404)),
    ),
    "complaint_form:resume": (
        Access(draft("own_draft"), row(404, complainant=REDIRECT), post=row(405)),
        Access(draft("others_draft"), row(404), post=row(405)),
    ),
    "complaint_form:return": Access(literal("forged-token"), row(404)),
    "complaint_form:save": (
        Access(draft("own_draft"), row(404, complainant=200)),
        Access(draft("others_draft"), row(404)),
    ),
    "complaint_form:save_sent": (
        Access(draft("own_draft"), row(404, complainant=200), post=row(405)),
        Access(draft("others_draft"), row(404), post=row(405)),
    ),
    "complaint_form:sent": (
        Access(
            draft("own_draft"),
            row(404, anonymous=LOGIN, complainant=REDIRECT),
            post=row(405, anonymous=LOGIN),
        ),
        Access(draft("others_draft"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "complaint_form:start": Access(None, PUBLIC),
    "complaint_form:step": (
        Access(draft("own_draft", "your-name"), row(404, complainant=REDIRECT)),
        Access(draft("others_draft", "your-name"), row(404)),
    ),
    "complaint_form:task_list": (
        Access(draft("own_draft"), row(404, complainant=200), post=row(405)),
        Access(draft("others_draft"), row(404), post=row(405)),
    ),
    "complaints:case": (
        Access(
            ref("own_case"),
            row(404, anonymous=LOGIN, complainant=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(ref("others_case"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "complaints:cases": Access(
        None,
        row(404, anonymous=LOGIN, complainant=200, mp_office=200, organisation=200),
        post=row(405, anonymous=LOGIN),
    ),
    "complaints:document_download": (
        Access(
            ref_pk("own_case", "own_document"),
            row(404, anonymous=LOGIN, complainant=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(
            ref_pk("own_case", "internal_document"),
            row(404, anonymous=LOGIN),
            post=row(405, anonymous=LOGIN),
        ),
        Access(
            ref_pk("others_case", "others_document"),
            row(404, anonymous=LOGIN),
            post=row(405, anonymous=LOGIN),
        ),
    ),
    "complaints:evidence": (
        Access(ref("own_case"), row(404, anonymous=LOGIN, complainant=200)),
        Access(ref("others_case"), row(404, anonymous=LOGIN)),
    ),
    "complaints:evidence_uploaded": (
        Access(
            ref("own_case"),
            row(404, anonymous=LOGIN, complainant=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(ref("others_case"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "complaints:feedback": (
        Access(ref("own_case"), row(404, anonymous=LOGIN, complainant=200)),
        Access(ref("others_case"), row(404, anonymous=LOGIN)),
    ),
    "complaints:letters": (
        Access(
            ref("own_case"),
            row(404, anonymous=LOGIN, complainant=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(ref("others_case"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "complaints:messages": (
        Access(ref("own_case"), row(404, anonymous=LOGIN, complainant=200)),
        Access(ref("others_case"), row(404, anonymous=LOGIN)),
    ),
    "complaints:start": Access(None, PUBLIC),
    "complaints:withdraw": (
        Access(ref("own_case"), row(404, anonymous=LOGIN, complainant=200)),
        Access(ref("others_case"), row(404, anonymous=LOGIN)),
    ),
    "complaints:your_address": Access(
        None, row(404, anonymous=LOGIN, complainant=200, mp_office=200, organisation=200)
    ),
    "complaints:your_adjustments": Access(
        None, row(404, anonymous=LOGIN, complainant=200, mp_office=200, organisation=200)
    ),
    "complaints:your_contact_method": Access(
        None, row(404, anonymous=LOGIN, complainant=200, mp_office=200, organisation=200)
    ),
    "complaints:your_details": Access(
        None,
        row(404, anonymous=LOGIN, complainant=200, mp_office=200, organisation=200),
        post=row(405, anonymous=LOGIN),
    ),
    "complaints:your_phone": Access(
        None, row(404, anonymous=LOGIN, complainant=200, mp_office=200, organisation=200)
    ),
    "contact": Access(None, PUBLIC),
    "cookies": Access(None, PUBLIC),
    "foi:ask": Access(None, PUBLIC),
    "foi:ask_check": Access(None, row(REDIRECT)),
    "foi:confirmation": Access(None, row(404), post=row(405)),
    "foi:disclosure_attachment": (
        Access(ref_pk("disclosure", "disclosure_attachment"), PUBLIC),
        Access(ref_pk("disclosure", "request_document"), row(404), post=row(405)),
    ),
    "foi:disclosure_detail": (
        Access(ref("disclosure"), PUBLIC),
        Access(ref("own_info_request"), row(404), post=row(405)),
    ),
    "foi:disclosure_feed": Access(None, PUBLIC),
    "foi:disclosure_log": Access(None, PUBLIC),
    "foi:mine": Access(None, SIGNED_IN),
    "foi:mine_detail": (
        Access(
            ref("own_info_request"),
            row(404, anonymous=LOGIN, complainant=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(
            ref("others_info_request"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)
        ),
    ),
    "foi:my_data": Access(None, SIGNED_IN),
    "foi:my_data_download": (
        Access(
            pk("own_export"),
            row(404, anonymous=LOGIN, complainant=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(pk("others_export"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "foi:performance": Access(None, PUBLIC),
    "foi:personal_data": Access(None, PUBLIC),
    "foi:personal_data_check": Access(None, row(REDIRECT)),
    "foi:start": Access(None, PUBLIC),
    "foi_staff:action": (
        Access(
            lambda w: [w.own_info_request.reference, "sign_off"],
            staff_only(405),
            post=staff_only(403, manager=ALLOWED, foi_officer=ALLOWED),
        ),
        Access(
            lambda w: [w.own_info_request.reference, "assign"],
            staff_only(405),
            post=staff_only(ALLOWED, caseworker=403, analyst=403),
        ),
    ),
    "foi_staff:attach": Access(
        ref("own_info_request"),
        staff_only(405),
        post=staff_only(ALLOWED, caseworker=403, analyst=403),
    ),
    "foi_staff:detail": Access(
        ref("own_info_request"), staff_only(200, caseworker=403, analyst=403), post=staff_only(405)
    ),
    "foi_staff:document": Access(
        ref_pk("own_info_request", "request_document"),
        staff_only(200, caseworker=403, analyst=403),
        post=staff_only(405),
    ),
    "foi_staff:list": Access(
        None, staff_only(200, caseworker=403, analyst=403), post=staff_only(405)
    ),
    "foi_staff:log": Access(None, staff_only(200, caseworker=403, analyst=403)),
    "foi_staff:publish": Access(
        ref("own_info_request"), staff_only(403, manager=200, foi_officer=200)
    ),
    "healthz": Access(None, PUBLIC),
    "home": Access(None, PUBLIC),
    "insight:constituency": Access(lambda w: [w.constituency.code], PUBLIC),
    "insight:counts_csv": Access(literal("sector"), PUBLIC),
    "insight:decision": (
        Access(ref("published_case"), PUBLIC, post=row(405)),
        Access(ref("unpublished_case"), row(404), post=row(405)),
    ),
    "insight:decisions": Access(None, PUBLIC),
    "insight:decisions_csv": Access(None, PUBLIC),
    "insight:index": Access(None, PUBLIC),
    "insight:organisation": Access(pk("org_a"), PUBLIC),
    "insight:performance": Access(None, PUBLIC),
    "insight:performance_csv": Access(None, PUBLIC),
    "insight:you_said_we_did": Access(None, PUBLIC),
    "insight_staff:alert": Access(pk("alert"), staff_only(200, caseworker=403, foi_officer=403)),
    "insight_staff:alerts": Access(
        None, staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "insight_staff:chart_csv": Access(
        literal("outcomes"), staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "insight_staff:dashboard": Access(
        None, staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "insight_staff:forecasts": Access(
        None, staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "insight_staff:geography": Access(
        None, staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "insight_staff:search": Access(
        None, staff_only(200, caseworker=403, foi_officer=403), post=staff_only(405)
    ),
    "mfa_activate_totp": Access(None, row(REDIRECT, anonymous=LOGIN)),
    "mfa_authenticate": Access(None, row(REDIRECT, anonymous=LOGIN)),
    "mfa_deactivate_totp": Access(None, row(404, anonymous=LOGIN)),
    "mfa_download_recovery_codes": Access(None, row(404, anonymous=LOGIN, complainant=REDIRECT)),
    "mfa_generate_recovery_codes": Access(None, row(REDIRECT, anonymous=LOGIN)),
    "mfa_index": Access(None, SIGNED_IN),
    "mfa_reauthenticate": Access(None, row(REDIRECT, anonymous=LOGIN, complainant=200)),
    "mfa_view_recovery_codes": Access(
        None, row(404, anonymous=LOGIN, complainant=REDIRECT), post=row(405, anonymous=LOGIN)
    ),
    "mp_portal:case": (
        Access(
            ref("case_a"), row(404, anonymous=LOGIN, mp_office=200), post=row(405, anonymous=LOGIN)
        ),
        Access(ref("case_b"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "mp_portal:case_messages": (
        Access(ref("case_a"), row(404, anonymous=LOGIN, mp_office=200)),
        Access(ref("case_b"), row(404, anonymous=LOGIN)),
    ),
    "mp_portal:consent": Access(literal("forged-token"), row(404)),
    "mp_portal:home": Access(
        None, row(404, anonymous=LOGIN, mp_office=200), post=row(405, anonymous=LOGIN)
    ),
    "mp_portal:insight": Access(
        None, row(404, anonymous=LOGIN, mp_office=200), post=row(405, anonymous=LOGIN)
    ),
    "mp_portal:insight_csv": Access(
        None, row(404, anonymous=LOGIN, mp_office=200), post=row(405, anonymous=LOGIN)
    ),
    "mp_portal:invitation": Access(literal("forged-token"), row(404)),
    "mp_portal:refer_complaint": Access(None, row(404, anonymous=LOGIN, mp_office=REDIRECT)),
    "mp_portal:refer_consent": Access(None, row(404, anonymous=LOGIN, mp_office=REDIRECT)),
    "mp_portal:refer_constituent": Access(None, row(404, anonymous=LOGIN, mp_office=200)),
    "mp_portal:share_confirm": Access(literal("forged-token"), row(404, anonymous=LOGIN)),
    "mp_portal:share_request": Access(None, row(404, anonymous=LOGIN, mp_office=200)),
    "mp_portal:team": Access(
        None, row(404, anonymous=LOGIN, mp_office=200), post=row(405, anonymous=LOGIN)
    ),
    "mp_portal:team_invite": Access(None, row(404, anonymous=LOGIN, mp_office=200)),
    "mp_portal:team_member": (
        Access(lambda w: [w.office_a.memberships.get(user=w.office_a_member).pk], MP_OFFICE_OWN),
        # Another office's member, even to an office manager.
        Access(lambda w: [w.office_b.memberships.get(user=w.office_b_member).pk], NOBODY_SIGNED_IN),
    ),
    "org_portal:case": (
        Access(
            lambda w: [w.org_a.pk, w.own_case.reference],
            row(404, anonymous=LOGIN, organisation=200),
            post=row(405, anonymous=LOGIN),
        ),
        Access(
            lambda w: [w.org_a.pk, w.org_case_b.reference],
            row(404, anonymous=LOGIN),
            post=row(405, anonymous=LOGIN),
        ),
    ),
    "org_portal:case_messages": (
        Access(
            lambda w: [w.org_a.pk, w.own_case.reference],
            row(404, anonymous=LOGIN, organisation=200),
        ),
        Access(lambda w: [w.org_a.pk, w.org_case_b.reference], row(404, anonymous=LOGIN)),
    ),
    "org_portal:choose": Access(
        None, row(404, anonymous=LOGIN, organisation=REDIRECT), post=row(405, anonymous=LOGIN)
    ),
    "org_portal:evidence_request": (
        Access(pk("org_a", "request_a"), row(404, anonymous=LOGIN, organisation=200)),
        Access(pk("org_a", "request_b"), row(404, anonymous=LOGIN)),
    ),
    "org_portal:evidence_requests": (
        Access(
            pk("org_a"), row(404, anonymous=LOGIN, organisation=200), post=row(405, anonymous=LOGIN)
        ),
        Access(pk("org_b"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "org_portal:home": (
        Access(
            pk("org_a"), row(404, anonymous=LOGIN, organisation=200), post=row(405, anonymous=LOGIN)
        ),
        Access(pk("org_b"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "org_portal:insight": (
        Access(
            pk("org_a"), row(404, anonymous=LOGIN, organisation=200), post=row(405, anonymous=LOGIN)
        ),
        Access(pk("org_b"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "org_portal:invitation": Access(literal("forged-token"), row(404)),
    "org_portal:more_time": (
        Access(pk("org_a", "request_a"), row(404, anonymous=LOGIN, organisation=200)),
        Access(pk("org_a", "request_b"), row(404, anonymous=LOGIN)),
    ),
    "org_portal:provisional_report": (
        Access(
            lambda w: [w.org_a.pk, w.own_case.reference],
            row(404, anonymous=LOGIN, organisation=200),
        ),
        Access(lambda w: [w.org_a.pk, w.org_case_b.reference], row(404, anonymous=LOGIN)),
    ),
    "org_portal:recommendation": (
        Access(pk("org_a", "recommendation_a"), row(404, anonymous=LOGIN, organisation=200)),
        Access(pk("org_a", "recommendation_b"), row(404, anonymous=LOGIN)),
    ),
    "org_portal:recommendations": (
        Access(
            pk("org_a"), row(404, anonymous=LOGIN, organisation=200), post=row(405, anonymous=LOGIN)
        ),
        Access(pk("org_b"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "org_portal:users": (
        Access(
            pk("org_a"), row(404, anonymous=LOGIN, organisation=200), post=row(405, anonymous=LOGIN)
        ),
        Access(pk("org_b"), row(404, anonymous=LOGIN), post=row(405, anonymous=LOGIN)),
    ),
    "org_portal:users_invite": (
        Access(pk("org_a"), row(404, anonymous=LOGIN, organisation=200)),
        Access(pk("org_b"), row(404, anonymous=LOGIN)),
    ),
    "org_portal:users_remove": (
        Access(
            lambda w: [w.org_a.pk, w.org_a.memberships.get(user=w.org_a_user).pk],
            ORGANISATION_OWN,
        ),
        # Another organisation's member under the administrator's own organisation's address.
        Access(
            lambda w: [w.org_a.pk, w.org_b.memberships.get(user=w.org_b_user).pk],
            NOBODY_SIGNED_IN,
        ),
    ),
    "portals_staff:extension_request": Access(
        pk("extension"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "portals_staff:extension_requests": Access(
        None, staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "portals_staff:handover": Access(
        pk("office_a"), staff_only(403, manager=200, administrator=200)
    ),
    "portals_staff:messages": Access(
        None, staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "portals_staff:office_thread": Access(
        ref("case_a"), staff_only(200, foi_officer=403, analyst=403)
    ),
    "portals_staff:offices": Access(
        None, staff_only(403, manager=200, administrator=200), post=staff_only(405)
    ),
    "portals_staff:organisation_thread": (
        Access(lambda w: [w.own_case.reference, w.org_a.pk], CASEWORK),
        # An organisation the case is not about has no thread on it.
        Access(lambda w: [w.own_case.reference, w.org_b.pk], CASEWORK_SCOPED_AWAY),
    ),
    "portals_staff:referral": Access(
        lambda w: [w.case_a.referral.pk],
        staff_only(200, foi_officer=403, analyst=403),
        post=staff_only(405),
    ),
    "portals_staff:referrals": Access(
        None, staff_only(200, foi_officer=403, analyst=403), post=staff_only(405)
    ),
    "privacy": Access(None, PUBLIC),
    "search:go": Access(pk("search_log", "search_document"), row(REDIRECT)),
    "search:search": Access(None, PUBLIC),
}


def _first(model_label):
    def args(w):
        from django.apps import apps

        return [apps.get_model(model_label).objects.order_by("pk").first().pk]

    return args


# Every model in the admin, by admin URL prefix: a model added to the admin without a line here
# fails the completeness test, so its pages get a declared outcome.
ADMIN_MODELS = {
    "auth_group": "auth.Group",
    "otp_totp_totpdevice": "otp_totp.TOTPDevice",
    "otp_static_staticdevice": "otp_static.StaticDevice",
    "account_emailaddress": "account.EmailAddress",
    "mfa_authenticator": "mfa.Authenticator",
    "accounts_organisation": "accounts.Organisation",
    "accounts_constituency": "accounts.Constituency",
    "accounts_memberofparliament": "accounts.MemberOfParliament",
    "casework_case": "casework.Case",
    "casework_team": "casework.Team",
    "insight_yousaidwedid": "insight.YouSaidWeDid",
    "insight_casefeedback": "insight.CaseFeedback",
    "portals_mpoffice": "portals.MpOffice",
    "portals_mpofficemembership": "portals.MpOfficeMembership",
    "portals_organisationmembership": "portals.OrganisationMembership",
    "portals_invitation": "portals.Invitation",
    "portals_referral": "portals.Referral",
    "portals_extensionrequest": "portals.ExtensionRequest",
}
for _prefix, _label in ADMIN_MODELS.items():
    URLS[f"admin:{_prefix}_changelist"] = Access(None, ADMIN)
    URLS[f"admin:{_prefix}_add"] = Access(None, ADMIN)
    for _page in ("history", "delete", "change"):
        URLS[f"admin:{_prefix}_{_page}"] = Access(_first(_label), ADMIN)
URLS.update(
    {
        "admin:index": Access(None, ADMIN),
        "admin:login": Access(None, staff_only(403, administrator=REDIRECT)),
        "admin:logout": Access(None, ADMIN_POST_ONLY),
        "admin:password_change": Access(None, ADMIN),
        "admin:password_change_done": Access(None, ADMIN),
        # Without the field it is asked about, the autocomplete refuses even administrators.
        "admin:autocomplete": Access(
            None, ADMIN_REFUSED, post=staff_only(REDIRECT, administrator=405)
        ),
        "admin:jsi18n": Access(None, ADMIN),
        # Cases have no public page, so there is no site to view them on.
        "admin:view_on_site": Access(
            lambda w: [w.case_content_type, w.own_case.pk], staff_only(REDIRECT, administrator=404)
        ),
        "admin:app_list": Access(literal("casework"), ADMIN),
        "admin:casework_case_add": Access(None, ADMIN_REFUSED),
        "admin:casework_case_delete": Access(_first("casework.Case"), ADMIN_REFUSED),
        "admin:insight_casefeedback_add": Access(None, ADMIN_REFUSED),
        "admin:insight_casefeedback_delete": Access(_first("insight.CaseFeedback"), ADMIN_REFUSED),
        "admin:otp_totp_totpdevice_config": Access(_first("otp_totp.TOTPDevice"), ADMIN),
        "admin:otp_totp_totpdevice_qrcode": Access(_first("otp_totp.TOTPDevice"), ADMIN),
    }
)
