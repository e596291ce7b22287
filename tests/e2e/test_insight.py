"""Published data in the browser: filter decisions by constituency, organisation and confirmed
theme, download the CSV, search; axe-core (WCAG 2.2 AA) on every public insight page."""

import csv
import io
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Postcode
from accounts.roles import Role
from casework.models import CodeReview
from insight.models import CaseFact, SearchLog, TrendAlert
from insight.services_forecasts import forecasts_train
from insight.services_reporting import insight_refresh
from insight.services_search import search_documents_refresh
from tests.e2e.test_accessibility import assert_no_violations
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.insight.builders import (
    clinical_code,
    constituency,
    decided_case,
    disclosure_entry,
    organisation,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published():
    north, south = (
        organisation(name="Northgate Hospital NHS Trust"),
        organisation(name="Southmoor GP Practice", kind="gp_practice"),
    )
    upton, downton = constituency(name="Upton and Wyke"), constituency(name="Downton Vale")
    cancer = decided_case(
        org=north, place=upton, summary="Northgate delayed a cancer referral for months."
    )
    decided_case(org=north, place=downton, summary="Northgate lost a complaint letter.")
    decided_case(org=south, place=upton, summary="Southmoor refused a home visit.")
    for _ in range(5):
        early = decided_case(
            org=north, place=upton, summary="Northgate discharged a patient too early."
        )
        clinical_code(early, value="discharge", description="Discharge and transfer")
    # A theme a caseworker rejected and one only suggested: neither may be offered or counted.
    clinical_code(cancer, value="consent", description="Consent", review=CodeReview.REJECTED)
    clinical_code(cancer, value="medication", description="Medication", review="suggested")
    disclosure_entry(title="Complaints about hospital parking", text="We hold no records.")
    insight_refresh()
    search_documents_refresh()
    return north, upton


class TestPublishedDecisionsJourney:
    def test_filter_by_constituency_organisation_and_theme_then_download(
        self, page, published, screenshot
    ):
        axe = Axe()
        north, upton = published
        page.goto("/data/decisions")
        assert_no_violations(axe, page)
        page.get_by_label("Organisation", exact=True).select_option(
            label="Northgate Hospital NHS Trust"
        )
        page.get_by_label("Constituency").select_option(label="Upton and Wyke")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/data/decisions?*")
        expect(page.locator("#results")).to_have_text("6 decisions")
        assert page.get_by_text("Southmoor refused").count() == 0
        assert page.get_by_text("lost a complaint letter").count() == 0

        themes = page.get_by_label("Complaint theme")
        offered = themes.locator("option").all_inner_texts()
        assert offered == ["All", "Discharge and transfer"]  # never rejected or suggested ones
        themes.select_option(label="Discharge and transfer")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**/data/decisions?*theme=discharge*")
        expect(page.locator("#results")).to_have_text("5 decisions")
        assert page.get_by_text("cancer referral").count() == 0
        screenshot("insight-decisions-filtered")
        assert_no_violations(axe, page)

        with page.expect_download() as download_info:
            page.get_by_role("link", name="a CSV file of the decisions shown").click()
        path = download_info.value.path()
        rows = list(csv.DictReader(io.StringIO(open(path, encoding="utf-8").read())))
        assert len(rows) == 5
        assert {r["organisation"] for r in rows} == {"Northgate Hospital NHS Trust"}
        assert {r["constituency"] for r in rows} == {"Upton and Wyke"}
        assert {r["summary"] for r in rows} == {"Northgate discharged a patient too early."}

    def test_search_finds_a_decision_and_records_the_click(self, page, published, screenshot):
        page.goto("/search")
        page.get_by_label("Search", exact=True).fill("cancer referral")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results")).to_contain_text("1 result")
        screenshot("insight-search")
        page.locator(".app-search-result a").first.click()
        page.wait_for_url("**/data/decisions/*")
        assert page.get_by_text("Northgate delayed a cancer referral").count() == 1


@pytest.fixture(scope="module")
def axe():
    return Axe()


class TestInsightAccessibility:
    def test_every_public_insight_page(self, page, axe, published, console_errors, screenshot):
        north, upton = published
        reference = north.cases.order_by("pk").first().reference
        paths = {
            "data": "/data/",
            "decisions": "/data/decisions",
            "decisions-error": "/data/decisions?organisation=999999&published_from=31/2/2026",
            "decision": f"/data/decisions/{reference}",
            "organisation": f"/data/organisations/{north.pk}",
            "constituency": f"/data/constituencies/{upton.code}",
            "performance": "/data/performance",
            "you-said-we-did": "/data/you-said-we-did",
            "search": "/search",
            "search-results": "/search?q=hospital",
            "search-typo": "/search?q=northgat+hosptial",
        }
        for name, path in paths.items():
            page.goto(path)
            screenshot(f"insight-{name}")
            assert page.locator("h1").count() == 1, path
            assert_no_violations(axe, page)
        assert console_errors == []


def security_code(device) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def staff_insight_data(published):
    north, _ = published
    Postcode.objects.create(postcode="LS1 1AA", easting=429_500, northing=433_500)
    CaseFact.objects.filter(organisation_id=north.pk).update(grid_east_km=429, grid_north_km=433)
    week = date(2026, 11, 16)
    alert = TrendAlert.objects.create(
        organisation_id=north.pk,
        organisation_name=north.name,
        rule="outside_limits",
        direction="up",
        first_week=week,
        week_start=week,
        mean=10,
        lower_limit=2,
        upper_limit=18,
        series=[
            [(week - timedelta(weeks=3 - i)).isoformat(), v] for i, v in enumerate([9, 11, 10, 25])
        ],
    )
    forecasts_train(today=timezone.localdate())
    SearchLog.objects.create(query="parking", result_count=1)
    return alert


class TestStaffInsightAccessibility:
    def test_every_staff_insight_page(
        self, page, axe, staff_insight_data, console_errors, screenshot
    ):
        manager = UserFactory(roles=[Role.MANAGER])
        device = TOTPDevice.objects.create(user=manager, name="Phone", confirmed=True)
        page.goto("/staff/insight/")
        page.get_by_label("Email address").fill(manager.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/staff-security-code**")
        page.get_by_label("Security code").fill(security_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/staff/**")
        paths = {
            "dashboard": "/staff/insight/",
            "geography": "/staff/insight/geography?postcode=LS1+1AA&radius=10",
            "alerts": "/staff/insight/alerts",
            "alert": f"/staff/insight/alerts/{staff_insight_data.pk}",
            "forecasts": "/staff/insight/forecasts",
            "search-report": "/staff/insight/search",
        }
        for name, path in paths.items():
            page.goto(path)
            screenshot(f"insight-staff-{name}")
            assert page.locator("h1").count() == 1, path
            assert_no_violations(axe, page)
        page.goto(paths["alert"])
        page.get_by_role("button", name="Open a systemic review").click()
        expect(page.locator("main")).to_contain_text("Systemic review opened")
        assert console_errors == []
