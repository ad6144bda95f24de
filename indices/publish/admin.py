"""The Django admin of publication, for the secretariat's staff: the register of adjustment
opt-outs (H7, docs/seasonal-adjustment.md) and, read-only, each series' adjustment status.

An opt-out added or edited here is recorded, and one withdrawn here is withdrawn, through the
same services as `manage.py adjustment_opt_out`: audited with the signed-in person as actor, and
the series adjusted again by the adjustment worker after the change commits (never in the web
process)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from indices.publish.models import AdjustmentOptOut, SeriesAdjustment
from indices.publish.releases import adjustment_schedule_again
from indices.publish.services.adjustment import (
    adjustment_opt_out_record,
    adjustment_opt_out_withdraw,
    opt_out_key_check,
)


class AdjustmentOptOutForm(forms.ModelForm):
    class Meta:
        model = AdjustmentOptOut
        fields = ["series_key", "reason"]
        help_texts = {
            "series_key": "The member's monthly N series, e.g. M.TH.C.N.IX.",
            "reason": "Why the member opts out; shown in the series' diagnostics.",
        }

    def clean_series_key(self) -> str:
        key = self.cleaned_data["series_key"].strip()
        try:
            opt_out_key_check(key)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return key


@admin.register(AdjustmentOptOut)
class AdjustmentOptOutAdmin(admin.ModelAdmin):
    form = AdjustmentOptOutForm
    list_display = ["series_key", "reason", "recorded_by", "recorded_at"]
    search_fields = ["series_key", "reason", "recorded_by"]
    actions = ["withdraw"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # The key is the register's identity: withdraw and record another instead.
        return ["series_key", "recorded_by", "recorded_at"] if obj is not None else []

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # `withdraw` says what removing one does
        return actions

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        adjustment_opt_out_record(obj.series_key, reason=obj.reason, by=_actor(request))
        obj.refresh_from_db()
        adjustment_schedule_again(obj.series_key)

    def delete_model(self, request: HttpRequest, obj) -> None:
        adjustment_opt_out_withdraw(obj.series_key, by=_actor(request))
        adjustment_schedule_again(obj.series_key)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for opt_out in list(queryset):
            self.delete_model(request, opt_out)

    @admin.action(
        description="Withdraw the selected opt-outs (the exchange adjusts them again)",
        permissions=["delete"],
    )
    def withdraw(self, request: HttpRequest, queryset: QuerySet) -> None:
        keys = sorted(queryset.values_list("series_key", flat=True))
        self.delete_queryset(request, queryset)
        self.message_user(
            request,
            f"Withdrawn: {', '.join(keys)}. Their adjustment is queued again.",
            messages.SUCCESS,
        )


@admin.register(SeriesAdjustment)
class SeriesAdjustmentAdmin(admin.ModelAdmin):
    """Which series the exchange adjusted, and why not where it did not (read-only)."""

    list_display = ["series_key", "status", "computed_at", "published_at"]
    list_filter = ["status", "ref_area"]
    search_fields = ["series_key"]
    fields = ["series_key", "status", "findings", "model", "spec", "computed_at", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()
