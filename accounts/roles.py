"""The roles a user can hold. Roles are data (one auth Group each), checked through rules."""

from django.db import models


class Role(models.TextChoices):
    COMPLAINANT = "complainant", "Complainant"
    MP = "mp", "Member of Parliament"
    MP_OFFICE_STAFF = "mp_office_staff", "MP office staff"
    ORGANISATION_USER = "organisation_user", "Organisation user"
    CASEWORKER = "caseworker", "Caseworker"
    MANAGER = "manager", "Manager"
    FOI_OFFICER = "foi_officer", "FOI officer"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


# Staff of the ombudsman itself: each must verify a second factor before any staff page.
STAFF_ROLES = frozenset(
    {Role.CASEWORKER, Role.MANAGER, Role.FOI_OFFICER, Role.ANALYST, Role.ADMINISTRATOR}
)
