"""Named permission rules. Views check these with user.has_perm(name[, obj])."""

import rules

from accounts.roles import Role
from portals import selectors as portal_selectors


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

# The MP office and organisation portals. Membership is looked up on every check (never cached in
# the session), so that a person removed from an office or organisation loses access at once.


@rules.predicate(name="is_mp_office_member")
def is_mp_office_member(user):
    return portal_selectors.office_membership(user) is not None


@rules.predicate(name="is_mp_office_manager")
def is_mp_office_manager(user, office):
    membership = portal_selectors.office_membership(user)
    same_office = membership is not None and membership.office_id == getattr(office, "pk", None)
    return portal_selectors.office_is_manager(membership) and same_office


@rules.predicate(name="is_organisation_member")
def is_organisation_member(user, organisation):
    membership = portal_selectors.organisation_membership(user, getattr(organisation, "pk", None))
    return membership is not None


@rules.predicate(name="is_organisation_admin")
def is_organisation_admin(user, organisation):
    membership = portal_selectors.organisation_membership(user, getattr(organisation, "pk", None))
    return membership is not None and membership.is_admin


rules.add_perm("portals.use_mp_portal", is_mp_office_member)
rules.add_perm("portals.manage_office_users", is_mp_office_manager)
rules.add_perm("portals.use_organisation_portal", is_organisation_member)
rules.add_perm("portals.manage_organisation_users", is_organisation_admin)
# After an election, moving a constituency's open referrals to the new MP is a manager's call.
rules.add_perm("portals.hand_over_office", is_manager | is_administrator)
# Agreeing or refusing an organisation's request for more time is casework.
rules.add_perm("portals.decide_extension_requests", is_caseworker | is_manager | is_administrator)
# Merging two accounts of one person moves their complaints and requests between accounts and
# closes one account: a manager's decision, reversible by a manager.
rules.add_perm("casework.merge_people", is_manager | is_administrator)
