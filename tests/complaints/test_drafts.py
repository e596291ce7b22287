"""Save and return: account drafts, emailed single-use links, sign-in keeping a draft, the purge."""

# ruff: noqa: F811

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import tasks
from complaints.drafts import (
    DRAFT_KEEP_DAYS,
    RETURN_LINK_DAYS,
    RETURN_LINKS_PER_ADDRESS_PER_HOUR,
    RETURN_LINKS_PER_DAY,
    return_link_allowance_take,
    token_hash,
)
from complaints.models import ComplaintDraft, DraftReturnLink
from complaints.services import (
    ReturnLinkRefused,
    complaint_draft_answer_save,
    complaint_drafts_purge,
    draft_return_link_send,
)
from tests.complaints.test_form_support import (  # noqa: F401 - fixtures
    complete_answers,
    form_url,
    make_draft,
    organisation,
    remember_in_session,
    step_url,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/complain/return/(\S+)")
HEALTH = {"what-is-it-about": {"kind": "health"}}


@pytest.fixture
def send_link(django_capture_on_commit_callbacks):
    """Ask for a return link through the save page; the email and the token in it."""

    def send(client, draft, email="amira@example.org"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(form_url("save", draft), {"email": email})
        assert response.url == form_url("save_sent", draft)
        [message] = mail.outbox
        return message, LINK.search(message.body).group(1)

    return send


@pytest.fixture
def anonymous_draft(client):
    draft = make_draft(answers=HEALTH)
    remember_in_session(client, draft)
    return draft


class TestSignedInDrafts:
    def test_are_kept_for_30_days_after_the_last_change(self, complainant):
        with time_machine.travel("2026-03-02 10:00 +0000", tick=False):
            draft = make_draft(owner=complainant)
            assert draft.expires_at == timezone.now() + timedelta(days=DRAFT_KEEP_DAYS)
        with time_machine.travel("2026-03-20 10:00 +0000", tick=False):
            draft = complaint_draft_answer_save(
                draft=draft, step="what-is-it-about", answer={"kind": "health"}, current_step=""
            )
            assert draft.expires_at == timezone.now() + timedelta(days=DRAFT_KEEP_DAYS)

    def test_resume_returns_to_the_same_point(self, client, complainant):
        client.force_login(complainant)
        draft = make_draft(owner=complainant, answers=HEALTH)
        client.post(step_url(draft, "your-name"), {"full_name": "Amira Khan"})
        client.post(step_url(draft, "your-email"), {"email": "amira@example.org"})
        # A new session, as after the browser was closed: the draft is in the account.
        client.logout()
        client.force_login(complainant)
        drafts = client.get(reverse("complaint_form:drafts")).content.decode()
        assert form_url("resume", draft) in drafts
        assert client.get(form_url("resume", draft)).url == step_url(draft, "your-phone")

    def test_save_page_says_the_draft_is_in_the_account(self, client, complainant):
        client.force_login(complainant)
        draft = make_draft(owner=complainant, answers=HEALTH)
        html = client.get(form_url("save", draft)).content.decode()
        assert "We have saved your answers in your account" in html
        assert reverse("complaint_form:drafts") in html
        assert DraftReturnLink.objects.count() == 0


class TestAnonymousDrafts:
    def test_last_only_as_long_as_the_session_until_saved(self, send_link, client):
        with time_machine.travel("2026-03-02 10:00 +0000", tick=False):
            client.post(reverse("complaint_form:start"))
            draft = ComplaintDraft.objects.get()
            assert draft.expires_at == timezone.now() + timedelta(hours=8)
            send_link(client, draft)
            draft.refresh_from_db()
            assert draft.expires_at == timezone.now() + timedelta(days=DRAFT_KEEP_DAYS)

    def test_pages_say_how_long_answers_are_kept(self, client, anonymous_draft):
        html = client.get(step_url(anonymous_draft, "your-name")).content.decode()
        assert "we keep your answers for 8 hours, or until you close your browser" in html
        assert form_url("save", anonymous_draft) in html

    def test_signing_in_attaches_the_draft_to_the_account(
        self, client, anonymous_draft, complainant
    ):
        client.force_login(complainant)
        assert client.get(form_url("task_list", anonymous_draft)).status_code == 200
        anonymous_draft.refresh_from_db()
        assert anonymous_draft.owner == complainant
        assert anonymous_draft.expires_at > timezone.now() + timedelta(days=DRAFT_KEEP_DAYS - 1)
        # The session can end now: the draft stays with the account.
        client.logout()
        client.force_login(complainant)
        assert client.get(form_url("task_list", anonymous_draft)).status_code == 200

    def test_an_expired_session_loses_access_but_the_row_waits_for_the_purge(
        self, client, anonymous_draft
    ):
        client.logout()
        assert client.get(form_url("task_list", anonymous_draft)).status_code == 404
        assert ComplaintDraft.objects.filter(pk=anonymous_draft.pk).exists()


class TestReturnLink:
    def test_email_holds_only_a_link(self, send_link, client, anonymous_draft):
        client.post(step_url(anonymous_draft, "your-name"), {"full_name": "Amira Khan"})
        message, token = send_link(client, anonymous_draft)
        assert message.to == ["amira@example.org"]
        assert "Amira" not in message.body
        assert "Amira" not in message.subject
        assert f"/complain/return/{token}" in message.body
        [link] = DraftReturnLink.objects.all()
        assert link.token_hash == token_hash(token)
        assert token not in link.token_hash

    def test_restores_the_draft_in_another_browser_once(self, send_link, client, anonymous_draft):
        client.post(step_url(anonymous_draft, "your-name"), {"full_name": "Amira Khan"})
        _, token = send_link(client, anonymous_draft)
        url = reverse("complaint_form:return", kwargs={"token": token})
        other = Client()
        assert other.get(form_url("task_list", anonymous_draft)).status_code == 404
        page = other.get(url)
        assert page.status_code == 200
        assert "Continue your complaint" in page.content.decode()
        # Opening the link (as a mail scanner might) does not use it up.
        assert other.get(url).status_code == 200
        response = other.post(url)
        assert response.url == form_url("resume", anonymous_draft)
        assert other.get(response.url).url == step_url(anonymous_draft, "your-email")
        assert other.get(form_url("task_list", anonymous_draft)).status_code == 200

        used = Client().post(url)
        assert used.status_code == 410
        assert "This link has already been used" in used.content.decode()
        assert reverse("complaint_form:start") in used.content.decode()

    def test_an_expired_link_is_refused_with_a_way_to_start_again(
        self, send_link, client, anonymous_draft
    ):
        _, token = send_link(client, anonymous_draft)
        url = reverse("complaint_form:return", kwargs={"token": token})
        later = timezone.now() + timedelta(days=RETURN_LINK_DAYS, minutes=1)
        with time_machine.travel(later, tick=False):
            response = client.get(url)
            assert response.status_code == 410
            assert "This link has expired" in response.content.decode()
            assert client.post(url).status_code == 410

    def test_a_wrong_token_is_a_clear_page(self, client):
        response = client.get(
            reverse("complaint_form:return", kwargs={"token": "not-a-real-token"})
        )
        assert response.status_code == 404
        html = response.content.decode()
        assert "This link does not work" in html
        assert "Start again" in html

    def test_only_the_newest_link_works(self, send_link, client, anonymous_draft):
        _, first = send_link(client, anonymous_draft)
        _, second = send_link(client, anonymous_draft)
        assert (
            client.get(reverse("complaint_form:return", kwargs={"token": first})).status_code == 410
        )
        assert (
            client.get(reverse("complaint_form:return", kwargs={"token": second})).status_code
            == 200
        )

    def test_a_draft_kept_in_an_account_is_not_restored_by_an_old_link(
        self, send_link, client, anonymous_draft
    ):
        _, token = send_link(client, anonymous_draft)
        client.force_login(UserFactory())
        client.get(form_url("task_list", anonymous_draft))  # attached to the account
        client.logout()
        assert (
            client.post(reverse("complaint_form:return", kwargs={"token": token})).status_code
            == 410
        )

    def test_links_a_day_are_limited(self, anonymous_draft):
        for _ in range(RETURN_LINKS_PER_DAY):
            draft_return_link_send(draft=anonymous_draft, email="amira@example.org")
        with pytest.raises(ReturnLinkRefused):
            draft_return_link_send(draft=anonymous_draft, email="amira@example.org")

    def test_links_from_one_address_are_limited_across_drafts(self, client):
        for _ in range(RETURN_LINKS_PER_ADDRESS_PER_HOUR):
            assert return_link_allowance_take("192.0.2.7")
        assert not return_link_allowance_take("192.0.2.7")
        assert return_link_allowance_take("192.0.2.8")
        draft = make_draft(answers=HEALTH)
        remember_in_session(client, draft)
        response = client.post(
            form_url("save", draft), {"email": "amira@example.org"}, REMOTE_ADDR="192.0.2.7"
        )
        assert "You have asked for too many links. Try again in an hour" in (
            response.content.decode()
        )
        assert DraftReturnLink.objects.count() == 0

    def test_the_email_address_is_checked(self, client, anonymous_draft):
        response = client.post(form_url("save", anonymous_draft), {"email": "not an email"})
        assert "Enter an email address in the correct format, like name@example.com" in (
            response.content.decode()
        )
        assert DraftReturnLink.objects.count() == 0


class TestPurge:
    def test_deletes_only_drafts_past_their_keeping_period(
        self, anonymous_draft, complainant, organisation
    ):
        draft_return_link_send(draft=anonymous_draft, email="amira@example.org")
        kept = make_draft(owner=complainant, answers=complete_answers(organisation))
        with time_machine.travel(timezone.now() + timedelta(days=DRAFT_KEEP_DAYS - 1)):
            assert complaint_drafts_purge() == 0
        with time_machine.travel(timezone.now() + timedelta(days=DRAFT_KEEP_DAYS, hours=1)):
            complaint_draft_answer_save(
                draft=kept, step="your-name", answer={"full_name": "A"}, current_step=""
            )
            assert tasks.purge_expired_drafts.delay().get() == 2  # the draft and its link
        assert list(ComplaintDraft.objects.all()) == [kept]
        assert DraftReturnLink.objects.count() == 0

    def test_runs_on_the_beat_schedule(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-complaint-drafts"]
        assert entry["task"] == tasks.purge_expired_drafts.name


class TestSignInAfterStartingADraft:
    """Creating an account loses the form's `next` link through email confirmation: signing in
    then leads to the drafts page, which attaches the draft started in this browser."""

    def test_sign_in_with_a_draft_in_the_session_goes_to_drafts(self, client):
        from complaints.drafts import SESSION_KEY
        from tests.factories import DEFAULT_PASSWORD, UserFactory

        user = UserFactory()
        session = client.session
        session[SESSION_KEY] = ["6f1c0a52-1111-4a2b-9c3d-000000000001"]
        session.save()
        response = client.post(
            "/account/login/", {"login": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == "/complain/drafts"

    def test_sign_in_without_a_draft_goes_to_the_account(self, client):
        from tests.factories import DEFAULT_PASSWORD, UserFactory

        user = UserFactory()
        response = client.post(
            "/account/login/", {"login": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] != "/complain/drafts"
