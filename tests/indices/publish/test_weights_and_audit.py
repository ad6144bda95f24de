from django.core.files.uploadedfile import SimpleUploadedFile

from countries.models import AuditEvent
from indices.publish.models import Release, ValueAddedWeight
from tests.base import PersonaTestCase

URL = "/api/v1/weights/"


class WeightsApiTests(PersonaTestCase):
    ROWS = [
        {"country": "TH", "activity": "C", "year": 2021, "value_added": "250000.5"},
        {"country": "VN", "activity": "C", "year": 2021, "value_added": "90000"},
    ]

    def test_the_secretariat_uploads_weights_and_every_aggregate_is_recomputed(self):
        response = self.secretariat.client().post(URL, {"weights": self.ROWS}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["rows"], 2)
        release = Release.objects.get(pk=response.json()["release"])
        self.assertIsNone(release.submission)
        self.assertEqual(ValueAddedWeight.objects.get(country="TH").value_added, 250000.5)
        self.assertTrue(AuditEvent.objects.filter(action="weights.uploaded").exists())
        listed = self.reader.client().get(URL + "?country=VN").json()["results"]
        self.assertEqual([(w["country"], w["value_added"]) for w in listed], [("VN", 90000)])

    def test_an_upload_replaces_earlier_values(self):
        client = self.secretariat.client()
        client.post(URL, {"weights": self.ROWS}, format="json")
        client.post(URL, {"weights": [{**self.ROWS[0], "value_added": "1"}]}, format="json")
        self.assertEqual(ValueAddedWeight.objects.get(country="TH").value_added, 1)

    def test_a_csv_upload(self):
        upload = SimpleUploadedFile("w.csv", b"country;activity;year;value_added\nTH;B;2020;5.5\n")
        response = self.secretariat.client().post(URL, {"file": upload}, format="multipart")
        self.assertEqual(response.status_code, 201, response.content)

    def test_every_bad_row_is_reported_and_nothing_is_stored(self):
        rows = [
            {"country": "XX", "activity": "C", "year": 2021, "value_added": "1"},
            {"country": "TH", "activity": "99", "year": 1800, "value_added": "-3"},
        ]
        response = self.secretariat.client().post(URL, {"weights": rows}, format="json")
        body = self.assertProblem(response, 400, "weights_invalid")
        self.assertEqual(
            [(p["row"], p["column"]) for p in body["problems"]],
            [(1, "country"), (2, "activity"), (2, "year"), (2, "value_added")],
        )
        self.assertFalse(ValueAddedWeight.objects.exists())

    def test_reporters_cannot_change_weights(self):
        response = self.our.client().post(URL, {"weights": self.ROWS}, format="json")
        self.assertProblem(response, 403)


class AuditApiTests(PersonaTestCase):
    def test_the_secretariat_reads_who_did_what(self):
        self.our.client().post(
            "/api/v1/credentials/", {"name": "n", "scopes": ["read"]}, format="json"
        )
        events = self.secretariat.client().get("/api/v1/audit/?action=credential.created")
        self.assertEqual(events.status_code, 200)
        names = [e["details"]["name"] for e in events.json()["results"] if e["agency"] == "TH_OIE"]
        self.assertIn("n", names)
        created = next(e for e in events.json()["results"] if e["details"]["name"] == "n")
        self.assertEqual(created["actor"], f"test ({self.our.credential.prefix}…)")

    def test_only_the_secretariat_reads_the_audit_log(self):
        for persona in (self.our, self.reader):
            self.assertProblem(persona.client().get("/api/v1/audit/"), 403)
