"""HTTP for a submission's validation: its report (JSON or CSV) and confirming its warnings."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.audit import actor_of
from countries.permissions import CanSubmit
from countries.principals import ApiRequest
from indices.receive.apis.submissions import SubmissionOutputSerializer
from indices.receive.permissions import WorksWithSubmissions
from indices.receive.selectors import submission_get
from indices.validate.models import Finding
from indices.validate.report import REPORT_COLUMNS, report_csv, report_data
from indices.validate.services import submission_confirm


class SubmissionConfirmApi(APIView):
    permission_classes = [IsAuthenticated, WorksWithSubmissions, CanSubmit]

    @extend_schema(request=None, responses=SubmissionOutputSerializer)
    def post(self, request: ApiRequest, submission_id: str) -> Response:
        submission = submission_get(principal=request.user, submission_id=submission_id)
        if submission.agency_id != request.user.agency.pk and not request.user.is_secretariat:
            raise Http404
        submission = submission_confirm(submission=submission, actor=actor_of(request.user)[1])
        return Response(SubmissionOutputSerializer(submission, context={"request": request}).data)


class FindingSerializer(serializers.ModelSerializer):
    """The schema of a finding in the report (`report_findings` builds the report itself)."""

    rule = serializers.CharField(source="rule_id")

    class Meta:
        model = Finding
        fields = REPORT_COLUMNS


class ReportCsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "findings" not in data:
            # An error body (problem+json is rendered by the exception handler, not here).
            return str(data).encode()
        return report_csv(data)


class SubmissionReportApi(APIView):
    """The validation report: JSON (default) or CSV (`?format=csv` or `Accept: text/csv`)."""

    permission_classes = [IsAuthenticated, WorksWithSubmissions]
    renderer_classes = [*APIView.renderer_classes, ReportCsvRenderer]

    @extend_schema(
        responses={
            (200, "text/csv"): {"type": "string"},
            (200, "application/json"): inline_serializer(
                "SubmissionReport",
                {
                    "submission": serializers.UUIDField(),
                    "status": serializers.CharField(),
                    "summary": serializers.DictField(),
                    "findings": FindingSerializer(many=True),
                },
            ),
        },
    )
    def get(self, request: ApiRequest, submission_id: str, format: str | None = None) -> Response:
        submission = submission_get(principal=request.user, submission_id=submission_id)
        headers = {}
        if getattr(request.accepted_renderer, "format", "") == "csv":
            headers["Content-Disposition"] = f'attachment; filename="report-{submission.pk}.csv"'
        return Response(report_data(submission), headers=headers)
