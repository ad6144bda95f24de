"""Members (countries) and their agencies."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countries import selectors, services
from countries.apis.base import WritePermissionMixin
from countries.models import Agency, Country
from countries.principals import ApiRequest
from ipi_exchange.http.fields import StrictCharField
from ipi_exchange.http.pagination import paginated, paginated_schema
from ipi_exchange.http.schema import ALREADY_EXISTS, UNKNOWN_OBJECT, Refusal, refusals
from ipi_exchange.http.strict import StrictSerializer


class CountryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name", "aggregates", "created_at"]


class CountryListApi(WritePermissionMixin, APIView):
    class CountryCreateInputSerializer(StrictSerializer):
        code = serializers.RegexField(r"^[A-Z]{2}$", help_text="Two capital letters, e.g. KH.")
        name = StrictCharField(max_length=100)
        aggregates = serializers.ListField(
            child=StrictCharField(max_length=16),
            default=list,
            help_text='Regional aggregates the country counts in, e.g. ["MKG", "MKG_JP"].',
        )

    @extend_schema(
        operation_id="countries_list", responses=paginated_schema(CountryOutputSerializer)
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.country_list(), CountryOutputSerializer)

    @extend_schema(
        request=CountryCreateInputSerializer,
        responses={201: CountryOutputSerializer},
        extensions=refusals(
            ALREADY_EXISTS,
            Refusal(
                "unknown_aggregate",
                400,
                "data",
                "aggregates must be regional aggregates of CL_AREA",
            ),
        ),
    )
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


class AgencyListApi(WritePermissionMixin, APIView):
    class AgencyCreateInputSerializer(StrictSerializer):
        id = serializers.RegexField(r"^[A-Z][A-Z0-9_]{1,31}$", help_text="e.g. KH_NIS")
        name = StrictCharField(max_length=200)
        role = serializers.ChoiceField(choices=Agency.Role.choices)
        country = serializers.PrimaryKeyRelatedField(
            queryset=Country.objects.all(), required=False, allow_null=True
        )

    @extend_schema(operation_id="agencies_list", responses=paginated_schema(AgencyOutputSerializer))
    def get(self, request: ApiRequest) -> Response:
        agencies = selectors.agency_list(principal=request.user)
        return paginated(request, self, agencies, AgencyOutputSerializer)

    @extend_schema(
        request=AgencyCreateInputSerializer,
        responses={201: AgencyOutputSerializer},
        extensions=refusals(
            ALREADY_EXISTS,
            UNKNOWN_OBJECT,
            Refusal("country_required", 400, "across", "a reporter agency needs a country"),
        ),
    )
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
