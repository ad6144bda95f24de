"""Webhook scheduling: which subscriptions a published release concerns, and one PENDING
delivery row for each (publication announces each release after its commit)."""

from __future__ import annotations

from django.utils import timezone

from indices.disseminate.keys import DIMENSIONS, KeyFilter, parse_key
from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.publish.models import Release


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


def webhooks_schedule(release: Release) -> int:
    """One PENDING delivery per active subscription (registered before the publication) whose
    filter matches a changed series of this published release; idempotent. Returns how many
    deliveries the release has; sending them is the tasks' work (`release_announce`, or the
    periodic scan)."""
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
    return len(wanted)


def deliveries_unsent(release: Release) -> list[int]:
    """The release's deliveries not attempted yet."""
    return list(
        WebhookDelivery.objects.filter(
            release=release, status=WebhookDelivery.Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
