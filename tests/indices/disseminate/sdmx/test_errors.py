"""SDMX error messages (404/400/401/403/405/406/429/501, with SDMX-REST's codes) and the
embargo: nothing unreleased appears."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework import exceptions

from countries.models import Agency
from countries.throttling import auth_failures_reset
from indices.disseminate.sdmx.apis import sdmx_exception_handler
from indices.disseminate.sdmx.errors import SdmxError
from tests.base import make_persona
from tests.indices.disseminate.sdmx.base import JSON, SdmxTestCase
from tests.indices.disseminate.sdmx.helpers import body
from tests.indices.publishing import accept, monthly_csv, year_2021

TH = "M.TH.C.N.IX"


class SdmxErrorTests(SdmxTestCase):
    def test_no_results_is_404_code_100_in_xml_or_json(self):
        self.assertSdmxError(self.get("/sdmx/data/DF_IPI/M.KH.C.N.IX"), 404, 100)
        self.assertSdmxError(self.get("/sdmx/data/DF_OTHER/all"), 404, 100)
        self.assertSdmxError(self.get(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2030"), 404, 100)
        response = self.get("/sdmx/data/DF_IPI/M.KH.C.N.IX", JSON)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(json.loads(body(response))["errors"][0]["code"], 100)

    def test_syntax_errors_are_400_code_140(self):
        for url in (
            "/sdmx/data/DF_IPI/M.TH.C",
            "/sdmx/data/MKG,DF_IPI,1.0,extra/all",
            f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022-13",
            f"/sdmx/data/DF_IPI/{TH}?startPeriod=22",
            f"/sdmx/data/DF_IPI/{TH}?endPeriod=2022-Q5",
            f"/sdmx/data/DF_IPI/{TH}?firstNObservations=0",
            f"/sdmx/data/DF_IPI/{TH}?lastNObservations=x",
            f"/sdmx/data/DF_IPI/{TH}?detail=most",
            f"/sdmx/data/DF_IPI/{TH}?updatedAfter=yesterday",
            f"/sdmx/data/DF_IPI/{TH}?asOf=2024-99-01",
            f"/sdmx/data/DF_IPI/{TH}?includeHistory=maybe",
        ):
            with self.subTest(url=url):
                self.assertSdmxError(self.get(url), 400, 140)

    def test_unauthenticated_is_401_code_110_and_a_token_without_read_403(self):
        response = self.client.get(f"/sdmx/data/DF_IPI/{TH}")
        self.assertSdmxError(response, 401, 110)
        self.assertIn("Bearer", response["WWW-Authenticate"])
        response = self.client.get("/sdmx/dataflow", HTTP_AUTHORIZATION="Bearer ipi_wrong")
        self.assertSdmxError(response, 401, 110)
        submit_only = make_persona(Agency.objects.get(pk="TH_OIE"), scopes=("submit",), name="s")
        self.assertSdmxError(self.get("/sdmx/dataflow", persona=submit_only), 403, 110)

    def test_not_acceptable_is_406_code_150(self):
        # SDMX has no "not acceptable" code: 150, a well-formed request for what is not offered.
        for accept_header in (
            "application/pdf",
            GENERIC_30 := "application/vnd.sdmx.genericdata+xml;version=3.0.0",
        ):
            with self.subTest(accept=accept_header):
                self.assertSdmxError(self.get(f"/sdmx/data/DF_IPI/{TH}", accept_header), 406, 150)
        self.assertTrue(GENERIC_30)
        root = self.assertSdmxError(self.get(f"/sdmx/data/DF_IPI/{TH}?format=pdf"), 406, 150)
        self.assertIn("genericdata", ET.tostring(root, encoding="unicode"))

    def test_dimension_at_observation_other_than_time_is_not_implemented(self):
        url = f"/sdmx/data/DF_IPI/{TH}?dimensionAtObservation=REF_AREA"
        self.assertSdmxError(self.get(url), 501, 501)


class SdmxEmbargoTests(SdmxTestCase):
    def test_a_release_scheduled_in_the_future_leaves_no_trace(self):
        # Lao PDR's first series, accepted but embargoed for two hours (and due-publication run).
        from indices.publish.releases import releases_publish_due

        accept(
            monthly_csv("LA", "C", year_2021()),
            agency="LA_LSB",
            release_at=timezone.now() + timedelta(hours=2),
        )
        self.assertEqual(releases_publish_due(), [])
        for persona in (self.reader, self.secretariat, self.other):
            with self.subTest(persona=persona.agency.pk):
                self.assertSdmxError(
                    self.get("/sdmx/data/DF_IPI/M.LA.C.N.IX", persona=persona), 404, 100
                )
                everything = body(self.get("/sdmx/data/DF_IPI/all", persona=persona))
                self.assertNotIn(b'value="LA"', everything)
                self.assertSdmxError(
                    self.get("/sdmx/availableconstraint/DF_IPI/M.LA.C.N.IX", persona=persona),
                    404,
                    100,
                )
                region = body(self.get("/sdmx/availableconstraint/DF_IPI", persona=persona))
                self.assertNotIn(b">LA<", region)


class SdmxErrorMappingTests(SdmxTestCase):
    """HTTP refusals keep their status and headers; their SDMX code is SDMX-REST's."""

    def test_a_wrong_method_is_405_code_140_with_allow(self):
        response = self.reader.client().post("/sdmx/data/DF_IPI/all", HTTP_ACCEPT="*/*")
        root = self.assertSdmxError(response, 405, 140)
        self.assertIn("GET", response["Allow"])
        self.assertNotIn("Internal", ET.tostring(root, encoding="unicode"))

    @override_settings(IPI_AUTH_FAILURES_PER_WINDOW=2, IPI_AUTH_FAILURE_WINDOW_SECONDS=30)
    def test_the_failed_token_lockout_is_429_code_503_with_retry_after(self):
        auth_failures_reset("127.0.0.1")
        self.addCleanup(auth_failures_reset, "127.0.0.1")
        for _ in range(2):
            response = self.client.get("/sdmx/dataflow", HTTP_AUTHORIZATION="Bearer ipi_wrong")
            self.assertSdmxError(response, 401, 110)
        refused = self.get("/sdmx/dataflow")  # a valid token too, from this address
        root = self.assertSdmxError(refused, 429, 503)
        self.assertTrue(1 <= int(refused["Retry-After"]) <= 30, refused["Retry-After"])
        self.assertIn("failed authentication", ET.tostring(root, encoding="unicode"))
        refused = self.get("/sdmx/data/DF_IPI/all", JSON)
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(json.loads(body(refused))["errors"][0]["code"], 503)
        self.assertIn("Retry-After", refused)

    def test_statuses_without_their_own_code_keep_status_and_headers(self):
        cases = [
            (exceptions.Throttled(wait=12.2), 429, 503, "13"),
            (exceptions.APIException(), 500, 500, None),
            (exceptions.ValidationError({"x": ["bad"]}), 400, 140, None),
            (exceptions.NotAcceptable(), 406, 150, None),
            (exceptions.UnsupportedMediaType("text/plain"), 415, 140, None),
        ]
        request = RequestFactory().get("/sdmx/dataflow")
        for exc, status, code, retry_after in cases:
            with self.subTest(exc=type(exc).__name__):
                response = sdmx_exception_handler(exc, {"request": request})
                self.assertSdmxError(response, status, code)
                self.assertEqual(response.get("Retry-After"), retry_after)
        too_large = SdmxError(130, "Narrow the query.")
        self.assertEqual(too_large.status, 413)
        self.assertEqual(SdmxError(503, "Maintenance.").status, 503)
