"""Validators (ETag, Last-Modified) computed from one aggregate query, and 304 answers given
before any body is computed.

The ETag hashes what the response depends on: the version of the published rows concerned
(their count and latest change), the request's parameters and the negotiated format. Only
published rows enter it, so an embargoed release cannot change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from rest_framework.request import Request

# Bumped whenever a response shape changes, so clients never keep a body of the old shape.
SHAPE_VERSION = "1"
VARY = ("Authorization", "Accept", "Accept-Encoding")


@dataclass(frozen=True)
class Validator:
    etag: str  # quoted; strong unless it starts with W/
    last_modified: datetime | None

    @classmethod
    def of(cls, *parts: object, last_modified: datetime | None, weak: bool = False) -> Validator:
        """`weak` when equal validators may come with bodies that differ in bytes but not in
        meaning (an SDMX message's own ID and preparation time)."""
        digest = hashlib.blake2b(
            "\x1f".join([SHAPE_VERSION, *map(str, parts)]).encode(), digest_size=16
        ).hexdigest()
        return cls(etag=f'{"W/" if weak else ""}"{digest}"', last_modified=last_modified)


def request_parts(request: Request) -> tuple[str, str, str]:
    """The path, the sorted query string and the negotiated format: what the body depends on
    besides the data."""
    query = "&".join(
        f"{name}={value}"
        for name in sorted(request.query_params)
        for value in request.query_params.getlist(name)
    )
    renderer = getattr(request, "accepted_renderer", None)
    return request.path, query, getattr(renderer, "format", "")


def _etags(header: str) -> set[str]:
    # Weak comparison (RFC 9110 13.1.2): GZipMiddleware weakens our strong tags.
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def is_fresh(request: Request | HttpRequest, validator: Validator) -> bool:
    """True when the client's copy is still current (If-None-Match takes precedence)."""
    last_modified = validator.last_modified
    return is_fresh_for(
        request.META,
        validator.etag,
        None if last_modified is None else int(last_modified.timestamp()),
    )


def is_fresh_for(meta: Mapping[str, str], etag: str, last_modified: int | None) -> bool:
    """is_fresh from the request's META and the answer's ETag and Last-Modified (seconds):
    what a stored answer keeps of its validator."""
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = _etags(if_none_match)
        return "*" in tags or etag.removeprefix("W/") in tags
    since = meta.get("HTTP_IF_MODIFIED_SINCE")
    if since and last_modified is not None:
        parsed = parse_http_date_safe(since)
        return parsed is not None and last_modified <= parsed
    return False


def cache_control() -> str:
    """`private, no-cache` by default: clients and browsers may keep the body but revalidate
    every time, so nobody is served pre-release data after a release goes out; revalidation is
    one indexed aggregate query and a 304. IPI_API_MAX_AGE > 0 trades that for fewer requests."""
    max_age = int(getattr(settings, "IPI_API_MAX_AGE", 0))
    return f"private, max-age={max_age}" if max_age > 0 else "private, no-cache"


def apply(response: HttpResponse, validator: Validator | None) -> HttpResponse:
    if validator is not None:
        response["ETag"] = validator.etag
        if validator.last_modified is not None:
            response["Last-Modified"] = http_date(validator.last_modified.timestamp())
    response["Cache-Control"] = cache_control()
    patch_vary_headers(response, VARY)
    return response


def not_modified(request: Request, validator: Validator) -> HttpResponse | None:
    """A 304 with the validators when the client's copy is current, else None."""
    if not is_fresh(request, validator):
        return None
    return apply(HttpResponseNotModified(), validator)
