"""Value-added weights (H6), for the secretariat."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.audit import actor_of
from countries.permissions import IsSecretariatAdmin
from countries.principals import ApiRequest
from indices.publish.models import ValueAddedWeight
from indices.publish.services.weights import weights_read_csv, weights_upload
from ipi_exchange.http.fields import RowsField
from ipi_exchange.http.pagination import paginated, paginated_schema
from ipi_exchange.http.parsers import JSONParser, MultiPartParser
from ipi_exchange.http.schema import NUL_IN_NAMES, Refusal, refusals
from ipi_exchange.http.strict import StrictSerializer


class WeightSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id")
    value_added = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)

    class Meta:
        model = ValueAddedWeight
        fields = ["country", "activity", "year", "value_added", "updated_at"]


class WeightListApi(APIView):
    """GET: the table (any token). POST: upsert rows (the secretariat), JSON or CSV; every
    aggregate is then recomputed and published as a release."""

    parser_classes = [JSONParser, MultiPartParser]

    class WeightsJsonInputSerializer(StrictSerializer):
        weights = RowsField()

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsSecretariatAdmin()]
        return [IsAuthenticated()]

    @extend_schema(operation_id="weights_list", responses=paginated_schema(WeightSerializer))
    def get(self, request: Request) -> Response:
        weights = ValueAddedWeight.objects.all()
        for name in ("country", "activity", "year"):
            if name in request.query_params:
                weights = weights.filter(
                    **{f"{name}{'_id' if name == 'country' else ''}": request.query_params[name]}
                )
        return paginated(request, self, weights, WeightSerializer)

    @extend_schema(
        request={
            "application/json": WeightsJsonInputSerializer,
            "multipart/form-data": inline_serializer(
                "WeightsUpload", {"file": serializers.FileField()}
            ),
        },
        responses={
            201: inline_serializer(
                "WeightsUploaded",
                {"rows": serializers.IntegerField(), "release": serializers.IntegerField()},
            )
        },
        extensions=refusals(
            Refusal(
                "weights_invalid",
                400,
                "data",
                "the rows are checked against the codelists and each other (unknown code, a row "
                "twice); the problems are listed",
            ),
            NUL_IN_NAMES,
        ),
    )
    def post(self, request: ApiRequest) -> Response:
        upload = request.FILES.get("file")
        if upload is not None:
            rows = weights_read_csv(upload.read())
        else:
            data = self.WeightsJsonInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            rows = data.validated_data["weights"]
        _, actor = actor_of(request.user)
        count, release = weights_upload(rows=rows, agency=request.user.agency, actor=actor)
        return Response({"rows": count, "release": release.pk}, status=status.HTTP_201_CREATED)
