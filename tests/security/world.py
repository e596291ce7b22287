"""One set of people and objects for the authorisation matrix: for each role something of its own
(a complainant's case, an office's referral, an organisation's evidence request) and the same kind
of thing belonging to someone else, so that each URL can be tried with both."""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from casework.documents import document_bytes_store
from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    ClinicalCode,
    CodingRun,
    CodingRunStatus,
    CodingSource,
    Document,
    DocumentStatus,
    PersonMerge,
    PrecedentSuggestion,
    Team,
    UploaderRole,
)
from complaints.services import complaint_draft_start
from foi.models import (
    DataExport,
    DisclosureEntry,
    ExportStatus,
    Kind,
    RequestDocument,
    RequestDocumentPurpose,
)
from foi.services import information_request_submit
from insight.models import CaseFeedback, SearchDocument, SearchLog, TrendAlert, YouSaidWeDid
from insight.services_reporting import insight_refresh
from portals.models import ExtensionRequest, Invitation, InvitationRole
from tests.factories import UserFactory
from tests.insight.builders import decided_case
from tests.portals import support as portals

_n = itertools.count(1)

# The people the matrix signs in as, in the order their outcomes are declared.
ROLES = (
    "anonymous",
    "complainant",
    "mp_office",
    "organisation",
    "caseworker",
    "manager",
    "foi_officer",
    "analyst",
    "administrator",
)
STAFF = ("caseworker", "manager", "foi_officer", "analyst", "administrator")


def _document(case, *, uploaded_by, role=UploaderRole.COMPLAINANT, internal=False):
    key = f"evidence/matrix/{next(_n)}"
    name = document_bytes_store(key=key, content=b"%PDF-1.4 a letter from the trust\n")
    return Document.objects.create(
        case=case,
        uploaded_by=uploaded_by,
        uploader_role=role,
        original_filename="letter.pdf",
        storage_key=name,
        size=33,
        content_type="application/pdf",
        status=DocumentStatus.CLEAN,
        internal=internal,
    )


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build() -> World:
    pw = portals.world()
    users = {
        "complainant": pw.complainant,
        "mp_office": pw.a_manager,
        "organisation": pw.org_a_admin,
        "caseworker": pw.staff,
        "manager": UserFactory(roles=[Role.MANAGER]),
        "foi_officer": UserFactory(roles=[Role.FOI_OFFICER]),
        "analyst": UserFactory(roles=[Role.ANALYST]),
        # As user_create makes them: the Django admin needs is_staff as well as the role.
        "administrator": UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True),
    }
    for role in STAFF:
        TOTPDevice.objects.create(user=users[role], name="Authenticator app", confirmed=True)
    complainant = users["complainant"]
    someone_else = UserFactory(roles=[Role.COMPLAINANT])

    o = {}
    # Portals: office A (the MP office user's) referred case_a; office B case_b. Organisation A
    # (the organisation user's) has org_case_a, which is also the complainant's own case.
    o.update(
        office_a=pw.office_a,
        office_b=pw.office_b,
        office_a_member=pw.a_caseworker,
        office_b_member=pw.b_user,
        org_b_user=pw.org_b_user,
        org_a=pw.org_a,
        org_b=pw.org_b,
        org_a_user=pw.org_a_user,
        case_a=pw.case_a,
        case_b=pw.case_b,
        own_case=pw.org_case_a,
        request_a=pw.request_a,
        request_b=pw.request_b,
        recommendation_a=pw.recommendation_a,
        recommendation_b=pw.recommendation_b,
        org_case_b=pw.org_case_b,
    )
    others_case, *_ = portals.org_case(pw.org_b, caseworker=pw.staff, complainant=someone_else)
    o["others_case"] = others_case
    o["own_document"] = _document(pw.org_case_a, uploaded_by=complainant)
    o["internal_document"] = _document(
        pw.org_case_a, uploaded_by=pw.staff, role=UploaderRole.STAFF, internal=True
    )
    o["others_document"] = _document(others_case, uploaded_by=someone_else)
    o["someone_else"] = someone_else
    # Clinical codes and precedent suggestions on the complainant's case and on another case, so
    # that an id from one case cannot be used under the other's address.
    for owner, case, precedent in (
        ("own", pw.org_case_a, others_case),
        ("others", others_case, pw.org_case_a),
    ):
        run = CodingRun.objects.create(
            case=case, source=CodingSource.NARRATIVE, status=CodingRunStatus.DONE
        )
        o[f"{owner}_coding_run"] = run
        o[f"{owner}_code"] = ClinicalCode.objects.create(
            case=case,
            run=run,
            system="SNOMED-CT",
            code="22298006",
            description="Myocardial infarction",
            start=0,
            end=12,
            text="heart attack",
        )
        o[f"{owner}_suggestion"] = PrecedentSuggestion.objects.create(
            case=case, precedent=precedent, rank=1, score=0.5
        )
        # A generated letter, not sent yet (what letter_generate files, without the PDF work).
        letter = _document(case, uploaded_by=pw.staff, role=UploaderRole.STAFF, internal=True)
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.LETTER_GENERATED,
            actor=pw.staff,
            payload={"document_id": letter.pk, "letter": "acknowledgement"},
        )
        o[f"{owner}_letter"] = letter
    o["extension"] = ExtensionRequest.objects.create(
        evidence_request=pw.request_a,
        requested_by=pw.org_a_user,
        extra_working_days=5,
        reason="Records are off site",
    )

    # The complaint form: a draft in the complainant's account and one in someone else's.
    o["own_draft"] = complaint_draft_start(owner=complainant)
    o["others_draft"] = complaint_draft_start(owner=someone_else)

    # FOI and subject access: the complainant's own request and data download, and another's.
    o["own_info_request"] = information_request_submit(
        kind=Kind.FOI,
        requester_name=complainant.full_name,
        requester_email=complainant.email,
        text="How many complaints about discharge did you receive?",
        user=complainant,
    )
    o["others_info_request"] = information_request_submit(
        kind=Kind.FOI,
        requester_name="Sam Other",
        requester_email=someone_else.email,
        text="How many staff work on health complaints?",
        user=someone_else,
    )
    response_document = _document(None, uploaded_by=users["foi_officer"], role=UploaderRole.STAFF)
    RequestDocument.objects.create(
        request=o["own_info_request"],
        document=response_document,
        purpose=RequestDocumentPurpose.RESPONSE,
    )
    o["request_document"] = response_document
    now = timezone.now()
    export_key = document_bytes_store(key=f"exports/matrix/{next(_n)}.zip", content=b"PK\x05\x06")
    o["own_export"] = DataExport.objects.create(
        user=complainant,
        status=ExportStatus.READY,
        storage_key=export_key,
        size=4,
        ready_at=now,
        expires_at=now + timedelta(days=7),
    )
    o["others_export"] = DataExport.objects.create(
        user=someone_else,
        status=ExportStatus.READY,
        storage_key=export_key,
        size=4,
        ready_at=now,
        expires_at=now + timedelta(days=7),
    )
    answered = information_request_submit(
        kind=Kind.FOI,
        requester_name="Ali Requester",
        requester_email="ali@example.org",
        text="How many complaints about hospital discharge?",
    )
    entry = DisclosureEntry.objects.create(
        request=answered,
        reference=answered.reference,
        title="Complaints about hospital discharge",
        response_text="We hold 12 records.",
        published_on=date(2026, 3, 20),
        confirmed_by=users["foi_officer"],
    )
    attachment = _document(None, uploaded_by=users["foi_officer"], role=UploaderRole.STAFF)
    entry.attachments.add(attachment)
    o["disclosure"] = entry
    o["disclosure_attachment"] = attachment

    # Published data: a decision published and one not, a search and what it found, an alert.
    o["published_case"] = decided_case(org=pw.org_a, actor=users["caseworker"])
    o["unpublished_case"] = decided_case(org=pw.org_a, actor=users["caseworker"], published=False)
    # Published pages and the API read the reporting store, which a beat task keeps up to date.
    insight_refresh()
    o["constituency"] = pw.office_a.mp.constituency
    o["search_log"] = SearchLog.objects.create(query="discharge", result_count=1)
    o["search_document"] = SearchDocument.objects.create(
        doc_type="guidance", key="matrix", title="Complaining about the NHS", url="/contact"
    )
    o["alert"] = TrendAlert.objects.create(
        organisation_id=pw.org_a.pk,
        organisation_name=pw.org_a.name,
        rule="outside_limits",
        direction="up",
        first_week=date(2026, 1, 5),
        week_start=date(2026, 1, 5),
        mean=10,
        lower_limit=2,
        upper_limit=18,
        series=[["2026-01-05", 40]],
    )

    # Back office: a team, a merge of two accounts, and the rows the admin lists.
    o["team"] = Team.objects.create(name="Health team 1")
    o["team"].members.add(users["caseworker"])
    merged = UserFactory(roles=[Role.COMPLAINANT])
    o["merge"] = PersonMerge.objects.create(
        kept=someone_else, merged=merged, by=users["manager"], reason="Same person"
    )
    o["merged"] = merged
    o["case_content_type"] = ContentType.objects.get_for_model(Case).pk
    StaticDevice.objects.create(user=users["administrator"], name="backup", confirmed=True)
    Authenticator.objects.create(
        user=complainant,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "00", "used_mask": 0},
    )
    YouSaidWeDid.objects.create(
        you_said="Letters were hard to read", we_did="Plain English", date=date(2026, 1, 1)
    )
    CaseFeedback.objects.create(
        case=pw.org_case_a, case_status="investigation", ease_of_use=4, kept_informed=3
    )
    Invitation.objects.create(
        email="new@example.org",
        office=pw.office_a,
        role=InvitationRole.OFFICE_CASEWORKER,
        token_hash=f"{next(_n):064d}",
        expires_at=now + timedelta(days=7),
        invited_by=pw.a_manager,
    )
    return World(users=users, objects=o)
