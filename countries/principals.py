"""Who is calling: an agency acting through an API credential (or, later, a signed-in person)."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.request import Request

from countries.models import Agency, ApiCredential

# What each role may ever be granted; a credential's scopes are a subset of its agency's.
SCOPES_BY_ROLE: dict[str, frozenset[str]] = {
    Agency.Role.REPORTER: frozenset({"submit", "read", "admin"}),
    Agency.Role.SECRETARIAT: frozenset({"submit", "read", "admin"}),
    Agency.Role.READER: frozenset({"read"}),
}


@dataclass(frozen=True)
class Principal:
    """request.user for API calls: the agency, its scopes and the credential used."""

    agency: Agency
    scopes: frozenset[str]
    credential: ApiCredential | None = None

    is_authenticated = True
    is_anonymous = False

    @property
    def pk(self) -> str:
        # DRF throttles key on request.user.pk: one bucket per credential.
        return f"credential:{self.credential.pk}" if self.credential else f"agency:{self.agency.pk}"

    @property
    def is_secretariat(self) -> bool:
        return self.agency.role == Agency.Role.SECRETARIAT

    @property
    def country_code(self) -> str | None:
        return self.agency.country_id

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def __str__(self) -> str:
        name = self.credential.name if self.credential else "session"
        return f"{self.agency.pk}/{name}"


class ApiRequest(Request):
    """The `request` of an API view behind BearerTokenAuthentication and IsAuthenticated, whose
    user is a Principal. An annotation only: DRF builds plain Requests, and its stubs know
    Django users only."""

    user: Principal  # type: ignore[assignment]
