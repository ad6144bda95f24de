import io

import openpyxl
from django.utils import timezone

from indices.national.models import NationalObservation, NationalSeries
from indices.receive.models import Submission
from tests.base import PersonaTestCase

URL = "/api/v1/submissions/templates/"


class TemplateApiTests(PersonaTestCase):
    def test_a_first_time_agency_gets_the_four_sections_in_a_wide_csv(self):
        response = self.our.client().get(URL + "?format=csv&layout=wide&months=3")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        self.assertIn('filename="ipi-template-TH-wide.csv"', response["Content-Disposition"])
        lines = response.content.decode("utf-8-sig").splitlines()
        self.assertIn("REF_AREA", lines[0].upper())
        self.assertEqual(len(lines), 5)  # header + B, C, D, E
        self.assertEqual({line.split(",")[0] for line in lines[1:]}, {"TH"})

    def test_stored_series_prefill_an_xlsx_long_template(self):
        submission = Submission.objects.create(agency=self.our.agency, sha256="a" * 64, size=1)
        series = NationalSeries.objects.create(
            agency=self.our.agency,
            series_id="M.TH.NAT:1011.N",
            freq="M",
            ref_area="TH",
            nat_code="1011",
            adjustment="N",
        )
        NationalObservation.objects.create(
            series=series,
            activity="10",
            period_start=timezone.now().date(),
            value=100,
            status="A",
            base_year=2021,
            submission=submission,
            row_no=2,
        )
        response = self.our.client().get(URL + "?format=xlsx&layout=long&months=2")
        self.assertEqual(response.status_code, 200, response.content)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(cell).upper() for cell in rows[0] if cell]
        self.assertIn("NAT_CODE", header)
        nat = header.index("NAT_CODE")
        self.assertEqual({row[nat] for row in rows[1:]}, {"1011"})
        self.assertEqual(len(rows), 3)  # header + 2 months

    def test_bad_parameters_are_400(self):
        self.assertProblem(self.our.client().get(URL + "?layout=diagonal"), 400)
        self.assertProblem(self.our.client().get(URL + "?months=0"), 400)

    def test_unknown_format_is_400_naming_format(self):
        body = self.assertProblem(self.our.client().get(URL + "?format=pdf"), 400, "invalid")
        self.assertEqual(body["errors"][0]["field"], "format")

    def test_readers_and_the_secretariat_get_no_template(self):
        self.assertProblem(self.reader.client().get(URL), 403)
        self.assertProblem(self.secretariat.client().get(URL), 400, "no_country")
