"""Webhook delivery: sending one attempt of a delivery, signed, its retries with backoff, the
periodic scan for due attempts, and the test ping.

All delivery state lives in the database: an attempt is claimed with a conditional UPDATE
(attempts and next_attempt_at move forward together), so two workers never send the same
attempt, and the scan (`webhook_deliveries_due`) picks up retries, lost queue messages and
attempts whose worker died (once their lease has run out).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from countries.audit import audit_record
from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.disseminate.webhooks.services.scheduling import matching_series, webhooks_schedule
from indices.disseminate.webhooks.services.subscriptions import webhook_url_check
from indices.publish.models import Release

logger = logging.getLogger(__name__)

EVENT_RELEASE = "release.published"
EVENT_PING = "ping"
USER_AGENT = "ipi-exchange-webhooks/1"
# Defaults while the settings are not wired; settings.py may override each.
DEFAULT_BACKOFF_SECONDS = (30, 120, 480, 1800, 7200)  # after attempts 1..5; 6 attempts in all
DEFAULT_TIMEOUT_SECONDS = 10.0
# A claimed attempt whose worker died is retried once this lease has run out.
LEASE_SECONDS = 120
# Published releases this recent are re-scheduled by the scan: a crash between the
# publication's commit and its scheduling then loses no delivery (scheduling is idempotent).
RESCHEDULE_WINDOW = timedelta(minutes=15)


def _backoff() -> tuple[int, ...]:
    return tuple(getattr(settings, "IPI_WEBHOOK_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS))


def max_attempts() -> int:
    return len(_backoff()) + 1


def webhook_deliveries_due(now: datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """The scan: schedule recent releases again (a no-op unless one was missed), give up on
    deliveries out of attempts, and return (id, attempts so far) of PENDING ones now due."""
    now = now or timezone.now()
    for release in Release.objects.filter(
        status=Release.Status.PUBLISHED, published_at__gte=now - RESCHEDULE_WINDOW
    ).exclude(changed_series=[]):
        webhooks_schedule(release)
    # Their last attempt was claimed by a worker that died: no attempt is left.
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        attempts__gte=max_attempts(),
        next_attempt_at__lte=now,
    ).update(status=WebhookDelivery.Status.FAILED, last_error="Gave up: the worker was lost.")
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "attempts")[:limit]
    )


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256, keyed by the secret, of `<timestamp>.<body>`."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SendResult:
    delivered: bool
    status_code: int | None
    error: str
    duration_ms: int


def _send(
    subscription: WebhookSubscription, *, event: str, delivery: str, payload: dict, now: datetime
) -> SendResult:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-IPI-Event": event,
        "X-IPI-Delivery": delivery,
        "X-IPI-Timestamp": timestamp,
        "X-IPI-Signature": webhook_signature(subscription.secret, timestamp, body),
    }
    timeout = float(getattr(settings, "IPI_WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    started = time.monotonic()
    try:
        # Checked again at sending time: the name may resolve elsewhere since registration.
        webhook_url_check(subscription.url)
        # The whole exchange within `timeout`: httpx's timeouts bound each read, so a receiver
        # trickling a byte at a time would otherwise hold a worker for as long as it likes.
        status_code, excerpt = asyncio.run(
            asyncio.wait_for(_post(subscription.url, body, headers, timeout), timeout)
        )
    except Exception as error:  # anything: a failed attempt, recorded and retried
        if isinstance(error, ValidationError):
            message = "; ".join(error.messages)
        elif isinstance(error, TimeoutError):
            message = f"no complete answer within {timeout:g} s"
        elif isinstance(error, httpx.HTTPError):
            message = str(error)
        else:  # not foreseen (an OverflowError inside an ExceptionGroup, ...): say it
            message = _unforeseen(error)
            logger.warning("webhook %s: sending failed: %s", subscription.pk, message)
        elapsed = int((time.monotonic() - started) * 1000)
        return SendResult(False, None, f"{type(error).__name__}: {message}"[:500], elapsed)
    elapsed = int((time.monotonic() - started) * 1000)
    delivered = 200 <= status_code < 300
    failure = "" if delivered else f"HTTP {status_code}: {excerpt}"[:500]
    return SendResult(delivered, status_code, failure, elapsed)


def _unforeseen(error: BaseException) -> str:
    """The message of an unexpected error, with those of an exception group's members."""
    if isinstance(error, BaseExceptionGroup):
        inner = "; ".join(f"{type(e).__name__}: {_unforeseen(e)}" for e in error.exceptions)
        return f"{error.message} ({inner})"
    return str(error) or type(error).__name__


async def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """(status code, the first 200 characters of the answer) of one POST."""
    async with (
        httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client,
        client.stream("POST", url, content=body, headers=headers) as response,
    ):
        async for chunk in response.aiter_bytes(256):
            return response.status_code, chunk[:200].decode("utf-8", "replace")
        return response.status_code, ""


def release_payload(release: Release, series_keys: list[str]) -> dict:
    return {
        "release": release.pk,
        "published_at": release.published_at.isoformat() if release.published_at else None,
        "ref_area": release.ref_area,
        "changed_series": series_keys,
    }


def webhook_delivery_attempt(delivery_id: int, now: datetime | None = None) -> str:
    """Claim, send and record one attempt of a due delivery; returns its status afterwards
    ("" when there was nothing to do: not due, already claimed, finished or deleted)."""
    now = now or timezone.now()
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
    claimed = pending.filter(next_attempt_at__lte=now, attempts__lt=max_attempts()).update(
        attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=LEASE_SECONDS)
    )
    if not claimed:
        return ""  # another worker got there first, or it is not due yet
    delivery = WebhookDelivery.objects.select_related("subscription", "release").get(pk=delivery_id)
    subscription, release = delivery.subscription, delivery.release
    try:
        result = _send(
            subscription,
            event=EVENT_RELEASE,
            delivery=str(delivery.pk),
            payload=release_payload(release, matching_series(subscription, release.changed_series)),
            now=now,
        )
    except Exception as error:  # the attempt is recorded and retried, never left claimed
        logger.warning("webhook delivery %s failed: %r", delivery.pk, error)
        result = SendResult(False, None, f"{type(error).__name__}: {_unforeseen(error)}"[:500], 0)
    done = max(now, timezone.now())  # `now` may be a test's clock, ahead of the real one
    fields: dict = {"last_status_code": result.status_code, "last_error": result.error}
    if result.delivered:
        fields |= {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": done}
    elif delivery.attempts >= max_attempts():
        fields |= {"status": WebhookDelivery.Status.FAILED}
    else:
        delay = _backoff()[delivery.attempts - 1]
        fields |= {"next_attempt_at": now + timedelta(seconds=delay)}
    # Only the holder of this attempt records it (attempts unchanged since the claim).
    pending.filter(attempts=delivery.attempts).update(**fields)
    status = fields.get("status", WebhookDelivery.Status.PENDING)
    logger.info(
        "webhook delivery %s attempt %s: %s %s",
        delivery.pk,
        delivery.attempts,
        result.status_code,
        status,
    )
    return status


def webhook_ping(*, subscription: WebhookSubscription, actor: str = "") -> SendResult:
    """Send a signed `ping` now and say how it went (not part of the delivery log)."""
    now = timezone.now()
    delivery = f"ping-{secrets.token_hex(8)}"
    payload = {"event": EVENT_PING, "webhook": subscription.pk, "sent_at": now.isoformat()}
    result = _send(subscription, event=EVENT_PING, delivery=delivery, payload=payload, now=now)
    audit_record(
        action="webhook.pinged",
        agency=subscription.agency_id,
        actor=actor,
        object_type="webhook",
        object_id=subscription.pk,
        details={"status_code": result.status_code, "delivered": result.delivered},
    )
    return result
