"""A signed-in complainant sends evidence for their case and sees each file become ready.

The live server runs Celery tasks eagerly in-process, so the virus scan (against a real clamd)
and text extraction run as soon as the upload commits.
"""

# Fixtures shared by the document tests are imported from documents_support and then named as
# test parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from casework.models import CaseKind, Document, DocumentStatus, TextStatus, UploaderRole
from casework.services import case_create, document_upload
from tests.casework.documents_support import (  # noqa: F401 - fixtures
    clamd,
    clamd_settings,
    evidence_storage,
    jpeg_photo,
    pdf_bytes,
)
from tests.conftest import otp_verified_client
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture
def complainant_case(transactional_db):
    complainant = UserFactory(roles=[Role.COMPLAINANT])
    return case_create(kind=CaseKind.HEALTH, complainant=complainant, summary="Missed diagnosis")


@pytest.fixture
def evidence_files(tmp_path):
    letter = tmp_path / "Trust reply letter.pdf"
    letter.write_bytes(
        pdf_bytes("Thank you for your complaint about the care your mother received")
    )
    photo = tmp_path / "photo of discharge note.jpg"
    photo.write_bytes(jpeg_photo("DISCHARGED 14 MAY"))
    return [letter, photo]


def sign_in(page, user):
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/your-account/**")


def wait_until_ready(page, count, *, attempts=20):
    """Reload the results page until `count` files show as Ready (the page does not poll)."""
    for _ in range(attempts):
        if page.locator(".govuk-tag", has_text="Ready").count() == count:
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(page.locator("main").inner_text())


class TestEvidenceUpload:
    def test_complainant_uploads_a_pdf_and_a_photo_and_sees_both_ready(
        self,
        page,
        axe,
        console_errors,
        screenshot,
        clamd_settings,
        complainant_case,
        evidence_files,
    ):
        case = complainant_case
        sign_in(page, case.complainant)
        page.goto(f"/complaints/cases/{case.reference}/evidence")
        expect(page.get_by_role("heading", level=1)).to_have_text("Send evidence")
        screenshot("evidence-01-page")
        assert_no_violations(axe, page)

        page.locator("input[type=file]").set_input_files(evidence_files)
        screenshot("evidence-02-files-chosen")
        # With JavaScript the form is sent by XMLHttpRequest so that progress can be shown.
        with page.expect_request(
            lambda request: request.method == "POST" and request.resource_type == "xhr"
        ):
            page.get_by_role("button", name="Send files").click()
        page.wait_for_url("**/evidence/uploaded?*")

        wait_until_ready(page, 2)
        expect(page.get_by_role("heading", level=1)).to_have_text("Files uploaded")
        results = page.locator(".app-upload-results")
        assert "Trust reply letter.pdf" in results.inner_text()
        assert "photo of discharge note.jpg" in results.inner_text()
        screenshot("evidence-03-ready")
        assert_no_violations(axe, page)

        letter, photo = Document.objects.filter(case=case).order_by("id")
        assert (letter.status, photo.status) == (DocumentStatus.CLEAN, DocumentStatus.CLEAN)
        assert letter.text_status == photo.text_status == TextStatus.EXTRACTED
        assert "DISCHARGED" in photo.extracted_text

        # The evidence page lists both, each linked for download.
        page.get_by_role("link", name="Send more files").click()
        expect(page.get_by_role("link", name="Trust reply letter.pdf")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="Trust reply letter.pdf").click()
        assert download.value.suggested_filename == "Trust reply letter.pdf"
        screenshot("evidence-04-list")
        assert console_errors == []

    def test_without_javascript_the_form_posts_and_shows_each_files_outcome(
        self, browser, live_server, axe, clamd_settings, complainant_case, tmp_path
    ):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=False,
            viewport={"width": 1024, "height": 768},
        )
        page = context.new_page()
        try:
            sign_in(page, complainant_case.complainant)
            page.goto(f"/complaints/cases/{complainant_case.reference}/evidence")
            good = tmp_path / "letter.pdf"
            good.write_bytes(pdf_bytes())
            bad = tmp_path / "holiday.zip"
            bad.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
            page.locator("input[type=file]").set_input_files([good, bad])
            page.get_by_role("button", name="Send files").click()
            page.wait_for_url("**/evidence/uploaded?*")

            assert (
                page.get_by_role("heading", level=1).inner_text()
                == "Some of your files were not uploaded"
            )
            text = page.locator(".app-upload-results").inner_text()
            assert "letter.pdf" in text and "Ready" in text
            assert "holiday.zip" in text and "Rejected" in text
            RESULTS_DIR.mkdir(exist_ok=True)
            page.screenshot(path=RESULTS_DIR / "evidence-05-no-javascript.png", full_page=True)
        finally:
            context.close()

    def test_progress_is_shown_while_files_are_sent(
        self, page, console_errors, screenshot, clamd_settings, complainant_case, tmp_path
    ):
        photo = tmp_path / "large photo.png"
        Image.effect_noise((360, 360), 80).convert("RGB").save(photo, "PNG")
        sign_in(page, complainant_case.complainant)
        page.goto(f"/complaints/cases/{complainant_case.reference}/evidence")
        progress = page.locator("[data-upload-progress]")
        assert progress.is_hidden()
        # A slow connection, so that the upload takes long enough to watch.
        network = page.context.new_cdp_session(page)
        network.send("Network.enable")
        network.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 60_000},
        )
        page.locator("input[type=file]").set_input_files([photo])
        page.get_by_role("button", name="Send files").click()

        progress.wait_for(state="visible")
        expect(page.locator("progress")).not_to_have_attribute("value", "0")
        assert page.get_by_role("button", name="Send files").is_disabled()
        expect(page.locator("[data-upload-progress-text]")).to_contain_text("% sent")
        screenshot("evidence-07-progress")

        page.wait_for_url("**/evidence/uploaded?*", timeout=30_000)
        wait_until_ready(page, 1)
        assert console_errors == []

    def test_choosing_no_file_shows_the_error_summary(
        self, page, axe, console_errors, screenshot, complainant_case
    ):
        sign_in(page, complainant_case.complainant)
        page.goto(f"/complaints/cases/{complainant_case.reference}/evidence")
        page.get_by_role("button", name="Send files").click()
        assert page.title().startswith("Error: ")
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select a file to upload")
        screenshot("evidence-06-error")
        assert_no_violations(axe, page)
        assert console_errors == []


class TestStaffDocumentPages:
    def test_case_documents_and_pending_scans_pages(
        self, page, live_server, axe, console_errors, screenshot, complainant_case
    ):
        case = complainant_case
        document_upload(
            case=case,
            uploaded_by=case.complainant,
            uploader_role=UploaderRole.COMPLAINANT,
            files=[
                SimpleUploadedFile("Trust reply letter.pdf", pdf_bytes()),
                SimpleUploadedFile("photo of discharge note.jpg", jpeg_photo()),
                SimpleUploadedFile("installer.zip", b"PK\x05\x06" + b"\x00" * 18),
            ],
        )
        Document.objects.filter(original_filename__startswith="Trust").update(
            status=DocumentStatus.CLEAN, page_count=1
        )
        # A staff session with its second factor already checked, handed to the browser.
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        client = otp_verified_client(Client(), caseworker)
        page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )

        page.goto(f"/staff/cases/{case.reference}/documents")
        expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
        table = page.locator(".app-documents-table")
        assert "Ready" in table.inner_text()
        assert "Checking for viruses" in table.inner_text()
        assert "Rejected" in table.inner_text()
        screenshot("staff-documents-01-list")
        assert_no_violations(axe, page)

        page.get_by_role("link", name="Documents waiting for a virus scan").click()
        expect(page.locator("main")).to_contain_text("1 document waiting")
        screenshot("staff-documents-02-pending")
        assert_no_violations(axe, page)
        assert console_errors == []
