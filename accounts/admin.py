"""Staff maintain the reference directories here until the staff pages arrive."""

from django.contrib import admin

from accounts.models import (
    Constituency,
    MemberOfParliament,
    Nation,
    Organisation,
    OrganisationAlias,
)


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "ods_code", "kind", "sector", "town", "postcode", "is_active")
    list_filter = ("kind", "sector", "is_active", "region")
    search_fields = ("name", "ods_code", "town", "postcode", "aliases__name")
    readonly_fields = ("created_at", "updated_at")
    inlines = [OrganisationAliasInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "sector", "ods_code", "is_active")}),
        ("Where", {"fields": ("town", "postcode", "region")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )


class NationFilter(admin.SimpleListFilter):
    """The nation is read from the constituency's ONS code, so it filters on the code prefix."""

    title = "nation"
    parameter_name = "nation"

    def lookups(self, request, model_admin):
        return Nation.choices

    def queryset(self, request, queryset):
        if self.value() in Nation.values:
            return queryset.in_nation(self.value())
        return queryset


@admin.register(Constituency)
class ConstituencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "nation")
    list_filter = (NationFilter,)
    search_fields = ("name", "code")
    readonly_fields = ("created_at", "updated_at")


class CurrentMemberFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("current", "Current MPs"), ("former", "Former MPs")]

    def queryset(self, request, queryset):
        current = MemberOfParliament.objects.current().values("pk")
        if self.value() == "current":
            return queryset.filter(pk__in=current)
        if self.value() == "former":
            return queryset.exclude(pk__in=current)
        return queryset


@admin.register(MemberOfParliament)
class MemberOfParliamentAdmin(admin.ModelAdmin):
    list_display = ("name", "party", "constituency", "start_date", "end_date", "email")
    list_filter = (CurrentMemberFilter, "party")
    list_select_related = ("constituency",)
    search_fields = ("name", "party", "constituency__name", "email", "=parliament_id")
    autocomplete_fields = ("constituency",)
    readonly_fields = ("created_at", "updated_at")
