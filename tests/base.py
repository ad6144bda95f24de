"""Named personas for API tests, like alice/bob/charlie in healthchecks' hc/test.py.

- `our`: Thailand's OIE, a reporter (the agency under test)
- `other`: Viet Nam's NSO, another reporter
- `secretariat`: MKG_SEC
- `reader`: a research pipeline with a read-only token
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import TestCase
from rest_framework.test import APIClient

from countries.models import Agency, ApiCredential
from tests.factories import ReaderAgencyFactory, credential_for


@dataclass
class Persona:
    agency: Agency
    credential: ApiCredential
    token: str

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        return client


def make_persona(agency: Agency, **kwargs) -> Persona:
    credential, token = credential_for(agency, **kwargs)
    return Persona(agency=agency, credential=credential, token=token)


class PersonaTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.our = make_persona(Agency.objects.get(pk="TH_OIE"))
        cls.other = make_persona(Agency.objects.get(pk="VN_NSO"))
        cls.secretariat = make_persona(Agency.objects.get(pk="MKG_SEC"))
        cls.reader = make_persona(ReaderAgencyFactory(id="RESEARCH_PIPE"))

    def assertProblem(self, response, status: int, code: str | None = None) -> dict:
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = response.json()
        self.assertEqual(body["status"], status)
        self.assertTrue(body["detail"])
        if code is not None:
            self.assertEqual(body["code"], code, body)
        return body
