from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ipi_exchange import health
from ipi_exchange.http.root import ApiRootApi

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("countries.urls")),
    path("", include("indices.receive.urls")),
    path("", include("indices.validate.urls")),
    path("", include("indices.publish.urls")),
    path("", include("indices.disseminate.webhooks.urls")),
    path("", include("indices.disseminate.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("sdmx/", include("indices.disseminate.sdmx.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    path("", include("indices.web.urls")),
]

handler400 = "ipi_exchange.http.problems.bad_request_view"
handler403 = "ipi_exchange.http.problems.permission_denied_view"
# Pages get a page, the APIs under /api/ and /sdmx/ problem+json.
handler404 = "indices.web.views.errors.not_found"
handler500 = "ipi_exchange.http.problems.server_error_view"
