"""SDMX error messages (404/400/401/403/406) and the embargo: nothing unreleased appears."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from countries.models import Agency
from tests.base import make_persona
from tests.indices.publishing import accept, monthly_csv, year_2021
from tests.indices.sdmx.base import JSON, SdmxTestCase
from tests.indices.sdmx.helpers import body

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

    def test_not_acceptable_is_406(self):
        for accept_header in (
            "application/pdf",
            GENERIC_30 := "application/vnd.sdmx.genericdata+xml;version=3.0.0",
        ):
            with self.subTest(accept=accept_header):
                self.assertSdmxError(self.get(f"/sdmx/data/DF_IPI/{TH}", accept_header), 406, 406)
        self.assertTrue(GENERIC_30)

    def test_dimension_at_observation_other_than_time_is_not_implemented(self):
        url = f"/sdmx/data/DF_IPI/{TH}?dimensionAtObservation=REF_AREA"
        self.assertSdmxError(self.get(url), 501, 501)


class SdmxEmbargoTests(SdmxTestCase):
    def test_a_release_scheduled_in_the_future_leaves_no_trace(self):
        # Lao PDR's first series, accepted but embargoed for two hours (and due-publication run).
        from indices.services.publication import releases_publish_due

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
