"""Requests too large for the service are refused with problem+json, like every other 4xx.

gunicorn (ipi_exchange/gunicorn.conf.py) lets through request lines and header fields larger
than the limits here, so that this middleware, not gunicorn's HTML pages, answers them:

- a request target (path and query) over MAX_REQUEST_TARGET characters: 414;
- a header field (name and value) over MAX_HEADER_FIELD bytes: 431.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ipi_exchange.api.exception_handlers import problem_response

# gunicorn's own defaults before this service raised them; far above any address the API makes.
MAX_REQUEST_TARGET = 8190
MAX_HEADER_FIELD = 8190


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = refuse_oversized(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)


def refuse_oversized(request: HttpRequest) -> HttpResponse | None:
    # RAW_URI: the target exactly as sent (gunicorn); else the decoded path and the query.
    target = request.META.get("RAW_URI") or request.get_full_path()
    if len(target) > MAX_REQUEST_TARGET:
        return problem_response(
            414,
            code="uri_too_long",
            detail=(
                f"The request's address is {len(target):,} characters long; the limit is "
                f"{MAX_REQUEST_TARGET:,}. Ask for fewer series at a time, or for the whole "
                "dataflow at /api/v1/bulk/data.csv."
            ),
            max_length=MAX_REQUEST_TARGET,
        )
    for key, value in request.META.items():
        if not (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")):
            continue
        name = key.removeprefix("HTTP_").replace("_", "-").title()
        size = len(name) + 2 + len(str(value))
        if size > MAX_HEADER_FIELD:
            return problem_response(
                431,
                code="header_too_large",
                detail=(
                    f"The request header {name} is {size:,} bytes long; the limit is "
                    f"{MAX_HEADER_FIELD:,}."
                ),
                header=name,
                max_bytes=MAX_HEADER_FIELD,
            )
    return None
