"""Writes to accounts: creating users, granting roles, contact preferences."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ContactPreferences, User
from accounts.otp import staff_device_create
from accounts.roles import STAFF_ROLES, Role


class InvalidRole(ValueError):
    """A role name that is not one of Role, or not a staff role where one is needed."""


def roles_parse(names, *, staff_only: bool = False) -> list[Role]:
    """Role values from their names, in the order given; unknown or (with staff_only) public
    roles raise InvalidRole naming the roles that may be used."""
    allowed = sorted(STAFF_ROLES if staff_only else Role, key=list(Role).index)
    roles = []
    for name in names:
        value = name.strip().lower()
        if value not in {role.value for role in allowed}:
            choices = ", ".join(role.value for role in allowed)
            kind = "staff role" if staff_only else "role"
            raise InvalidRole(f"{name!r} is not a {kind}. Use one of: {choices}")
        if Role(value) not in roles:
            roles.append(Role(value))
    return roles


@transaction.atomic
def user_grant_role(*, user: User, role: Role | str) -> None:
    role = Role(role)
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.__dict__.pop("role_names", None)
    if role == Role.ADMINISTRATOR:
        _set_administrator_flags(user, True)


@transaction.atomic
def user_revoke_role(*, user: User, role: Role | str) -> None:
    role = Role(role)
    user.groups.remove(*Group.objects.filter(name=role.value))
    user.__dict__.pop("role_names", None)
    if role == Role.ADMINISTRATOR:
        _set_administrator_flags(user, False)


def _set_administrator_flags(user: User, on: bool) -> None:
    """Administrators run the Django admin, which reads is_staff and is_superuser: the role and
    the flags are granted and taken away together, whichever way the role is given."""
    user.is_staff = user.is_superuser = on
    user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def user_create(
    *, email: str, password: str | None, full_name: str = "", roles=(), email_verified: bool = False
) -> User:
    """Create a user with roles; with email_verified, record the address as verified for allauth."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    for role in roles:
        user_grant_role(user=user, role=role)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def staff_user_create(
    *, email: str, password: str | None, roles, full_name: str = "", totp_key: str | None = None
) -> tuple[User, TOTPDevice]:
    """A staff member ready to sign in: verified email address and a confirmed TOTP device.

    The device is confirmed here because the operator hands its secret over out of band, so the
    first sign-in never offers self-enrolment (which anyone holding the password could use).
    """
    roles = roles_parse([str(role) for role in roles], staff_only=True)
    if not roles:
        raise InvalidRole("A staff member needs at least one staff role")
    user = user_create(
        email=email, password=password, full_name=full_name, roles=roles, email_verified=True
    )
    device = staff_device_create(user=user, key=totp_key, confirmed=True)
    return user, device


CONTACT_PREFERENCE_FIELDS = frozenset(
    {
        "phone",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "contact_method",
        "large_print",
        "easy_read",
        "bsl",
        "language",
        "other_adjustment",
    }
)


@transaction.atomic
def contact_preferences_update(*, user: User, **changes) -> ContactPreferences:
    """Change some of a person's contact details, contact method or adjustments.

    Creates their preferences on first use. Raises ValueError for an unknown field and
    ValidationError when the result would break a rule (phone contact without a phone number,
    post without an address), which the forms check first with wording for each page.
    """
    unknown = set(changes) - CONTACT_PREFERENCE_FIELDS
    if unknown:
        raise ValueError(f"Not a contact preference: {', '.join(sorted(unknown))}")
    preferences, _ = ContactPreferences.objects.select_for_update().get_or_create(user=user)
    for name, value in changes.items():
        setattr(preferences, name, value)
    preferences.full_clean(exclude=["user"])
    preferences.save()
    return preferences
