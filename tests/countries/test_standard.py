from django.test import TestCase

from countries.standard import load_definition
from countries.standard.models import Code, StandardVersion
from countries.standard.services import standard_load
from tests.base import PersonaTestCase


class StandardDefinitionTests(TestCase):
    def test_every_codelist_of_the_standard_is_defined(self):
        definition = load_definition()
        self.assertEqual(definition.codes("CL_FREQ"), {"M", "Q", "A"})
        self.assertEqual(definition.codes("CL_ADJUSTMENT"), {"N", "S", "W", "Y", "T"})
        self.assertEqual(definition.codes("CL_TRANSFORMATION"), {"IX", "PCH_PRE", "PCH_SM"})
        self.assertEqual(definition.codes("CL_OBS_STATUS"), set("APEBIMLOU"))
        self.assertEqual(definition.missing_statuses, {"M", "L", "O"})
        self.assertEqual(
            definition.codes("CL_AREA"), {"KH", "LA", "MM", "TH", "VN", "JP", "MKG", "MKG_JP"}
        )

    def test_isic_codelist_comes_from_the_reference_table(self):
        codes = load_definition().codelists["CL_ACTIVITY_ISIC4"]
        by_code = {code.code: code for code in codes}
        self.assertEqual({"B", "C", "D", "E", "B-E", "B_C"} <= set(by_code), True)
        divisions = [c for c in codes if c.parent]
        self.assertEqual(len(divisions), 34)  # 05-09, 10-33, 35, 36-39
        self.assertEqual(by_code["29"].parent, "C")
        self.assertEqual(by_code["35"].parent, "D")

    def test_thresholds_of_sections_4_and_5_are_in_one_place(self):
        definition = load_definition()
        self.assertEqual(definition.ref_year, 2021)
        self.assertEqual(definition.threshold("E09", "base_mean_tolerance"), 0.5)
        self.assertEqual(definition.threshold("W01", "max_abs_robust_z"), 4.0)
        self.assertEqual(definition.threshold("W07", "max_days_late"), 45)
        self.assertEqual(definition.threshold("H6", "min_coverage_pct"), 75.0)
        self.assertEqual(
            set(definition.rules),
            {f"E0{i}" for i in range(1, 10)} | {f"W0{i}" for i in range(1, 10)},
        )

    def test_loading_is_idempotent(self):
        before = Code.objects.count()
        standard_load()
        standard_load()
        self.assertEqual(Code.objects.count(), before)
        self.assertEqual(StandardVersion.objects.filter(is_current=True).count(), 1)


class StandardApiTests(PersonaTestCase):
    def test_the_current_standard_and_a_codelist(self):
        standard = self.reader.client().get("/api/v1/standard/").json()
        self.assertEqual(standard["ref_year"], 2021)
        self.assertIn("W01", standard["thresholds"])
        isic = self.reader.client().get("/api/v1/codelists/CL_ACTIVITY_ISIC4/").json()
        self.assertIn(
            {"code": "10", "name": "Manufacture of food products", "parent": "C"}, isic["codes"]
        )

    def test_unknown_codelist_is_404_problem(self):
        self.assertProblem(self.reader.client().get("/api/v1/codelists/CL_NOPE/"), 404)

    def test_a_country_added_as_data_extends_cl_area(self):
        response = self.secretariat.client().post(
            "/api/v1/countries/", {"code": "BN", "name": "Brunei", "aggregates": []}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        area = self.our.client().get("/api/v1/codelists/CL_AREA/").json()
        self.assertIn("BN", {code["code"] for code in area["codes"]})
