"""Who may open each portal page. Every portal URL must be in the table below: a new page
without a declared outcome for every kind of person fails the completeness test."""

import pytest
from django.urls import get_resolver, reverse

from portals.models import ExtensionRequest, MpOfficeMembership, OrganisationMembership
from portals.services import office_membership_remove
from tests.conftest import otp_verified_client

ACTORS = (
    "a_manager",
    "a_caseworker",
    "b_user",
    "org_a_admin",
    "org_a_user",
    "org_b_user",
    "removed",
    "complainant",
    "staff",
    "anonymous",
)

# Expected status per actor, in the order of ACTORS. 302 for the anonymous is the sign-in page,
# and for office members on later referral steps the first step (their session has no answers).
MEMBER_ONLY = (200, 200, 200, 404, 404, 404, 404, 404, 404, 302)
OFFICE_A_CASE = (200, 200, 404, 404, 404, 404, 404, 404, 404, 302)
REFERRAL_LATER_STEP = (302, 302, 302, 404, 404, 404, 404, 404, 404, 302)
OFFICE_MANAGERS = (200, 404, 200, 404, 404, 404, 404, 404, 404, 302)
OFFICE_A_MANAGER = (200, 404, 404, 404, 404, 404, 404, 404, 404, 302)
NOBODY = (404,) * 10
# A link that needs the complainant signed in: the anonymous are sent to sign in first.
SIGNED_IN_LINK = (404,) * 9 + (302,)
ORG_A = (404, 404, 404, 200, 200, 404, 404, 404, 404, 302)
ORG_A_ADMIN = (404, 404, 404, 200, 404, 404, 404, 404, 404, 302)
ORG_MEMBERS_REDIRECTED = (404, 404, 404, 302, 302, 302, 404, 404, 404, 302)
# /staff/ pages: the second-factor gate sends the anonymous to sign in and refuses non-staff.
STAFF_CASEWORK = (403, 403, 403, 403, 403, 403, 403, 403, 200, 302)
STAFF_MANAGERS = (403,) * 9 + (302,)

TABLE = {
    "mp_portal:home": (lambda w: [], MEMBER_ONLY),
    "mp_portal:case": (lambda w: [w.case_a.reference], OFFICE_A_CASE),
    "mp_portal:case_messages": (lambda w: [w.case_a.reference], OFFICE_A_CASE),
    "mp_portal:refer_constituent": (lambda w: [], MEMBER_ONLY),
    "mp_portal:refer_complaint": (lambda w: [], REFERRAL_LATER_STEP),
    "mp_portal:refer_consent": (lambda w: [], REFERRAL_LATER_STEP),
    "mp_portal:team": (lambda w: [], OFFICE_MANAGERS),
    "mp_portal:team_invite": (lambda w: [], OFFICE_MANAGERS),
    "mp_portal:team_member": (
        lambda w: [MpOfficeMembership.objects.get(user=w.a_caseworker).pk],
        OFFICE_A_MANAGER,
    ),
    "mp_portal:insight": (lambda w: [], MEMBER_ONLY),
    "mp_portal:insight_csv": (lambda w: [], MEMBER_ONLY),
    "mp_portal:invitation": (lambda w: ["forged-token"], NOBODY),
    "mp_portal:consent": (lambda w: ["forged-token"], NOBODY),
    "mp_portal:share_request": (lambda w: [], MEMBER_ONLY),
    "mp_portal:share_confirm": (lambda w: ["forged-token"], SIGNED_IN_LINK),
    "org_portal:choose": (lambda w: [], ORG_MEMBERS_REDIRECTED),
    "org_portal:invitation": (lambda w: ["forged-token"], NOBODY),
    "org_portal:home": (lambda w: [w.org_a.pk], ORG_A),
    "org_portal:evidence_requests": (lambda w: [w.org_a.pk], ORG_A),
    "org_portal:evidence_request": (lambda w: [w.org_a.pk, w.request_a.pk], ORG_A),
    "org_portal:more_time": (lambda w: [w.org_a.pk, w.request_a.pk], ORG_A),
    "org_portal:case": (lambda w: [w.org_a.pk, w.org_case_a.reference], ORG_A),
    "org_portal:case_messages": (lambda w: [w.org_a.pk, w.org_case_a.reference], ORG_A),
    "org_portal:provisional_report": (lambda w: [w.org_a.pk, w.org_case_a.reference], ORG_A),
    "org_portal:recommendations": (lambda w: [w.org_a.pk], ORG_A),
    "org_portal:recommendation": (lambda w: [w.org_a.pk, w.recommendation_a.pk], ORG_A),
    "org_portal:users": (lambda w: [w.org_a.pk], ORG_A_ADMIN),
    "org_portal:users_invite": (lambda w: [w.org_a.pk], ORG_A_ADMIN),
    "org_portal:users_remove": (
        lambda w: [w.org_a.pk, OrganisationMembership.objects.get(user=w.org_a_user).pk],
        ORG_A_ADMIN,
    ),
    "org_portal:insight": (lambda w: [w.org_a.pk], ORG_A),
    "portals_staff:extension_requests": (lambda w: [], STAFF_CASEWORK),
    "portals_staff:extension_request": (
        lambda w: [
            ExtensionRequest.objects.create(
                evidence_request=w.request_a,
                requested_by=w.org_a_user,
                extra_working_days=5,
                reason="Records are off site",
            ).pk
        ],
        STAFF_CASEWORK,
    ),
    "portals_staff:offices": (lambda w: [], STAFF_MANAGERS),
    "portals_staff:referrals": (lambda w: [], STAFF_CASEWORK),
    "portals_staff:messages": (lambda w: [], STAFF_CASEWORK),
    "portals_staff:office_thread": (lambda w: [w.case_a.reference], STAFF_CASEWORK),
    "portals_staff:organisation_thread": (
        lambda w: [w.org_case_a.reference, w.org_a.pk],
        STAFF_CASEWORK,
    ),
    "portals_staff:referral": (lambda w: [w.case_a.referral.pk], STAFF_CASEWORK),
    "portals_staff:handover": (lambda w: [w.office_a.pk], STAFF_MANAGERS),
}


def portal_url_names() -> set[str]:
    names = set()
    for namespace in ("mp_portal", "org_portal", "portals_staff"):
        _, resolver = get_resolver().namespace_dict[namespace]
        names |= {f"{namespace}:{p.name}" for p in resolver.url_patterns}
    return names


class TestAuthorisationTable:
    def test_every_portal_url_is_in_the_table(self):
        assert portal_url_names() == set(TABLE)

    @pytest.mark.parametrize("name", sorted(TABLE))
    def test_each_person_gets_the_declared_outcome(self, client, world, name):
        args, expected = TABLE[name]
        url = reverse(name, args=args(world))
        outcomes = {}
        for actor in ACTORS:
            client.logout()
            if actor == "staff":
                otp_verified_client(client, world.staff)
            elif actor != "anonymous":
                client.force_login(getattr(world, actor))
            outcomes[actor] = client.get(url).status_code
        assert outcomes == dict(zip(ACTORS, expected, strict=True))


class TestForgedIds:
    def test_organisation_a_cannot_open_bs_request_through_its_own_address(self, client, world):
        client.force_login(world.org_a_user)
        url = reverse("org_portal:evidence_request", args=[world.org_a.pk, world.request_b.pk])
        assert client.get(url).status_code == 404
        url = reverse("org_portal:case", args=[world.org_a.pk, world.org_case_b.reference])
        assert client.get(url).status_code == 404
        url = reverse("org_portal:recommendation", args=[world.org_a.pk, world.recommendation_b.pk])
        assert client.get(url).status_code == 404

    def test_refusals_are_logged(self, client, world, caplog):
        client.force_login(world.org_a_user)
        client.get(reverse("org_portal:home", args=[world.org_b.pk]))
        assert "Portal access refused" in caplog.text

    def test_office_b_cannot_open_office_as_case(self, client, world):
        client.force_login(world.b_user)
        assert (
            client.get(reverse("mp_portal:case", args=[world.case_a.reference])).status_code == 404
        )

    def test_manager_may_hand_over_offices(self, client, world, manager):
        otp_verified_client(client, manager)
        assert client.get(reverse("portals_staff:offices")).status_code == 200


class TestRemovedUser:
    def test_an_open_session_loses_access_on_the_next_request(self, client, world):
        client.force_login(world.a_caseworker)
        assert client.get(reverse("mp_portal:home")).status_code == 200
        membership = MpOfficeMembership.objects.get(user=world.a_caseworker)
        office_membership_remove(membership=membership, actor=world.a_manager)
        assert client.get(reverse("mp_portal:home")).status_code == 404
        assert (
            client.get(reverse("mp_portal:case", args=[world.case_a.reference])).status_code == 404
        )
