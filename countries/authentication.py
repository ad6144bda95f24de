"""`Authorization: Bearer <token>` for every API endpoint (except health, schema and docs)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from countries.credential_cache import credential_remember, credentials_generation
from countries.models import ApiCredential
from countries.principals import SCOPES_BY_ROLE, Principal
from countries.throttling import auth_failure_record, auth_failures_refuse
from countries.tokens import token_hash


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Principal, ApiCredential] | None:
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode():
            # `Token abc` or `Basic ...`: say what is expected rather than "not provided".
            scheme = header[0].decode("ascii", "replace")[:20]
            raise exceptions.AuthenticationFailed(
                f"The Authorization header uses the {scheme!r} scheme; send "
                "`Authorization: Bearer <token>`."
            )
        # Brute force: 429 while this address is over its failed-attempt budget (any token,
        # so a right guess cannot be told from a wrong one).
        auth_failures_refuse(request)
        try:
            return self._authenticate_bearer(header)
        except exceptions.AuthenticationFailed:
            auth_failure_record(request)
            raise

    def _authenticate_bearer(self, header: list[bytes]) -> tuple[Principal, ApiCredential]:
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be `Bearer <token>`, with one token and no spaces."
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "The token has characters no token has."
            ) from None
        return self._principal_for(token)

    def _principal_for(self, token: str) -> tuple[Principal, ApiCredential]:
        hashed = token_hash(token)
        # Before the row: an entry written from a row older than a revocation is never read.
        generation = credentials_generation()
        credential = (
            ApiCredential.objects.select_related("agency", "agency__country")
            .filter(token_hash=hashed)
            .first()
        )
        # One message for every failure: an attacker learns nothing about which tokens exist.
        if credential is None or not credential.is_usable() or not credential.agency.is_active:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        self._touch(credential)
        scopes = frozenset(credential.scopes) & SCOPES_BY_ROLE[credential.agency.role]
        principal = Principal(agency=credential.agency, scopes=scopes, credential=credential)
        # For the read endpoints' fast path (indices/disseminate/answers.py).
        if "read" in scopes:
            credential_remember(
                generation=generation,
                token_hash=hashed,
                ident=principal.pk,
                scopes=scopes,
                expires_at=credential.expires_at,
            )
        return principal, credential

    @staticmethod
    def _touch(credential: ApiCredential) -> None:
        """Record last use, at most once per IPI_CREDENTIAL_TOUCH_SECONDS per credential."""
        now = timezone.now()
        stale_before = now - timedelta(seconds=settings.IPI_CREDENTIAL_TOUCH_SECONDS)
        if credential.last_used_at is None or credential.last_used_at <= stale_before:
            ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
            credential.last_used_at = now

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="ipi_exchange"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the bearer scheme in the OpenAPI schema (drf-spectacular)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer ipi_…`. Scopes: submit, read, admin.",
        }
