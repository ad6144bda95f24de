"""The webhooks API: register (secret shown once), list, show, delete, the delivery log, the
test ping; tenancy (another agency's webhook is not found), scopes, validation errors."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from countries.models import AuditEvent
from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.disseminate.webhooks.services import (
    webhook_delivery_attempt,
    webhook_subscription_create,
    webhook_url_check,
)
from tests.base import PersonaTestCase, make_persona
from tests.indices.disseminate.webhooks.helpers import accepted_release, publish_due
from tests.indices.disseminate.webhooks.receiver import Receiver, expected_signature

URL = "/api/v1/webhooks/"


@override_settings(ROOT_URLCONF="tests.indices.disseminate.webhooks.urls")
class WebhookApiTests(PersonaTestCase):
    def register(self, persona, **body):
        body = {"url": "http://127.0.0.1:9/hook", **body}
        return persona.client().post(URL, body, format="json")

    def test_a_reader_registers_a_webhook_and_sees_its_secret_once(self):
        response = self.register(
            self.reader, key_filter="M.TH+VN..N.IX", description="our pipeline"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        subscription = WebhookSubscription.objects.get(pk=body["id"])
        self.assertEqual(subscription.agency_id, self.reader.agency.pk)
        self.assertEqual(body["secret"], subscription.secret)
        self.assertTrue(body["secret"].startswith("whsec_"))
        self.assertEqual(body["key_filter"], "M.TH+VN..N.IX")
        self.assertEqual(body["agency"], self.reader.agency.pk)
        self.assertTrue(response["Location"].endswith(f"{URL}{subscription.pk}/"))
        shown = self.reader.client().get(f"{URL}{subscription.pk}/").json()
        self.assertNotIn("secret", shown)
        self.assertEqual(shown["url"], "http://127.0.0.1:9/hook")
        listed = self.reader.client().get(URL).json()
        self.assertEqual([w["id"] for w in listed["results"]], [subscription.pk])
        self.assertNotIn("secret", listed["results"][0])
        self.assertTrue(AuditEvent.objects.filter(action="webhook.created").exists())

    def test_each_agency_sees_its_own_webhooks_and_the_secretariat_all(self):
        ours = self.register(self.our).json()["id"]
        theirs = self.register(self.other).json()["id"]
        self.assertEqual([w["id"] for w in self.our.client().get(URL).json()["results"]], [ours])
        everything = {w["id"] for w in self.secretariat.client().get(URL).json()["results"]}
        self.assertEqual(everything, {ours, theirs})
        self.assertEqual(self.secretariat.client().get(f"{URL}{ours}/").status_code, 200)

    def test_another_agencys_webhook_is_not_found(self):
        theirs = self.register(self.other).json()["id"]
        client = self.our.client()
        for response in (
            client.get(f"{URL}{theirs}/"),
            client.delete(f"{URL}{theirs}/"),
            client.get(f"{URL}{theirs}/deliveries/"),
            client.post(f"{URL}{theirs}/test/"),
        ):
            self.assertProblem(response, 404)
        self.assertTrue(WebhookSubscription.objects.filter(pk=theirs).exists())
        self.assertProblem(client.get(f"{URL}999999/"), 404)

    def test_deleting_a_webhook(self):
        ours = self.register(self.our).json()["id"]
        response = self.our.client().delete(f"{URL}{ours}/")
        self.assertEqual(response.status_code, 204)
        self.assertFalse(WebhookSubscription.objects.filter(pk=ours).exists())
        self.assertProblem(self.our.client().get(f"{URL}{ours}/"), 404)

    def test_a_token_is_needed_with_the_read_scope(self):
        self.assertProblem(self.client.get(URL), 401)
        submit_only = make_persona(self.our.agency, scopes=("submit",), name="submit-only")
        self.assertProblem(submit_only.client().get(URL), 403)
        self.assertProblem(self.register(submit_only), 403)
        self.assertFalse(WebhookSubscription.objects.exists())

    def test_invalid_registrations_are_problems_naming_the_field(self):
        cases = [
            ({"url": ""}, "url", None),
            ({"url": "not a url"}, "url", None),
            ({"url": "ftp://example.org/hook"}, "url", "scheme"),
            ({"url": "https://user:pw@example.org/hook"}, "url", "credentials"),
            ({"key_filter": "M.TH"}, "key_filter", "invalid_key"),
            ({"key_filter": "M.XX..N.IX"}, "key_filter", "invalid_key"),  # no such country
            ({"key_filter": "M.TH.C.N.YOY"}, "key_filter", "invalid_key"),
            ({"description": "x" * 201}, "description", "max_length"),
        ]
        for body, field, code in cases:
            with self.subTest(body=body):
                problem = self.assertProblem(self.register(self.reader, **body), 400, "invalid")
                fields = {e["field"]: e["code"] for e in problem["errors"]}
                self.assertIn(field, fields)
                if code:
                    self.assertEqual(fields[field], code)
        missing = self.assertProblem(self.reader.client().post(URL, {}, format="json"), 400)
        self.assertEqual(missing["errors"][0]["field"], "url")
        self.assertFalse(WebhookSubscription.objects.exists())

    @override_settings(IPI_WEBHOOK_ALLOW_PRIVATE_URLS=False)
    def test_private_addresses_are_refused_unless_allowed(self):
        for url in (
            "http://127.0.0.1:8000/hook",
            "http://localhost/hook",
            "http://10.1.2.3/hook",
            "http://192.168.1.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0.0.0.0/hook",
        ):
            with self.subTest(url=url):
                problem = self.assertProblem(self.register(self.reader, url=url), 400)
                self.assertEqual(problem["errors"][0]["code"], "private_address")
        webhook_url_check("https://8.8.8.8/hook")  # a public address passes
        with self.assertRaises(ValidationError):
            webhook_url_check("http://127.0.0.1/hook", resolve=True)
        webhook_url_check("http://127.0.0.1/hook", resolve=False)

    @override_settings(IPI_WEBHOOK_MAX_PER_AGENCY=2)
    def test_an_agency_may_register_only_so_many(self):
        for _ in range(2):
            self.assertEqual(self.register(self.reader).status_code, 201)
        self.assertProblem(self.register(self.reader), 409, "too_many_webhooks")

    def test_the_delivery_log_shows_every_attempt(self):
        with Receiver(answers=[500]) as receiver:
            subscription = webhook_subscription_create(agency=self.reader.agency, url=receiver.url)
            accepted_release()
            with self.captureOnCommitCallbacks():
                (release,) = publish_due()
            delivery = WebhookDelivery.objects.get(subscription=subscription)
            now = timezone.now()
            webhook_delivery_attempt(delivery.pk, now=now)
            log = self.reader.client().get(f"{URL}{subscription.pk}/deliveries/").json()
            (entry,) = log["results"]
            self.assertEqual(entry["release"], release.pk)
            self.assertEqual(entry["status"], "PENDING")
            self.assertEqual((entry["attempts"], entry["last_status_code"]), (1, 500))
            self.assertTrue(entry["last_error"].startswith("HTTP 500"))
            self.assertIsNotNone(entry["next_attempt_at"])
            webhook_delivery_attempt(delivery.pk, now=now + timedelta(seconds=31))
        (entry,) = self.reader.client().get(f"{URL}{subscription.pk}/deliveries/").json()["results"]
        self.assertEqual(entry["status"], "DELIVERED")
        self.assertEqual((entry["attempts"], entry["last_status_code"]), (2, 200))
        self.assertIsNone(entry["next_attempt_at"])
        self.assertIsNotNone(entry["delivered_at"])

    def test_a_test_ping_is_signed_and_reported(self):
        with Receiver() as receiver:
            created = self.register(self.reader, url=receiver.url).json()
            response = self.reader.client().post(f"{URL}{created['id']}/test/")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["delivered"], True)
        self.assertEqual(response.json()["status_code"], 200)
        (request,) = receiver.received
        self.assertEqual(request.headers["X-IPI-Event"], "ping")
        self.assertEqual(
            request.headers["X-IPI-Signature"],
            expected_signature(created["secret"], request.headers["X-IPI-Timestamp"], request.body),
        )
        failed = self.reader.client().post(f"{URL}{self.register(self.reader).json()['id']}/test/")
        self.assertEqual(failed.json()["delivered"], False)
        self.assertTrue(failed.json()["error"])
        self.assertFalse(WebhookDelivery.objects.exists())  # a ping is not in the log
