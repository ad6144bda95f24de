"""OpenAPI post-processing: every operation documents the problem+json answers it can give.

Those answers come from one exception handler, not from each view, so they are added here once
instead of on every view.
"""

from __future__ import annotations

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

EVERY_OPERATION = {
    "400": "Invalid input or parameters",
    "401": "No, invalid, expired or revoked token",
    "403": "The token or its agency may not do this",
    "404": "Not found (another agency's resources are not found either)",
    "406": "No representation the Accept header allows",
    "429": "Too many requests; see Retry-After",
}
WRITES = {
    "409": "Conflicts with the resource's state",
    "413": "The upload is too large",
    "415": "Unsupported media type",
    "422": "An Idempotency-Key reused for another request",
}


def add_problem_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(EVERY_OPERATION)
            if method in {"post", "put", "patch", "delete"}:
                codes.update(WRITES)
            for code, description in codes.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": reference}
                )
    return result
