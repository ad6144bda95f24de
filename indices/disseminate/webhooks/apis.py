"""HTTP for webhooks: register, list, show, delete, the delivery log, and a test ping.

Any agency with a `read` token may register; each sees and manages its own webhooks only (the
secretariat sees all). Another agency's webhook is "not found", never "forbidden".
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from countries.audit import actor_of
from countries.permissions import CanRead
from countries.principals import ApiRequest
from countries.standard import load_definition
from indices.disseminate.keys import DIMENSION_IDS
from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.disseminate.webhooks.selectors import (
    webhook_delivery_list,
    webhook_subscription_get,
    webhook_subscription_list,
)
from indices.disseminate.webhooks.services import (
    webhook_ping,
    webhook_subscription_create,
    webhook_subscription_delete,
)
from indices.disseminate.webhooks.services.subscriptions import CODELIST_OF
from ipi_exchange.http.fields import StrictCharField
from ipi_exchange.http.pagination import paginated, paginated_schema
from ipi_exchange.http.schema import WEBHOOK_URL_PATTERN, Refusal, refusals
from ipi_exchange.http.strict import StrictSerializer

# --- Serializers -----------------------------------------------------------------------------


class WebhookOutputSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency_id")
    deliveries_url = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "agency",
            "url",
            "key_filter",
            "description",
            "is_active",
            "created_at",
            "deliveries_url",
        ]

    def get_deliveries_url(self, subscription: WebhookSubscription) -> str:
        return reverse(
            "webhook-deliveries", args=[subscription.pk], request=self.context.get("request")
        )


class WebhookCreatedSerializer(WebhookOutputSerializer):
    class Meta(WebhookOutputSerializer.Meta):
        fields = [*WebhookOutputSerializer.Meta.fields, "secret"]


class DeliveryOutputSerializer(serializers.ModelSerializer):
    release = serializers.IntegerField(source="release_id")
    next_attempt_at = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "release",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]

    def get_next_attempt_at(self, delivery: WebhookDelivery) -> str | None:
        if delivery.status != WebhookDelivery.Status.PENDING:
            return None
        return serializers.DateTimeField().to_representation(delivery.next_attempt_at)


def key_filter_pattern() -> str:
    """What the service accepts as a key filter: empty, `all`, `*`, or five positions of codes
    of the standard's codelists (services/subscriptions.py `_normalized_filter`)."""
    codelists = load_definition().codelists
    positions = []
    for dimension in DIMENSION_IDS:
        codes = "|".join(code.code for code in codelists[CODELIST_OF[dimension]])
        positions.append(f"(({codes})(\\+({codes}))*)?")
    key = "\\.".join(positions)
    return f"^(all|\\*|{key})?$"


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 200,
        "pattern": key_filter_pattern(),
        "description": "An SDMX key of the series to be told about, e.g. M.TH+VN.C.N.IX "
        "(empty or all: every series)",
    }
)
class KeyFilterField(StrictCharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "minLength": 1,
        "maxLength": 500,
        # The URLs the service takes whatever their host, described as one pattern; IPv6
        # literals, labels beyond its lengths and non-ASCII paths are taken too, undescribed.
        "pattern": WEBHOOK_URL_PATTERN,
        "description": "An http:// or https:// URL, without credentials, port 1-65535. In "
        "production its host must resolve to public addresses only (code unresolvable or "
        "private_address otherwise).",
    }
)
class WebhookUrlField(serializers.URLField):
    pass


# --- Views -----------------------------------------------------------------------------------


class WebhookListApi(APIView):
    """GET: the caller's webhooks (the secretariat: all). POST: register one."""

    permission_classes = [IsAuthenticated, CanRead]

    class InputSerializer(StrictSerializer):
        url = WebhookUrlField(max_length=500)
        key_filter = KeyFilterField(max_length=200, required=False, allow_blank=True)
        description = StrictCharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(
        operation_id="webhooks_list", responses=paginated_schema(WebhookOutputSerializer)
    )
    def get(self, request: ApiRequest) -> Response:
        subscriptions = webhook_subscription_list(principal=request.user)
        return paginated(request, self, subscriptions, WebhookOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: WebhookCreatedSerializer},
        extensions=refusals(
            Refusal(
                "invalid_key",
                400,
                "data",
                "key_filter names a code of no codelist of the exchange (e.g. no such country)",
            ),
            Refusal("unresolvable", 400, "network", "the URL's host name does not resolve"),
            Refusal(
                "private_address",
                400,
                "network",
                "the URL's host is (or resolves to) a private, loopback or reserved address",
            ),
        ),
    )
    def post(self, request: ApiRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhook_subscription_create(
            agency=request.user.agency, actor=actor_of(request.user)[1], **data.validated_data
        )
        body = WebhookCreatedSerializer(subscription, context={"request": request}).data
        location = reverse("webhook-detail", args=[subscription.pk], request=request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class WebhookDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanRead]

    @extend_schema(responses=WebhookOutputSerializer)
    def get(self, request: ApiRequest, subscription_id: int) -> Response:
        subscription = webhook_subscription_get(
            principal=request.user, subscription_id=subscription_id
        )
        return Response(WebhookOutputSerializer(subscription, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: ApiRequest, subscription_id: int) -> Response:
        subscription = webhook_subscription_get(
            principal=request.user, subscription_id=subscription_id
        )
        webhook_subscription_delete(subscription=subscription, actor=actor_of(request.user)[1])
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(APIView):
    """The delivery log of one webhook, newest first."""

    permission_classes = [IsAuthenticated, CanRead]

    @extend_schema(
        operation_id="webhook_deliveries_list", responses=paginated_schema(DeliveryOutputSerializer)
    )
    def get(self, request: ApiRequest, subscription_id: int) -> Response:
        deliveries = webhook_delivery_list(principal=request.user, subscription_id=subscription_id)
        return paginated(request, self, deliveries, DeliveryOutputSerializer)


class WebhookTestApi(APIView):
    """Send a signed `ping` to the webhook now, and say how it answered."""

    permission_classes = [IsAuthenticated, CanRead]

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "WebhookPing",
            {
                "delivered": serializers.BooleanField(),
                "status_code": serializers.IntegerField(allow_null=True),
                "error": serializers.CharField(),
                "duration_ms": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request: ApiRequest, subscription_id: int) -> Response:
        subscription = webhook_subscription_get(
            principal=request.user, subscription_id=subscription_id
        )
        result = webhook_ping(subscription=subscription, actor=actor_of(request.user)[1])
        return Response(
            {
                "delivered": result.delivered,
                "status_code": result.status_code,
                "error": result.error,
                "duration_ms": result.duration_ms,
            }
        )
