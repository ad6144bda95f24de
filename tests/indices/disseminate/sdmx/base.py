"""Published data shared by the SDMX HTTP tests: Thailand and Viet Nam manufacturing, then a
withdrawal (TH 2022-03) and a revision (TH 2022-02), with the instants between them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import override_settings
from django.utils import timezone

from indices.disseminate.sdmx.xmlutil import NS
from tests.base import PersonaTestCase
from tests.indices.disseminate.sdmx.helpers import URLCONF, body, publish_th_and_vn
from tests.indices.publishing import monthly_csv, publish

GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE_SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
JSON = "application/vnd.sdmx.data+json;version=1.0.0"
CSV = "application/vnd.sdmx.data+csv;version=1.0.0"
STRUCTURE = "application/vnd.sdmx.structure+xml;version=2.1"


# A high read limit: the rate limit has its own tests (test_http.py), and counters outlive a run.
@override_settings(ROOT_URLCONF=URLCONF, IPI_API_RATE="100000/minute")
class SdmxTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        publish_th_and_vn()
        cls.before_changes = timezone.now()
        publish(
            b"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2022-03,,2021\n",
            action="delete",
        )
        cls.before_revision = timezone.now()
        publish(monthly_csv("TH", "C", {"2022-02": 115}))

    def get(self, url: str, accept: str = "*/*", persona=None, **extra):
        client = (persona or self.reader).client()
        return client.get(url, HTTP_ACCEPT=accept, **extra)

    def ok(self, url: str, accept: str = "*/*", **extra) -> bytes:
        response = self.get(url, accept, **extra)
        content = body(response)
        self.assertEqual(response.status_code, 200, content[:600])
        return content

    def xml(self, url: str, accept: str = "*/*") -> ET.Element:
        return ET.fromstring(self.ok(url, accept))

    def series_values(self, root: ET.Element) -> dict[str, dict[str, str]]:
        """GenericData -> {series key: {period: value}} over all data sets."""
        out: dict[str, dict[str, str]] = {}
        for series in root.iter(f"{{{NS['gen']}}}Series"):
            key = ".".join(
                v.get("value") for v in series.find("gen:SeriesKey", NS).findall("gen:Value", NS)
            )
            values = out.setdefault(key, {})
            for obs in series.findall("gen:Obs", NS):
                value = obs.find("gen:ObsValue", NS)
                values[obs.find("gen:ObsDimension", NS).get("value")] = (
                    None if value is None else value.get("value")
                )
        return out

    def assertSdmxError(self, response, status: int, code: int) -> ET.Element:
        content = body(response)
        self.assertEqual(response.status_code, status, content[:600])
        root = ET.fromstring(content)
        self.assertEqual(root.tag, f"{{{NS['mes']}}}Error")
        self.assertEqual(root.find("mes:ErrorMessage", NS).get("code"), str(code))
        return root
