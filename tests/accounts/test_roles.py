"""Granting and taking away roles: the administrator role brings the Django admin's own flags with
it, however the role is given, and takes them away again."""

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.services import user_grant_role, user_revoke_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_granting_administrator_opens_the_admin_and_revoking_closes_it():
    user = UserFactory(roles=[Role.MANAGER])
    assert not (user.is_staff or user.is_superuser)

    user_grant_role(user=user, role=Role.ADMINISTRATOR)
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    assert user.has_role(Role.ADMINISTRATOR)

    user_revoke_role(user=user, role=Role.ADMINISTRATOR)
    user.refresh_from_db()
    assert not (user.is_staff or user.is_superuser)
    assert user.has_role(Role.MANAGER) and not user.has_role(Role.ADMINISTRATOR)


def test_other_roles_never_make_anyone_a_superuser():
    user = UserFactory()
    for role in Role:
        if role != Role.ADMINISTRATOR:
            user_grant_role(user=user, role=role)
    user.refresh_from_db()
    assert not (user.is_staff or user.is_superuser)


def test_revoked_administrator_is_refused_by_the_admin(client: Client):
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    user_revoke_role(user=user, role=Role.ADMINISTRATOR)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "Site administration" not in response.content.decode()
