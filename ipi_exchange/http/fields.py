"""Serializer fields for API input, stricter than DRF's where DRF guesses."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.utils import html

from ipi_exchange.http.params import parse_instant
from ipi_exchange.http.schema import INSTANT_PATTERN, TEXT_PATTERN, string


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's CharField turns a JSON number or boolean into its string
    (`{"description": 0}` would store "0"), hiding a client's mistake."""

    default_error_messages = {"not_a_string": "Give a string, not a {kind}."}

    def get_value(self, dictionary):
        # A form's `agency=` is DRF's "left out" for an optional field; the schema (and the
        # JSON body) call it blank, and so does the service.
        if (
            html.is_html_input(dictionary)
            and dictionary.get(self.field_name) == ""
            and not (self.allow_blank or self.allow_null)
        ):
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            kind = {bool: "boolean", int: "number", float: "number"}.get(type(data), "list")
            if isinstance(data, dict):
                kind = "object"
            self.fail("not_a_string", kind=kind)
        # maxLength is the schema's on the text as sent, white space included (DRF measures
        # it after trimming).
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


@extend_schema_field(string(INSTANT_PATTERN, description="ISO 8601 instant"))
class InstantField(serializers.DateTimeField):
    """An ISO 8601 instant as every query parameter takes it (`params.parse_instant`, the
    schema's INSTANT_PATTERN), in UTC. DRF's own field takes whatever Python's parser knows
    (`20240501`, `2024-05-01 00:00`, week dates), which the schema does not describe."""

    default_error_messages = {
        "invalid_instant": "Use an ISO 8601 instant, e.g. 2024-05-01T00:00:00Z.",
    }

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid_instant")
        try:
            return parse_instant(self.field_name or "instant", value)
        except ValidationError:
            self.fail("invalid_instant")


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
