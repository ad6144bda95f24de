"""Webhooks end to end: a real Celery worker process delivers a published release, signed, to a
local receiver, and a retry enqueued by the scan reaches it after a failure."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from indices.disseminate.webhooks.models import WebhookDelivery
from indices.disseminate.webhooks.services import webhook_subscription_create, webhooks_schedule
from indices.disseminate.webhooks.tasks import deliver_due_webhooks
from indices.publish.models import Release
from tests.factories import ReaderAgencyFactory
from tests.indices.disseminate.webhooks.helpers import accepted_release
from tests.indices.disseminate.webhooks.receiver import Receiver, expected_signature
from tests.workers import start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


def test_a_real_worker_delivers_a_published_release(tmp_path):
    cache.clear()  # this run's own Redis database: no stale enqueue markers
    log = tmp_path / "worker.log"
    agency = ReaderAgencyFactory(id="E2E_READER")
    with Receiver(answers=[500]) as receiver:
        subscription = webhook_subscription_create(
            agency=agency, url=receiver.url, key_filter="M.TH..N.IX"
        )
        release = accepted_release()
        process, _ = start_worker(log, IPI_WEBHOOK_ALLOW_PRIVATE_URLS="true")
        try:
            # The worker publishes it (the acceptance enqueued the publisher).
            assert wait_until(
                lambda: Release.objects.get(pk=release.pk).status == "PUBLISHED", timeout=60
            ), log.read_text()[-3000:]
            release.refresh_from_db()
            webhooks_schedule(release)  # release_publish did it already: idempotent
            delivery = WebhookDelivery.objects.get(subscription=subscription, release=release)
            # First attempt: the receiver answers 500; the delivery waits for its retry.
            assert wait_until(lambda: len(receiver.received) >= 1, timeout=30), log.read_text()[
                -3000:
            ]
            assert wait_until(
                lambda: WebhookDelivery.objects.get(pk=delivery.pk).last_status_code == 500
            )
            # Make the retry due now; the scan (beat's task) enqueues it for the worker.
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            deliver_due_webhooks.delay()
            assert wait_until(
                lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "DELIVERED",
                timeout=30,
            ), log.read_text()[-3000:]
        finally:
            stop_worker(process)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert len(receiver.received) == 2
    request = receiver.received[-1]
    timestamp = request.headers["X-IPI-Timestamp"]
    assert request.headers["X-IPI-Signature"] == expected_signature(
        subscription.secret, timestamp, request.body
    )
    payload = json.loads(request.body)
    assert payload["release"] == release.pk
    assert "M.TH.C.N.IX" in payload["changed_series"]
    assert all(key.startswith("M.TH.") for key in payload["changed_series"])
