from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from countries.models import ApiCredential
from countries.services import credential_revoke
from countries.tokens import token_hash
from tests.base import PersonaTestCase, make_persona

URL = "/api/v1/codelists/"


class BearerAuthenticationTests(PersonaTestCase):
    def test_a_request_without_token_gets_401_problem_json_with_challenge(self):
        response = APIClient().get(URL)
        body = self.assertProblem(response, 401, "not_authenticated")
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="ipi_exchange"')
        self.assertIn("type", body)

    def test_a_wrong_token_gets_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer ipi_not-a-real-token")
        self.assertProblem(client.get(URL), 401, "authentication_failed")

    def test_a_malformed_header_gets_401_with_a_hint(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer two words")
        body = self.assertProblem(client.get(URL), 401, "authentication_failed")
        self.assertIn("Bearer <token>", body["detail"])

    def test_another_scheme_gets_401_naming_the_bearer_scheme(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token ipi_abc")
        body = self.assertProblem(client.get(URL), 401, "authentication_failed")
        self.assertEqual(
            body["detail"],
            "The Authorization header uses the 'Token' scheme; send "
            "`Authorization: Bearer <token>`.",
        )

    def test_a_non_ascii_token_gets_401_not_500(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer ทดสอบ".encode().decode("latin-1"))
        self.assertProblem(client.get(URL), 401)

    def test_a_valid_token_lists_the_codelists(self):
        response = self.our.client().get(URL)
        self.assertEqual(response.status_code, 200)
        ids = {codelist["id"] for codelist in response.json()}
        self.assertEqual(
            ids,
            {
                "CL_FREQ",
                "CL_AREA",
                "CL_ACTIVITY_ISIC4",
                "CL_ADJUSTMENT",
                "CL_TRANSFORMATION",
                "CL_OBS_STATUS",
                "CL_UNIT_MEASURE",
            },
        )

    def test_a_revoked_token_is_refused(self):
        persona = make_persona(self.our.agency, name="to-revoke")
        credential_revoke(credential=persona.credential)
        self.assertProblem(persona.client().get(URL), 401, "authentication_failed")

    def test_an_expired_token_is_refused(self):
        persona = make_persona(self.our.agency, name="short-lived")
        ApiCredential.objects.filter(pk=persona.credential.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        self.assertProblem(persona.client().get(URL), 401, "authentication_failed")

    def test_a_token_of_a_deactivated_agency_is_refused(self):
        persona = make_persona(self.other.agency, name="inactive")
        persona.agency.is_active = False
        persona.agency.save()
        self.assertProblem(persona.client().get(URL), 401)

    def test_tokens_are_stored_hashed_never_in_clear(self):
        credential = ApiCredential.objects.get(pk=self.our.credential.pk)
        self.assertEqual(credential.token_hash, token_hash(self.our.token))
        stored = [str(value) for value in ApiCredential.objects.values_list(flat=False)]
        self.assertFalse(any(self.our.token in row for row in stored))
        self.assertTrue(self.our.token.startswith(credential.prefix))

    def test_use_records_the_last_used_time(self):
        persona = make_persona(self.our.agency, name="fresh")
        self.assertIsNone(persona.credential.last_used_at)
        persona.client().get(URL)
        persona.credential.refresh_from_db()
        self.assertIsNotNone(persona.credential.last_used_at)

    def test_health_schema_and_docs_need_no_token(self):
        client = APIClient()
        self.assertEqual(client.get("/healthz").status_code, 200)
        self.assertEqual(client.get("/api/schema/").status_code, 200)
        self.assertEqual(client.get("/api/docs/").status_code, 200)
