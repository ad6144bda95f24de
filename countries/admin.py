"""The Django admin, for the secretariat's staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from countries.models import (
    Agency,
    ApiCredential,
    ConcordanceEntry,
    ConcordanceVersion,
    Country,
    NationalClassification,
    User,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "aggregates", "created_at"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "country", "role", "is_active"]
    list_filter = ["role", "is_active"]


@admin.register(User)
class AgencyUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Agency", {"fields": ("agency",)}))
    list_display = ["username", "email", "agency", "is_staff", "is_active"]
    list_filter = ["agency", "is_staff", "is_active"]


@admin.register(NationalClassification)
class NationalClassificationAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "country"]


class ConcordanceEntryInline(admin.TabularInline):
    model = ConcordanceEntry
    extra = 0
    can_delete = False


@admin.register(ConcordanceVersion)
class ConcordanceVersionAdmin(admin.ModelAdmin):
    list_display = ["classification", "version", "created_by", "created_at"]
    inlines = [ConcordanceEntryInline]

    # Versions are history: new ones come through the API's validated upload only.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):
    list_display = [
        "agency",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["agency"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        # Tokens are shown once at creation: create them with the API or `create_token`.
        return False
