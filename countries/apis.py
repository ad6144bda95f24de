"""HTTP for members, agencies, credentials and concordances: validate, call one service or
selector, serialize. REST URLs: a collection answers GET (list) and POST (create)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countries import concordance, selectors, services
from countries.models import Agency, ApiCredential, Country, NationalClassification
from countries.permissions import CanAdminister, IsSecretariatAdmin
from countries.principals import ApiRequest
from indices.services.audit import actor_of
from ipi_exchange.api.pagination import paginated, paginated_schema
from ipi_exchange.errors import ApplicationError


class _WritePermissionMixin(APIView):
    """GET for any valid token; POST only for the secretariat's admin tokens."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsSecretariatAdmin()]
        return [IsAuthenticated()]


# --- Countries -----------------------------------------------------------------------------


class CountryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name", "aggregates", "created_at"]


class CountryListApi(_WritePermissionMixin, APIView):
    class CountryCreateInputSerializer(serializers.Serializer):
        code = serializers.RegexField(r"^[A-Z]{2}$", help_text="Two capital letters, e.g. KH.")
        name = serializers.CharField(max_length=100)
        aggregates = serializers.ListField(
            child=serializers.CharField(max_length=16),
            default=list,
            help_text='Regional aggregates the country counts in, e.g. ["MKG", "MKG_JP"].',
        )

    @extend_schema(
        operation_id="countries_list", responses=paginated_schema(CountryOutputSerializer)
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.country_list(), CountryOutputSerializer)

    @extend_schema(request=CountryCreateInputSerializer, responses={201: CountryOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.CountryCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        country = services.country_create(**data.validated_data)
        return Response(CountryOutputSerializer(country).data, status=status.HTTP_201_CREATED)


class CountryDetailApi(APIView):
    @extend_schema(responses=CountryOutputSerializer)
    def get(self, request: Request, code: str) -> Response:
        country = get_object_or_404(selectors.country_list(), code=code)
        return Response(CountryOutputSerializer(country).data)


# --- Agencies ------------------------------------------------------------------------------


class AgencyOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", allow_null=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "country", "role", "is_active", "created_at"]


class AgencyListApi(_WritePermissionMixin, APIView):
    class AgencyCreateInputSerializer(serializers.Serializer):
        id = serializers.RegexField(r"^[A-Z][A-Z0-9_]{1,31}$", help_text="e.g. KH_NIS")
        name = serializers.CharField(max_length=200)
        role = serializers.ChoiceField(choices=Agency.Role.choices)
        country = serializers.PrimaryKeyRelatedField(
            queryset=Country.objects.all(), required=False, allow_null=True
        )

    @extend_schema(operation_id="agencies_list", responses=paginated_schema(AgencyOutputSerializer))
    def get(self, request: ApiRequest) -> Response:
        agencies = selectors.agency_list(principal=request.user)
        return paginated(request, self, agencies, AgencyOutputSerializer)

    @extend_schema(request=AgencyCreateInputSerializer, responses={201: AgencyOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.AgencyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agency = services.agency_create(
            agency_id=values["id"],
            name=values["name"],
            role=values["role"],
            country=values.get("country"),
        )
        return Response(AgencyOutputSerializer(agency).data, status=status.HTTP_201_CREATED)


class AgencyDetailApi(APIView):
    @extend_schema(responses=AgencyOutputSerializer)
    def get(self, request: ApiRequest, agency_id: str) -> Response:
        agency = get_object_or_404(selectors.agency_list(principal=request.user), pk=agency_id)
        return Response(AgencyOutputSerializer(agency).data)


# --- Credentials ---------------------------------------------------------------------------


class CredentialOutputSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency_id")

    class Meta:
        model = ApiCredential
        fields = [
            "id",
            "agency",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]


class CredentialCreatedSerializer(CredentialOutputSerializer):
    token = serializers.CharField(help_text="Shown once, now. Store it: it cannot be read again.")

    class Meta(CredentialOutputSerializer.Meta):
        fields = [*CredentialOutputSerializer.Meta.fields, "token"]


class CredentialListApi(APIView):
    """An agency's admin token manages its own agency's credentials; the secretariat's, all."""

    permission_classes = [IsAuthenticated, CanAdminister]

    class CredentialCreateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        scopes = serializers.MultipleChoiceField(choices=ApiCredential.Scope.choices)
        expires_at = serializers.DateTimeField(required=False, allow_null=True)
        agency = serializers.CharField(
            required=False, help_text="Secretariat only: the agency to create it for."
        )

        def validate_scopes(self, value: set[str]) -> list[str]:
            if not value:
                raise serializers.ValidationError("Give at least one scope.")
            return sorted(value)

    @extend_schema(
        operation_id="credentials_list", responses=paginated_schema(CredentialOutputSerializer)
    )
    def get(self, request: ApiRequest) -> Response:
        credentials = selectors.credential_list(principal=request.user)
        return paginated(request, self, credentials, CredentialOutputSerializer)

    @extend_schema(
        request=CredentialCreateInputSerializer, responses={201: CredentialCreatedSerializer}
    )
    def post(self, request: ApiRequest) -> Response:
        data = self.CredentialCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agency = self._target_agency(request, values.get("agency"))
        credential, token = services.credential_create(
            actor=actor_of(request.user)[1],
            agency=agency,
            name=values["name"],
            scopes=values["scopes"],
            expires_at=values.get("expires_at"),
        )
        # The token is shown once, here; it is never stored (only its hash is).
        return Response(
            {**CredentialOutputSerializer(credential).data, "token": token},
            status=status.HTTP_201_CREATED,
        )

    @staticmethod
    def _target_agency(request: ApiRequest, agency_id: str | None) -> Agency:
        own = request.user.agency
        if agency_id is None or agency_id == own.pk:
            return own
        if not request.user.is_secretariat:
            raise ApplicationError(
                "Only the secretariat creates credentials for another agency.",
                code="permission_denied",
                status=403,
            )
        try:
            return Agency.objects.get(pk=agency_id)
        except Agency.DoesNotExist:
            raise ApplicationError(f"No agency {agency_id!r}.", code="unknown_agency") from None


class CredentialDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanAdminister]

    @extend_schema(responses=CredentialOutputSerializer)
    def get(self, request: ApiRequest, credential_id: int) -> Response:
        credential = selectors.credential_get(principal=request.user, credential_id=credential_id)
        return Response(CredentialOutputSerializer(credential).data)


class CredentialRevokeApi(APIView):
    permission_classes = [IsAuthenticated, CanAdminister]

    @extend_schema(request=None, responses=CredentialOutputSerializer)
    def post(self, request: ApiRequest, credential_id: int) -> Response:
        credential = selectors.credential_get(principal=request.user, credential_id=credential_id)
        credential = services.credential_revoke(
            credential=credential, actor=actor_of(request.user)[1]
        )
        return Response(CredentialOutputSerializer(credential).data)


# --- National classifications and concordances ---------------------------------------------


class ClassificationOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id")
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = NationalClassification
        fields = ["id", "name", "country", "version_count", "created_at"]


class ClassificationListApi(_WritePermissionMixin, APIView):
    class ClassificationCreateInputSerializer(serializers.Serializer):
        id = serializers.RegexField(r"^[A-Z][A-Z0-9_]{1,31}$", help_text="e.g. TSIC2009")
        name = serializers.CharField(max_length=200)
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
        request=ClassificationCreateInputSerializer, responses={201: ClassificationOutputSerializer}
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


class ConcordanceApi(_WritePermissionMixin, APIView):
    """GET the current (or `?version=N`) concordance; POST a new version as JSON or CSV."""

    parser_classes = [JSONParser, MultiPartParser]

    class ConcordanceJsonInputSerializer(serializers.Serializer):
        comment = serializers.CharField(max_length=500, required=False, allow_blank=True)
        entries = serializers.ListField(child=serializers.DictField(), allow_empty=False)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="A past version number")],
        responses=ConcordanceOutputSerializer,
    )
    def get(self, request: Request, classification_id: str) -> Response:
        classification = get_object_or_404(NationalClassification, pk=classification_id)
        version = (
            serializers.IntegerField(min_value=1, required=False).run_validation(
                request.query_params.get("version")
            )
            if "version" in request.query_params
            else None
        )
        found = selectors.concordance_version_get(classification=classification, version=version)
        if found is None:
            raise ApplicationError(
                f"{classification_id} has no concordance"
                + (f" version {version}." if version else " yet."),
                code="not_found",
                status=404,
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
