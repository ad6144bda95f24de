"""The read API for partner systems, mounted under /api/v1/ (see docs/api.md)."""

from django.urls import path, re_path
from django.views.decorators.gzip import gzip_page

from indices.disseminate.apis.adjustment import SeriesAdjustmentApi
from indices.disseminate.apis.bulk import BulkDataApi
from indices.disseminate.apis.releases import ReleaseListApi
from indices.disseminate.apis.series import DataAllApi, DataApi, SeriesListApi

# gzip per view (not site-wide middleware): these responses carry no secret next to
# attacker-controlled text, so compressing them is safe from BREACH-style attacks.
urlpatterns = [
    path("series/", gzip_page(SeriesListApi.as_view()), name="series-list"),
    re_path(
        r"^series/(?P<key>[^/]+)/adjustment$",
        gzip_page(SeriesAdjustmentApi.as_view()),
        name="series-adjustment",
    ),
    path("data/", gzip_page(DataAllApi.as_view()), name="series-data-all"),
    re_path(r"^data/(?P<key>[^/]*)$", gzip_page(DataApi.as_view()), name="series-data"),
    path("releases/", gzip_page(ReleaseListApi.as_view()), name="release-list"),
    path("bulk/data.csv", gzip_page(BulkDataApi.as_view()), name="bulk-data"),
]
