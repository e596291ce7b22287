from django.contrib import admin

from insight.models import CaseFeedback, YouSaidWeDid


@admin.register(YouSaidWeDid)
class YouSaidWeDidAdmin(admin.ModelAdmin):
    """Staff write and publish the entries of the public "You said, we did" page here."""

    list_display = ("date", "you_said", "we_did", "published")
    list_filter = ("published",)
    search_fields = ("you_said", "we_did")
    date_hierarchy = "date"
    fields = ("you_said", "we_did", "date", "published")


@admin.register(CaseFeedback)
class CaseFeedbackAdmin(admin.ModelAdmin):
    """Read-only: answers are the complainant's own and are never edited."""

    list_display = ("submitted_at", "case_status", "ease_of_use", "kept_informed")
    list_filter = ("case_status", "ease_of_use", "kept_informed")
    fields = ("case_status", "ease_of_use", "kept_informed", "improvements", "submitted_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
