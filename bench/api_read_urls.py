"""The project's URLs, the read API, and the baselines: minimal Django views returning the
bytes the API answered (no DRF, no authentication, no rate limit, no validators), and a 304.

bench/api_read.py writes each answer's bytes and media type under var/bench/bare/ before it
starts gunicorn; `/bare/<name>` serves them, `/bare-304` answers 304 Not Modified."""

from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import include, path

from ipi_exchange.urls import urlpatterns as project_urlpatterns

BARE = Path(__file__).resolve().parent.parent / "var" / "bench" / "bare"
_answers: dict[str, tuple[bytes, str]] = {}


def bare(request: HttpRequest, name: str) -> HttpResponse:
    if name not in _answers:
        _answers[name] = (
            (BARE / f"{name}.body").read_bytes(),
            (BARE / f"{name}.type").read_text(),
        )
    body, content_type = _answers[name]
    return HttpResponse(body, content_type=content_type)


def bare_not_modified(request: HttpRequest) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = '"bench"'
    return response


urlpatterns = [
    path("bare/<str:name>", bare),
    path("bare-304", bare_not_modified),
    path("api/v1/", include("indices.disseminate.urls")),
    *project_urlpatterns,
]
