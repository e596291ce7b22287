"""Merging two accounts of one person, and reversing it: exact rows, audit, and who may do it."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import ContactPreferences
from accounts.roles import Role
from casework.models import (
    AuditEntry,
    CaseEvent,
    CaseEventKind,
    Document,
    DocumentStatus,
    Message,
    MessageParty,
    PersonMerge,
)
from casework.services import MergeRefused, message_send, person_merge, person_merge_reverse
from foi.models import InformationRequest, Kind
from tests.casework.backoffice_support import make_case, signed_in
from tests.conftest import otp_verified_client
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

_counter = {"n": 0}


def holdings(user):
    """A case, a message, a document and an information request, all belonging to `user`."""
    _counter["n"] += 1
    case = make_case(complainant=user)
    message = message_send(
        case=case, author=user, party=MessageParty.COMPLAINANT, body="Hello", from_ombudsman=False
    )
    document = Document.objects.create(
        case=case,
        uploaded_by=user,
        uploader_role="complainant",
        original_filename="letter.pdf",
        storage_key=f"evidence/test/merge-{_counter['n']}",
        status=DocumentStatus.CLEAN,
    )
    info = InformationRequest.objects.create(
        reference=f"SAR-2026-{_counter['n']:05d}",
        kind=Kind.SAR,
        user=user,
        requester_name="Pat",
        requester_email=user.email,
        text="Everything you hold about me",
        received_on=date(2026, 1, 5),
    )
    return {"case": case, "message": message, "document": document, "info": info}


def owners(rows):
    for row in rows.values():
        row.refresh_from_db()
    return (
        rows["case"].complainant_id,
        rows["message"].author_id,
        rows["document"].uploaded_by_id,
        rows["info"].user_id,
    )


@pytest.fixture
def people(db):
    keep = UserFactory(roles=[Role.COMPLAINANT])
    merge = UserFactory(roles=[Role.COMPLAINANT])
    bystander = UserFactory(roles=[Role.COMPLAINANT])
    return keep, merge, bystander


class TestPersonMerge:
    def test_moves_exactly_the_merged_persons_rows(self, people, manager):
        keep, merge, bystander = people
        kept_rows, merged_rows, other_rows = holdings(keep), holdings(merge), holdings(bystander)
        represented = make_case(complainant=bystander, representative=merge)
        ContactPreferences.objects.create(user=merge, phone="07700900123")

        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same name and address")

        assert owners(merged_rows) == (keep.pk,) * 4
        assert owners(kept_rows) == (keep.pk,) * 4
        assert owners(other_rows) == (bystander.pk,) * 4
        represented.refresh_from_db()
        assert (represented.complainant_id, represented.representative_id) == (
            bystander.pk,
            keep.pk,
        )
        assert ContactPreferences.objects.get(phone="07700900123").user_id == keep.pk
        assert len(record.moved) == 6
        assert {
            "model": "casework.message",
            "pk": merged_rows["message"].pk,
            "field": "author",
        } in record.moved

    def test_kept_persons_contact_preferences_win(self, people, manager):
        keep, merge, _ = people
        ContactPreferences.objects.create(user=keep, phone="01")
        ContactPreferences.objects.create(user=merge, phone="02")
        person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        assert ContactPreferences.objects.get(phone="02").user_id == merge.pk

    def test_merged_person_cannot_sign_in(self, people, manager, client):
        keep, merge, _ = people
        person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        merge.refresh_from_db()
        assert merge.is_active is False
        assert client.login(email=merge.email, password=DEFAULT_PASSWORD) is False

    def test_writes_audit_and_internal_case_events(self, people, manager):
        keep, merge, _ = people
        rows = holdings(merge)
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        entry = AuditEntry.objects.get(action="person.merge")
        assert (entry.user, entry.object_id, entry.detail["merged_id"]) == (
            manager,
            str(record.pk),
            merge.pk,
        )
        event = CaseEvent.objects.get(case=rows["case"], kind=CaseEventKind.PERSON_MERGED)
        assert event.actor == manager
        assert not rows["case"].events.visible_to_complainant().filter(pk=event.pk).exists()

    @pytest.mark.parametrize("who", ["self", "staff", "kept_staff"])
    def test_refuses_self_and_staff(self, people, manager, caseworker, who):
        keep, merge, _ = people
        keep, merge = {
            "self": (keep, keep),
            "staff": (keep, caseworker),
            "kept_staff": (caseworker, merge),
        }[who]
        with pytest.raises(MergeRefused):
            person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        assert not PersonMerge.objects.exists()

    def test_refuses_an_already_merged_record(self, people, manager):
        keep, merge, bystander = people
        person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        with pytest.raises(MergeRefused, match="already been merged"):
            person_merge(keep=bystander, merge=merge, actor=manager, reason="Same person")
        with pytest.raises(MergeRefused, match="merge into that one"):
            person_merge(keep=merge, merge=bystander, actor=manager, reason="Same person")


class TestPersonMergeReverse:
    def test_restores_every_row_and_the_account(self, people, manager):
        keep, merge, _ = people
        kept_rows, merged_rows = holdings(keep), holdings(merge)
        ContactPreferences.objects.create(user=merge, phone="07700900123")
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        # Written after the merge, under the kept account: it stays there.
        later = Message.objects.filter(
            pk=message_send(
                case=merged_rows["case"],
                author=keep,
                party=MessageParty.COMPLAINANT,
                body="Later",
                from_ombudsman=False,
            ).pk
        )

        person_merge_reverse(merge=record, actor=manager, reason="Different people after all")

        assert owners(merged_rows) == (merge.pk,) * 4
        assert owners(kept_rows) == (keep.pk,) * 4
        assert later.get().author_id == keep.pk
        assert ContactPreferences.objects.get(phone="07700900123").user_id == merge.pk
        merge.refresh_from_db()
        record.refresh_from_db()
        assert merge.is_active is True
        assert (record.reversed_by, record.reversal_reason) == (
            manager,
            "Different people after all",
        )
        entry = AuditEntry.objects.get(action="person.merge.reverse")
        assert (entry.user, entry.detail["rows_restored"]) == (manager, 5)
        assert CaseEvent.objects.filter(
            case=merged_rows["case"], kind=CaseEventKind.PERSON_MERGE_REVERSED
        ).exists()

    def test_refuses_a_second_reversal(self, people, manager):
        keep, merge, _ = people
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        person_merge_reverse(merge=record, actor=manager, reason="Mistake")
        with pytest.raises(MergeRefused, match="already been reversed"):
            person_merge_reverse(merge=record, actor=manager, reason="Again")
        assert AuditEntry.objects.filter(action="person.merge.reverse").count() == 1

    def test_merged_again_after_reversal(self, people, manager):
        keep, merge, _ = people
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        person_merge_reverse(merge=record, actor=manager, reason="Mistake")
        assert person_merge(keep=keep, merge=merge, actor=manager, reason="Same after all").pk


def search_url(user):
    return reverse("casework:person_merge_search", kwargs={"user_id": user.pk})


def confirm_url(keep, merge):
    return reverse(
        "casework:person_merge_confirm", kwargs={"user_id": keep.pk, "other_id": merge.pk}
    )


def reverse_url(record):
    return reverse("casework:person_merge_reverse", kwargs={"merge_id": record.pk})


class TestPersonMergePages:
    def test_manager_merges_from_search_to_done(self, client, people):
        keep, merge, _ = people
        rows = holdings(merge)
        client, manager = signed_in(client, Role.MANAGER)
        person_page = client.get(
            reverse("casework:person", kwargs={"user_id": keep.pk})
        ).content.decode()
        assert search_url(keep) in person_page

        found = client.get(search_url(keep), {"email": merge.email})
        assert found.status_code == 200
        assert confirm_url(keep, merge) in found.content.decode()

        confirm = client.get(confirm_url(keep, merge))
        assert confirm.status_code == 200
        assert confirm.context["merge_holdings"].cases == 1
        assert confirm.context["keep_holdings"].cases == 0

        done = client.post(
            confirm_url(keep, merge), {"reason": "Same name and address"}, follow=True
        )
        assert done.redirect_chain[-1][0] == reverse("casework:person", kwargs={"user_id": keep.pk})
        assert "has been merged into this record" in done.content.decode()
        assert owners(rows) == (keep.pk,) * 4
        assert PersonMerge.objects.get().by == manager

    def test_search_leaves_out_staff_and_the_person(self, client, people, caseworker):
        keep, _, _ = people
        client, _ = signed_in(client, Role.MANAGER)
        response = client.get(search_url(keep), {"email": "@"})
        found = set(response.context["candidates"])
        assert keep not in found and caseworker not in found

    def test_refusal_is_shown_on_the_form(self, client, people):
        keep, _, _ = people
        client, _ = signed_in(client, Role.MANAGER)
        response = client.post(confirm_url(keep, keep), {"reason": "Same"})
        assert response.status_code == 200
        assert "cannot be merged with itself" in response.content.decode()

    def test_reason_is_required(self, client, people):
        keep, merge, _ = people
        client, _ = signed_in(client, Role.MANAGER)
        response = client.post(confirm_url(keep, merge), {"reason": ""})
        assert "Enter why these records are the same person" in response.content.decode()
        assert not PersonMerge.objects.exists()

    def test_manager_reverses_from_the_person_page(self, client, people, manager):
        keep, merge, _ = people
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        client, _ = signed_in(client, Role.MANAGER)
        page = client.get(reverse("casework:person", kwargs={"user_id": keep.pk})).content.decode()
        assert reverse_url(record) in page
        assert client.get(reverse_url(record)).status_code == 200
        response = client.post(reverse_url(record), {"reason": "Mistake"})
        assert response.status_code == 302
        merge.refresh_from_db()
        assert merge.is_active is True
        again = client.post(reverse_url(record), {"reason": "Again"})
        assert "already been reversed" in again.content.decode()

    def test_caseworker_sees_the_person_page_without_merge_actions(self, client, people, manager):
        keep, merge, _ = people
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        client, _ = signed_in(client, Role.CASEWORKER)
        response = client.get(reverse("casework:person", kwargs={"user_id": keep.pk}))
        assert response.status_code == 200
        body = response.content.decode()
        assert merge.email in body
        assert search_url(keep) not in body and reverse_url(record) not in body

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_caseworker_is_refused_every_merge_action(self, client, people, manager, method):
        keep, merge, bystander = people
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        client, _ = signed_in(client, Role.CASEWORKER)
        urls = [search_url(keep), confirm_url(keep, bystander), reverse_url(record)]
        if method == "post":
            urls = urls[1:]
        for url in urls:
            assert getattr(client, method)(url, {"reason": "x"}).status_code == 403
        assert PersonMerge.objects.in_force().count() == 1
        assert PersonMerge.objects.count() == 1

    def test_complainant_is_kept_out(self, client, people, manager):
        keep, merge, bystander = people
        record = person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        client.force_login(bystander)
        for url in (search_url(keep), confirm_url(keep, bystander), reverse_url(record)):
            response = client.get(url)
            assert response.status_code in (302, 403)
            assert response.status_code == 403 or "/staff/" not in response["Location"]
        assert client.post(confirm_url(bystander, keep), {"reason": "x"}).status_code in (302, 403)
        assert PersonMerge.objects.count() == 1

    def test_confirm_and_person_pages_have_bounded_queries(
        self, client, people, manager, django_assert_max_num_queries
    ):
        keep, merge, _ = people
        holdings(keep)
        holdings(merge)
        person_merge(keep=keep, merge=merge, actor=manager, reason="Same person")
        client = otp_verified_client(client, UserFactory(roles=[Role.MANAGER]))
        other = UserFactory(roles=[Role.COMPLAINANT])
        pages = [confirm_url(keep, other), reverse("casework:person", kwargs={"user_id": keep.pk})]
        counts = []
        for url in pages:
            with django_assert_max_num_queries(40) as captured:
                client.get(url)
            counts.append(len(captured.captured_queries))
        for _ in range(5):
            holdings(other)
            extra = UserFactory(roles=[Role.COMPLAINANT])
            person_merge(keep=keep, merge=extra, actor=manager, reason="Same person")
        for url, count in zip(pages, counts, strict=True):
            with django_assert_max_num_queries(count):
                client.get(url)
