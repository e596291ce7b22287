"""Fixtures and helpers shared by the complaint form tests (steps, views, drafts, submission).

Test modules import what they use from here; it holds no tests of its own.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.directory_seed import DATA_DIR
from accounts.importers.postcodes import postcodes_import_onspd
from complaints.drafts import session_draft_remember
from complaints.journey import Journey
from complaints.models import ComplaintDraft
from complaints.services import complaint_draft_start
from tests.accounts.fixtures.factories import ConstituencyFactory, OrganisationFactory

TODAY = timezone.localdate()
# In the demo ONS postcode directory (accounts/data/onspd_demo_postcodes.csv): Farnborough.
DEMO_POSTCODE = "GU14 7JU"
DEMO_CONSTITUENCY = "E14001063"
DEMO_LOCAL_AUTHORITY = "E07000092"
VALID_NHS_NUMBER = "9434765919"


def date_answer(day: datetime.date) -> dict:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def complete_answers(organisation, **overrides) -> dict:
    """Every page answered, as the form saves them, for a health complaint about organisation."""
    answers = {
        "what-is-it-about": {"kind": "health"},
        "your-name": {"full_name": "Amira O’Neill-Smith"},
        "your-email": {"email": "amira@example.org"},
        "your-phone": {"phone": "07700 900 982"},
        "your-postcode": {"postcode": DEMO_POSTCODE},
        "your-address": {
            "address_line_1": "1 High Street",
            "address_line_2": "",
            "town": "Farnborough",
        },
        "your-date-of-birth": date_answer(datetime.date(1970, 5, 17)),
        "for-someone-else": {"for_someone_else": "no"},
        "nhs-number": {"nhs_number": VALID_NHS_NUMBER},
        "organisations": {"organisation_ids": [organisation.pk], "unlisted": []},
        "what-happened": {"what_happened": "The ward did not give my mother her medicine."},
        "when-it-happened": date_answer(TODAY - datetime.timedelta(days=200)),
        "where-it-happened": {"where": "Ward 4, St James’s Hospital"},
        "impact": {"impact": "She was in pain for two days."},
        "what-you-want": {"remedy": "An apology and a change to how medicines are checked."},
        "date-you-complained": date_answer(TODAY - datetime.timedelta(days=150)),
        "final-response": {"final_response": "yes"},
        "final-response-date": date_answer(TODAY - datetime.timedelta(days=60)),
        "evidence": {"has_evidence": "yes"},
        "contact-preference": {"contact_method": "email"},
        "adjustments": {"adjustments": ["large_print"], "language": "", "other": ""},
        "age": {"age_band": "45_54"},
        "sex": {"sex": "female"},
        "ethnic-group": {"ethnic_group": "prefer_not"},
        "disability": {"disability": ""},
    }
    answers.update(overrides)
    return answers


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Leeds Teaching Hospitals NHS Trust")


@pytest.fixture
def demo_postcodes(db):
    """The demo ONSPD postcodes, loaded by the same importer as a full release."""
    postcodes_import_onspd(path=DATA_DIR / "onspd_demo_postcodes.csv")
    return ConstituencyFactory(code=DEMO_CONSTITUENCY, name="Aldershot")


def make_draft(*, owner=None, answers=None) -> ComplaintDraft:
    return complaint_draft_start(owner=owner, answers=answers)


def remember_in_session(client, draft) -> None:
    """As if this browser had started (or restored) the draft."""
    session = client.session
    session_draft_remember(SimpleNamespace(session=session), draft)
    session.save()


def journey_of(draft) -> Journey:
    draft.refresh_from_db()
    return Journey(draft.answers, today=timezone.localdate())


def form_url(name, draft, **kwargs) -> str:
    return reverse(f"complaint_form:{name}", kwargs={"draft_id": draft.public_id, **kwargs})


def step_url(draft, step) -> str:
    return form_url("step", draft, step=step)
