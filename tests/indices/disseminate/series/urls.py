"""The project's URLs plus the read API, as ipi_exchange/urls.py will mount it."""

from django.urls import include, path

from ipi_exchange.urls import handler404, handler500  # noqa: F401
from ipi_exchange.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/", include("indices.disseminate.urls")),
    *project_urlpatterns,
]
