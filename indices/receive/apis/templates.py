"""GET /api/v1/submissions/templates/: a ready-to-fill file pre-filled with the agency's series."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.views import APIView

from countries.principals import ApiRequest
from indices.receive.parsing import build_template
from indices.receive.permissions import WorksWithSubmissions
from indices.receive.templates import template_periods, template_series
from ipi_exchange.errors import ApplicationError
from ipi_exchange.http.params import reject_unknown
from ipi_exchange.http.schema import Refusal, refusals, whole

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _FileRenderer(BaseRenderer):
    """Lets DRF's `?format=` negotiation accept csv and xlsx; the view returns the bytes."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data if isinstance(data, bytes) else b""


class CsvFileRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxFileRenderer(_FileRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"


class SubmissionTemplateApi(APIView):
    permission_classes = [IsAuthenticated, WorksWithSubmissions]
    # XLSX first (the default): Excel keeps its TIME_PERIOD cells as text, whereas a CSV
    # template re-saved by Excel turns 2024-01 into a date.
    renderer_classes = [XlsxFileRenderer, CsvFileRenderer]

    class TemplateFilterSerializer(serializers.Serializer):
        layout = serializers.ChoiceField(choices=["long", "wide"], default="wide")
        months = serializers.IntegerField(min_value=1, max_value=120, default=12)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["xlsx", "csv"], description="default xlsx"),
            OpenApiParameter("layout", str, enum=["long", "wide"], description="default wide"),
            OpenApiParameter(
                "months", whole(1, 120), description="how many recent months (default 12)"
            ),
        ],
        responses={
            (200, "text/csv"): {"type": "string"},
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
        },
        extensions=refusals(
            Refusal(
                "no_country",
                400,
                "data",
                "templates are for agencies of a country (a reporter), not the secretariat's",
            )
        ),
    )
    def get(self, request: ApiRequest, format: str | None = None) -> HttpResponse:
        reject_unknown(request.query_params, ["layout", "months"])
        query = self.TemplateFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        agency = request.user.agency
        if agency.country_id is None:
            raise ApplicationError(
                "Templates are for reporting agencies: they hold a country's series.",
                code="no_country",
            )
        file_format = request.accepted_renderer.format
        layout = query.validated_data["layout"]
        content = build_template(
            fmt=file_format,
            layout=layout,
            ref_area=agency.country_id,
            series=template_series(agency=agency),
            periods=template_periods(
                today=timezone.now().date(), months=query.validated_data["months"]
            ),
        )
        response = HttpResponse(content, content_type=request.accepted_renderer.media_type)
        name = f"ipi-template-{agency.country_id}-{layout}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
