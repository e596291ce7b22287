"""Information requests in a browser: an FOI request from the public form to the disclosure log,
and a subject access request through to the requester downloading their data.

The live server runs Celery tasks eagerly in-process, so the acknowledgement and the data download
are prepared as soon as their transactions commit.
"""

# ruff: noqa: F811

import io
import json
import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from casework.models import CaseKind, Document, DocumentStatus, MessageParty, UploaderRole
from casework.services import case_create, document_upload, message_send
from foi.models import DisclosureEntry, InformationRequest
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    clamd,
    clamd_settings,
    evidence_storage,
    pdf_bytes,
)
from tests.conftest import otp_verified_client
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


def as_staff(page, live_server, user):
    """Hand the browser a staff session whose second factor is already checked."""
    client = otp_verified_client(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def check(page, axe, console_errors, screenshot, name):
    screenshot(name)
    assert page.locator("h1").count() == 1
    assert_no_violations(axe, page)
    assert console_errors == []


def action_form(page, name):
    return page.locator(f"form[action$='/{name}']")


class TestFoiRequestToDisclosureLog:
    def test_public_request_is_answered_signed_off_and_published(
        self, page, live_server, axe, console_errors, screenshot, transactional_db
    ):
        drafter = UserFactory(roles=[Role.FOI_OFFICER], full_name="Dana Drafter")
        signer = UserFactory(roles=[Role.FOI_OFFICER], full_name="Sol Signer")

        page.goto("/information-requests/")
        check(page, axe, console_errors, screenshot, "foi-01-start")
        page.get_by_role("button", name="Ask for information").click()
        page.get_by_role("button", name="Continue").click()
        assert page.title().startswith("Error: ")
        check(page, axe, console_errors, screenshot, "foi-02-errors")

        page.get_by_label("What information do you want?").fill(
            "How much did you spend on external legal advice in 2025?"
        )
        page.get_by_label("No", exact=True).check()
        page.get_by_label("Your full name").fill("Pat O'Neill")
        page.get_by_label("Email address").fill("pat@example.com")
        page.get_by_label("By email").check()
        page.get_by_role("button", name="Continue").click()
        assert page.get_by_role("heading", level=1).inner_text().startswith("Check your answers")
        check(page, axe, console_errors, screenshot, "foi-03-check")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
        check(page, axe, console_errors, screenshot, "foi-04-confirmation")
        info = InformationRequest.objects.get()
        expect(page.locator(".govuk-panel")).to_contain_text(info.reference)
        expect(page.locator("main")).to_contain_text(info.due_on.strftime("%B %Y"))

        # The first officer assigns it, records a search and drafts from a template.
        as_staff(page, live_server, drafter)
        page.goto("/staff/information-requests/")
        check(page, axe, console_errors, screenshot, "foi-05a-staff-list")
        page.get_by_role("link", name=info.reference).click()
        check(page, axe, console_errors, screenshot, "foi-05-staff-detail")
        action_form(page, "assign").get_by_label("Assign to").select_option(label="Dana Drafter")
        action_form(page, "assign").get_by_role("button", name="Assign").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Request assigned")
        search = action_form(page, "search")
        search.get_by_label("Where you searched").fill("Finance system, legal ledger 2025")
        search.get_by_label("What you found").fill("Invoices totalling £48,200")
        search.get_by_role("button", name="Record search").click()
        page.get_by_label("Start from a template").select_option(label="Information provided")
        page.get_by_role("button", name="Use template").click()
        draft = action_form(page, "draft").get_by_label("Response")
        assert "Dear Pat O'Neill" in draft.input_value()
        draft.fill(
            "Dear Pat O'Neill,\n\nWe spent £48,200 on external legal advice in 2025. "
            "Questions to pat@example.com are welcome."
        )
        action_form(page, "draft").get_by_role("button", name="Submit for sign-off").click()
        expect(page.locator("main")).to_contain_text("not the drafter, must sign this response off")

        # A second officer signs it off, records it as sent and closes it for publication.
        as_staff(page, live_server, signer)
        page.goto(reverse("foi_staff:detail", args=[info.reference]))
        action_form(page, "sign_off").get_by_role("button", name="Sign off the response").click()
        action_form(page, "send").get_by_role("button", name="Record as sent").click()
        close = action_form(page, "close")
        close.get_by_label("Granted in full").check()
        close.get_by_label("Publish this response in the disclosure log").check()
        close.get_by_label("Topic (for the disclosure log)").fill("Spending")
        close.get_by_role("button", name="Close request").click()
        check(page, axe, console_errors, screenshot, "foi-06-closed")
        page.get_by_role("link", name="Check for personal data and publish").click()

        # The redaction check has already replaced the email address; the officer confirms.
        text = page.get_by_label("Response as it will be published")
        assert "pat@example.com" not in text.input_value()
        assert "[REDACTED]" in text.input_value()
        check(page, axe, console_errors, screenshot, "foi-07-redaction-check")
        text.fill("We spent £48,200 on external legal advice in 2025.")
        page.get_by_label("Title for the disclosure log").fill("Spending on external legal advice")
        page.get_by_label("I have read the whole response").check()
        page.get_by_role("button", name="Publish").click()

        assert (
            page.get_by_role("heading", level=1).inner_text() == "Spending on external legal advice"
        )
        entry = DisclosureEntry.objects.get()
        assert "Pat" not in entry.response_text
        page.context.clear_cookies()
        page.goto(f"/information-requests/disclosure-log/{entry.reference}")
        check(page, axe, console_errors, screenshot, "foi-08-disclosure-entry")
        page.goto("/information-requests/disclosure-log")
        page.get_by_label("Search the disclosure log").fill("legal advice")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("link", name="Spending on external legal advice")).to_be_visible()
        check(page, axe, console_errors, screenshot, "foi-09-disclosure-log")
        page.goto("/information-requests/performance")
        expect(page.locator("main")).to_contain_text("100%")
        check(page, axe, console_errors, screenshot, "foi-10-performance")


def sign_in(page, user):
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/your-account/**")


class TestSubjectAccessToDownload:
    def test_requester_asks_for_their_data_and_downloads_it(
        self, page, live_server, axe, console_errors, screenshot, transactional_db
    ):
        ann = UserFactory(roles=[Role.COMPLAINANT], full_name="Ann Able")
        bob = UserFactory(roles=[Role.COMPLAINANT], full_name="Bob Other")
        case = case_create(kind=CaseKind.HEALTH, complainant=ann, summary="Ann's mother's care")
        bobs = case_create(kind=CaseKind.HEALTH, complainant=bob, summary="Bob: Ann Able saw it")
        message_send(
            case=bobs,
            author=bob,
            party=MessageParty.COMPLAINANT,
            body="Bob's message",
            from_ombudsman=False,
        )
        letter = document_upload(
            case=case,
            uploaded_by=ann,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[SimpleUploadedFile("trust letter.pdf", pdf_bytes("Trust letter"))],
        )[0]
        Document.objects.filter(pk=letter.pk).update(status=DocumentStatus.CLEAN)

        sign_in(page, ann)
        page.goto("/information-requests/personal-data")
        check(page, axe, console_errors, screenshot, "sar-01-form")
        page.get_by_label("My own").check()
        page.get_by_label("What personal data do you want?").fill("Everything about my complaint")
        page.get_by_label("By email").check()
        page.get_by_role("button", name="Continue").click()
        check(page, axe, console_errors, screenshot, "sar-02-check")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
        check(page, axe, console_errors, screenshot, "sar-03-confirmation")
        page.get_by_role("link", name="See your information requests").click()
        check(page, axe, console_errors, screenshot, "sar-04-your-requests")
        own = InformationRequest.objects.get(user=ann)
        page.get_by_role("link", name=own.reference).click()
        expect(page.locator("main")).to_contain_text("Everything about my complaint")
        check(page, axe, console_errors, screenshot, "sar-04b-your-request")

        page.goto("/information-requests/my-data")
        check(page, axe, console_errors, screenshot, "sar-05-my-data")
        page.get_by_role("button", name="Prepare my download").click()
        expect(page.get_by_role("link", name="Download zip")).to_be_visible()
        check(page, axe, console_errors, screenshot, "sar-06-ready")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download zip").click()
        archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
        data = json.loads(archive.read("data.json"))
        assert [c["reference"] for c in data["cases"]] == [case.reference]
        assert any(name.endswith("trust letter.pdf") for name in archive.namelist())
        assert "Bob" not in archive.read("data.json").decode()
        assert "Bob" not in archive.read("summary.html").decode()
        assert console_errors == []


class TestSubjectAccessWithoutAccount:
    def test_anonymous_requester_sends_proof_and_an_officer_starts_the_month(
        self, page, live_server, axe, console_errors, screenshot, clamd_settings, transactional_db
    ):
        officer = UserFactory(roles=[Role.FOI_OFFICER], full_name="Fiona Officer")

        page.goto("/information-requests/")
        page.get_by_role("link", name="make a subject access request").click()
        expect(page.locator("main")).to_contain_text("You do not need an account")
        check(page, axe, console_errors, screenshot, "sar-anon-01-form")
        page.get_by_role("button", name="Continue").click()
        assert page.title().startswith("Error: ")
        check(page, axe, console_errors, screenshot, "sar-anon-02-errors")

        page.get_by_label("Your full name").fill("Sam Nobody")
        page.get_by_label("Email address").fill("sam@example.com")
        page.get_by_label("My own").check()
        page.get_by_label("What personal data do you want?").fill("Everything about my complaint")
        page.get_by_label("By email").check()
        page.get_by_label("Proof of your identity").set_input_files(
            {"name": "passport.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Passport")}
        )
        page.get_by_role("button", name="Continue").click()
        assert page.get_by_role("heading", level=1).inner_text().startswith("Check your answers")
        expect(page.locator("main")).to_contain_text("passport.pdf")
        check(page, axe, console_errors, screenshot, "sar-anon-03-check")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
        check(page, axe, console_errors, screenshot, "sar-anon-04-confirmation")

        info = InformationRequest.objects.get()
        assert (info.user, info.due_on) == (None, None)
        proof = info.documents.get().document
        assert (proof.uploaded_by, proof.status) == (None, DocumentStatus.CLEAN)
        # The requester's browser cannot open the proof it sent.
        response = page.request.get(
            live_server.url + reverse("foi_staff:document", args=[info.reference, proof.pk]),
            max_redirects=0,
        )
        assert response.status in (302, 403)

        as_staff(page, live_server, officer)
        page.goto(reverse("foi_staff:detail", args=[info.reference]))
        check(page, axe, console_errors, screenshot, "sar-anon-05-staff-detail")
        page.get_by_role("button", name="Confirm identity and start the clock").click()
        info.refresh_from_db()
        assert info.due_on is not None and info.identity_verified_by == officer
        check(page, axe, console_errors, screenshot, "sar-anon-06-identity-confirmed")
