"""Content negotiation (Accept header, or `format=` for browsers) for data and structures."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from indices.disseminate.sdmx.errors import (
    SdmxError,
    code_for_status,
    error_response,
    not_acceptable,
)

GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE_SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
JSON = "application/vnd.sdmx.data+json;version=1.0.0"
CSV = "application/vnd.sdmx.data+csv;version=1.0.0"
STRUCTURE = "application/vnd.sdmx.structure+xml;version=2.1"

# Accepted media type (without parameters) -> (format, version it must carry if it has one).
_DATA = {
    "application/vnd.sdmx.genericdata+xml": ("generic", "2.1"),
    "application/vnd.sdmx.structurespecificdata+xml": ("structurespecific", "2.1"),
    "application/vnd.sdmx.data+json": ("json", "1.0.0"),
    "application/json": ("json", None),
    "application/vnd.sdmx.data+csv": ("csv", "1.0.0"),
    "text/csv": ("csv", None),
    "application/xml": ("generic", None),
    "text/xml": ("generic", None),
    "application/*": ("generic", None),
    "*/*": ("generic", None),
}
_STRUCTURE = {
    "application/vnd.sdmx.structure+xml": ("structure", "2.1"),
    "application/xml": ("structure", None),
    "text/xml": ("structure", None),
    "application/*": ("structure", None),
    "*/*": ("structure", None),
}
FORMAT_PARAM = {
    "genericdata": "generic",
    "generic": "generic",
    "structurespecificdata": "structurespecific",
    "structurespecific": "structurespecific",
    "jsondata": "json",
    "json": "json",
    "csv": "csv",
    "csvdata": "csv",
}
CONTENT_TYPES = {
    "generic": GENERIC,
    "structurespecific": STRUCTURE_SPECIFIC,
    "json": JSON,
    "csv": CSV + "; charset=utf-8",
    "structure": STRUCTURE,
}


@dataclass(frozen=True)
class _Range:
    media_type: str
    version: str | None
    q: float


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for order, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        if not parts[0]:
            continue
        params = dict(
            (k.strip().lower(), v.strip().strip('"'))
            for k, _, v in (p.partition("=") for p in parts[1:])
        )
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        ranges.append((q, -order, _Range(parts[0].lower(), params.get("version"), q)))
    return [r for _, _, r in sorted(ranges, reverse=True) if r.q > 0]


def negotiate(accept: str | None, *, structure: bool, format_param: str | None = None) -> str:
    """The format to answer with ("generic", "structurespecific", "json", "csv", "structure");
    406 when nothing the client accepts is offered."""
    if structure:
        table = _STRUCTURE
    else:
        table = _DATA
        if format_param:
            if format_param.lower() not in FORMAT_PARAM:
                raise not_acceptable(
                    f"Unknown format {format_param!r}; use one of: {', '.join(FORMAT_PARAM)}."
                )
            return FORMAT_PARAM[format_param.lower()]
    if not accept or not accept.strip():
        return next(iter(table.values()))[0] if structure else "generic"
    for item in _ranges(accept):
        found = table.get(item.media_type)
        if found and (item.version is None or found[1] is None or item.version == found[1]):
            return found[0]
    offered = ", ".join(
        [STRUCTURE] if structure else [GENERIC, STRUCTURE_SPECIFIC, JSON, CSV, "text/csv"]
    )
    raise not_acceptable(f"Cannot answer in any of: {accept}. Offered: {offered}.")


def wants_json(accept: str | None) -> bool:
    """Errors go out as SDMX-JSON when the client asked for JSON first."""
    ranges = _ranges(accept or "")
    return bool(ranges) and "json" in ranges[0].media_type


def edge_error_response(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    """A refusal at the edge (ipi_exchange/http/text.py) as an SDMX error message
    (settings.IPI_EDGE_ERROR_ANSWERS)."""
    error = SdmxError(code_for_status(status), detail, status=status)
    return error_response(error, as_json=wants_json(request.META.get("HTTP_ACCEPT")))
