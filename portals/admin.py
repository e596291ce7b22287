from django.contrib import admin

from portals.models import (
    ExtensionRequest,
    Invitation,
    MpOffice,
    MpOfficeMembership,
    OrganisationMembership,
    Referral,
)


@admin.register(MpOffice)
class MpOfficeAdmin(admin.ModelAdmin):
    list_display = ["mp", "created_at", "ended_at"]
    raw_id_fields = ["mp"]


@admin.register(MpOfficeMembership)
class MpOfficeMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "role", "active", "removed_at"]
    list_filter = ["role", "active"]
    raw_id_fields = ["user", "office", "invited_by", "removed_by"]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_admin", "active", "removed_at"]
    list_filter = ["is_admin", "active"]
    raw_id_fields = ["user", "organisation", "invited_by", "removed_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    # The token hash is never shown: it is useless to staff and should not be copied around.
    list_display = ["email", "office", "organisation", "role", "expires_at", "used_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["office", "organisation", "used_by", "invited_by"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["pk", "office", "case", "consent_method", "consent_confirmed_at"]
    exclude = ["consent_token_hash"]
    raw_id_fields = ["office", "case", "organisation", "consent_document", "referred_by"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ["evidence_request", "extra_working_days", "status", "requested_at"]
    raw_id_fields = ["evidence_request", "requested_by", "decided_by"]
