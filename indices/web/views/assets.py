"""The chart library, served from the installed `plotly` package (requirements.txt): no CDN,
no copy to keep in step, and its version in the URL so browsers may cache it for a year."""

from __future__ import annotations

from functools import cache
from importlib import metadata, resources
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe


@cache
def chart_library_path() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@cache
def chart_library_version() -> str:
    return metadata.version("plotly")


@require_safe
def chart_library(request: HttpRequest, version: str) -> FileResponse:
    if version != chart_library_version():
        raise Http404
    response = FileResponse(
        chart_library_path().open("rb"), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
