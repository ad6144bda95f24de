"""GET /api/v1/series/: the catalog, its filters, pagination and who may read it."""

from countries.models import Agency
from tests.base import make_persona
from tests.indices.disseminate.series.base import ReadApiTestCase

URL = "/api/v1/series/"


class SeriesListTests(ReadApiTestCase):
    def keys(self, query: str = "") -> list[str]:
        response = self.reader.client().get(URL + query)
        self.assertEqual(response.status_code, 200, response.content)
        return [s["key"] for s in response.json()["results"]]

    def test_lists_each_series_with_dimensions_attributes_and_its_span(self):
        body = self.reader.client().get(URL).json()
        self.assertEqual(body["count"], 12)
        entry = next(s for s in body["results"] if s["key"] == "M.TH.C.N.IX")
        self.assertEqual(
            entry["dimensions"],
            {
                "FREQ": "M",
                "REF_AREA": "TH",
                "ACTIVITY": "C",
                "ADJUSTMENT": "N",
                "TRANSFORMATION": "IX",
            },
        )
        self.assertEqual(entry["attributes"]["UNIT_MEASURE"], "IX")
        self.assertEqual(entry["attributes"]["DECIMALS"], 2)
        self.assertEqual(entry["attributes"]["COMPILING_ORG"], "TH_OIE")
        self.assertEqual((entry["first_period"], entry["last_period"]), ("2021-01", "2022-03"))
        self.assertEqual(entry["observations"], 15)
        self.assertTrue(entry["last_updated_at"] > entry["first_published_at"])
        self.assertTrue(entry["data_url"].endswith("/api/v1/data/M.TH.C.N.IX"))
        quarterly = next(s for s in body["results"] if s["key"] == "Q.TH.C.N.IX")
        self.assertEqual(
            (quarterly["first_period"], quarterly["last_period"]), ("2021-Q1", "2022-Q1")
        )

    def test_filters_on_every_dimension_with_comma_separated_codes(self):
        self.assertEqual(len(self.keys("?ref_area=VN")), 5)
        self.assertEqual(
            self.keys("?freq=M,Q&transformation=IX"),
            ["M.TH.C.N.IX", "M.VN.C.N.IX", "Q.TH.C.N.IX", "Q.VN.C.N.IX"],
        )
        self.assertEqual(self.keys("?ref_area=TH+VN&freq=A"), ["A.TH.C.N.IX", "A.VN.C.N.IX"])
        self.assertEqual(len(self.keys("?activity=C&adjustment=N")), 12)
        self.assertEqual(self.keys("?activity=D"), [])
        self.assertEqual(
            self.keys("?transformation=pch_sm&ref_area=th"), ["M.TH.C.N.PCH_SM", "Q.TH.C.N.PCH_SM"]
        )

    def test_updated_after_keeps_the_series_changed_since(self):
        since = self.before_revision.isoformat()
        keys = self.keys(f"?updatedAfter={since.replace('+', '%2B')}")
        self.assertIn("M.TH.C.N.IX", keys)
        self.assertNotIn("A.TH.C.N.IX", keys)

    def test_limit_offset_pagination(self):
        body = self.reader.client().get(URL + "?limit=5&offset=5").json()
        self.assertEqual(body["count"], 12)
        self.assertEqual(len(body["results"]), 5)
        self.assertIn("offset=10", body["next"])
        self.assertIn("limit=5", body["previous"])

    def test_a_bad_code_or_an_unknown_parameter_is_a_400_naming_the_field(self):
        body = self.assertProblem(self.reader.client().get(URL + "?freq=M;DROP"), 400)
        self.assertEqual(body["errors"][0]["field"], "freq")
        body = self.assertProblem(self.reader.client().get(URL + "?country=TH"), 400)
        self.assertEqual(
            body["errors"][0],
            {
                "field": "country",
                "code": "unknown_parameter",
                "message": body["errors"][0]["message"],
            },
        )

    def test_readers_reporters_and_the_secretariat_read_it(self):
        for persona in (self.reader, self.our, self.other, self.secretariat):
            with self.subTest(agency=persona.agency.pk):
                self.assertEqual(persona.client().get(URL).status_code, 200)

    def test_no_token_is_401_and_a_token_without_read_is_403(self):
        self.assertProblem(self.client.get(URL), 401)
        submit_only = make_persona(Agency.objects.get(pk="TH_OIE"), scopes=("submit",), name="s")
        self.assertProblem(submit_only.client().get(URL), 403)
