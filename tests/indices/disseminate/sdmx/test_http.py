"""HTTP on the SDMX endpoints like on the REST read endpoints: data answers carry validators
and are answered 304 without reading observations (embargo-safe), and every SDMX request
counts towards the credential's read limit, shared with /api/v1/."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Agency
from indices.publish.releases import releases_publish_due
from tests.base import make_persona
from tests.indices.disseminate.sdmx.base import CSV, GENERIC, JSON, STRUCTURE_SPECIFIC, SdmxTestCase
from tests.indices.disseminate.sdmx.helpers import body
from tests.indices.publishing import accept, monthly_csv, publish, year_2021

TH = "M.TH.C.N.IX"
DATA_URLS = [
    f"/sdmx/data/DF_IPI/{TH}",
    "/sdmx/data/MKG,DF_IPI,1.0/all?startPeriod=2022",
    f"/sdmx/data/DF_IPI/{TH}?includeHistory=true",
]
FORMATS = [GENERIC, STRUCTURE_SPECIFIC, JSON, CSV]


class SdmxConditionalRequestTests(SdmxTestCase):
    def test_data_answers_carry_validators_and_cache_headers(self):
        for url in DATA_URLS:
            for accept_header in FORMATS:
                with self.subTest(url=url, accept=accept_header):
                    response = self.get(url, accept_header)
                    self.assertEqual(response.status_code, 200)
                    # Weak: two answers differ in their message ID and Prepared time.
                    self.assertRegex(response["ETag"], r'^W/"[0-9a-f]{32}"$')
                    self.assertTrue(response["Last-Modified"].endswith("GMT"))
                    self.assertEqual(response["Cache-Control"], "private, no-cache")
                    vary = {v.strip().lower() for v in response["Vary"].split(",")}
                    self.assertLessEqual({"authorization", "accept"}, vary)

    def test_if_none_match_is_answered_304_without_reading_observations(self):
        for url in DATA_URLS:
            with self.subTest(url=url):
                etag = self.get(url)["ETag"]
                with CaptureQueriesContext(connection) as queries:
                    response = self.get(url, HTTP_IF_NONE_MATCH=f'"other", {etag}')
                self.assertEqual(response.status_code, 304)
                self.assertEqual(body(response), b"")
                self.assertEqual(response["ETag"], etag)
                touched = [q["sql"] for q in queries if "publishedobservation" in q["sql"]]
                self.assertEqual(touched, [])
                # Sent back without W/ (some clients strip it), it still matches.
                stripped = etag.removeprefix("W/")
                self.assertEqual(self.get(url, HTTP_IF_NONE_MATCH=stripped).status_code, 304)

    def test_if_modified_since_is_answered_304(self):
        url = DATA_URLS[0]
        last_modified = self.get(url)["Last-Modified"]
        self.assertEqual(self.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code, 304)
        old = "Mon, 01 Jan 2001 00:00:00 GMT"
        self.assertEqual(self.get(url, HTTP_IF_MODIFIED_SINCE=old).status_code, 200)

    def test_the_etag_depends_on_format_parameters_and_data(self):
        url = f"/sdmx/data/DF_IPI/{TH}"
        tags = {accept_header: self.get(url, accept_header)["ETag"] for accept_header in FORMATS}
        self.assertEqual(len(set(tags.values())), len(FORMATS))
        generic = tags[GENERIC]
        self.assertEqual(self.get(url, "application/xml")["ETag"], generic)  # same format
        self.assertNotEqual(self.get(url + "?format=csv")["ETag"], generic)
        self.assertNotEqual(self.get(url + "?startPeriod=2022")["ETag"], generic)
        vn = self.get("/sdmx/data/DF_IPI/M.VN.C.N.IX")["ETag"]
        publish(monthly_csv("TH", "C", {"2022-04": 101}))
        self.assertNotEqual(self.get(url)["ETag"], generic)
        self.assertEqual(self.get(url, HTTP_IF_NONE_MATCH=generic).status_code, 200)
        # Another country's release leaves this series' validators alone.
        self.assertEqual(self.get("/sdmx/data/DF_IPI/M.VN.C.N.IX")["ETag"], vn)

    def test_a_scheduled_release_changes_no_validator_until_it_is_published(self):
        urls = [f"/sdmx/data/DF_IPI/{TH}", "/sdmx/data/DF_IPI/all", "/sdmx/data/DF_IPI/M.TH.B.N.IX"]

        def snapshot() -> dict[str, tuple]:
            answers = {}
            for url in urls:
                response = self.get(url)
                answers[url] = (
                    response.status_code,
                    response.get("ETag"),
                    response.get("Last-Modified"),
                )
            return answers

        before = snapshot()
        release_at = timezone.now() + timedelta(hours=2)
        accept(monthly_csv("TH", "C", {"2022-03": 150}), release_at=release_at)
        accept(monthly_csv("TH", "B", year_2021()), release_at=release_at)
        self.assertEqual(snapshot(), before)
        self.assertEqual(before[urls[2]][0], 404)
        releases_publish_due(now=release_at + timedelta(seconds=1))
        after = snapshot()
        self.assertNotEqual(after[urls[0]][1], before[urls[0]][1])
        self.assertNotEqual(after[urls[1]][1], before[urls[1]][1])
        self.assertEqual(after[urls[2]][0], 200)


class SdmxRateLimitTests(SdmxTestCase):
    def tiny(self):
        persona = make_persona(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="tiny")
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        cache._cache.get_client(write=True).delete(counter)  # left by an earlier run
        return persona.client()

    @override_settings(IPI_API_RATE="4/minute")
    def test_sdmx_and_rest_reads_share_one_limit_per_credential(self):
        client = self.tiny()
        answers = [
            client.get(f"/api/v1/data/{TH}"),
            client.get(f"/sdmx/data/DF_IPI/{TH}", HTTP_ACCEPT="*/*"),
            client.get("/sdmx/dataflow", HTTP_ACCEPT="*/*"),
            client.get(f"/sdmx/availableconstraint/DF_IPI/{TH}", HTTP_ACCEPT="*/*"),
        ]
        self.assertEqual([a.status_code for a in answers], [200] * 4)
        self.assertEqual([a["RateLimit-Remaining"] for a in answers], ["3", "2", "1", "0"])
        self.assertTrue(all(a["RateLimit-Limit"] == "4" for a in answers))
        self.assertTrue(all(1 <= int(a["RateLimit-Reset"]) <= 60 for a in answers))
        refused = client.get(f"/sdmx/data/DF_IPI/{TH}", HTTP_ACCEPT="*/*")
        self.assertSdmxError(refused, 429, 503)
        self.assertTrue(1 <= int(refused["Retry-After"]) <= 60, refused["Retry-After"])
        self.assertEqual(refused["RateLimit-Remaining"], "0")
        refused = client.get("/sdmx/dataflow", HTTP_ACCEPT=JSON)
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(json.loads(body(refused))["errors"][0]["code"], 503)
        self.assertIn("Retry-After", refused)
        rest = client.get("/api/v1/series/")
        self.assertEqual(rest.status_code, 429)
        self.assertEqual(rest.json()["code"], "throttled")
        # Another credential has its own bucket.
        self.assertEqual(self.get("/sdmx/dataflow").status_code, 200)

    @override_settings(IPI_API_RATE="2/minute")
    def test_a_304_counts_too(self):
        client = self.tiny()
        etag = client.get(f"/sdmx/data/DF_IPI/{TH}", HTTP_ACCEPT="*/*")["ETag"]
        again = client.get(f"/sdmx/data/DF_IPI/{TH}", HTTP_ACCEPT="*/*", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["RateLimit-Remaining"], "0")
        refused = client.get(f"/sdmx/data/DF_IPI/{TH}", HTTP_ACCEPT="*/*", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(refused.status_code, 429)
