"""The complaint form's pages: task list states, question pages, organisations, check answers."""

# ruff: noqa: F811

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.drafts import SESSION_KEY
from complaints.journey import STEPS
from complaints.models import ComplaintDraft
from tests.accounts.fixtures.factories import OrganisationFactory
from tests.complaints.test_form_support import (  # noqa: F401 - fixtures
    TODAY,
    complete_answers,
    date_answer,
    demo_postcodes,
    form_url,
    journey_of,
    make_draft,
    organisation,
    remember_in_session,
    step_url,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def task_status(response, slug):
    """The status text shown for a section on the task list."""
    html = response.content.decode()
    match = re.search(rf'id="task-{slug}-status">(.*?)</div>', html, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def anonymous_draft(client):
    draft = make_draft()
    remember_in_session(client, draft)
    return draft


@pytest.fixture
def signed_in(client, complainant):
    client.force_login(complainant)
    return client


class TestStart:
    def test_explains_saving_and_starts_a_draft_in_this_browser(self, client):
        response = client.get(reverse("complaint_form:start"))
        assert response.status_code == 200
        assert "we keep your answers for 8 hours, or until you close your browser" in (
            response.content.decode()
        )
        response = client.post(reverse("complaint_form:start"))
        draft = ComplaintDraft.objects.get()
        assert draft.owner is None
        assert client.session[SESSION_KEY] == [str(draft.public_id)]
        assert response.url == step_url(draft, "what-is-it-about")

    def test_signed_in_draft_belongs_to_the_account(self, signed_in, complainant):
        signed_in.post(reverse("complaint_form:start"))
        assert ComplaintDraft.objects.get().owner == complainant

    def test_keeps_what_the_checker_already_knows(self, client, organisation):
        session = client.session
        session["checker"] = {
            "token": str(uuid.uuid4()),
            "answers": {
                "organisation_type": "nhs_england",
                "organisation_answered": True,
                "organisation_id": organisation.pk,
                "complained": "final_response",
            },
        }
        session.save()
        response = client.post(reverse("complaint_form:start"))
        draft = ComplaintDraft.objects.get()
        assert draft.answers == {
            "what-is-it-about": {"kind": "health"},
            "organisations": {"organisation_ids": [organisation.pk], "unlisted": []},
        }
        assert response.url == form_url("task_list", draft)

    def test_offers_to_continue_this_browsers_draft(self, client, anonymous_draft):
        response = client.get(reverse("complaint_form:start"))
        assert form_url("resume", anonymous_draft) in response.content.decode()


class TestTaskList:
    def test_new_draft_waits_for_what_the_complaint_is_about(self, client, anonymous_draft):
        response = client.get(form_url("task_list", anonymous_draft))
        assert response.status_code == 200
        assert task_status(response, "complaint-type") == "Incomplete"
        assert task_status(response, "about-you") == "Cannot start yet"
        assert task_status(response, "equality") == "Cannot start yet"
        assert task_status(response, "send") == "Cannot start yet"
        assert "You have completed 0 of 10 sections" in response.content.decode()

    def test_sections_open_for_a_health_complaint(self, client, anonymous_draft):
        client.post(step_url(anonymous_draft, "what-is-it-about"), {"kind": "health"})
        response = client.get(form_url("task_list", anonymous_draft))
        assert task_status(response, "complaint-type") == "Completed"
        assert task_status(response, "about-you") == "Incomplete"
        assert step_url(anonymous_draft, "your-name") in response.content.decode()

    def test_a_section_links_to_its_first_unanswered_page(self, client):
        draft = make_draft(
            answers={"what-is-it-about": {"kind": "health"}, "your-name": {"full_name": "A"}}
        )
        remember_in_session(client, draft)
        response = client.get(form_url("task_list", draft))
        assert f'href="{step_url(draft, "your-email")}"' in response.content.decode()

    def test_every_section_completed_opens_check_and_send(self, client, organisation):
        draft = make_draft(answers=complete_answers(organisation))
        remember_in_session(client, draft)
        response = client.get(form_url("task_list", draft))
        html = response.content.decode()
        assert "You have completed every section" in html
        assert html.count(">Completed<") + html.count("Completed</div>") >= 10
        assert task_status(response, "send") == "Incomplete"
        assert form_url("check_answers", draft) in html

    def test_a_parliamentary_complaint_is_sent_to_an_mp(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "parliamentary"}})
        remember_in_session(client, draft)
        response = client.get(form_url("task_list", draft))
        assert task_status(response, "about-you") == "Cannot start yet"
        assert form_url("mp_referral", draft) in response.content.decode()

    def test_pages_are_never_cached(self, client, anonymous_draft):
        response = client.get(form_url("task_list", anonymous_draft))
        assert "no-store" in response["Cache-Control"]
        assert not _INLINE_SCRIPT.search(response.content.decode())


class TestQuestionPage:
    def test_asks_one_question_as_the_heading_with_a_back_link(self, client, anonymous_draft):
        response = client.get(step_url(anonymous_draft, "what-is-it-about"))
        html = response.content.decode()
        assert re.search(
            r'<h1 class="govuk-fieldset__heading">What is your complaint about\?</h1>', html
        )
        assert f'href="{form_url("task_list", anonymous_draft)}" class="govuk-back-link"' in html

    def test_an_error_is_shown_in_a_summary_and_by_the_field(self, client, anonymous_draft):
        response = client.post(step_url(anonymous_draft, "what-is-it-about"), {})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: What is your complaint about?" in html
        assert 'href="#id_kind_0">Select what your complaint is about</a>' in html
        assert 'class="govuk-error-message"' in html
        assert journey_of(anonymous_draft).answers.raw("what-is-it-about") is None

    def test_saves_the_answer_and_goes_to_the_next_page_of_the_section(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        response = client.post(step_url(draft, "your-name"), {"full_name": "Amira Khan"})
        assert response.url == step_url(draft, "your-email")
        draft.refresh_from_db()
        assert draft.answers["your-name"] == {"full_name": "Amira Khan"}
        assert draft.current_step == "your-email"

    def test_the_last_page_of_a_section_goes_back_to_the_task_list(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        response = client.post(
            step_url(draft, "your-date-of-birth"), date_answer(datetime.date(1980, 3, 27))
        )
        assert response.url == form_url("task_list", draft)

    def test_back_goes_to_the_page_before_on_the_route_taken(self, client):
        answers = {
            "what-is-it-about": {"kind": "health"},
            "for-someone-else": {"for_someone_else": "no"},
        }
        draft = make_draft(answers=answers)
        remember_in_session(client, draft)
        response = client.get(step_url(draft, "nhs-number"))
        assert f'href="{step_url(draft, "for-someone-else")}" class="govuk-back-link"' in (
            response.content.decode()
        )

    def test_answering_yes_opens_the_questions_about_the_other_person(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        response = client.post(step_url(draft, "for-someone-else"), {"for_someone_else": "yes"})
        assert response.url == step_url(draft, "their-name")
        client.post(step_url(draft, "their-name"), {"their_name": "Rose Ahmed"})
        response = client.get(step_url(draft, "relationship"))
        assert "What is your relationship to Rose Ahmed?" in response.content.decode()

    def test_a_page_off_the_route_goes_to_the_task_list(self, client):
        draft = make_draft(
            answers={
                "what-is-it-about": {"kind": "health"},
                "for-someone-else": {"for_someone_else": "no"},
            }
        )
        remember_in_session(client, draft)
        assert client.get(step_url(draft, "their-name")).url == form_url("task_list", draft)

    def test_nothing_but_the_kind_can_be_answered_before_it(self, client, anonymous_draft):
        response = client.post(step_url(anonymous_draft, "your-name"), {"full_name": "A"})
        assert response.url == form_url("task_list", anonymous_draft)
        assert "your-name" not in journey_of(anonymous_draft).answers.data

    def test_every_page_shows_its_question_and_its_saved_answer(self, client, organisation):
        answers = complete_answers(
            organisation,
            **{
                "for-someone-else": {"for_someone_else": "yes"},
                "their-name": {"their_name": "Rose Ahmed"},
                "relationship": {"relationship": "Daughter"},
                "authority": {"authority": "parent"},
            },
        )
        draft = make_draft(answers=answers)
        remember_in_session(client, draft)
        journey = journey_of(draft)
        for slug in STEPS:
            if slug == "organisations":
                continue
            response = client.get(step_url(draft, slug))
            assert response.status_code == 200, slug
            html = response.content.decode()
            title = journey.form(slug).title
            assert f"<title>{title}" in html or slug == "evidence", slug
            assert html.count("<h1") == 1, slug

    def test_an_unknown_page_is_not_found(self, client, anonymous_draft):
        assert client.get(step_url(anonymous_draft, "favourite-colour")).status_code == 404

    def test_shows_the_saved_answer_again(self, client):
        draft = make_draft(
            answers={"what-is-it-about": {"kind": "health"}, "your-name": {"full_name": "Zoë ليلى"}}
        )
        remember_in_session(client, draft)
        assert 'value="Zoë ليلى"' in client.get(step_url(draft, "your-name")).content.decode()

    def test_signed_in_email_is_filled_in_from_the_account(self, signed_in, complainant):
        draft = make_draft(owner=complainant, answers={"what-is-it-about": {"kind": "health"}})
        response = signed_in.get(step_url(draft, "your-email"))
        assert f'value="{complainant.email}"' in response.content.decode()

    def test_text_pages_have_a_character_count(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        html = client.get(step_url(draft, "what-happened")).content.decode()
        assert 'data-module="govuk-character-count" data-maxlength="10000"' in html
        assert "You can enter up to 10,000 characters" in html
        assert not re.search(r"\smaxlength=", html)

    def test_unknown_postcode_is_noted_on_the_address_page(self, client, demo_postcodes):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        response = client.post(step_url(draft, "your-postcode"), {"postcode": "ze9 9zz"})
        assert response.url == step_url(draft, "your-address")
        html = client.get(response.url).content.decode()
        assert "We could not find ZE9 9ZZ in our list of postcodes" in html

    def test_save_and_come_back_later_keeps_a_valid_answer(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        response = client.post(
            step_url(draft, "your-name"), {"full_name": "Amira Khan", "save_and_return": "1"}
        )
        assert response.url == form_url("save", draft)
        assert journey_of(draft).answers.raw("your-name") == {"full_name": "Amira Khan"}

    def test_save_and_come_back_later_from_an_untouched_page_saves_nothing(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        response = client.post(
            step_url(draft, "your-name"), {"full_name": "", "save_and_return": "1"}
        )
        assert response.url == form_url("save", draft)
        assert journey_of(draft).answers.raw("your-name") is None

    def test_parliamentary_complaint_leads_to_asking_an_mp(self, client, anonymous_draft):
        response = client.post(
            step_url(anonymous_draft, "what-is-it-about"), {"kind": "parliamentary"}
        )
        assert response.url == form_url("mp_referral", anonymous_draft)
        html = client.get(response.url).content.decode()
        assert "section 5 of the Parliamentary Commissioner Act 1967" in html
        assert reverse("checker:ask_mp") in html
        assert client.get(form_url("check_answers", anonymous_draft)).url == form_url(
            "mp_referral", anonymous_draft
        )


class TestOrganisations:
    @pytest.fixture
    def draft(self, client):
        draft = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        remember_in_session(client, draft)
        return draft

    def test_searches_the_directory_and_comes_back_here(self, client, draft):
        html = client.get(form_url("organisations", draft)).content.decode()
        search = reverse("accounts:organisation_search")
        assert f"{search}?next=%2Fcomplain%2F{draft.public_id}%2Forganisations" in html

    def test_the_directory_search_offers_its_results_back_to_this_page(
        self, client, draft, organisation
    ):
        url = form_url("organisations", draft)
        results = client.get(reverse("accounts:organisation_search"), {"q": "Leeds", "next": url})
        assert f"{url}?organisation={organisation.pk}" in results.content.decode()

    def test_coming_back_from_the_search_only_offers_to_add(self, client, draft, organisation):
        response = client.get(form_url("organisations", draft), {"organisation": organisation.pk})
        assert f"Add {organisation.name}" in response.content.decode()
        assert journey_of(draft).answers.raw("organisations") is None

    def test_adds_removes_and_continues(self, client, draft, organisation):
        url = form_url("organisations", draft)
        other = OrganisationFactory(name="Airedale NHS Foundation Trust")
        assert client.post(url, {"organisation": organisation.pk}).url == url
        client.post(url, {"organisation": other.pk})
        client.post(url, {"organisation": other.pk})
        assert journey_of(draft).organisation_ids() == [organisation.pk, other.pk]
        client.post(url, {"remove": str(other.pk)})
        assert journey_of(draft).organisation_ids() == [organisation.pk]
        response = client.post(url, {"continue": "1"})
        assert response.url == form_url("task_list", draft)

    def test_refuses_a_government_department_in_a_health_complaint(self, client, draft):
        department = OrganisationFactory(
            name="HM Revenue and Customs", sector="parliamentary", kind="government_department"
        )
        response = client.post(form_url("organisations", draft), {"organisation": department.pk})
        assert response.status_code == 200
        assert (
            "HM Revenue and Customs is not part of the NHS in England" in response.content.decode()
        )
        assert journey_of(draft).answers.raw("organisations") is None

    def test_continue_without_an_organisation_is_an_error(self, client, draft):
        response = client.post(form_url("organisations", draft), {"continue": "1"})
        html = response.content.decode()
        assert "<title>Error: " in html
        assert (
            'href="#find-organisation">Add the organisation you are complaining about</a>' in html
        )

    def test_an_organisation_not_in_the_directory_can_be_named(self, client, draft):
        url = form_url("organisation_not_listed", draft)
        response = client.post(url, {"name": ""})
        assert "Enter the name of the organisation" in response.content.decode()
        response = client.post(url, {"name": "Dr Ó Sé’s surgery, Kendal"})
        assert response.url == form_url("organisations", draft)
        assert journey_of(draft).answers.cleaned("organisations")["unlisted"] == [
            "Dr Ó Sé’s surgery, Kendal"
        ]
        client.post(form_url("organisations", draft), {"remove_unlisted": "0"})
        assert journey_of(draft).answers.raw("organisations")["unlisted"] == []


class TestCheckAnswers:
    def test_waits_until_every_section_is_complete(self, client, anonymous_draft):
        assert client.get(form_url("check_answers", anonymous_draft)).url == form_url(
            "task_list", anonymous_draft
        )

    def test_lists_every_answer_with_a_change_link(self, client, organisation):
        draft = make_draft(answers=complete_answers(organisation))
        remember_in_session(client, draft)
        html = client.get(form_url("check_answers", draft)).content.decode()
        assert "Amira O’Neill-Smith" in html
        assert organisation.name in html
        assert "943 476 5919" in html
        assert f'href="{step_url(draft, "your-name")}?change=1"' in html
        assert f'href="{form_url("organisations", draft)}?change=1"' in html
        assert 'Change<span class="govuk-visually-hidden"> full name</span>' in html

    def test_a_change_returns_to_check_answers(self, client, organisation):
        draft = make_draft(answers=complete_answers(organisation))
        remember_in_session(client, draft)
        change = f"{step_url(draft, 'your-name')}?change=1"
        page = client.get(change).content.decode()
        assert f'href="{form_url("check_answers", draft)}" class="govuk-back-link"' in page
        assert "Save and go back to check your answers" in page
        response = client.post(change, {"full_name": "Amira Khan"})
        assert response.url == form_url("check_answers", draft)
        assert "Amira Khan" in client.get(response.url).content.decode()

    def test_a_change_that_opens_a_question_asks_it_first(self, client, organisation):
        answers = complete_answers(organisation, **{"final-response": {"final_response": "no"}})
        del answers["final-response-date"]
        draft = make_draft(answers=answers)
        remember_in_session(client, draft)
        response = client.post(
            f"{step_url(draft, 'final-response')}?change=1", {"final_response": "yes"}
        )
        assert response.url == f"{step_url(draft, 'final-response-date')}?change=1"

    def test_text_in_any_script_is_shown_as_typed(self, client, organisation):
        text = "لم يعطوا أمي دواءها 💊 <b>not bold</b>"
        answers = complete_answers(organisation, **{"what-happened": {"what_happened": text}})
        draft = make_draft(answers=answers)
        remember_in_session(client, draft)
        html = client.get(form_url("check_answers", draft)).content.decode()
        assert "لم يعطوا أمي دواءها 💊 &lt;b&gt;not bold&lt;/b&gt;" in html

    def test_someone_not_signed_in_is_asked_to_sign_in_and_come_back(self, client, organisation):
        draft = make_draft(answers=complete_answers(organisation))
        remember_in_session(client, draft)
        html = client.get(form_url("check_answers", draft)).content.decode()
        back_here = f"next=%2Fcomplain%2F{draft.public_id}%2Fcheck-your-answers"
        assert f"{reverse('account_login')}?{back_here}" in html
        assert f"{reverse('account_signup')}?{back_here}" in html
        assert "Send complaint" not in html

    def test_signed_in_sees_the_send_button_with_a_submission_token(
        self, signed_in, complainant, organisation
    ):
        draft = make_draft(owner=complainant, answers=complete_answers(organisation))
        html = signed_in.get(form_url("check_answers", draft)).content.decode()
        assert f'name="submission_token" value="{draft.submission_token}"' in html
        assert 'data-prevent-double-click="true"' in html


class TestAccess:
    """Every page of a draft 404s for anyone but its owner or the browser that holds it."""

    PAGES = [
        ("task_list", {}),
        ("resume", {}),
        ("step", {"step": "your-name"}),
        ("organisations", {}),
        ("organisation_not_listed", {}),
        ("mp_referral", {}),
        ("check_answers", {}),
        ("save", {}),
        ("save_sent", {}),
        ("sent", {}),
    ]

    @pytest.mark.parametrize(("name", "kwargs"), PAGES)
    def test_another_persons_draft_is_not_found(self, client, organisation, name, kwargs):
        owner = UserFactory()
        draft = make_draft(owner=owner, answers=complete_answers(organisation))
        client.force_login(UserFactory())
        assert client.get(form_url(name, draft, **kwargs)).status_code == 404
        assert client.post(form_url(name, draft, **kwargs)).status_code in (404, 405)

    @pytest.mark.parametrize(("name", "kwargs"), PAGES)
    def test_a_draft_started_in_another_browser_is_not_found(
        self, client, organisation, name, kwargs
    ):
        draft = make_draft(answers=complete_answers(organisation))
        response = client.get(form_url(name, draft, **kwargs))
        assert response.status_code in (404, 302)
        if response.status_code == 302:  # the confirmation asks a stranger to sign in first
            assert response.url.startswith(reverse("account_login"))

    def test_signing_in_does_not_take_over_another_browsers_draft(self, signed_in):
        draft = make_draft()
        assert signed_in.get(form_url("task_list", draft)).status_code == 404
        draft.refresh_from_db()
        assert draft.owner is None

    def test_an_expired_draft_is_not_found(self, client, anonymous_draft):
        ComplaintDraft.objects.filter(pk=anonymous_draft.pk).update(
            expires_at=anonymous_draft.created_at
        )
        assert client.get(form_url("task_list", anonymous_draft)).status_code == 404


class TestDraftsList:
    def test_needs_sign_in(self, client):
        response = client.get(reverse("complaint_form:drafts"))
        assert response.url.startswith(reverse("account_login"))

    def test_lists_only_your_drafts_in_progress(self, signed_in, complainant, organisation):
        mine = make_draft(owner=complainant, answers=complete_answers(organisation))
        theirs = make_draft(
            owner=UserFactory(),
            answers={"organisations": {"organisation_ids": [], "unlisted": ["Elsewhere"]}},
        )
        html = signed_in.get(reverse("complaint_form:drafts")).content.decode()
        assert form_url("resume", mine) in html
        assert organisation.name in html
        assert form_url("resume", theirs) not in html
        assert "Elsewhere" not in html

    def test_includes_the_draft_this_browser_started_before_signing_in(self, client, complainant):
        started_here = make_draft(answers={"what-is-it-about": {"kind": "health"}})
        elsewhere = make_draft()
        remember_in_session(client, started_here)
        client.force_login(complainant)
        html = client.get(reverse("complaint_form:drafts")).content.decode()
        assert form_url("resume", started_here) in html
        assert form_url("resume", elsewhere) not in html
        started_here.refresh_from_db()
        assert started_here.owner == complainant
        assert started_here.expires_at > timezone.now() + datetime.timedelta(days=29)
        elsewhere.refresh_from_db()
        assert elsewhere.owner is None

    @pytest.mark.parametrize("count", [1, 30])
    def test_runs_a_constant_number_of_queries(
        self, signed_in, complainant, organisation, count, django_assert_max_num_queries
    ):
        for n in range(count):
            make_draft(
                owner=complainant,
                answers={
                    "organisations": {
                        "organisation_ids": [OrganisationFactory().pk, organisation.pk],
                        "unlisted": [f"Surgery {n}"],
                    }
                },
            )
        with django_assert_max_num_queries(8):
            response = signed_in.get(reverse("complaint_form:drafts"))
        assert response.content.decode().count("Continue<span") == count


class TestWayIn:
    READY = {
        "organisation_type": "nhs_england",
        "organisation_answered": True,
        "complained": "final_response",
        "aware_on": (TODAY - datetime.timedelta(days=40)).isoformat(),
    }

    def test_the_checkers_ready_outcome_starts_the_form(self, client):
        session = client.session
        session["checker"] = {"token": str(uuid.uuid4()), "answers": self.READY}
        session.save()
        html = client.get(reverse("checker:ready")).content.decode()
        assert f'href="{reverse("complaint_form:start")}" role="button"' in html

    def test_the_start_page_links_a_signed_in_person_to_the_form(self, signed_in):
        html = signed_in.get(reverse("complaints:start")).content.decode()
        assert f'href="{reverse("complaint_form:start")}"' in html
        assert f'href="{reverse("complaint_form:drafts")}"' in html
