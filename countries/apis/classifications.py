"""National classifications and their concordances to ISIC."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countries import concordance, selectors, services
from countries.apis.base import WritePermissionMixin
from countries.audit import actor_of
from countries.models import Country, NationalClassification
from countries.principals import ApiRequest
from ipi_exchange.errors import ApplicationError, NotFound
from ipi_exchange.http.fields import RowsField, StrictCharField
from ipi_exchange.http.pagination import paginated, paginated_schema, whole_number
from ipi_exchange.http.params import reject_unknown
from ipi_exchange.http.parsers import JSONParser, MultiPartParser
from ipi_exchange.http.schema import (
    ALREADY_EXISTS,
    NUL_IN_NAMES,
    UNKNOWN_OBJECT,
    Refusal,
    refusals,
    whole,
)
from ipi_exchange.http.strict import StrictSerializer


class ClassificationOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id")
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = NationalClassification
        fields = ["id", "name", "country", "version_count", "created_at"]


class ClassificationListApi(WritePermissionMixin, APIView):
    class ClassificationCreateInputSerializer(StrictSerializer):
        id = serializers.RegexField(r"^[A-Z][A-Z0-9_]{1,31}$", help_text="e.g. TSIC2009")
        name = StrictCharField(max_length=200)
        country = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all())

    @extend_schema(
        operation_id="classifications_list",
        responses=paginated_schema(ClassificationOutputSerializer),
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, selectors.classification_list(), ClassificationOutputSerializer
        )

    @extend_schema(
        request=ClassificationCreateInputSerializer,
        responses={201: ClassificationOutputSerializer},
        extensions=refusals(ALREADY_EXISTS, UNKNOWN_OBJECT),
    )
    def post(self, request: Request) -> Response:
        data = self.ClassificationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        classification = services.classification_create(
            classification_id=values["id"], name=values["name"], country=values["country"]
        )
        # What classification_list annotates: a new classification has no concordance yet.
        classification.version_count = 0  # type: ignore[attr-defined]
        return Response(
            ClassificationOutputSerializer(classification).data, status=status.HTTP_201_CREATED
        )


class ConcordanceEntrySerializer(serializers.Serializer):
    national_code = serializers.CharField(max_length=32)
    isic_code = serializers.CharField(max_length=8)
    weight = serializers.DecimalField(
        max_digits=24, decimal_places=8, required=False, allow_null=True, coerce_to_string=False
    )
    national_name = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ConcordanceOutputSerializer(serializers.Serializer):
    classification = serializers.CharField(source="classification_id")
    version = serializers.IntegerField()
    comment = serializers.CharField()
    created_by = serializers.CharField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    entries = ConcordanceEntrySerializer(many=True)


class ConcordanceApi(WritePermissionMixin, APIView):
    """GET the current (or `?version=N`) concordance; POST a new version as JSON or CSV."""

    parser_classes = [JSONParser, MultiPartParser]

    class ConcordanceJsonInputSerializer(StrictSerializer):
        comment = StrictCharField(max_length=500, required=False, allow_blank=True)
        entries = RowsField()

    @extend_schema(
        parameters=[OpenApiParameter("version", whole(), description="A past version number")],
        responses=ConcordanceOutputSerializer,
    )
    def get(self, request: Request, classification_id: str) -> Response:
        classification = get_object_or_404(NationalClassification, pk=classification_id)
        reject_unknown(request.query_params, ["version"])
        # ASCII digits, bounded: a number past PostgreSQL's integer would be a 500, not a 400.
        version = (
            whole_number("version", request.query_params["version"].strip(), minimum=1)
            if "version" in request.query_params
            else None
        )
        found = selectors.concordance_version_get(classification=classification, version=version)
        if found is None:
            raise NotFound(
                f"{classification_id} has no concordance"
                + (f" version {version}." if version else " yet."),
                code="not_found",
            )
        return Response(ConcordanceOutputSerializer(found).data)

    @extend_schema(
        request={
            "application/json": ConcordanceJsonInputSerializer,
            "multipart/form-data": inline_serializer(
                "ConcordanceUpload",
                {"file": serializers.FileField(), "comment": serializers.CharField(required=False)},
            ),
        },
        responses={201: ConcordanceOutputSerializer},
        extensions=refusals(
            Refusal(
                "concordance_invalid",
                400,
                "data",
                "the rows are checked against ISIC's codelist and each other (unknown ISIC "
                "code, a national code mapped twice, a weight missing where several codes map "
                "to one); the problems are listed",
            ),
            NUL_IN_NAMES,
        ),
    )
    def post(self, request: ApiRequest, classification_id: str) -> Response:
        classification = get_object_or_404(NationalClassification, pk=classification_id)
        comment, raw_rows = self._rows(request)
        version = services.concordance_upload(
            classification=classification,
            raw_rows=raw_rows,
            created_by=request.user.agency,
            actor=actor_of(request.user)[1],
            comment=comment,
        )
        return Response(ConcordanceOutputSerializer(version).data, status=status.HTTP_201_CREATED)

    def _rows(self, request: Request) -> tuple[str, list[dict]]:
        upload = request.FILES.get("file")
        if upload is not None:
            rows, problems = concordance.read_csv(upload.read())
            if problems:
                raise ApplicationError(
                    "The concordance file cannot be read; nothing was stored.",
                    code="concordance_invalid",
                    extra={"problems": [p.as_dict() for p in problems]},
                )
            # A file comes only in a multipart body, whose data is a QueryDict.
            form = cast(Mapping[str, Any], request.data)
            return str(form.get("comment", ""))[:500], rows
        data = self.ConcordanceJsonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data.get("comment", ""), data.validated_data["entries"]
