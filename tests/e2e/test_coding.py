"""A caseworker reviews the clinical codes suggested for a case's narrative.

Signs in with a password and a TOTP code, follows the case page's link to its clinical codes,
sees the coded words marked in the narrative, confirms one code and rejects another, and sees
both reviews; axe-core checks the page before and after.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from casework.models import CaseKind, ClinicalCode, CodeReview
from casework.services import case_create
from casework.services_coding import case_narrative_code
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_backoffice import sign_in_with_security_code
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


class TestClinicalCodes:
    def test_a_caseworker_confirms_one_code_and_rejects_another(
        self, page, axe, console_errors, screenshot, transactional_db
    ):
        case = case_create(
            kind=CaseKind.HEALTH,
            summary=(
                "Mum was admitted with sepsis. A chest infection was ruled out. "
                "The nurses were rude and her discharge was delayed."
            ),
        )
        case_narrative_code(case_id=case.pk)
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        device = TOTPDevice.objects.create(user=caseworker, name="Phone", confirmed=True)
        sign_in_with_security_code(page, caseworker, device)

        page.goto(f"/staff/cases/{case.reference}")
        page.get_by_role("link", name="Clinical codes").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Clinical codes")
        marks = page.locator("mark")
        expect(marks.first).to_be_visible()
        sepsis_mark = page.locator("mark", has_text="sepsis")
        expect(sepsis_mark).to_have_attribute("title", re.compile(r"A41\.9 Sepsis.*present"))
        screenshot("coding-01-suggested")
        assert_no_violations(axe, page)

        sepsis = ClinicalCode.objects.get(case=case, code="A41.9")
        confirm = re.compile("^Confirm")
        page.locator(f"#code-{sepsis.pk}").get_by_role("button", name=confirm).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Confirmed: Sepsis")
        expect(page.locator(f"#code-{sepsis.pk}")).to_contain_text("Confirmed")

        infection = ClinicalCode.objects.filter(case=case, status="negated").first()
        assert infection is not None
        reject = re.compile("^Reject")
        page.locator(f"#code-{infection.pk}").get_by_role("button", name=reject).click()
        expect(page.locator(f"#code-{infection.pk}")).to_contain_text("Rejected")
        expect(page.locator(f"#code-{infection.pk}")).to_contain_text("by Casey Worker")
        expect(sepsis_mark).to_have_attribute("title", re.compile("confirmed"))
        screenshot("coding-02-reviewed")
        assert_no_violations(axe, page)
        assert console_errors == []

        reviews = dict(ClinicalCode.objects.filter(case=case).values_list("pk", "review"))
        assert reviews[sepsis.pk] == CodeReview.CONFIRMED
        assert reviews[infection.pk] == CodeReview.REJECTED
