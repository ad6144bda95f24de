"""/readyz fails, naming the problem, when the X-13ARIMA-SEATS binary is missing or corrupt."""

from __future__ import annotations

from unittest import mock

from django.test import Client, TestCase

from indices.publish.adjustment import x13


class X13ReadinessTests(TestCase):
    def ready(self, **env):
        with (
            mock.patch("ipi_exchange.health.live_workers", return_value=["worker@test"]),
            mock.patch.dict("os.environ", env),
        ):
            return Client().get("/readyz")

    def test_ready_with_the_bundled_binary(self):
        response = self.ready()
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["checks"]["x13as"], {"ok": True})

    def test_a_missing_binary_fails_readiness_with_a_clear_message(self):
        response = self.ready(**{x13.BINARY_ENV: "/nonexistent/x13as"})
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertIn("x13as", body["detail"])
        self.assertIn("X-13ARIMA-SEATS binary is missing", body["detail"])
        self.assertFalse(body["checks"]["x13as"]["ok"])

    def test_a_corrupt_binary_fails_readiness_with_a_clear_message(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            fake = Path(folder) / "x13as"
            fake.write_bytes(b"#!/bin/sh\nexit 0\n")
            fake.chmod(0o755)
            response = self.ready(**{x13.BINARY_ENV: str(fake)})
        self.assertEqual(response.status_code, 503)
        self.assertIn("is corrupt", response.json()["detail"])
