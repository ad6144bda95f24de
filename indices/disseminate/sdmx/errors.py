"""SDMX error messages: SDMX-ML 2.1 `mes:Error` (or SDMX-JSON for JSON clients).

The codes are SDMX-REST 1.x's ("SDMX to HTTP error mapping"): 100 No results found (404),
110 Unauthorized (401), 130 Response too large due to client request (413), 140 Syntax error
(400), 150 Semantic error (403), 500 Internal server error, 501 Not implemented, 503 Service
unavailable, 510 Response size exceeds service limit (413). The HTTP status of a refused
request is always kept: statuses the mapping has no code of their own for (405, 406, 429) get
the nearest code (`code_for_status`) and keep their status and headers.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.http import HttpResponse

from indices.disseminate.sdmx.xmlutil import NS

TITLES = {
    100: "No results found",
    110: "Unauthorized",
    130: "Response too large due to client request",
    140: "Syntax error",
    150: "Semantic error",
    500: "Internal server error",
    501: "Not implemented",
    503: "Service unavailable",
    510: "Response size exceeds service limit",
}
HTTP_STATUS = {
    100: 404,
    110: 401,
    130: 413,
    140: 400,
    150: 403,
    500: 500,
    501: 501,
    503: 503,
    510: 413,
}
# HTTP status -> SDMX code, for errors raised as HTTP errors (DRF's, the throttles').
SDMX_CODE = {
    400: 140,
    401: 110,
    # SDMX has one code for refused access; 150 (which maps to 403) is for business rules.
    403: 110,
    404: 100,
    # Only GET (and HEAD) are SDMX-REST queries: another method is not the interface.
    405: 140,
    # A well-formed request for a representation this service does not offer.
    406: 150,
    413: 130,
    # Too many requests (or failed tokens): the service is unavailable to this client for
    # Retry-After seconds.
    429: 503,
    500: 500,
    501: 501,
    503: 503,
}


def code_for_status(status: int) -> int:
    return SDMX_CODE.get(status, 140 if status < 500 else 500)


ERROR_XML_TYPE = "application/xml; charset=utf-8"
ERROR_JSON_TYPE = "application/json; charset=utf-8"


class SdmxError(Exception):
    """A request the service refuses, with its SDMX error code (status derived from it)."""

    def __init__(self, code: int, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status or HTTP_STATUS[code]


def no_results(detail: str = "No data match the query.") -> SdmxError:
    return SdmxError(100, detail)


def syntax_error(detail: str) -> SdmxError:
    return SdmxError(140, detail)


def not_acceptable(detail: str) -> SdmxError:
    return SdmxError(code_for_status(406), detail, status=406)


def not_implemented(detail: str) -> SdmxError:
    return SdmxError(501, detail)


def error_response(error: SdmxError, *, as_json: bool = False) -> HttpResponse:
    title = TITLES.get(error.code, "Error")
    if as_json:
        body = json.dumps(
            {
                "meta": {"schema": "https://sdmx.org/sdmx-json/1.0"},
                "errors": [{"code": error.code, "title": title, "detail": error.detail}],
            },
            ensure_ascii=False,
        )
        return HttpResponse(body, status=error.status, content_type=ERROR_JSON_TYPE)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<mes:Error xmlns:mes="{NS["mes"]}" xmlns:com="{NS["com"]}">'
        f'<mes:ErrorMessage code="{error.code}">'
        f'<com:Text xml:lang="en">{escape(title)}</com:Text>'
        f'<com:Text xml:lang="en">{escape(error.detail)}</com:Text>'
        "</mes:ErrorMessage></mes:Error>\n"
    )
    return HttpResponse(body.encode(), status=error.status, content_type=ERROR_XML_TYPE)
