"""Forms of the web pages: the upload options (the API's UploadOptionsSerializer, as a form),
the series explorer's filters and the audit log's filter."""

from __future__ import annotations

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from indices.receive.models import Submission


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV, XLSX, SDMX-CSV or JSON; the template below is the easiest start.",
        error_messages={
            "empty": "The file is empty (0 bytes): open your table, save it again, and upload "
            "the saved file.",
        },
    )

    action = forms.ChoiceField(
        choices=Submission.Action.choices,
        initial=Submission.Action.MERGE,
        help_text="merge: add and revise values; replace: the file replaces each series it "
        "holds; delete: withdraw the periods it lists.",
    )
    release_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text="Embargo: publish at this time (UTC). Empty: as soon as it is accepted.",
    )
    # The release time is read and shown in the agency's time zone (the view activates it).
    dry_run = forms.BooleanField(
        required=False, help_text="Check the file only; nothing is stored but the report."
    )
    acknowledge_warnings = forms.BooleanField(
        required=False,
        help_text="Accept warnings in advance, so the file is accepted without confirmation.",
    )
    comment = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, time_zone: ZoneInfo | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if time_zone is not None:
            offset = datetime.now(time_zone).strftime("%z")
            self.fields["release_at"].help_text = (
                f"Embargo: publish at this time, your local time ({time_zone.key}, UTC"
                f"{offset[:3]}:{offset[3:]}). Empty: as soon as it is accepted."
            )

    def clean_file(self):
        # The browser can send several files under one name; one submission is one file.
        if len(self.files.getlist(self.add_prefix("file"))) > 1:
            raise forms.ValidationError("Choose one file: each file is a submission of its own.")
        upload = self.cleaned_data["file"]
        if upload.size > settings.IPI_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {settings.IPI_MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        return upload


class TemplateForm(forms.Form):
    format = forms.ChoiceField(choices=[("xlsx", "Excel (xlsx)"), ("csv", "CSV")], initial="xlsx")
    layout = forms.ChoiceField(
        choices=[("wide", "wide (one row per series)"), ("long", "long (one row per month)")],
        initial="wide",
    )
    months = forms.IntegerField(min_value=1, max_value=120, initial=12)


class ExplorerForm(forms.Form):
    TRANSFORMATIONS = [
        ("IX", "Index level (2021 = 100)"),
        ("PCH_PRE", "Month-on-month growth (%)"),
        ("PCH_SM", "Year-on-year growth (%)"),
    ]
    FREQUENCIES = [("M", "Monthly"), ("Q", "Quarterly"), ("A", "Annual")]

    country = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    activity = forms.ChoiceField(required=False)
    adjustment = forms.ChoiceField(required=False)
    transformation = forms.ChoiceField(
        choices=TRANSFORMATIONS, initial="IX", required=False, widget=forms.RadioSelect
    )
    freq = forms.ChoiceField(
        choices=FREQUENCIES,
        initial="M",
        required=False,
        label="Frequency",
        help_text="Quarterly and annual series are derived from the monthly ones.",
    )
    start = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="First period to show (empty: all).",
    )
    as_of = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Vintage: as it stood on",
        help_text="Adds each series as published at the end of that day, beside today's.",
    )

    def __init__(self, *args, choices: dict[str, list[tuple[str, str]]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "country").choices = choices["countries"]
        _choice_field(self, "activity").choices = [("", "any")] + choices["activities"]
        _choice_field(self, "adjustment").choices = [("", "any")] + choices["adjustments"]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False)
    agency = forms.CharField(required=False, max_length=32)

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "action").choices = [("", "all actions")] + [(a, a) for a in actions]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A choice field of `form`, whose choices are known only at run time."""
    return cast(forms.ChoiceField, form.fields[name])


class CompareForm(forms.Form):
    """Several areas and activities on one chart: names in words, codes only in the URL."""

    TRANSFORMATIONS = [
        ("IX", "Index level"),
        ("PCH_PRE", "Period on period (%)"),
        ("PCH_SM", "Year on year (%)"),
    ]
    FREQUENCIES = [("M", "Monthly"), ("Q", "Quarterly"), ("A", "Annual")]

    area = forms.MultipleChoiceField(
        label="Countries and regions", required=True, widget=forms.CheckboxSelectMultiple
    )
    activity = forms.MultipleChoiceField(
        label="Activities",
        required=True,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Pick one or several (Ctrl or ⌘ and click, or Shift and the arrow keys).",
    )
    adjustment = forms.ChoiceField(label="Adjustment", initial="N")
    transformation = forms.ChoiceField(
        label="View", choices=TRANSFORMATIONS, initial="IX", widget=forms.RadioSelect
    )
    freq = forms.ChoiceField(
        label="Frequency", choices=FREQUENCIES, initial="M", widget=forms.RadioSelect
    )
    start = forms.IntegerField(
        label="From year", required=False, min_value=1900, max_value=2999, help_text="Empty: all."
    )

    def __init__(
        self,
        *args,
        areas: list[tuple[str, str]],
        activities: list[tuple[str, str]],
        adjustments: list[tuple[str, str]],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "area").choices = areas
        _choice_field(self, "activity").choices = activities
        _choice_field(self, "adjustment").choices = adjustments
