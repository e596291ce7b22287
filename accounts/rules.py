"""Named permission rules. Views check these with user.has_perm(name[, obj])."""

import rules

from accounts.roles import Role


def has_role(*roles):
    names = tuple(Role(r).value for r in roles)

    @rules.predicate(name=f"has_role({','.join(names)})")
    def predicate(user):
        return bool(user and user.is_authenticated and user.has_role(*names))

    return predicate


is_ombudsman_staff = rules.predicate(
    lambda user: bool(user and user.is_authenticated and user.is_ombudsman_staff),
    name="is_ombudsman_staff",
)
is_complainant = has_role(Role.COMPLAINANT)
is_caseworker = has_role(Role.CASEWORKER)
is_manager = has_role(Role.MANAGER)
is_foi_officer = has_role(Role.FOI_OFFICER)
is_analyst = has_role(Role.ANALYST)
is_administrator = has_role(Role.ADMINISTRATOR) | rules.is_superuser
is_mp_office = has_role(Role.MP, Role.MP_OFFICE_STAFF)
is_organisation_user = has_role(Role.ORGANISATION_USER)

rules.add_perm("accounts.view_own_account", rules.is_authenticated)
rules.add_perm("casework.access_staff_area", is_ombudsman_staff)
rules.add_perm("casework.view_case_queue", is_caseworker | is_manager | is_administrator)
rules.add_perm("foi.manage_requests", is_foi_officer | is_manager | is_administrator)
# Publishing to the disclosure log and signing responses off: FOI officers and managers only.
rules.add_perm("foi.sign_off_responses", is_foi_officer | is_manager)
rules.add_perm("insight.view_dashboards", is_analyst | is_manager | is_administrator)
rules.add_perm("accounts.manage_users", is_administrator)

rules.add_perm("casework.reopen_case", is_manager | is_administrator)

# The staff back office. Reading a case is view_case_queue; working it (notes, status changes,
# organisations, equality information, links, messages) is work_case.
is_complainant_of_case = rules.predicate(
    lambda user, case: bool(
        case is not None and user.is_authenticated and case.complainant_id == user.pk
    ),
    name="is_complainant_of_case",
)
rules.add_perm("casework.work_case", is_caseworker | is_manager | is_administrator)
# A complainant may withdraw their own complaint; staff withdraw for them when asked.
rules.add_perm(
    "casework.withdraw_case",
    is_caseworker | is_manager | is_administrator | is_complainant_of_case,
)
# Giving cases to other people, bulk assignment and reassignment: managers allocate the work.
rules.add_perm("casework.allocate_cases", is_manager | is_administrator)
rules.add_perm("casework.view_audit_log", is_manager | is_administrator)
# The complainant withdraws from their own account (staff do it for them in the back office).
rules.add_perm("complaints.withdraw_case", is_complainant_of_case)
