"""Deny by default; each view names the scope and role it needs."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from countries.principals import Principal


def _principal(request: Request) -> Principal | None:
    user = request.user
    return user if isinstance(user, Principal) else None


class _ScopePermission(BasePermission):
    scope = ""
    message = "This token lacks the scope this operation needs."

    def has_permission(self, request: Request, view: object) -> bool:
        principal = _principal(request)
        return principal is not None and principal.has_scope(self.scope)


class CanRead(_ScopePermission):
    scope = "read"
    message = "This operation needs a token with the `read` scope."


class CanSubmit(_ScopePermission):
    scope = "submit"
    message = "This operation needs a token with the `submit` scope."


class CanAdminister(_ScopePermission):
    scope = "admin"
    message = "This operation needs a token with the `admin` scope."


class IsSecretariatAdmin(BasePermission):
    message = "Only the secretariat, with an `admin` token, may do this."

    def has_permission(self, request: Request, view: object) -> bool:
        principal = _principal(request)
        return principal is not None and principal.is_secretariat and principal.has_scope("admin")
