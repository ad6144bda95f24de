"""The project's routes plus /sdmx/, for tests until ipi_exchange/urls.py mounts it."""

from django.urls import include, path

from ipi_exchange.urls import handler404, handler500
from ipi_exchange.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("sdmx/", include("indices.disseminate.sdmx.urls")), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
