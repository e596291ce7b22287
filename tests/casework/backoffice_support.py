"""Builders shared by the back-office tests (queues, case page, workflow, assignment, audit)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Constituency, Organisation, OrganisationKind, Sector
from accounts.roles import Role
from casework.models import Case, CaseKind, Team
from casework.services import case_create
from casework.state import CaseStatus
from tests.conftest import otp_verified_client
from tests.factories import UserFactory

_counter = {"n": 0}


def organisation(name=None, **kwargs) -> Organisation:
    _counter["n"] += 1
    defaults = {
        "name": name or f"Example NHS Trust {_counter['n']}",
        "ods_code": f"R{_counter['n']:04d}",
        "kind": OrganisationKind.NHS_TRUST,
        "sector": Sector.HEALTH,
    }
    defaults.update(kwargs)
    return Organisation.objects.create(**defaults)


def constituency(name="Holborn and St Pancras", code=None) -> Constituency:
    _counter["n"] += 1
    return Constituency.objects.create(code=code or f"E1400{_counter['n']:04d}", name=name)


def make_case(
    *,
    complainant=None,
    organisations=(),
    status=CaseStatus.SUBMITTED,
    assignee=None,
    team=None,
    received_days_ago=0,
    target_date=None,
    kind=CaseKind.HEALTH,
    representative=None,
    **kwargs,
) -> Case:
    """A case made the way the service makes one, then moved into place for the test.

    Setting the status directly is test set-up only: the application changes it through
    case_transition alone.
    """
    case = case_create(kind=kind, complainant=complainant, organisations=organisations, **kwargs)
    received_at = timezone.now() - timedelta(days=received_days_ago)
    changes = {
        "status": status,
        "assignee": assignee,
        "team": team,
        "received_at": received_at,
        "representative": representative,
    }
    if target_date is not None:
        changes["target_date"] = target_date
    Case.objects.filter(pk=case.pk).update(**changes)
    case.refresh_from_db()
    return case


def team_with(*members, name=None) -> Team:
    _counter["n"] += 1
    team = Team.objects.create(name=name or f"Team {_counter['n']}")
    team.members.add(*members)
    return team


def signed_in(client, role=Role.CASEWORKER, **kwargs):
    """A client and the staff user it is signed in as, with the second factor checked."""
    user = UserFactory(roles=[role], **kwargs)
    return otp_verified_client(client, user), user
