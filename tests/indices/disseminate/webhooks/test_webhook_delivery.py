"""Webhook scheduling and delivery: key filters, embargoes, signatures, retries with backoff,
giving up, claims (never the same attempt twice), lost workers, redirects and timeouts."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils import timezone

from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.disseminate.webhooks.services import (
    LEASE_SECONDS,
    matching_series,
    webhook_deliveries_due,
    webhook_delivery_attempt,
    webhook_subscription_create,
    webhooks_schedule,
)
from indices.disseminate.webhooks.services import delivery as delivery_service
from indices.disseminate.webhooks.tasks import deliver_due_webhooks, deliver_webhook
from tests.factories import ReaderAgencyFactory
from tests.indices.disseminate.webhooks.helpers import accepted_release, publish_due
from tests.indices.disseminate.webhooks.receiver import Receiver, expected_signature


class WebhookDeliveryTests(TestCase):
    def setUp(self) -> None:
        self.agency = ReaderAgencyFactory(id="HOOK_READER")

    def subscribe(self, url: str, key_filter: str = "") -> WebhookSubscription:
        return webhook_subscription_create(agency=self.agency, url=url, key_filter=key_filter)

    def published_delivery(self, url: str, key_filter: str = "") -> WebhookDelivery:
        subscription = self.subscribe(url, key_filter)
        accepted_release()
        with self.captureOnCommitCallbacks() as callbacks:
            (release,) = publish_due()
        # release_publish schedules the webhooks after commit (a TestCase never commits, so
        # publish_due also schedules them itself); the sending is enqueued after commit too.
        self.assertEqual(len(callbacks), 2)
        return WebhookDelivery.objects.get(subscription=subscription, release=release)

    def test_a_delivery_is_signed_over_timestamp_and_exact_body(self):
        with Receiver() as receiver:
            delivery = self.published_delivery(receiver.url)
            self.assertEqual(webhook_delivery_attempt(delivery.pk), "DELIVERED")
        (request,) = receiver.received
        secret = delivery.subscription.secret
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["x-ipi-event"], "release.published")
        self.assertEqual(headers["x-ipi-delivery"], str(delivery.pk))
        timestamp = headers["x-ipi-timestamp"]
        self.assertLess(abs(int(timestamp) - timezone.now().timestamp()), 60)
        self.assertEqual(
            headers["x-ipi-signature"], expected_signature(secret, timestamp, request.body)
        )
        self.assertNotEqual(
            headers["x-ipi-signature"], expected_signature("wrong", timestamp, request.body)
        )
        payload = json.loads(request.body)
        release = delivery.release
        release.refresh_from_db()
        self.assertEqual(payload["release"], release.pk)
        self.assertEqual(payload["ref_area"], "TH")
        self.assertEqual(payload["published_at"], release.published_at.isoformat())
        self.assertEqual(sorted(payload["changed_series"]), sorted(release.changed_series))
        delivery.refresh_from_db()
        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error),
            ("DELIVERED", 1, 200, ""),
        )
        self.assertIsNotNone(delivery.delivered_at)

    def test_the_verification_example_of_the_docs_accepts_our_requests(self):
        source = (Path(__file__).resolve().parents[4] / "docs" / "webhooks.md").read_text()
        example: dict = {}
        exec(re.search(r"```python\n(.*?)```", source, re.S).group(1), example)
        with Receiver() as receiver:
            delivery = self.published_delivery(receiver.url)
            webhook_delivery_attempt(delivery.pk)
        (request,) = receiver.received
        secret = delivery.subscription.secret
        self.assertTrue(example["verify"](secret, request.headers, request.body))
        self.assertFalse(example["verify"](secret, request.headers, request.body + b" "))
        self.assertFalse(example["verify"]("whsec_other", request.headers, request.body))
        stale = {**request.headers, "X-IPI-Timestamp": str(int(time.time()) - 3600)}
        self.assertFalse(example["verify"](secret, stale, request.body))
        # Lower-case names (ASGI, Lambda) work; what a client sends never makes it raise.
        lower = {name.lower(): value for name, value in request.headers.items()}
        self.assertTrue(example["verify"](secret, lower, request.body))
        for name, value in (("X-IPI-Timestamp", "\u00b2"), ("X-IPI-Signature", "sha256=\u00e9")):
            with self.subTest(name=name):
                crafted = {**request.headers, name: value}
                self.assertFalse(example["verify"](secret, crafted, request.body))

    def test_only_subscriptions_whose_filter_matches_get_a_delivery(self):
        everything = self.subscribe("http://127.0.0.1:9/all")
        ours = self.subscribe("http://127.0.0.1:9/th", "M.TH+VN..N.IX")
        self.subscribe("http://127.0.0.1:9/vn", "M.VN..N.IX")
        self.subscribe("http://127.0.0.1:9/sa", "M.TH..S.IX")
        inactive = self.subscribe("http://127.0.0.1:9/off")
        WebhookSubscription.objects.filter(pk=inactive.pk).update(is_active=False)
        accepted_release()
        with self.captureOnCommitCallbacks() as callbacks:
            (release,) = publish_due()
        self.assertEqual(len(callbacks), 3)  # scheduling, then one sending per delivery
        deliveries = WebhookDelivery.objects.filter(release=release)
        self.assertEqual({d.subscription_id for d in deliveries}, {everything.pk, ours.pk})
        # The payload lists only the changed series the filter matches.
        self.assertGreater(len(release.changed_series), 1)
        matching = matching_series(ours, release.changed_series)
        self.assertIn("M.TH.C.N.IX", matching)
        self.assertTrue(all(k.startswith("M.TH.") and k.endswith(".N.IX") for k in matching))
        self.assertLess(len(matching), len(release.changed_series))
        # Scheduling again (the scan's safety net) adds nothing and sends nothing twice.
        self.assertEqual(webhooks_schedule(release), 2)
        self.assertEqual(WebhookDelivery.objects.filter(release=release).count(), 2)

    def test_no_delivery_before_an_embargoed_release_is_published(self):
        self.subscribe("http://127.0.0.1:9/hook")
        release_at = timezone.now() + timedelta(hours=2)
        release = accepted_release(release_at=release_at)
        self.assertEqual(publish_due(), [])
        self.assertEqual(webhooks_schedule(release), 0)  # even if someone calls it early
        self.assertEqual(webhook_deliveries_due(now=release_at - timedelta(seconds=1)), [])
        self.assertFalse(WebhookDelivery.objects.exists())
        (published,) = publish_due(now=release_at + timedelta(seconds=1))
        self.assertEqual(published.pk, release.pk)
        self.assertEqual(WebhookDelivery.objects.filter(release=release).count(), 1)

    def test_a_subscription_registered_after_a_publication_is_not_told_of_it(self):
        accepted_release()
        (release,) = publish_due()
        self.subscribe("http://127.0.0.1:9/late")
        self.assertEqual(webhooks_schedule(release), 0)
        self.assertEqual(webhook_deliveries_due(), [])

    def test_failed_attempts_are_retried_with_backoff_until_delivered(self):
        with Receiver(answers=[500, 500]) as receiver:
            delivery = self.published_delivery(receiver.url)
            t0 = timezone.now()
            self.assertEqual(webhook_delivery_attempt(delivery.pk, now=t0), "PENDING")
            delivery.refresh_from_db()
            self.assertEqual((delivery.attempts, delivery.last_status_code), (1, 500))
            self.assertTrue(delivery.last_error.startswith("HTTP 500"))
            self.assertEqual(delivery.next_attempt_at, t0 + timedelta(seconds=30))
            # Not due yet: a stray message does nothing, and the scan does not pick it.
            self.assertEqual(webhook_delivery_attempt(delivery.pk, now=t0), "")
            self.assertEqual(webhook_deliveries_due(now=t0 + timedelta(seconds=29)), [])
            t1 = t0 + timedelta(seconds=31)
            self.assertEqual(webhook_deliveries_due(now=t1), [(delivery.pk, 1)])
            self.assertEqual(webhook_delivery_attempt(delivery.pk, now=t1), "PENDING")
            delivery.refresh_from_db()
            self.assertEqual(delivery.next_attempt_at, t1 + timedelta(seconds=120))
            t2 = t1 + timedelta(seconds=121)
            self.assertEqual(webhook_delivery_attempt(delivery.pk, now=t2), "DELIVERED")
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), ("DELIVERED", 3))
        self.assertEqual((delivery.last_status_code, delivery.last_error), (200, ""))
        self.assertEqual(len(receiver.received), 3)
        ids = {r.headers["X-IPI-Delivery"] for r in receiver.received}
        self.assertEqual(ids, {str(delivery.pk)})  # the same delivery, for de-duplication
        self.assertEqual(webhook_deliveries_due(now=t2 + timedelta(days=1)), [])

    @override_settings(IPI_WEBHOOK_BACKOFF_SECONDS=[1, 1])
    def test_a_delivery_fails_after_its_last_attempt(self):
        with Receiver(answers=[503] * 5) as receiver:
            delivery = self.published_delivery(receiver.url)
            now = timezone.now()
            results = []
            for _ in range(3):
                results.append(webhook_delivery_attempt(delivery.pk, now=now))
                now += timedelta(seconds=2)
            self.assertEqual(results, ["PENDING", "PENDING", "FAILED"])
            self.assertEqual(webhook_delivery_attempt(delivery.pk, now=now), "")
        self.assertEqual(len(receiver.received), 3)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), ("FAILED", 3))
        self.assertEqual(delivery.last_status_code, 503)
        self.assertIn("not today", delivery.last_error)
        self.assertEqual(webhook_deliveries_due(now=now + timedelta(days=1)), [])

    def test_two_workers_never_send_the_same_attempt(self):
        with Receiver() as receiver:
            delivery = self.published_delivery(receiver.url)
            now = timezone.now()
            send = delivery_service._send
            second: list[str] = []

            def send_while_another_worker_tries(*args, **kwargs):
                second.append(webhook_delivery_attempt(delivery.pk, now=now))
                return send(*args, **kwargs)

            with mock.patch.object(
                delivery_service, "_send", side_effect=send_while_another_worker_tries
            ):
                self.assertEqual(webhook_delivery_attempt(delivery.pk, now=now), "DELIVERED")
        self.assertEqual(second, [""])
        self.assertEqual(len(receiver.received), 1)

    def test_an_attempt_whose_worker_died_is_retried_after_its_lease(self):
        with Receiver() as receiver:
            delivery = self.published_delivery(receiver.url)
            now = timezone.now()
            with (
                mock.patch.object(
                    delivery_service, "_send", side_effect=SystemExit("worker killed")
                ),
                self.assertRaises(SystemExit),
            ):
                webhook_delivery_attempt(delivery.pk, now=now)
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts), ("PENDING", 1))
            self.assertEqual(webhook_deliveries_due(now=now + timedelta(seconds=10)), [])
            later = now + timedelta(seconds=LEASE_SECONDS + 1)
            self.assertEqual(webhook_deliveries_due(now=later), [(delivery.pk, 1)])
            self.assertEqual(webhook_delivery_attempt(delivery.pk, now=later), "DELIVERED")
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), ("DELIVERED", 2))

    @override_settings(IPI_WEBHOOK_BACKOFF_SECONDS=[])
    def test_a_last_attempt_lost_with_its_worker_ends_failed(self):
        delivery = self.published_delivery("http://127.0.0.1:9/hook")
        now = timezone.now()
        with (
            mock.patch.object(delivery_service, "_send", side_effect=SystemExit("worker killed")),
            self.assertRaises(SystemExit),
        ):
            webhook_delivery_attempt(delivery.pk, now=now)
        self.assertEqual(webhook_deliveries_due(now=now + timedelta(seconds=LEASE_SECONDS)), [])
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, "FAILED")
        self.assertIn("worker", delivery.last_error)

    def test_redirects_are_not_followed(self):
        with Receiver(answers=[302]) as receiver:
            delivery = self.published_delivery(receiver.url)
            self.assertEqual(webhook_delivery_attempt(delivery.pk), "PENDING")
        self.assertEqual([r.path for r in receiver.received], ["/hook"])
        delivery.refresh_from_db()
        self.assertEqual(delivery.last_status_code, 302)

    @override_settings(IPI_WEBHOOK_TIMEOUT_SECONDS=0.3)
    def test_a_slow_receiver_times_out(self):
        with Receiver(delay=1.5) as receiver:
            delivery = self.published_delivery(receiver.url)
            self.assertEqual(webhook_delivery_attempt(delivery.pk), "PENDING")
        delivery.refresh_from_db()
        self.assertIsNone(delivery.last_status_code)
        self.assertIn("Timeout", delivery.last_error)

    @override_settings(IPI_WEBHOOK_TIMEOUT_SECONDS=1)
    def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout(self):
        # A byte every 0.3 s: each read is quick, the whole answer never ends.
        with trickling_server() as url:
            delivery = self.published_delivery(url)
            started = time.monotonic()
            self.assertEqual(webhook_delivery_attempt(delivery.pk), "PENDING")
            self.assertLess(time.monotonic() - started, 3)
        delivery.refresh_from_db()
        self.assertIsNone(delivery.last_status_code)
        self.assertEqual(delivery.last_error, "TimeoutError: no complete answer within 1 s")

    def test_an_unreachable_receiver_is_an_attempt_with_its_error(self):
        delivery = self.published_delivery("http://127.0.0.1:9/closed")
        self.assertEqual(webhook_delivery_attempt(delivery.pk), "PENDING")
        delivery.refresh_from_db()
        self.assertEqual(delivery.attempts, 1)
        self.assertTrue(delivery.last_error.startswith("ConnectError"), delivery.last_error)

    def test_the_tasks_call_the_services(self):
        cache.clear()  # this run's own Redis database (IPI_TEST_REDIS_DB)
        with Receiver(answers=[500]) as receiver:
            delivery = self.published_delivery(receiver.url)
            self.assertEqual(deliver_webhook(delivery.pk), "PENDING")
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            with mock.patch.object(deliver_webhook, "delay") as delay:
                result = deliver_due_webhooks()
            self.assertEqual(result, {"enqueued": [delivery.pk]})
            delay.assert_called_once_with(delivery.pk)
            with mock.patch.object(deliver_webhook, "delay") as delay:
                deliver_due_webhooks()  # the same attempt is not enqueued twice
            delay.assert_not_called()
            self.assertEqual(deliver_webhook(delivery.pk), "DELIVERED")
        self.assertEqual(len(receiver.received), 2)


@contextlib.contextmanager
def trickling_server():
    """A receiver that reads the request, then sends its answer one byte every 0.3 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the exchange hung up, as it should
                time.sleep(0.3)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        listener.close()
