"""Serializer fields for API input, stricter than DRF's where DRF guesses."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ipi_exchange.http.schema import TEXT_PATTERN


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's CharField turns a JSON number or boolean into its string
    (`{"description": 0}` would store "0"), hiding a client's mistake."""

    default_error_messages = {"not_a_string": "Give a string, not a {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            kind = {bool: "boolean", int: "number", float: "number"}.get(type(data), "list")
            if isinstance(data, dict):
                kind = "object"
            self.fail("not_a_string", kind=kind)
        return super().to_internal_value(data)


# A row: named values, each a number, a boolean, null or text without NUL (the rows' checks
# refuse anything else, listing the rows).
ROW = {
    "type": "object",
    "additionalProperties": {
        "nullable": True,
        "anyOf": [
            {"type": "number"},
            {"type": "boolean"},
            {"type": "string", "pattern": TEXT_PATTERN},
        ],
    },
}


@extend_schema_field({"type": "array", "minItems": 1, "items": ROW})
class RowsField(serializers.ListField):
    """Rows to be checked by the service (a concordance's, weights): at least one."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.DictField(), allow_empty=False, **kwargs)
