"""The audit log, for the secretariat."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.models import AuditEvent
from countries.permissions import IsSecretariatAdmin
from ipi_exchange.http.pagination import paginated, paginated_schema


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "agency", "actor", "action", "object_type", "object_id", "details"]


class AuditFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "agency", "object_type", "object_id", "since", "until"]


class AuditEventListApi(APIView):
    permission_classes = [IsAuthenticated, IsSecretariatAdmin]

    @extend_schema(operation_id="audit_list", responses=paginated_schema(AuditEventSerializer))
    def get(self, request: Request) -> Response:
        events = AuditFilter(request.query_params, queryset=AuditEvent.objects.all())
        if not events.is_valid():
            raise serializers.ValidationError(events.errors)
        return paginated(request, self, events.qs, AuditEventSerializer)
