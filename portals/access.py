"""The one way portal views find what they show: through the signed-in person's membership,
looked up afresh on every request, with 404 for anything outside it (never saying it exists)."""

import logging

from django.http import Http404

from accounts.models import Organisation
from portals import selectors
from portals.models import MpOfficeMembership, OrganisationMembership

logger = logging.getLogger("portals.access")


def _refuse(request, what):
    # Logged so that probing (forged ids, a removed person's open session) shows up in monitoring.
    logger.warning(
        "Portal access refused: user %s, %s, path %s",
        getattr(request.user, "pk", None),
        what,
        request.path,
    )
    raise Http404("Not found")


def office_for(request) -> MpOfficeMembership:
    membership = selectors.office_membership(request.user)
    if membership is None or not request.user.has_perm("portals.use_mp_portal"):
        _refuse(request, "no office membership")
    # For the navigation: read on this request, so it is never older than the page.
    request.portal_membership = membership
    return membership


def office_manager_for(request) -> MpOfficeMembership:
    membership = office_for(request)
    if not request.user.has_perm("portals.manage_office_users", membership.office):
        _refuse(request, "not an office manager")
    return membership


def office_case_for(request, reference):
    membership = office_for(request)
    try:
        return membership, selectors.office_case(membership.office, reference)
    except Http404:
        _refuse(request, f"case {reference[:20]!r} not the office's")


def organisation_for(request, organisation_id) -> OrganisationMembership:
    membership = selectors.organisation_membership(request.user, organisation_id)
    if membership is None:
        _refuse(request, f"organisation {organisation_id} not theirs")
    request.portal_membership = membership
    return membership


def organisation_admin_for(request, organisation_id) -> OrganisationMembership:
    membership = organisation_for(request, organisation_id)
    if not request.user.has_perm("portals.manage_organisation_users", membership.organisation):
        _refuse(request, "not an organisation admin")
    return membership


def organisation_object_for(request, organisation_id, fetch, *args):
    """Fetch something of the organisation's (a case, a request, a recommendation) or 404."""
    membership = organisation_for(request, organisation_id)
    organisation: Organisation = membership.organisation
    try:
        return membership, fetch(organisation, *args)
    except Http404:
        _refuse(request, f"{fetch.__name__} {args!r} not organisation {organisation_id}'s")
