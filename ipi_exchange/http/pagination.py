"""One way to paginate a list endpoint: limit/offset with count, next and previous links."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

MAXIMUM = 999_999_999


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset, but a malformed value is a 400 naming the parameter, as every other
    parameter is: DRF's own class silently falls back to the first page, so `limit=abc`
    would look like an answer to the question asked."""

    def get_limit(self, request: Request) -> int | None:
        text = request.query_params.get(self.limit_query_param, "").strip()
        if not text:
            return self.default_limit
        limit = whole_number(self.limit_query_param, text, minimum=1)
        return min(limit, self.max_limit) if self.max_limit else limit

    def get_offset(self, request: Request) -> int:
        text = request.query_params.get(self.offset_query_param, "").strip()
        return whole_number(self.offset_query_param, text, minimum=0) if text else 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        minimum = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = minimum[parameter["name"]]
        return parameters


def whole_number(name: str, text: str, *, minimum: int) -> int:
    """The whole number a query parameter gives, or a 400 naming it. ASCII digits only ("²" is
    a digit to str.isdigit but not to int), and bounded: a number past PostgreSQL's bigint in
    LIMIT/OFFSET would be a 500, not a 400."""
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < minimum:
        message = f"Use a whole number from {minimum} to {MAXIMUM}."
        raise ValidationError({name: [ErrorDetail(message, "invalid_number")]})
    return int(text)


def paginated(
    request: Request,
    view: APIView,
    queryset: QuerySet[Any],
    serializer_class: type[BaseSerializer[Any]],
) -> Response:
    paginator = StrictLimitOffsetPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context={"request": request})
    return paginator.get_paginated_response(serializer.data)


def paginated_schema(serializer_class) -> object:
    """The OpenAPI description of a page of `serializer_class`, as `paginated` answers it."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    name = serializer_class.__name__.removesuffix("Serializer").removesuffix("Output")
    return inline_serializer(
        name=f"Paginated{name}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
