"""The base of the data endpoints: the `read` scope, validators and cache headers, and 304
before any body is computed. (The per-credential rate limit and its RateLimit-* headers apply
to every API view: REST_FRAMEWORK's default throttle and the middleware of
ipi_exchange.http.throttling.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from countries.permissions import CanRead
from indices.disseminate.answers import answer_serve, answer_store
from indices.disseminate.sdmx.xmlutil import message_template
from indices.disseminate.selectors.versions import Version
from ipi_exchange.http import conditional
from ipi_exchange.http.conditional import Validator, request_parts
from ipi_exchange.http.pagination import StrictLimitOffsetPagination


class ReadApi(APIView):
    permission_classes = [IsAuthenticated, CanRead]
    validator: Validator | None = None

    def not_modified(
        self, request: Request, version: Version, *extra: object, weak: bool = False
    ) -> HttpResponseNotModified | None:
        """Remember the validators of an answer built from `version` of the data (and the
        `extra` it depends on besides the request); a 304 if the client's copy is current."""
        digest = (version.digest,) if version.digest else ()
        self.validator = Validator.of(
            *request_parts(request),
            *extra,
            version.count,
            *digest,
            version.last_modified,
            last_modified=version.last_modified,
            weak=weak,
        )
        fresh = conditional.is_fresh(request, self.validator)
        return HttpResponseNotModified() if fresh else None

    # A 304 is a plain HttpResponseNotModified, not a DRF Response: hence the wider type.
    def finalize_response(  # type: ignore[override]
        self, request, response, *args, **kwargs
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400:
            conditional.apply(response, self.validator)
        else:
            patch_vary_headers(response, conditional.VARY)
        return response


class StoredAnswers:
    """A data view whose 200s are kept per publication state and request and served again
    without the view (indices/disseminate/answers.py): mixed in before the APIView."""

    sdmx_messages = False  # SDMX: each message gets its own ID and preparation time

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        name = type(self).__qualname__
        stored, pending = answer_serve(request, name, sdmx=self.sdmx_messages)
        if stored is not None:
            return stored
        with message_template(pending is not None and self.sdmx_messages):
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            return answer_store(pending, response, self._not_modified_headers)

    def _not_modified_headers(self) -> list[tuple[str, str]]:
        """The headers of this view's 304 for the answer it just made: DRF's and the
        validators (what finalize_response gives a HttpResponseNotModified)."""
        response = HttpResponseNotModified()
        headers = dict(self.default_response_headers)  # type: ignore[attr-defined]
        if vary := headers.pop("Vary", None):
            patch_vary_headers(response, [v.strip() for v in vary.split(",")])
        for name, value in headers.items():
            response[name] = value
        conditional.apply(response, self.validator)  # type: ignore[attr-defined]
        return list(response.items())


class KnownCountPagination(StrictLimitOffsetPagination):
    """limit/offset like the rest of the API, reusing the count the validator query made."""

    def __init__(self, count: int) -> None:
        self.known_count = count

    def get_count(self, queryset) -> int:
        return self.known_count
