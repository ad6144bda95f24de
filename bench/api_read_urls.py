"""The project's URLs, the read API, and the baseline: a bare Django view returning the same
observations as JSON (no DRF, no authentication, no rate limit, no validators)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from indices.publish.models import PublishedObservation
from ipi_exchange.urls import urlpatterns as project_urlpatterns


def bare_series(request: HttpRequest, key: str) -> JsonResponse:
    rows = (
        PublishedObservation.objects.filter(series_key=key, valid_to__isnull=True)
        .order_by("period_start")
        .values_list("time_period", "value", "status")
    )
    return JsonResponse(
        {"key": key, "observations": [{"period": p, "value": v, "status": s} for p, v, s in rows]}
    )


urlpatterns = [
    path("bare/<str:key>", bare_series),
    path("api/v1/", include("indices.disseminate.urls")),
    *project_urlpatterns,
]
