"""The project's URLs plus the web pages at /, as the lead wires them in ipi_exchange/urls.py;
with the project's error handlers, which Django reads from the root URLconf."""

from django.urls import include, path

from ipi_exchange.urls import handler400, handler403, handler404, handler500
from ipi_exchange.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("", include("indices.web.urls")), *project_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
