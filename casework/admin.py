from django.contrib import admin

from casework.models import Case, CaseEvent, Team


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "system_reason", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: status changes go through the back office and its state machine, not here."""

    list_display = ("reference", "kind", "status", "received_at")
    list_filter = ("kind", "status")
    search_fields = ("reference",)
    readonly_fields = (
        "reference",
        "kind",
        "status",
        "status_changed_at",
        "complainant",
        "summary",
        "received_at",
    )
    inlines = [CaseEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams and who is in them. Cases join a team through assignment in the back office."""

    list_display = ("name", "created_at")
    search_fields = ("name",)
    filter_horizontal = ("members",)

    def has_delete_permission(self, request, obj=None):
        # A team that has had cases keeps them on record (the foreign key protects it).
        return obj is None or not obj.cases.exists()
