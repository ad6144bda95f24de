"""Request bodies read strictly: a property the endpoint does not know is a 400 naming it, as an
unknown query parameter is (params.reject_unknown). A misspelt `key_fliter` would otherwise be
dropped in silence and the webhook registered without the filter its owner asked for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError


def reject_unknown_fields(data: object, known: Iterable[str]) -> None:
    if not isinstance(data, Mapping):
        return  # the serializer itself refuses a body that is not an object
    allowed = set(known)
    unknown = sorted(str(name) for name in data if name not in allowed)
    if unknown:
        message = f"Unknown field; known ones: {', '.join(sorted(allowed))}."
        raise ValidationError(
            {name: [ErrorDetail(message, code="unknown_field")] for name in unknown}
        )


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses unknown properties (the schema says
    additionalProperties: false for every request body: ipi_exchange/http/schema.py)."""

    def to_internal_value(self, data: Any) -> Any:
        reject_unknown_fields(data, self.fields)
        return super().to_internal_value(data)
