"""The project's URLs plus the web pages at /, as the lead wires them in ipi_exchange/urls.py."""

from django.urls import include, path

from ipi_exchange.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("", include("indices.web.urls")), *project_urlpatterns]
