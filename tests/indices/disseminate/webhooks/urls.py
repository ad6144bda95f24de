"""The project's URLs plus the webhooks API, until ipi_exchange/urls.py includes it."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("indices.disseminate.webhooks.urls")),
    path("", include("ipi_exchange.urls")),
]

handler404 = "ipi_exchange.http.problems.not_found_view"
handler500 = "ipi_exchange.http.problems.server_error_view"
