"""The base of every read endpoint: `read` scope, per-credential rate limit, validators and
cache headers on every answer, 304 before any body is computed."""

from __future__ import annotations

from django.http import HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from countries.permissions import CanRead
from indices.http import conditional
from indices.http.conditional import Validator
from indices.http.throttling import CredentialRateThrottle, rate_limit_headers


class ReadApi(APIView):
    permission_classes = [IsAuthenticated, CanRead]
    throttle_classes = [CredentialRateThrottle]
    validator: Validator | None = None

    def revalidate(self, request: Request, validator: Validator) -> HttpResponseNotModified | None:
        """Remember the validators for the answer; a 304 if the client's copy is current."""
        self.validator = validator
        return HttpResponseNotModified() if conditional.is_fresh(request, validator) else None

    # A 304 is a plain HttpResponseNotModified, not a DRF Response: hence the wider type.
    def finalize_response(  # type: ignore[override]
        self, request, response, *args, **kwargs
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        if response.status_code < 400:
            conditional.apply(response, self.validator)
        else:
            patch_vary_headers(response, conditional.VARY)
        return response


class KnownCountPagination(LimitOffsetPagination):
    """limit/offset like the rest of the API, reusing the count the validator query made."""

    def __init__(self, count: int) -> None:
        self.known_count = count

    def get_count(self, queryset) -> int:
        return self.known_count
