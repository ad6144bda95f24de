"""GET /series/{key}/adjustment: how the exchange adjusted a member's monthly series (H7):
model, outliers, calendar coefficients with t-values, M and Q statistics, QS and F tests,
Ljung-Box, the spec. docs/seasonal-adjustment.md says how to read them."""

from __future__ import annotations

from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from indices.disseminate.apis.base import ReadApi
from indices.disseminate.selectors.adjustment import adjustment_body, adjustment_published
from indices.disseminate.selectors.versions import Version
from ipi_exchange.errors import NotFound
from ipi_exchange.http.params import reject_unknown


class SeriesAdjustmentApi(ReadApi):
    """GET /series/{key}/adjustment: the published diagnostics of the exchange's adjustment."""

    @extend_schema(
        responses={
            200: dict,
            404: OpenApiResponse(description="The exchange publishes no adjustment of the series"),
        }
    )
    def get(self, request: Request, key: str) -> Response | HttpResponseNotModified:
        reject_unknown(request.query_params, ())
        found = adjustment_published(key)
        if found is None:
            raise NotFound(
                f"The exchange publishes no seasonal adjustment of {key!r}.", code="no_adjustment"
            )
        published, instant = found
        if (fresh := self.not_modified(request, Version(1, instant))) is not None:
            return fresh
        return Response(adjustment_body(key, published))
