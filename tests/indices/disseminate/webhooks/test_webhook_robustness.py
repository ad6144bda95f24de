"""Issue #19: a webhook URL with an impossible port was accepted, and then its test ping was a
500 and its deliveries raised in the worker, staying PENDING with no error. The URL is now
checked whole at registration, and an attempt that raises anything is a failed attempt."""

from __future__ import annotations

from unittest import mock

from django.utils import timezone

from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.disseminate.webhooks.services import delivery as delivery_service
from indices.disseminate.webhooks.services import webhook_delivery_attempt
from tests.base import PersonaTestCase
from tests.indices.disseminate.webhooks.helpers import accepted_release, publish_due

BAD_PORTS = ("https://example.org:99999/hook", "https://example.org:0/hook", "http://[::1/hook")


class RegistrationTests(PersonaTestCase):
    def test_an_impossible_port_or_address_is_refused_naming_url(self):
        for url in BAD_PORTS:
            with self.subTest(url=url), self.assertNoLogs(level="ERROR"):
                response = self.reader.client().post("/api/v1/webhooks/", {"url": url})
                body = self.assertProblem(response, 400, "invalid")
                self.assertEqual([e["field"] for e in body["errors"]], ["url"])
        self.assertFalse(WebhookSubscription.objects.exists())
        url = "https://example.org:8443/hook"
        response = self.reader.client().post("/api/v1/webhooks/", {"url": url})
        self.assertEqual(response.status_code, 201, response.content)


class StoredBadUrlTests(PersonaTestCase):
    """A subscription registered before the check (its URL set in the database)."""

    def setUp(self) -> None:
        response = self.reader.client().post(
            "/api/v1/webhooks/", {"url": "https://example.org/hook"}
        )
        self.subscription = WebhookSubscription.objects.get(pk=response.json()["id"])
        WebhookSubscription.objects.filter(pk=self.subscription.pk).update(
            url="http://127.0.0.1:99999/hook"
        )

    def test_the_test_ping_reports_the_failure_instead_of_a_500(self):
        with self.assertNoLogs(level="ERROR"):
            response = self.reader.client().post(f"/api/v1/webhooks/{self.subscription.pk}/test/")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["delivered"])
        self.assertIn("port", response.json()["error"].lower())

    def _delivery(self) -> WebhookDelivery:
        accepted_release()
        with self.captureOnCommitCallbacks():
            (release,) = publish_due()
        return WebhookDelivery.objects.get(subscription=self.subscription, release=release)

    def test_a_delivery_records_the_error_and_is_retried(self):
        delivery = self._delivery()
        now = timezone.now()
        self.assertEqual(webhook_delivery_attempt(delivery.pk, now=now), "PENDING")
        delivery.refresh_from_db()
        self.assertEqual(delivery.attempts, 1)
        self.assertIn("port", delivery.last_error.lower())
        self.assertEqual(
            delivery.next_attempt_at,
            now + timezone.timedelta(seconds=delivery_service._backoff()[0]),
        )

    def test_any_exception_while_sending_is_a_failed_attempt(self):
        delivery = self._delivery()
        WebhookSubscription.objects.filter(pk=self.subscription.pk).update(
            url="https://example.org/hook"
        )
        group = ExceptionGroup("unhandled errors in a TaskGroup", [OverflowError("port")])
        for error in (group, RuntimeError("boom")):
            with (
                self.subTest(error=error),
                mock.patch.object(delivery_service, "_post", side_effect=error),
            ):
                WebhookDelivery.objects.filter(pk=delivery.pk).update(
                    next_attempt_at=timezone.now()
                )
                self.assertEqual(webhook_delivery_attempt(delivery.pk), "PENDING")
                delivery.refresh_from_db()
                self.assertIn(type(error).__name__, delivery.last_error)
                if isinstance(error, ExceptionGroup):
                    self.assertIn("OverflowError: port", delivery.last_error)

    def test_an_error_building_the_payload_is_a_failed_attempt_too(self):
        delivery = self._delivery()
        with mock.patch.object(
            delivery_service, "matching_series", side_effect=KeyError("changed_series")
        ):
            self.assertEqual(webhook_delivery_attempt(delivery.pk), "PENDING")
        delivery.refresh_from_db()
        self.assertEqual(delivery.attempts, 1)
        self.assertIn("KeyError", delivery.last_error)


class StrictTextTests(PersonaTestCase):
    def test_a_text_field_refuses_a_number_a_boolean_or_a_list(self):
        for value in (0, 1.5, True, ["x"], {"a": 1}):
            with self.subTest(value=value):
                response = self.reader.client().post(
                    "/api/v1/webhooks/",
                    {"url": "https://example.org/hook", "description": value},
                    format="json",
                )
                body = self.assertProblem(response, 400, "invalid")
                self.assertEqual(
                    [(e["field"], e["code"]) for e in body["errors"]],
                    [("description", "not_a_string")],
                )
        self.assertFalse(WebhookSubscription.objects.exists())

    def test_other_inputs_refuse_numbers_as_text_too(self):
        response = self.secretariat.client().post(
            "/api/v1/agencies/", {"id": "KH_NIS2", "name": 5, "role": "reporter"}, format="json"
        )
        body = self.assertProblem(response, 400, "invalid")
        self.assertIn(("name", "not_a_string"), [(e["field"], e["code"]) for e in body["errors"]])
