"""A caseworker checks a case for precedents.

Signs in with a password and a TOTP code, follows the case page's link to its precedents, runs
the check, reads why a decided case matched, marks it useful and opens it; axe-core checks the
page with a precedent on it.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from casework import precedents
from casework.models import PrecedentSuggestion
from casework.state import CaseStatus
from tests.casework.backoffice_support import make_case
from tests.casework.precedents_support import decided_case, health_body, with_codes
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_backoffice import sign_in_with_security_code
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.PRECEDENT_INDEX_DIR = tmp_path / "precedents"
    precedents.caches_clear()


class TestPrecedents:
    def test_a_caseworker_finds_a_precedent_marks_it_useful_and_opens_it(
        self, page, axe, console_errors, screenshot, transactional_db
    ):
        precedent = decided_case(
            "My mother was sent home from hospital without antibiotics and came back with sepsis.",
            decision_summary="We found the trust discharged her without her antibiotics.",
            published=True,
            themes=["discharge"],
            codes=["ICD-10:A41.9"],
        )
        decided_case("HMRC lost my tax credit renewal form.", outcome="not_upheld")
        case = with_codes(
            make_case(
                summary="Dad was discharged without antibiotics and readmitted with sepsis.",
                organisations=[health_body()],
                status=CaseStatus.ASSESSMENT,
            ),
            themes=["discharge"],
            codes=["ICD-10:A41.9"],
        )
        caseworker = UserFactory(roles=[Role.CASEWORKER], full_name="Casey Worker")
        device = TOTPDevice.objects.create(user=caseworker, name="Phone", confirmed=True)
        sign_in_with_security_code(page, caseworker, device)

        page.goto(f"/staff/cases/{case.reference}")
        page.get_by_role("link", name="Precedents", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Precedents")
        page.get_by_role("button", name="Find precedents").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("like this one")

        card = page.locator(".app-precedent").first
        expect(card).to_contain_text(precedent.reference)
        expect(card).to_contain_text("Upheld")
        expect(card).to_contain_text("discharged her without her antibiotics")
        reasons = card.locator(".app-precedent__reasons")
        expect(reasons).to_contain_text("Same kind of organisation")
        expect(reasons).to_contain_text("Shared themes: Discharge and transfer")
        expect(reasons).to_contain_text("Sepsis, unspecified (ICD-10 A41.9)")
        expect(reasons).to_contain_text("antibiotics")
        screenshot("precedents-01-found")
        assert_no_violations(axe, page)

        card.get_by_role("button", name=re.compile("^Useful")).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("marked as useful")
        expect(page.locator(".app-precedent").first).to_contain_text("Marked by Casey Worker")
        suggestion = PrecedentSuggestion.objects.get(case=case, precedent=precedent)
        assert suggestion.useful is True and suggestion.feedback_by == caseworker

        page.locator(".app-precedent").first.get_by_role(
            "link", name=re.compile(precedent.reference)
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {precedent.reference}")
        assert console_errors == []
