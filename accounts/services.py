"""Writes to accounts: creating users and granting roles."""

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import Role


@transaction.atomic
def user_grant_role(*, user: User, role: Role | str) -> None:
    role = Role(role)
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.__dict__.pop("role_names", None)


@transaction.atomic
def user_revoke_role(*, user: User, role: Role | str) -> None:
    role = Role(role)
    user.groups.remove(*Group.objects.filter(name=role.value))
    user.__dict__.pop("role_names", None)


@transaction.atomic
def user_create(
    *, email: str, password: str | None, full_name: str = "", roles=(), email_verified: bool = False
) -> User:
    """Create a user with roles; with email_verified, record the address as verified for allauth."""
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    for role in roles:
        user_grant_role(user=user, role=role)
    if Role.ADMINISTRATOR in {Role(r) for r in roles}:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user
