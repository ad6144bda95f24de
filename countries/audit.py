"""Recording who did what: one append-only row per action that changes shared state."""

from __future__ import annotations

from typing import Any

from countries.models import AuditEvent


def audit_record(
    *,
    action: str,
    agency: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: Any = "",
    details: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        agency=agency or "",
        actor=actor or "",
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )


def actor_of(principal: Any) -> tuple[str, str]:
    """(agency id, actor) of a request's principal: the credential's name and prefix."""
    agency = getattr(getattr(principal, "agency", None), "pk", "") or ""
    credential = getattr(principal, "credential", None)
    actor = f"{credential.name} ({credential.prefix}…)" if credential is not None else ""
    return agency, actor
