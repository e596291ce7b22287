"""Contact details, how we contact someone, and the reasonable adjustments they ask for."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ContactMethod, ContactPreferences
from accounts.services import contact_preferences_update
from tests.complaints.test_account_views import assert_error, body, text
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name):
    return reverse(f"complaints:{name}")


@pytest.fixture
def signed_in(client, complainant):
    client.force_login(complainant)
    return client


def preferences(user) -> ContactPreferences:
    return ContactPreferences.objects.get(user=user)


class TestContactPreferencesUpdate:
    def test_creates_then_changes_only_what_is_given(self, complainant):
        contact_preferences_update(user=complainant, phone="07700 900982")
        contact_preferences_update(user=complainant, large_print=True)
        saved = preferences(complainant)
        assert (saved.phone, saved.large_print, saved.contact_method) == (
            "07700 900982",
            True,
            ContactMethod.EMAIL,
        )

    def test_refuses_unknown_fields(self, complainant):
        with pytest.raises(ValueError, match="is_staff"):
            contact_preferences_update(user=complainant, is_staff=True)

    def test_refuses_phone_contact_without_a_number(self, complainant):
        with pytest.raises(ValidationError):
            contact_preferences_update(user=complainant, contact_method=ContactMethod.PHONE)
        assert not ContactPreferences.objects.filter(user=complainant, contact_method="phone")

    def test_refuses_post_without_an_address(self, complainant):
        with pytest.raises(ValidationError):
            contact_preferences_update(user=complainant, contact_method=ContactMethod.POST)

    def test_adjustments_read_as_staff_see_them(self, complainant):
        saved = contact_preferences_update(
            user=complainant,
            bsl=True,
            easy_read=True,
            language="Polish",
            other_adjustment="Please call after 2pm",
        )
        assert saved.adjustments == [
            "Easy read",
            "A British Sign Language (BSL) interpreter",
            "Information in Polish",
            "Please call after 2pm",
        ]


class TestYourDetails:
    def test_shows_defaults_before_anything_is_saved(self, signed_in, complainant):
        page = text(signed_in.get(url("your_details")))
        assert complainant.email in page
        assert "Phone number Not given" in page
        assert "How we contact you Email" in page
        assert "Changes you need None" in page
        assert not ContactPreferences.objects.exists()

    def test_shows_only_the_signed_in_persons_details(self, signed_in):
        other = UserFactory()
        contact_preferences_update(user=other, phone="01632 960001", language="Urdu")
        page = text(signed_in.get(url("your_details")))
        assert "01632 960001" not in page and "Urdu" not in page

    def test_your_account_links_here_and_to_complaints(self, signed_in):
        html = body(signed_in.get(reverse("accounts:home")))
        assert f'href="{url("your_details")}"' in html
        assert f'href="{url("cases")}"' in html

    def test_staff_account_has_no_complainant_links(self, client, caseworker):
        html = body(otp_verified_client(client, caseworker).get(reverse("accounts:home")))
        assert f'href="{url("cases")}"' not in html


class TestPhone:
    @pytest.mark.parametrize(
        ("typed", "saved"),
        [
            ("07700 900 982", "07700 900 982"),
            ("+44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
            ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
            ("0 1 6 3 2 - 9 6 0 - 0 0 1", "01632960001"),
        ],
    )
    def test_saves_a_phone_number(self, signed_in, complainant, typed, saved):
        response = signed_in.post(url("your_phone"), {"phone": typed})
        assert response.status_code == 302 and response.url == url("your_details")
        assert preferences(complainant).phone == saved

    @pytest.mark.parametrize("typed", ["12345", "call me", "0770090098212345", "+0 123 456 789"])
    def test_rejects_what_is_not_a_phone_number(self, signed_in, complainant, typed):
        response = signed_in.post(url("your_phone"), {"phone": typed})
        assert_error(
            response,
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        )
        assert not ContactPreferences.objects.exists()

    def test_empty_removes_the_number(self, signed_in, complainant):
        contact_preferences_update(user=complainant, phone="07700 900982")
        signed_in.post(url("your_phone"), {"phone": ""})
        assert preferences(complainant).phone == ""

    def test_cannot_remove_the_number_we_phone(self, signed_in, complainant):
        contact_preferences_update(user=complainant, phone="07700 900982", contact_method="phone")
        response = signed_in.post(url("your_phone"), {"phone": " "})
        assert_error(
            response,
            "Enter a phone number. We contact you by phone, so to remove your number first "
            "choose another way for us to contact you",
        )
        assert preferences(complainant).phone == "07700 900982"


class TestAddress:
    def test_saves_an_address_with_the_postcode_tidied(self, signed_in, complainant):
        response = signed_in.post(
            url("your_address"),
            {
                "address_line_1": "1 High Street",
                "address_line_2": "",
                "town": "Leeds",
                "postcode": "ls11ab",
            },
        )
        assert response.status_code == 302
        assert preferences(complainant).address_lines == ["1 High Street", "Leeds", "LS1 1AB"]

    def test_part_of_an_address_says_what_is_missing(self, signed_in):
        response = signed_in.post(url("your_address"), {"address_line_2": "Flat 2"})
        assert_error(response, "Enter address line 1, typically the building and street")
        assert_error(response, "Enter town or city")
        assert_error(response, "Enter postcode")

    def test_rejects_a_postcode_that_is_not_one(self, signed_in):
        response = signed_in.post(
            url("your_address"),
            {
                "address_line_1": "1 High Street",
                "town": "Leeds",
                "postcode": "LS1",
            },
        )
        assert_error(response, "Enter a full UK postcode")

    def test_empty_removes_the_address_unless_we_write_to_it(self, signed_in, complainant):
        contact_preferences_update(
            user=complainant,
            address_line_1="1 High St",
            town="Leeds",
            postcode="LS1 1AB",
            contact_method="post",
        )
        response = signed_in.post(url("your_address"), {})
        assert_error(
            response,
            "Enter your address. We contact you by post, so to remove your address first choose "
            "another way for us to contact you",
        )
        contact_preferences_update(user=complainant, contact_method="email")
        signed_in.post(url("your_address"), {})
        assert preferences(complainant).address_lines == []


class TestContactMethod:
    def test_must_choose_one(self, signed_in):
        assert_error(
            signed_in.post(url("your_contact_method"), {}), "Select how you want us to contact you"
        )

    def test_phone_needs_a_number_first(self, signed_in):
        response = signed_in.post(url("your_contact_method"), {"contact_method": "phone"})
        assert_error(
            response,
            "You have not given us a phone number. Add your phone number, or select another way "
            "for us to contact you",
        )
        assert f'href="{url("your_phone")}"' in body(response)

    def test_post_needs_an_address_first(self, signed_in):
        response = signed_in.post(url("your_contact_method"), {"contact_method": "post"})
        assert_error(
            response,
            "You have not given us an address. Add your address, or select another way for us "
            "to contact you",
        )

    def test_saves_the_choice_and_each_option_says_what_we_would_use(self, signed_in, complainant):
        contact_preferences_update(user=complainant, phone="07700 900982")
        page = text(signed_in.get(url("your_contact_method")))
        assert "We will call 07700 900982" in page and "Add your address first" in page
        signed_in.post(url("your_contact_method"), {"contact_method": "phone"})
        assert preferences(complainant).contact_method == ContactMethod.PHONE


class TestAdjustments:
    def test_saves_the_adjustments_chosen(self, signed_in, complainant):
        response = signed_in.post(
            url("your_adjustments"),
            {
                "needs": ["large_print", "language", "other"],
                "language": "Welsh",
                "other_adjustment": "Short sentences,\r\nplease",
            },
        )
        assert response.status_code == 302
        saved = preferences(complainant)
        assert saved.large_print and not saved.easy_read and not saved.bsl
        assert saved.language == "Welsh" and saved.other_adjustment == "Short sentences,\nplease"
        page = text(signed_in.get(url("your_details")))
        assert "Large print" in page and "Information in Welsh" in page

    def test_unticking_clears_and_ignores_text_of_unticked_options(self, signed_in, complainant):
        contact_preferences_update(user=complainant, bsl=True, language="Welsh")
        signed_in.post(url("your_adjustments"), {"needs": ["easy_read"], "language": "Welsh"})
        saved = preferences(complainant)
        assert saved.easy_read and not saved.bsl and saved.language == ""

    def test_nothing_ticked_means_no_adjustments(self, signed_in, complainant):
        contact_preferences_update(user=complainant, large_print=True)
        assert signed_in.post(url("your_adjustments"), {}).status_code == 302
        assert preferences(complainant).adjustments == []

    def test_the_page_shows_what_is_saved(self, signed_in, complainant):
        contact_preferences_update(user=complainant, bsl=True, language="Welsh")
        html = body(signed_in.get(url("your_adjustments")))
        assert 'value="bsl" checked' in html and 'value="language" checked' in html
        assert 'value="Welsh"' in html

    def test_another_language_needs_the_language(self, signed_in):
        response = signed_in.post(url("your_adjustments"), {"needs": ["language"]})
        assert_error(response, "Enter the language you need us to use")

    def test_something_else_needs_a_description_within_500_characters(self, signed_in):
        response = signed_in.post(url("your_adjustments"), {"needs": ["other"]})
        assert_error(response, "Tell us what you need us to change")
        response = signed_in.post(
            url("your_adjustments"), {"needs": ["other"], "other_adjustment": "x" * 501}
        )
        assert_error(response, "What you need must be 500 characters or fewer")

    def test_unknown_option_is_refused(self, signed_in):
        response = signed_in.post(url("your_adjustments"), {"needs": ["telepathy"]})
        assert "There is a problem" in body(response)
        assert not ContactPreferences.objects.exists()
