"""The web pages, mounted at the site root: `path("", include("indices.web.urls"))`."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from indices.web.views import assets, data, find, secretariat, series, submissions, vintages

app_name = "web"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", next_page="web:home"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("", data.home, name="home"),
    path("upload/", submissions.upload, name="upload"),
    path("upload/template/", submissions.template_download, name="template"),
    path("submissions/", submissions.submission_index, name="submission-list"),
    path(
        "submissions/<str:submission_id>/",
        submissions.submission_detail,
        name="submission-detail",
    ),
    path(
        "submissions/<str:submission_id>/progress.json",
        submissions.submission_progress,
        name="submission-progress",
    ),
    path(
        "submissions/<str:submission_id>/report.csv",
        submissions.submission_report_csv,
        name="submission-report-csv",
    ),
    path(
        "submissions/<str:submission_id>/confirm/",
        submissions.submission_confirm_view,
        name="submission-confirm",
    ),
    path("series/", data.explorer, name="explorer"),
    # A page per series at its key (FREQ.REF_AREA.ACTIVITY.ADJUSTMENT.TRANSFORMATION).
    path("series/<str:key>/", series.series_page, name="series"),
    path("series/<str:key>/data.csv", series.series_csv, name="series-csv"),
    path("series/<str:key>/data.xlsx", series.series_xlsx, name="series-xlsx"),
    path("series/<str:key>/vintages/", vintages.series_vintages, name="series-vintages"),
    path("find/", find.find, name="find"),
    path("compare/", find.compare, name="compare"),
    path("compare/data.csv", find.compare_csv, name="compare-csv"),
    path("releases/", data.release_calendar, name="calendar"),
    path("timeliness/", data.timeliness, name="timeliness"),
    path("audit/", secretariat.audit_log, name="audit"),
    # Pages name their icon (base.html); browsers that ask for /favicon.ico anyway (the admin,
    # the API's browsable pages) are sent to the same file.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("web/favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("assets/plotly-<str:version>.min.js", assets.chart_library, name="chart-library"),
]
