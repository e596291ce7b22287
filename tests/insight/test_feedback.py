"""The survey offered when a complaint ends, and the public "You said, we did" page."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from accounts.roles import Role
from casework.models import CaseKind
from casework.services import case_create, case_transition
from casework.state import CaseAction, CaseStatus
from insight.models import CaseFeedback, YouSaidWeDid
from insight.services import FeedbackNotOpen, case_feedback_submit
from tests.complaints.test_account_views import assert_error, body, text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANSWERS = {"ease_of_use": "4", "kept_informed": "2", "improvements": "Reply sooner"}


@pytest.fixture
def ended_case(complainant, caseworker):
    case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
    return case_transition(
        case_id=case.pk,
        action=CaseAction.MARK_PREMATURE,
        actor=caseworker,
        reason="The trust has not answered yet",
    )


@pytest.fixture
def signed_in(client, complainant):
    client.force_login(complainant)
    return client


def feedback_url(case):
    return reverse("complaints:feedback", kwargs={"reference": case.reference})


class TestCaseFeedbackSubmit:
    def test_keeps_the_answers_against_the_case_only(self, ended_case):
        feedback = case_feedback_submit(
            case=ended_case, ease_of_use=5, kept_informed=3, improvements="  More updates "
        )
        assert (feedback.ease_of_use, feedback.kept_informed) == (5, 3)
        assert feedback.improvements == "More updates"
        assert feedback.case_status == CaseStatus.PREMATURE
        fields = {field.name for field in CaseFeedback._meta.get_fields()}
        assert fields == {
            "id",
            "case",
            "case_status",
            "ease_of_use",
            "kept_informed",
            "improvements",
            "submitted_at",
        }

    def test_only_once_per_case(self, ended_case):
        case_feedback_submit(case=ended_case, ease_of_use=5, kept_informed=5)
        with pytest.raises(FeedbackNotOpen, match="already"):
            case_feedback_submit(case=ended_case, ease_of_use=1, kept_informed=1)
        assert CaseFeedback.objects.get().ease_of_use == 5

    def test_not_while_the_case_is_open(self, complainant):
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
        with pytest.raises(FeedbackNotOpen, match="once your complaint has ended"):
            case_feedback_submit(case=case, ease_of_use=5, kept_informed=5)

    @pytest.mark.parametrize("rating", [0, 6])
    def test_ratings_are_1_to_5(self, ended_case, rating):
        with pytest.raises(Exception, match="valid choice|ratings"):
            case_feedback_submit(case=ended_case, ease_of_use=rating, kept_informed=3)
        assert not CaseFeedback.objects.exists()


class TestFeedbackPage:
    def test_offers_the_survey_on_an_ended_case(self, signed_in, ended_case):
        page = text(signed_in.get(feedback_url(ended_case)))
        assert "How satisfied were you with how easy our service was to use?" in page
        assert "How satisfied were you with how we kept you informed about your complaint?" in page
        assert "Very satisfied" in page and "Very dissatisfied" in page

    def test_sending_answers_thanks_and_is_final(self, signed_in, ended_case):
        response = signed_in.post(feedback_url(ended_case), ANSWERS)
        assert response.status_code == 302 and response.url == feedback_url(ended_case)
        assert "Thank you for your feedback" in text(signed_in.get(feedback_url(ended_case)))
        again = signed_in.post(feedback_url(ended_case), {**ANSWERS, "ease_of_use": "1"})
        assert "Thank you for your feedback" in text(again)
        feedback = CaseFeedback.objects.get()
        assert (feedback.ease_of_use, feedback.kept_informed) == (4, 2)
        assert feedback.improvements == "Reply sooner"
        case_page = reverse("complaints:case", kwargs={"reference": ended_case.reference})
        assert "Thank you for telling us what you think" in text(signed_in.get(case_page))

    def test_both_ratings_are_needed_and_text_is_optional(self, signed_in, ended_case):
        response = signed_in.post(feedback_url(ended_case), {"improvements": ""})
        assert_error(response, "Select how satisfied you were with how easy our service was to use")
        assert_error(response, "Select how satisfied you were with how we kept you informed")
        assert not CaseFeedback.objects.exists()
        signed_in.post(feedback_url(ended_case), {"ease_of_use": "3", "kept_informed": "3"})
        assert CaseFeedback.objects.get().improvements == ""

    def test_text_over_2000_characters_is_an_error(self, signed_in, ended_case):
        response = signed_in.post(feedback_url(ended_case), {**ANSWERS, "improvements": "x" * 2001})
        assert_error(response, "What we could do better must be 2,000 characters or fewer")

    def test_made_up_rating_is_an_error(self, signed_in, ended_case):
        response = signed_in.post(feedback_url(ended_case), {**ANSWERS, "ease_of_use": "9"})
        assert "There is a problem" in body(response)
        assert not CaseFeedback.objects.exists()

    def test_open_case_explains_when_feedback_is_asked_for(self, signed_in, complainant):
        case = case_create(kind=CaseKind.HEALTH, complainant=complainant)
        page = text(signed_in.post(feedback_url(case), ANSWERS))
        assert "You can tell us what you think once your complaint has ended" in page
        assert not CaseFeedback.objects.exists()

    def test_another_persons_case_is_not_found(self, client, ended_case):
        client.force_login(UserFactory(roles=[Role.COMPLAINANT]))
        assert client.get(feedback_url(ended_case)).status_code == 404
        assert client.post(feedback_url(ended_case), ANSWERS).status_code == 404
        assert not CaseFeedback.objects.exists()


def entry(day, published=True, said="Letters were hard to read", did="We use plain English"):
    return YouSaidWeDid.objects.create(
        you_said=said, we_did=did, date=datetime.date(2026, *day), published=published
    )


class TestYouSaidWeDidPage:
    def test_lists_published_entries_newest_first(self, client):
        entry((3, 1), said="Older thing said")
        entry((5, 1), said="Newer thing said", did="Newer thing done")
        entry((6, 1), published=False, said="Draft not ready")
        page = text(client.get(reverse("insight:you_said_we_did")))
        assert page.index("Newer thing said") < page.index("Older thing said")
        assert "Newer thing done" in page and "May 2026" in page
        assert "Draft not ready" not in page

    def test_says_when_there_is_nothing_yet(self, client):
        assert "We have not published any changes yet" in text(
            client.get(reverse("insight:you_said_we_did"))
        )

    def test_linked_from_our_data(self, client):
        assert f'href="{reverse("insight:you_said_we_did")}"' in body(
            client.get(reverse("insight:index"))
        )

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_entries(
        self, client, django_assert_max_num_queries, count
    ):
        for n in range(count):
            entry((1, 1 + n % 28))
        with django_assert_max_num_queries(1):
            response = client.get(reverse("insight:you_said_we_did"))
        assert text(response).count("We use plain English") == count


class TestAdmin:
    def test_staff_keep_entries_in_the_admin_and_feedback_is_read_only(self, rf):
        assert site.is_registered(YouSaidWeDid)
        feedback_admin = site._registry[CaseFeedback]
        request = rf.get("/")
        assert not feedback_admin.has_add_permission(request)
        assert not feedback_admin.has_change_permission(request)
        assert not feedback_admin.has_delete_permission(request)
