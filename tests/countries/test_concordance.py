from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase

from countries import concordance
from countries.models import ConcordanceVersion
from countries.standard import load_definition
from tests.base import PersonaTestCase

ISIC = load_definition().codes("CL_ACTIVITY_ISIC4")
URL = "/api/v1/classifications/TSIC2009/concordance/"


class ConcordanceCheckTests(SimpleTestCase):
    def test_one_to_one_rows_need_no_weight(self):
        rows, problems = concordance.check_rows(
            [
                {"national_code": "10", "isic_code": "10"},
                {"national_code": "11", "isic_code": "11"},
            ],
            ISIC,
        )
        self.assertEqual(problems, [])
        self.assertEqual([r.weight for r in rows], [None, None])

    def test_a_code_mapped_twice_is_reported_with_both_rows(self):
        _, problems = concordance.check_rows(
            [
                {"row": 2, "national_code": "1011", "isic_code": "10"},
                {"row": 3, "national_code": "1011", "isic_code": "11"},
            ],
            ISIC,
        )
        self.assertEqual(len(problems), 1)
        self.assertEqual(problems[0].row, 3)
        self.assertIn("mapped twice", problems[0].message)
        self.assertIn("row 2", problems[0].message)

    def test_codes_combined_into_one_isic_code_need_weights(self):
        _, problems = concordance.check_rows(
            [
                {"row": 2, "national_code": "1011", "isic_code": "10", "weight": "2.5"},
                {"row": 3, "national_code": "1012", "isic_code": "10"},
            ],
            ISIC,
        )
        self.assertEqual([(p.row, p.column) for p in problems], [(3, "weight")])
        self.assertIn("2 national codes map to 10", problems[0].message)

    def test_bad_weights_and_unknown_isic_codes(self):
        _, problems = concordance.check_rows(
            [
                {"national_code": "a", "isic_code": "10", "weight": "-1"},
                {"national_code": "b", "isic_code": "10", "weight": "NaN"},
                {"national_code": "c", "isic_code": "99"},
                {"national_code": "", "isic_code": "10"},
            ],
            ISIC,
        )
        self.assertEqual(
            [(p.row, p.column) for p in problems],
            [(1, "weight"), (2, "weight"), (3, "isic_code"), (4, "national_code")],
        )

    def test_csv_with_bom_semicolons_and_thai_names(self):
        data = "\ufeffnational_code;isic_code;weight;national_name\n1011;10;1.5;อาหาร\n".encode()
        rows, problems = concordance.read_csv(data)
        self.assertEqual(problems, [])
        self.assertEqual(rows[0]["national_name"], "อาหาร")
        self.assertEqual(rows[0]["row"], 2)

    def test_csv_unknown_and_missing_columns(self):
        _, problems = concordance.read_csv(b"code,isic_code\n1,10\n")
        self.assertEqual({p.column for p in problems}, {"code", "national_code"})

    def test_csv_that_is_not_utf8(self):
        _, problems = concordance.read_csv("national_code,isic_code\nก,10\n".encode("cp874"))
        self.assertIn("not UTF-8", problems[0].message)


class ConcordanceCsvTests(SimpleTestCase):
    def test_a_stray_carriage_return_is_a_line_break_not_a_server_error(self):
        # Found by bench/schema_fuzz.py: csv.Error "new-line character seen in unquoted field".
        rows, problems = concordance.read_csv(b"national_code,isic_code\r\nA\rB,10\n")
        self.assertEqual(problems, [])
        self.assertEqual([row["national_code"] for row in rows], ["A", "B"])


class ConcordanceApiTests(PersonaTestCase):
    ENTRIES = [
        {"national_code": "1011", "isic_code": "10", "weight": "3"},
        {"national_code": "1012", "isic_code": "10", "weight": "1"},
        {"national_code": "2910", "isic_code": "29"},
    ]

    def test_the_secretariat_uploads_json_and_versions_increase(self):
        client = self.secretariat.client()
        first = client.post(URL, {"entries": self.ENTRIES, "comment": "first"}, format="json")
        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(first.json()["version"], 1)
        second = client.post(URL, {"entries": self.ENTRIES[2:]}, format="json")
        self.assertEqual(second.json()["version"], 2)
        current = self.our.client().get(URL).json()
        self.assertEqual(current["version"], 2)
        self.assertEqual(len(current["entries"]), 1)
        old = self.our.client().get(URL + "?version=1").json()
        self.assertEqual(len(old["entries"]), 3)
        self.assertEqual(Decimal(str(old["entries"][0]["weight"])), Decimal("3"))

    def test_the_secretariat_uploads_csv(self):
        upload = SimpleUploadedFile(
            "tsic.csv", b"national_code,isic_code,weight\n1011,10,3\n1012,10,1\n", "text/csv"
        )
        response = self.secretariat.client().post(URL, {"file": upload}, format="multipart")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(len(response.json()["entries"]), 2)

    def test_a_bad_concordance_is_reported_and_nothing_is_stored(self):
        entries = [*self.ENTRIES, {"national_code": "1011", "isic_code": "11"}]
        response = self.secretariat.client().post(URL, {"entries": entries}, format="json")
        body = self.assertProblem(response, 400, "concordance_invalid")
        self.assertEqual(body["problems"][0]["column"], "national_code")
        self.assertFalse(ConcordanceVersion.objects.filter(classification_id="TSIC2009").exists())

    def test_a_reporter_cannot_upload(self):
        response = self.our.client().post(URL, {"entries": self.ENTRIES}, format="json")
        self.assertProblem(response, 403)

    def test_no_concordance_yet_is_a_clear_404(self):
        body = self.assertProblem(self.our.client().get(URL), 404)
        self.assertIn("no concordance yet", body["detail"])

    def test_unknown_classification_is_404(self):
        self.assertProblem(self.our.client().get("/api/v1/classifications/NOPE/concordance/"), 404)
