from countries.models import ApiCredential
from tests.base import PersonaTestCase

URL = "/api/v1/credentials/"


class CredentialApiTests(PersonaTestCase):
    def test_an_agency_creates_a_credential_and_sees_the_token_once(self):
        response = self.our.client().post(
            URL, {"name": "nightly", "scopes": ["read"]}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertTrue(body["token"].startswith("ipi_"))
        self.assertEqual(body["agency"], "TH_OIE")
        self.assertEqual(body["scopes"], ["read"])
        detail = self.our.client().get(f"{URL}{body['id']}/").json()
        self.assertNotIn("token", detail)
        credential = ApiCredential.objects.get(pk=body["id"])
        self.assertNotEqual(credential.token_hash, body["token"])

    def test_the_new_token_works_with_its_scopes_only(self):
        body = self.our.client().post(URL, {"name": "r", "scopes": ["read"]}, format="json").json()
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
        self.assertEqual(client.get("/api/v1/codelists/").status_code, 200)
        self.assertProblem(client.get(URL), 403, "permission_denied")

    def test_a_reader_cannot_be_given_submit(self):
        response = self.secretariat.client().post(
            URL, {"name": "x", "scopes": ["submit"], "agency": "RESEARCH_PIPE"}, format="json"
        )
        self.assertProblem(response, 400, "scope_not_allowed")

    def test_unknown_scope_is_a_field_error(self):
        response = self.our.client().post(URL, {"name": "x", "scopes": ["root"]}, format="json")
        body = self.assertProblem(response, 400, "invalid")
        self.assertEqual(body["errors"][0]["field"], "scopes")

    def test_an_expiry_in_the_past_is_refused(self):
        response = self.our.client().post(
            URL,
            {"name": "x", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"},
            format="json",
        )
        self.assertProblem(response, 400, "expiry_in_past")

    def test_a_reporter_lists_only_its_own_credentials(self):
        ids = {c["agency"] for c in self.our.client().get(URL).json()["results"]}
        self.assertEqual(ids, {"TH_OIE"})

    def test_the_secretariat_lists_all_credentials(self):
        ids = {
            c["agency"] for c in self.secretariat.client().get(URL + "?limit=500").json()["results"]
        }
        self.assertTrue({"TH_OIE", "VN_NSO", "MKG_SEC", "RESEARCH_PIPE"} <= ids)

    def test_another_agencys_credential_is_not_found(self):
        url = f"{URL}{self.other.credential.pk}/"
        self.assertProblem(self.our.client().get(url), 404)
        self.assertProblem(self.our.client().post(url + "revoke/"), 404)
        self.other.credential.refresh_from_db()
        self.assertIsNone(self.other.credential.revoked_at)

    def test_a_reporter_cannot_create_for_another_agency(self):
        response = self.our.client().post(
            URL, {"name": "x", "scopes": ["read"], "agency": "VN_NSO"}, format="json"
        )
        self.assertProblem(response, 403, "permission_denied")
        self.assertFalse(ApiCredential.objects.filter(agency_id="VN_NSO", name="x").exists())

    def test_the_secretariat_creates_for_another_agency(self):
        response = self.secretariat.client().post(
            URL, {"name": "for-vn", "scopes": ["submit", "read"], "agency": "VN_NSO"}, format="json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["agency"], "VN_NSO")

    def test_revoking_stops_the_token_at_once_and_is_idempotent(self):
        body = (
            self.our.client().post(URL, {"name": "tmp", "scopes": ["read"]}, format="json").json()
        )
        first = self.our.client().post(f"{URL}{body['id']}/revoke/").json()
        second = self.our.client().post(f"{URL}{body['id']}/revoke/").json()
        self.assertIsNotNone(first["revoked_at"])
        self.assertEqual(first["revoked_at"], second["revoked_at"])
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
        self.assertProblem(client.get("/api/v1/codelists/"), 401)
