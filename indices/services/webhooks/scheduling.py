"""Webhook scheduling: which subscriptions a published release concerns, and one PENDING
delivery row for each (publication calls `webhooks_schedule` after its commit)."""

from __future__ import annotations

from django.utils import timezone

from indices.models import Release, WebhookDelivery, WebhookSubscription
from indices.selectors.keys import DIMENSIONS, KeyFilter, parse_key


def key_matches(key_filter: KeyFilter, series_key: str) -> bool:
    codes = series_key.split(".")
    if len(codes) != len(DIMENSIONS):
        return False
    wanted = key_filter.as_filters()
    return all(
        not wanted[name] or code in wanted[name]
        for name, code in zip(DIMENSIONS, codes, strict=True)
    )


def matching_series(subscription: WebhookSubscription, series_keys: list[str]) -> list[str]:
    key_filter = parse_key(subscription.key_filter)
    return [key for key in series_keys if key_matches(key_filter, key)]


def webhooks_schedule(release: Release, *, enqueue: bool = True) -> int:
    """One PENDING delivery per active subscription (registered before the publication) whose
    filter matches a changed series of this published release; idempotent. Returns how many
    deliveries the release has. Their sending is enqueued after commit."""
    if release.status != Release.Status.PUBLISHED or not release.changed_series:
        return 0  # an embargoed release tells nobody anything
    subscriptions = WebhookSubscription.objects.filter(
        is_active=True, created_at__lte=release.published_at
    ).only("id", "key_filter")
    wanted = [s.pk for s in subscriptions if matching_series(s, release.changed_series)]
    if not wanted:
        return 0
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription_id=pk, release=release, next_attempt_at=now)
            for pk in wanted
        ],
        ignore_conflicts=True,
    )
    if enqueue:
        from indices.webhook_tasks import deliver_webhook

        fresh = WebhookDelivery.objects.filter(
            release=release, status=WebhookDelivery.Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
        for delivery_id in fresh:
            deliver_webhook.delay_on_commit(delivery_id)  # type: ignore[attr-defined]
    return len(wanted)
