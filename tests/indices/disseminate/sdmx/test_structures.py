"""SDMX structure and availability queries over HTTP; codelists come from the database."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from countries.services import country_create
from indices.disseminate.sdmx.xmlutil import NS
from tests.indices.disseminate.sdmx.base import STRUCTURE, SdmxTestCase
from tests.indices.disseminate.sdmx.helpers import body


def ids(root: ET.Element, tag: str) -> list[str]:
    return [e.get("id") for e in root.iter(f"{{{NS['str']}}}{tag}")]


class SdmxStructureTests(SdmxTestCase):
    def test_dataflow_in_every_path_form(self):
        for url in (
            "/sdmx/dataflow",
            "/sdmx/dataflow/",
            "/sdmx/dataflow/MKG",
            "/sdmx/dataflow/all/all/latest",
            "/sdmx/dataflow/MKG/DF_IPI",
            "/sdmx/dataflow/MKG/DF_IPI/1.0",
            "/sdmx/dataflow/MKG/DF_IPI/latest/",
        ):
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(response["Content-Type"], STRUCTURE)
                root = ET.fromstring(body(response))
                self.assertEqual(ids(root, "Dataflow"), ["DF_IPI"])
                self.assertEqual(ids(root, "DataStructure"), [])

    def test_references_all_brings_the_dsd_codelists_and_concepts(self):
        root = self.xml("/sdmx/dataflow/MKG/DF_IPI/latest?references=all", "application/xml")
        self.assertEqual(ids(root, "Dataflow"), ["DF_IPI"])
        self.assertEqual(ids(root, "DataStructure"), ["DSD_IPI"])
        self.assertEqual(ids(root, "ConceptScheme"), ["CS_IPI"])
        self.assertIn("CL_AREA", ids(root, "Codelist"))
        self.assertIn("CL_OBS_STATUS", ids(root, "Codelist"))
        dsd = root.find(".//str:DataStructure", NS)
        dimensions = [d.get("id") for d in dsd.findall(".//str:DimensionList/str:Dimension", NS)]
        self.assertEqual(
            dimensions, ["FREQ", "REF_AREA", "ACTIVITY", "ADJUSTMENT", "TRANSFORMATION"]
        )

    def test_references_children_parents_and_descendants(self):
        root = self.xml("/sdmx/dataflow/MKG/DF_IPI/latest?references=children")
        self.assertEqual(ids(root, "DataStructure"), ["DSD_IPI"])
        self.assertEqual(ids(root, "Codelist"), [])
        root = self.xml("/sdmx/datastructure/MKG/DSD_IPI?references=children")
        self.assertEqual(ids(root, "Dataflow"), [])
        self.assertEqual(len(ids(root, "Codelist")), 7)
        root = self.xml("/sdmx/codelist/MKG/CL_AREA?references=parents")
        self.assertEqual(ids(root, "DataStructure"), ["DSD_IPI"])
        root = self.xml("/sdmx/dataflow/MKG/DF_IPI?references=descendants")
        self.assertEqual(ids(root, "ConceptScheme"), ["CS_IPI"])
        root = self.xml("/sdmx/dataflow/MKG/DF_IPI?references=codelist")
        self.assertEqual(ids(root, "DataStructure"), [])
        self.assertEqual(len(ids(root, "Codelist")), 7)

    def test_codelists_come_from_the_database_so_a_new_member_appears(self):
        country_create(code="BN", name="Brunei Darussalam", aggregates=[])
        root = self.xml("/sdmx/codelist/MKG/CL_AREA/latest")
        self.assertEqual(ids(root, "Codelist"), ["CL_AREA"])
        codes = ids(root, "Code")
        self.assertIn("TH", codes)
        self.assertIn("BN", codes)
        root = self.xml("/sdmx/codelist/MKG/CL_AREA/latest/TH+VN")
        self.assertEqual(ids(root, "Code"), ["TH", "VN"])
        root = self.xml("/sdmx/codelist/all/CL_FREQ+CL_ADJUSTMENT")
        self.assertEqual(sorted(ids(root, "Codelist")), ["CL_ADJUSTMENT", "CL_FREQ"])

    def test_concept_scheme_and_all_codelists(self):
        root = self.xml("/sdmx/conceptscheme/MKG/CS_IPI/1.0")
        self.assertIn("OBS_STATUS", ids(root, "Concept"))
        self.assertEqual(len(ids(self.xml("/sdmx/codelist"), "Codelist")), 7)

    def test_unknown_artefacts_are_not_found_and_bad_parameters_a_syntax_error(self):
        for url in (
            "/sdmx/dataflow/MKG/DF_OTHER",
            "/sdmx/dataflow/ECB",
            "/sdmx/dataflow/MKG/DF_IPI/2.0",
            "/sdmx/codelist/MKG/CL_NOPE",
            "/sdmx/foo",
            "/sdmx/",
        ):
            with self.subTest(url=url):
                self.assertSdmxError(self.get(url), 404, 100)
        self.assertSdmxError(self.get("/sdmx/dataflow?references=cousins"), 400, 140)
        self.assertSdmxError(self.get("/sdmx/dataflow?detail=everything"), 400, 140)

    def test_sdmx_resources_this_service_lacks_are_not_implemented(self):
        for url in (
            "/sdmx/categoryscheme",
            "/sdmx/hierarchicalcodelist/MKG/HCL_X/1.0",
            "/sdmx/contentconstraint/all/all/latest/",
            "/sdmx/schema/dataflow/MKG/DF_IPI",
            "/sdmx/registration/x",
        ):
            with self.subTest(url=url):
                self.assertSdmxError(self.get(url), 501, 501)

    def test_structures_only_in_sdmx_ml(self):
        response = self.get("/sdmx/dataflow", "application/vnd.sdmx.structure+json;version=1.0.0")
        self.assertEqual(response.status_code, 406)
        self.assertEqual(response.json()["errors"][0]["code"], 150)  # JSON asked, JSON error
        self.assertSdmxError(self.get("/sdmx/dataflow", "text/html"), 406, 150)


class SdmxAvailabilityTests(SdmxTestCase):
    def region(self, url: str) -> dict[str, list[str]]:
        root = self.xml(url)
        region = root.find(".//str:ContentConstraint/str:CubeRegion", NS)
        out = {}
        for key_value in region.findall("com:KeyValue", NS):
            time_range = key_value.find("com:TimeRange", NS)
            if time_range is not None:
                out[key_value.get("id")] = [e.text for e in time_range]
            else:
                out[key_value.get("id")] = [v.text for v in key_value.findall("com:Value", NS)]
        return out

    def test_codes_with_data_and_the_time_range(self):
        for url in (
            "/sdmx/availableconstraint/DF_IPI/M..C.N.IX",
            "/sdmx/availableconstraint/MKG,DF_IPI,1.0/M..C.N.IX/all/all/",
        ):
            with self.subTest(url=url):
                region = self.region(url)
                self.assertEqual(region["REF_AREA"], ["TH", "VN"])
                self.assertEqual(region["TRANSFORMATION"], ["IX"])
                self.assertEqual(region["TIME_PERIOD"], ["2021-01-01", "2022-02-28"])

    def test_one_component_mode_and_references(self):
        region = self.region("/sdmx/availableconstraint/DF_IPI/M.TH.C.N.IX/all/REF_AREA")
        self.assertEqual(region, {"REF_AREA": ["TH"]})
        region = self.region(
            "/sdmx/availableconstraint/DF_IPI/M.TH.C.N.IX/all/REF_AREA?mode=available"
        )
        self.assertEqual(region, {"REF_AREA": ["TH", "VN"]})
        root = self.xml("/sdmx/availableconstraint/DF_IPI/M.TH.C.N.IX?references=all")
        self.assertEqual(ids(root, "DataStructure"), ["DSD_IPI"])
        self.assertSdmxError(self.get("/sdmx/availableconstraint/DF_IPI/M.KH.C.N.IX"), 404, 100)
