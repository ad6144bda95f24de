"""Webhooks: registering a reader's URL, and telling it, signed, of each published release.

Split by sub-domain: `subscriptions` (register, check the URL, delete), `scheduling` (the
deliveries a published release owes; publication only inserts these rows) and `delivery`
(sending attempts in tasks on the "webhooks" queue, retries, the periodic scan, the ping).
Reads for the API are in indices/selectors/webhooks.py. The names callers use are re-exported
here, so `from indices.disseminate.webhooks.services import …` keeps working.
"""

from indices.disseminate.webhooks.services.delivery import (
    DEFAULT_BACKOFF_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    EVENT_PING,
    EVENT_RELEASE,
    LEASE_SECONDS,
    RESCHEDULE_WINDOW,
    USER_AGENT,
    SendResult,
    max_attempts,
    release_payload,
    webhook_deliveries_due,
    webhook_delivery_attempt,
    webhook_ping,
    webhook_signature,
)
from indices.disseminate.webhooks.services.scheduling import (
    key_matches,
    matching_series,
    webhooks_schedule,
)
from indices.disseminate.webhooks.services.subscriptions import (
    DEFAULT_MAX_PER_AGENCY,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_url_check,
)

__all__ = [
    "DEFAULT_BACKOFF_SECONDS",
    "DEFAULT_MAX_PER_AGENCY",
    "DEFAULT_TIMEOUT_SECONDS",
    "EVENT_PING",
    "EVENT_RELEASE",
    "LEASE_SECONDS",
    "RESCHEDULE_WINDOW",
    "USER_AGENT",
    "SendResult",
    "key_matches",
    "matching_series",
    "max_attempts",
    "release_payload",
    "webhook_deliveries_due",
    "webhook_delivery_attempt",
    "webhook_ping",
    "webhook_signature",
    "webhook_subscription_create",
    "webhook_subscription_delete",
    "webhook_url_check",
    "webhooks_schedule",
]
