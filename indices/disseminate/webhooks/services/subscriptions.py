"""Webhook subscriptions: a reader registers a URL (checked against SSRF) and an optional series
key filter, and may delete it again."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from countries.audit import audit_record
from countries.models import Agency
from countries.standard import load_definition
from indices.disseminate.keys import DIMENSION_IDS, DIMENSIONS, parse_key
from indices.disseminate.webhooks.models import WebhookSubscription
from ipi_exchange.errors import ApplicationError, Conflict

# Default while the setting is not wired; settings.py may override it.
DEFAULT_MAX_PER_AGENCY = 20


def _allow_private() -> bool:
    return bool(getattr(settings, "IPI_WEBHOOK_ALLOW_PRIVATE_URLS", not settings.PRODUCTION))


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def webhook_url_check(url: str, *, resolve: bool | None = None) -> None:
    """http(s) only, a port from 1 to 65535, a URL the HTTP client can send to, no
    credentials; unless allowed, only public addresses (SSRF)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError beyond 65535 ("Port out of range")
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as error:
        raise _invalid("url", f"The URL cannot be used: {error}.", "invalid_url") from None
    if port is not None and not 1 <= port <= 65535:
        raise _invalid("url", "The port must be from 1 to 65535.", "invalid_port")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _invalid("url", "Give an absolute http:// or https:// URL.", "scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _invalid(
            "url", "Do not put credentials in the URL; verify our signature instead.", "credentials"
        )
    if resolve is False or (resolve is None and _allow_private()):
        return
    try:
        port = port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):
        raise _invalid("url", "The host name does not resolve.", "unresolvable") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if not address.is_global or address.is_multicast:
            raise _invalid(
                "url",
                "The URL points to a private, loopback or reserved address.",
                "private_address",
            )


# The codelist of each dimension of a series key (STANDARD.md section 2).
CODELIST_OF = {
    "FREQ": "CL_FREQ",
    "REF_AREA": "CL_AREA",
    "ACTIVITY": "CL_ACTIVITY_ISIC4",
    "ADJUSTMENT": "CL_ADJUSTMENT",
    "TRANSFORMATION": "CL_TRANSFORMATION",
}


def _normalized_filter(key_filter: str) -> str:
    key = (key_filter or "").strip()
    if key in {"", "all", "*"}:
        return ""
    try:
        parsed = parse_key(key)
    except ApplicationError as error:
        raise _invalid("key_filter", error.message, "invalid_key") from None
    # A code no series can have would make a webhook that never fires, silently.
    codelists = load_definition().codelists
    for name, dimension in zip(DIMENSIONS, DIMENSION_IDS, strict=True):
        known = {code.code for code in codelists[CODELIST_OF[dimension]]}
        unknown = [code for code in getattr(parsed, name) if code not in known]
        if unknown:
            raise _invalid(
                "key_filter",
                f"{', '.join(unknown)} is not a {dimension} code of the standard "
                f"(known: {', '.join(sorted(known)[:30])}{', ...' if len(known) > 30 else ''}).",
                "invalid_key",
            )
    return key


@transaction.atomic
def webhook_subscription_create(
    *, agency: Agency, url: str, key_filter: str = "", description: str = "", actor: str = ""
) -> WebhookSubscription:
    """A new subscription; its `secret` is returned here and never shown again."""
    webhook_url_check(url)
    limit = getattr(settings, "IPI_WEBHOOK_MAX_PER_AGENCY", DEFAULT_MAX_PER_AGENCY)
    if WebhookSubscription.objects.filter(agency=agency).count() >= limit:
        raise Conflict(
            f"An agency may register at most {limit} webhooks; delete one first.",
            code="too_many_webhooks",
        )
    subscription = WebhookSubscription(
        agency=agency,
        url=url,
        key_filter=_normalized_filter(key_filter),
        description=description,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
    )
    subscription.full_clean()
    subscription.save()
    audit_record(
        action="webhook.created",
        agency=agency.pk,
        actor=actor,
        object_type="webhook",
        object_id=subscription.pk,
        details={"url": url, "key_filter": subscription.key_filter},
    )
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, actor: str = "") -> None:
    """Delete it and its delivery log; a delivery in flight finds nothing and stops."""
    audit_record(
        action="webhook.deleted",
        agency=subscription.agency_id,
        actor=actor,
        object_type="webhook",
        object_id=subscription.pk,
        details={"url": subscription.url},
    )
    subscription.delete()
