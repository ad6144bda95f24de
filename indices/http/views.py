"""The base of every read endpoint: per-credential rate limit with RateLimit-* headers on every
answer; for data endpoints also the `read` scope, validators and cache headers, and 304 before
any body is computed."""

from __future__ import annotations

from django.http import HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from countries.permissions import CanRead
from indices.http import conditional
from indices.http.conditional import Validator
from indices.http.throttling import CredentialRateThrottle, rate_limit_headers
from ipi_exchange.api.pagination import StrictLimitOffsetPagination


class RateLimitedApi(APIView):
    """A read endpoint that counts towards the credential's read limit (docs/api.md section 7)
    and says where the client stands. Permissions are the subclass's: the API root, standard
    and codelists serve any valid token, the data endpoints need `read`."""

    throttle_classes = [CredentialRateThrottle]

    # A 304 is a plain HttpResponseNotModified, not a DRF Response: hence the wider type.
    def finalize_response(  # type: ignore[override]
        self, request, response, *args, **kwargs
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response


class ReadApi(RateLimitedApi):
    permission_classes = [IsAuthenticated, CanRead]
    validator: Validator | None = None

    def revalidate(self, request: Request, validator: Validator) -> HttpResponseNotModified | None:
        """Remember the validators for the answer; a 304 if the client's copy is current."""
        self.validator = validator
        return HttpResponseNotModified() if conditional.is_fresh(request, validator) else None

    def finalize_response(  # type: ignore[override]
        self, request, response, *args, **kwargs
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400:
            conditional.apply(response, self.validator)
        else:
            patch_vary_headers(response, conditional.VARY)
        return response


class KnownCountPagination(StrictLimitOffsetPagination):
    """limit/offset like the rest of the API, reusing the count the validator query made."""

    def __init__(self, count: int) -> None:
        self.known_count = count

    def get_count(self, queryset) -> int:
        return self.known_count
