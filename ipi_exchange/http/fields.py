"""Serializer fields for API input, stricter than DRF's where DRF guesses."""

from __future__ import annotations

from rest_framework import serializers


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
