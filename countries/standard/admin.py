from django.contrib import admin

from countries.standard.models import Code, Codelist, StandardVersion


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "ref_year", "is_current", "loaded_at"]


class CodeInline(admin.TabularInline):
    model = Code
    extra = 0


@admin.register(Codelist)
class CodelistAdmin(admin.ModelAdmin):
    list_display = ["codelist_id", "name", "standard"]
    inlines = [CodeInline]
