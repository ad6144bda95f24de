"""SDMX error messages: SDMX-ML 2.1 `mes:Error` (or SDMX-JSON for JSON clients).

SDMX-REST maps its error codes onto HTTP statuses: 100 "No results found" is 404, 110
"Unauthorized" 401, 140 "Syntax error" 400, 150 "Semantic error" 403, 501 "Not implemented".
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.http import HttpResponse

from indices.sdmx.xmlutil import NS

TITLES = {
    100: "No results found",
    110: "Unauthorized",
    140: "Syntax error",
    150: "Semantic error",
    406: "Not acceptable",
    500: "Internal server error",
    501: "Not implemented",
}
HTTP_STATUS = {100: 404, 110: 401, 140: 400, 150: 403, 406: 406, 500: 500, 501: 501}

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
