import pytest

from accounts.roles import Role
from phso.management.commands.seed_demo import (
    demo_email,
    seed_directories,
    seed_portals,
    seed_users,
)
from portals.models import MpOfficeMembership, OfficeRole, OrganisationMembership


@pytest.mark.django_db
class TestSeedPortals:
    def test_demo_mp_and_organisation_users_get_their_portals_once(self):
        seed_users()
        seed_directories()
        seed_portals()
        seed_portals()
        mp = MpOfficeMembership.objects.active().get(user__email=demo_email(Role.MP, 1))
        assert mp.role == OfficeRole.MANAGER
        assert MpOfficeMembership.objects.active().count() == 3
        admin = OrganisationMembership.objects.get(
            user__email=demo_email(Role.ORGANISATION_USER, 1)
        )
        assert admin.is_admin
        assert OrganisationMembership.objects.count() == 2
