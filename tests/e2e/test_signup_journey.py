"""A new person creates an account, confirms their email address, signs in and signs out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "river-cloud-pencil-42"


class TestSignUpJourney:
    def test_sign_up_confirm_sign_in_and_out(self, page, console_errors, screenshot):
        page.goto("/")
        screenshot("01-home")
        page.get_by_role("link", name="Create an account").click()
        assert page.title().startswith("Create an account")
        screenshot("02-signup")

        page.get_by_label("Email address").fill("new.person@example.org")
        page.get_by_label("Create a password").fill(PASSWORD)
        page.get_by_label("Confirm your password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        screenshot("03-check-your-email")

        # The live server runs in this process, so the test reads the same in-memory outbox.
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["new.person@example.org"]
        link = re.search(r"https?://\S+/account/confirm-email/\S+", mail.outbox[0].body).group(0)
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
        screenshot("04-confirm-email")
        page.get_by_role("button", name="Confirm email address").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(
            page.get_by_text("You have confirmed your email address new.person@example.org.")
        ).to_be_visible()
        screenshot("05-sign-in")
        page.get_by_label("Email address").fill("new.person@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
        screenshot("06-your-account")
        page.get_by_role("link", name="Sign out").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
        screenshot("07-sign-out")
        page.get_by_role("button", name="Sign out").click()

        expect(page.get_by_text("You have signed out.")).to_be_visible()
        expect(
            page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign in")
        ).to_be_visible()
        screenshot("08-signed-out")
        assert console_errors == []

    def test_wrong_password_shows_error_summary(self, page, console_errors, screenshot):
        page.goto("/account/login/")
        page.get_by_label("Email address").fill("nobody@example.org")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        assert page.title().startswith("Error: Sign in")
        summary = page.locator(".govuk-error-summary")
        assert "There is a problem" in summary.inner_text()
        screenshot("sign-in-error")
        assert console_errors == []
