"""Pages of clerks (and the secretariat) for submissions: upload, list with live progress,
the report grouped by rule, its CSV, confirming warnings, and the ready-to-fill templates."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from countries.models import Country
from indices.receive import progress
from indices.receive.models import Submission
from indices.receive.parsing import build_template
from indices.receive.selectors import submission_get, submission_list
from indices.receive.services import SubmissionOptions
from indices.receive.templates import template_periods, template_series
from indices.validate.report import report_csv, report_data, report_groups
from indices.validate.services import submission_confirm
from indices.web.access import (
    PageRequest,
    actor_of_user,
    agency_time_zone,
    reporter_page,
    submissions_page,
)
from indices.web.forms import TemplateForm, UploadForm
from indices.web.services import web_submission_upload
from ipi_exchange.errors import ApplicationError

TERMINAL = {"REJECTED", "NEEDS_CONFIRMATION", "ACCEPTED", "VALIDATED"}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def counted(count: int, singular: str, plural: str = "") -> str:
    """ "1 error", "2 errors", "0 warnings"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def findings_text(errors: int, warnings: int, unpublished: int) -> str:
    """What the pages say of a submission's findings; the page's poll shows the same text."""
    text = f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
    if unpublished:
        text += f"; {counted(unpublished, 'series', 'series')} not published"
    return text


FORMAT_NAMES = {
    "csv": "CSV",
    "xlsx": "Excel workbook (xlsx)",
    "json": "JSON",
    "sdmx-csv-1.0": "SDMX-CSV 1.0",
    "sdmx-csv-2.0": "SDMX-CSV 2.0",
}


def _local_time(submission: Submission) -> str:
    """The release time in the agency's own time zone, with UTC beside it."""
    if submission.release_at is None:
        return ""
    zone = agency_time_zone(submission.agency)
    local = submission.release_at.astimezone(zone)
    utc = submission.release_at.astimezone(UTC)
    return f"{local:%Y-%m-%d %H:%M} {zone.key} ({utc:%Y-%m-%d %H:%M} UTC)"


def format_label(detected_format: str, layout: str) -> str:
    """ "Excel workbook (xlsx), wide layout" for the stored "xlsx-wide" (whose layout is also
    stored on its own): each said once, in words."""
    kind = detected_format
    for suffix in ("-wide", "-long"):
        kind = kind.removesuffix(suffix)
    name = FORMAT_NAMES.get(kind, kind)
    return f"{name}, {layout} layout" if layout else name


def progress_of(submission: Submission) -> dict:
    """The API's progress of a submission, with what the page shows beside it."""
    shared = progress.submission_progress(submission)
    errors = submission.summary.get("errors", 0)
    warnings = submission.summary.get("warnings", 0)
    # Series accepted but not published (harmonization could not place them): a clerk must
    # see at a glance that "accepted" did not publish everything.
    unpublished = len(submission.summary.get("unpublished", []))
    result = {
        "id": str(submission.pk),
        "status": submission.status,
        "rows_read": shared["rows_read"],
        "stage": shared["stage"],
        "errors": errors,
        "warnings": warnings,
        "unpublished": unpublished,
        "findings": findings_text(errors, warnings, unpublished),
        "finished": submission.status in TERMINAL,
    }
    if "publication" in shared:  # accepted: its publication's stage and count
        result["publication"] = publication_text(shared["publication"])
    return result


PUBLICATION_TEXTS = {
    "scheduled": "scheduled",
    "storing": "storing {count:,} rows",
    "harmonizing": "harmonizing ({count:,} stored values read)",
    "aggregating": "aggregating ({count:,} series harmonized)",
    "vintages": "writing {count:,} values as vintages",
    "published": "published ({count:,} values new or revised)",
    "failed": "failed: set aside for the secretariat",
}


def publication_text(publication: dict) -> str:
    """ "harmonizing (400,000 stored values read)": what the pages say of a publication."""
    text = PUBLICATION_TEXTS.get(publication["stage"], publication["stage"])
    return text.format(count=publication["count"])


@require_http_methods(["GET", "POST"])
@reporter_page
def upload(request: PageRequest) -> HttpResponse:
    # The release time is the agency's local time: read (and shown back) in its time zone,
    # made an aware datetime, stored in UTC.
    time_zone = agency_time_zone(request.principal.agency)
    with timezone.override(time_zone):
        return _upload(request, time_zone)


def _upload(request: PageRequest, time_zone: ZoneInfo) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, time_zone=time_zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission, created = web_submission_upload(
                agency=request.principal.agency,
                username=request.user.get_username(),
                upload=data["file"],
                options=SubmissionOptions(
                    action=data["action"],
                    release_at=data["release_at"],
                    dry_run=data["dry_run"],
                    acknowledge_warnings=data["acknowledge_warnings"],
                    comment=data["comment"],
                ),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if created:
                messages.success(request, f"Received {submission.original_name}; checking it now.")
            else:
                messages.info(request, "This file was received before: here is that submission.")
            return redirect("web:submission-detail", submission_id=submission.pk)
    return render(
        request,
        "web/upload.html",
        {"form": form, "template_form": TemplateForm()},
        status=400 if form.errors else 200,
    )


@require_safe
@reporter_page
def template_download(request: PageRequest) -> HttpResponse:
    defaults = {name: field.initial for name, field in TemplateForm.base_fields.items()}
    form = TemplateForm({**defaults, **request.GET.dict()})
    if not form.is_valid():
        return render(
            request, "web/upload.html", {"form": UploadForm(), "template_form": form}, status=400
        )
    agency = request.principal.agency
    assert agency.country_id is not None  # reporter_page: a reporting agency has a country
    fmt, layout = form.cleaned_data["format"], form.cleaned_data["layout"]
    content = build_template(
        fmt=fmt,
        layout=layout,
        ref_area=agency.country_id,
        series=template_series(agency=agency),
        periods=template_periods(today=timezone.now().date(), months=form.cleaned_data["months"]),
    )
    response = HttpResponse(content, content_type="text/csv" if fmt == "csv" else XLSX_MEDIA_TYPE)
    name = f"ipi-template-{agency.country_id}-{layout}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@submissions_page
def submission_index(request: PageRequest) -> HttpResponse:
    principal = request.principal
    submissions = submission_list(principal=principal).order_by("-received_at")
    wanted_status = request.GET.get("status", "")
    if wanted_status in Submission.Status.values:
        submissions = submissions.filter(status=wanted_status)
    wanted_country = request.GET.get("country", "") if principal.is_secretariat else ""
    if wanted_country:
        submissions = submissions.filter(agency__country_id=wanted_country)
    page = Paginator(submissions, 50).get_page(request.GET.get("page"))
    rows = [(s, progress_of(s)) for s in page]
    return render(
        request,
        "web/submission_list.html",
        {
            "page": page,
            "rows": rows,
            "pending": any(not p["finished"] for _, p in rows),
            "statuses": Submission.Status.values,
            "status": wanted_status,
            "countries": Country.objects.filter(agencies__role="reporter").distinct()
            if principal.is_secretariat
            else [],
            "country": wanted_country,
        },
    )


def submission_progress(request: HttpRequest, submission_id: str) -> HttpResponse:
    """The page's poll. Signed out (the session expired) it answers 401, not the login page, so
    the page can reload and ask to sign in instead of polling on, frozen."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return _submission_progress(request, submission_id)


@require_safe
@submissions_page
def _submission_progress(request: PageRequest, submission_id: str) -> JsonResponse:
    submission = submission_get(principal=request.principal, submission_id=submission_id)
    return JsonResponse(progress_of(submission))


@require_safe
@submissions_page
def submission_detail(request: PageRequest, submission_id: str) -> HttpResponse:
    submission = submission_get(principal=request.principal, submission_id=submission_id)
    return render(
        request,
        "web/submission_detail.html",
        {
            "submission": submission,
            "progress": progress_of(submission),
            "format": format_label(submission.detected_format, submission.layout),
            "release_local": _local_time(submission),
            "groups": report_groups(submission) if submission.status in TERMINAL else [],
            "can_confirm": submission.status == Submission.Status.NEEDS_CONFIRMATION,
        },
    )


@require_safe
@submissions_page
def submission_report_csv(request: PageRequest, submission_id: str) -> HttpResponse:
    """The API's CSV report (`?format=csv`), built by the same code."""
    submission = submission_get(principal=request.principal, submission_id=submission_id)
    response = HttpResponse(
        report_csv(report_data(submission)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="report-{submission.pk}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@submissions_page
def submission_confirm_view(request: PageRequest, submission_id: str) -> HttpResponse:
    # A GET is the way back after signing in again (the confirm button's POST met an expired
    # session): to the submission page, where the button is.
    if request.method == "GET":
        return redirect("web:submission-detail", submission_id=submission_id)
    submission = submission_get(principal=request.principal, submission_id=submission_id)
    try:
        submission_confirm(submission=submission, actor=actor_of_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Warnings accepted: the submission is accepted and will be published."
        )
    return redirect("web:submission-detail", submission_id=submission.pk)
