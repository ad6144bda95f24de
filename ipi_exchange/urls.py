from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ipi_exchange import health
from ipi_exchange.api.root import ApiRootApi

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("countries.urls")),
    path("", include("indices.urls")),
    path("", include("indices.urls_webhooks")),
    path("", include("indices.urls_series")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("sdmx/", include("indices.urls_sdmx")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    path("", include("indices.web.urls")),
]

handler400 = "ipi_exchange.api.exception_handlers.bad_request_view"
handler403 = "ipi_exchange.api.exception_handlers.permission_denied_view"
handler404 = "ipi_exchange.api.exception_handlers.not_found_view"
handler500 = "ipi_exchange.api.exception_handlers.server_error_view"
