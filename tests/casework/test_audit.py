"""Audit: reads and changes recorded, shown to managers only, and never editable."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.roles import Role
from casework.models import AuditEntry, CaseNote
from casework.services import case_note_add, case_transition
from tests.casework.backoffice_support import make_case, signed_in
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def audit_url(case):
    return reverse("casework:case_audit", kwargs={"reference": case.reference})


def activity_url(user):
    return reverse("casework:user_activity", kwargs={"user_id": user.pk})


class TestCaseAuditLog:
    def test_managers_see_reads_and_changes_newest_first(self, client, caseworker):
        case = make_case()
        otp_verified_client(client, caseworker).get(
            reverse("casework:case_detail", kwargs={"reference": case.reference}),
            REMOTE_ADDR="198.51.100.7",
        )
        case_transition(case_id=case.pk, action="start_assessment", actor=caseworker)
        manager_client, manager = signed_in(client, Role.MANAGER)
        response = manager_client.get(audit_url(case))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [(r["row_kind"], r["row_action"]) for r in rows] == [
            ("change", "status_changed"),
            ("read", "case.view"),
            ("change", "received"),
        ]
        assert rows[1]["person"] == caseworker
        assert str(rows[1]["row_ip"]) == "198.51.100.7"
        body = response.content.decode()
        assert "198.51.100.7" in body
        assert activity_url(caseworker) in body
        # Looking at the audit log is itself recorded.
        assert AuditEntry.objects.filter(action="case.audit_log.view", user=manager).exists()

    def test_pages_of_50(self, client, caseworker):
        case = make_case()
        for number in range(60):
            case_note_add(case=case, author=caseworker, body=f"Note {number}")
        client, _ = signed_in(client, Role.MANAGER)
        first = client.get(audit_url(case))
        assert len(first.context["rows"]) == 50
        assert first.context["page"].paginator.count == 61
        second = client.get(audit_url(case) + "?page=2")
        # 60 notes, the case's receipt and the manager's first look at the log.
        assert second.context["page"].paginator.count == 62
        assert len(second.context["rows"]) == 12
        assert 'class="govuk-pagination"' in second.content.decode()

    def test_queries_do_not_grow_with_the_rows(
        self, client, caseworker, django_assert_max_num_queries
    ):
        case = make_case()
        case_note_add(case=case, author=caseworker, body="First")
        client, _ = signed_in(client, Role.MANAGER)
        client.get(audit_url(case))
        with django_assert_max_num_queries(20) as few:
            client.get(audit_url(case))
        for number in range(30):
            case_note_add(case=case, author=UserFactory(roles=[Role.CASEWORKER]), body=str(number))
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(audit_url(case))

    def test_caseworkers_are_refused(self, client):
        client, _ = signed_in(client)
        assert client.get(audit_url(make_case())).status_code == 403

    def test_analysts_are_refused(self, client):
        client, _ = signed_in(client, Role.ANALYST)
        assert client.get(audit_url(make_case())).status_code == 403

    def test_an_unknown_case_is_not_found(self, client):
        client, _ = signed_in(client, Role.MANAGER)
        url = reverse("casework:case_audit", kwargs={"reference": "HC-1999-000001"})
        assert client.get(url).status_code == 404


class TestUserActivity:
    def test_a_managers_view_of_what_someone_did(self, client, caseworker):
        case = make_case()
        otp_verified_client(client, caseworker).get(
            reverse("casework:case_detail", kwargs={"reference": case.reference})
        )
        case_note_add(case=case, author=caseworker, body="Checked the records")
        client, _ = signed_in(client, Role.MANAGER)
        response = client.get(activity_url(caseworker))
        assert response.status_code == 200
        assert [r["row_action"] for r in response.context["rows"]] == ["note_added", "case.view"]
        assert case.reference in response.content.decode()

    def test_queries_do_not_grow_with_the_rows(
        self, client, caseworker, django_assert_max_num_queries
    ):
        case_note_add(case=make_case(), author=caseworker, body="First")
        client, _ = signed_in(client, Role.MANAGER)
        client.get(activity_url(caseworker))
        with django_assert_max_num_queries(20) as few:
            client.get(activity_url(caseworker))
        for number in range(30):
            case_note_add(case=make_case(), author=caseworker, body=str(number))
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(activity_url(caseworker))
        assert len(response.context["rows"]) == 31

    def test_caseworkers_are_refused(self, client, caseworker):
        client, _ = signed_in(client)
        assert client.get(activity_url(caseworker)).status_code == 403

    def test_an_unknown_person_is_not_found(self, client):
        client, _ = signed_in(client, Role.MANAGER)
        url = reverse("casework:user_activity", kwargs={"user_id": 987654})
        assert client.get(url).status_code == 404


class TestAuditCannotBeChanged:
    def test_audit_entries_and_notes_are_append_only(self, caseworker):
        case = make_case()
        note = case_note_add(case=case, author=caseworker, body="Original")
        AuditEntry.objects.create(user=caseworker, action="case.view", case=case)
        for queryset in (AuditEntry.objects.all(), CaseNote.objects.all()):
            with pytest.raises(TypeError):
                queryset.update(detail={})
            with pytest.raises(TypeError):
                queryset.delete()
        note.body = "Rewritten"
        with pytest.raises(TypeError):
            note.save()

    def test_the_admin_offers_no_way_to_change_them(self, rf):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
        request = rf.get("/admin/")
        request.user = administrator
        for model in (AuditEntry, CaseNote):
            if admin.site.is_registered(model):
                model_admin = admin.site._registry[model]
                assert not model_admin.has_add_permission(request)
                assert not model_admin.has_change_permission(request)
                assert not model_admin.has_delete_permission(request)

    def test_the_admin_has_no_page_for_them(self, client):
        administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
        client = otp_verified_client(client, administrator)
        assert client.get("/admin/casework/auditentry/").status_code == 404
        assert client.get("/admin/casework/casenote/").status_code == 404
        assert client.get("/admin/casework/team/").status_code == 200


class TestCaseSubPagesAreAudited:
    @pytest.mark.parametrize(
        ("name", "query", "page"),
        [
            ("case_assign", "", "assign"),
            ("case_demographics", "", "equality_information"),
            ("case_links", "", "links"),
            ("case_transition", "?action=withdraw", "transition"),
        ],
    )
    def test_opening_a_page_of_the_case_is_recorded(self, client, name, query, page):
        case = make_case()
        client, caseworker = signed_in(client)
        url = reverse(f"casework:{name}", kwargs={"reference": case.reference}) + query
        assert client.get(url, REMOTE_ADDR="203.0.113.50").status_code == 200
        entry = AuditEntry.objects.get(action="case.view")
        assert (entry.user, entry.case, entry.ip) == (caseworker, case, "203.0.113.50")
        assert entry.detail == {"page": page}
