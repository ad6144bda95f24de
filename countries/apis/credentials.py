"""API credentials: create, list, read, revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from countries import selectors, services
from countries.audit import actor_of
from countries.models import Agency, ApiCredential
from countries.permissions import CanAdminister
from countries.principals import ApiRequest
from ipi_exchange.errors import ApplicationError, NotAllowed
from ipi_exchange.http.fields import InstantField, StrictCharField
from ipi_exchange.http.pagination import paginated, paginated_schema
from ipi_exchange.http.schema import Refusal, refusals
from ipi_exchange.http.strict import StrictSerializer


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


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,  # validate_scopes: "Give at least one scope."
        "items": {"type": "string", "enum": list(ApiCredential.Scope.values)},
    }
)
class ScopesField(serializers.MultipleChoiceField):
    pass


class CredentialListApi(APIView):
    """An agency's admin token manages its own agency's credentials; the secretariat's, all."""

    permission_classes = [IsAuthenticated, CanAdminister]

    class CredentialCreateInputSerializer(StrictSerializer):
        name = StrictCharField(max_length=100)
        scopes = ScopesField(choices=ApiCredential.Scope.choices)
        expires_at = InstantField(required=False, allow_null=True)
        agency = StrictCharField(
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
        request=CredentialCreateInputSerializer,
        responses={201: CredentialCreatedSerializer},
        extensions=refusals(
            Refusal("expiry_in_past", 400, "now", "expires_at must be in the future"),
            Refusal("unknown_agency", 400, "data", "agency must name an agency of the exchange"),
            Refusal(
                "scope_not_allowed",
                400,
                "data",
                "the scopes an agency may hold depend on its role (a reader: read only)",
            ),
        ),
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
            raise NotAllowed(
                "Only the secretariat creates credentials for another agency.",
                code="permission_denied",
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
