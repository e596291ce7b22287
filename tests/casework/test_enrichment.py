import pytest
from django.urls import reverse

from accounts.roles import Role
from casework import tasks
from casework.enrichment import case_pds_enrich
from casework.integrations import fake_pds
from casework.integrations.pds import PdsUnavailable
from casework.models import CaseEventKind, CaseKind, PdsMatch, PdsMatchStatus
from casework.services import case_create
from tests.casework.conftest import PDS_API_KEY, PDS_KEY_ID
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FULL_RECORD = "9000000009"
RESTRICTED_RECORD = "9000000025"


@pytest.fixture
def pds_settings(settings, fake_pds_server, pds_key_pair, tmp_path):
    key_path = tmp_path / "pds.pem"
    key_path.write_bytes(
        pds_key_pair[0] if isinstance(pds_key_pair[0], bytes) else pds_key_pair[0].encode()
    )
    settings.PDS_BASE_URL = fake_pds_server.base_url
    settings.PDS_TOKEN_URL = fake_pds_server.token_url
    settings.PDS_API_KEY = PDS_API_KEY
    settings.PDS_KEY_ID = PDS_KEY_ID
    settings.PDS_PRIVATE_KEY_PATH = str(key_path)
    settings.PDS_MAX_RETRIES = 0
    settings.PDS_RATE_LIMIT_PER_SECOND = 1000
    return fake_pds_server


def health_case(nhs_number, **kwargs):
    return case_create(kind=CaseKind.HEALTH, patient_nhs_number=nhs_number, **kwargs)


class TestEnrichmentIsQueuedOnCommit:
    def test_health_case_with_nhs_number_is_looked_up_after_commit(
        self, pds_settings, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case = health_case("900 000 0009")
        assert case.patient_nhs_number == FULL_RECORD
        assert not PdsMatch.objects.exists()  # nothing happens before commit
        for callback in callbacks:  # the lookup, and the coding of the narrative
            callback()
        match = PdsMatch.objects.get(case=case)
        assert (match.nhs_number, match.family_name, match.status) == (
            FULL_RECORD,
            "Smith",
            PdsMatchStatus.PENDING,
        )
        assert match.postcode and match.address_lines
        assert case.events.filter(
            kind=CaseEventKind.PDS_MATCH_FOUND, system_reason="pds_enrichment"
        ).exists()

    def test_cases_without_nhs_number_or_parliamentary_are_not_looked_up(
        self, django_capture_on_commit_callbacks, monkeypatch
    ):
        looked_up = []
        monkeypatch.setattr(tasks.enrich_case_from_pds, "delay", looked_up.append)
        with django_capture_on_commit_callbacks(execute=True):
            case_create(kind=CaseKind.HEALTH)
            case_create(kind=CaseKind.PARLIAMENTARY)
        assert looked_up == []
        assert not PdsMatch.objects.exists()


class TestCasePdsEnrich:
    def test_restricted_record_keeps_no_address_or_gp(self, pds_settings):
        case = health_case(RESTRICTED_RECORD)
        match = case_pds_enrich(case_id=case.pk)
        assert match.restricted is True
        assert (match.address_lines, match.postcode, match.gp_ods_code) == ([], "", "")
        assert match.family_name == "Smythe"

    def test_superseded_number_is_flagged(self, pds_settings):
        case = health_case(fake_pds.SUPERSEDED_NUMBER)
        match = case_pds_enrich(case_id=case.pk)
        assert match.superseded is True
        assert match.nhs_number != match.requested_nhs_number

    def test_unknown_patient_is_recorded_once(self, pds_settings):
        case = health_case(fake_pds.nhs_number_from("999190001"))  # valid, but no such patient
        assert case_pds_enrich(case_id=case.pk) is None
        assert case_pds_enrich(case_id=case.pk) is None
        assert case.events.filter(kind=CaseEventKind.PDS_NOT_FOUND).count() == 1
        lookups = [r for r in pds_settings.requests if "/Patient/" in r.path]
        assert len(lookups) == 1

    def test_idempotent_one_match_one_lookup(self, pds_settings):
        case = health_case(FULL_RECORD)
        first = case_pds_enrich(case_id=case.pk)
        second = case_pds_enrich(case_id=case.pk)
        assert first.pk == second.pk
        assert case.events.filter(kind=CaseEventKind.PDS_MATCH_FOUND).count() == 1
        assert len([r for r in pds_settings.requests if "/Patient/" in r.path]) == 1

    def test_unavailable_pds_leaves_case_received_and_recovers(self, pds_settings):
        case = health_case(FULL_RECORD)
        pds_settings.fail_next(1, status=503)
        with pytest.raises(PdsUnavailable):
            case_pds_enrich(case_id=case.pk)
        assert not PdsMatch.objects.exists()
        assert case_pds_enrich(case_id=case.pk).status == PdsMatchStatus.PENDING


@pytest.fixture
def matched_case(pds_settings):
    case = health_case(FULL_RECORD)
    case_pds_enrich(case_id=case.pk)
    return case


class TestPdsMatchPage:
    def url(self, case):
        return reverse("casework:pds_match", kwargs={"reference": case.reference})

    def test_caseworker_confirms_and_the_case_records_who(self, client, caseworker, matched_case):
        client = otp_verified_client(client, caseworker)
        page = client.get(self.url(matched_case))
        assert page.status_code == 200
        assert "Smith" in page.content.decode()
        response = client.post(self.url(matched_case), {"decision": "confirm"})
        assert response.status_code == 302
        match = matched_case.pds_matches.get()
        assert (match.status, match.decided_by) == (PdsMatchStatus.CONFIRMED, caseworker)
        event = matched_case.events.get(kind=CaseEventKind.PDS_MATCH_CONFIRMED)
        assert event.actor == caseworker

    def test_rejecting_needs_a_reason(self, client, caseworker, matched_case):
        client = otp_verified_client(client, caseworker)
        response = client.post(self.url(matched_case), {"decision": "reject", "reason": ""})
        assert response.status_code == 200
        assert "Enter why this is not the right patient" in response.content.decode()
        assert matched_case.pds_matches.get().status == PdsMatchStatus.PENDING
        client.post(
            self.url(matched_case), {"decision": "reject", "reason": "Date of birth differs"}
        )
        match = matched_case.pds_matches.get()
        assert (match.status, match.decision_reason) == (
            PdsMatchStatus.REJECTED,
            "Date of birth differs",
        )

    def test_second_decision_from_a_stale_page_is_refused_and_explained(
        self, client, caseworker, manager, matched_case
    ):
        otp_verified_client(client, manager).post(self.url(matched_case), {"decision": "confirm"})
        client.logout()
        client = otp_verified_client(client, caseworker)
        response = client.post(
            self.url(matched_case), {"decision": "reject", "reason": "Wrong"}, follow=True
        )
        assert "already confirmed by a caseworker" in response.content.decode()
        assert matched_case.pds_matches.get().decided_by == manager

    def test_restricted_record_page_shows_no_address(self, client, caseworker, pds_settings):
        case = health_case(RESTRICTED_RECORD)
        case_pds_enrich(case_id=case.pk)
        body = otp_verified_client(client, caseworker).get(self.url(case)).content.decode()
        assert "This is a restricted record" in body
        assert "GP practice code" not in body

    def test_complainant_is_refused(self, client, matched_case):
        client.force_login(UserFactory(roles=[Role.COMPLAINANT]))
        assert client.get(self.url(matched_case)).status_code == 403

    def test_analyst_with_second_factor_is_refused(self, client, matched_case):
        client = otp_verified_client(client, UserFactory(roles=[Role.ANALYST]))
        assert client.get(self.url(matched_case)).status_code == 403

    def test_unknown_case_is_404(self, client, caseworker, pds_settings):
        client = otp_verified_client(client, caseworker)
        assert (
            client.get(
                reverse("casework:pds_match", kwargs={"reference": "HC-2026-999999"})
            ).status_code
            == 404
        )

    def test_anonymous_is_sent_to_sign_in(self, client, matched_case):
        response = client.get(self.url(matched_case))
        assert response.status_code == 302
        assert "/account/login/" in response["Location"]
