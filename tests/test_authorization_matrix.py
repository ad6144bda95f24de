"""Every persona against every endpoint: the expected status of each pair, in one table.

Personas: anon (no token), our (reporter, all scopes), our_read (reporter, read-only token),
other (another reporter), secretariat, reader, revoked (a revoked token), expired (an expired
token). Grows with every endpoint added.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from countries.models import ApiCredential
from countries.services import credential_revoke
from indices.receive.models import Submission
from tests.base import PersonaTestCase, make_persona

PERSONAS = ("anon", "our", "our_read", "other", "secretariat", "reader", "revoked", "expired")
# A revoked or expired token is refused everywhere, exactly like no token at all.
REFUSED_TOKENS = ("revoked", "expired")
_counter = itertools.count()


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def _two_letters() -> str:
    n = next(_counter)
    return "Z" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26]


# (method, url, body factory or None, {persona: expected status})
ANY_TOKEN = {
    "anon": 401,
    "our": 200,
    "our_read": 200,
    "other": 200,
    "secretariat": 200,
    "reader": 200,
}
SECRETARIAT_WRITES = {
    "anon": 401,
    "our": 403,
    "our_read": 403,
    "other": 403,
    "secretariat": 201,
    "reader": 403,
}
ADMIN_SCOPE = {
    "anon": 401,
    "our": 200,
    "our_read": 403,
    "other": 200,
    "secretariat": 200,
    "reader": 403,
}

SUBMISSION_READS = {
    "anon": 401,
    "our": 200,
    "our_read": 200,
    "other": 200,
    "secretariat": 200,
    "reader": 403,
}

MATRIX = [
    ("get", "/api/v1/", None, ANY_TOKEN),
    ("get", "/api/v1/standard/", None, ANY_TOKEN),
    ("get", "/api/v1/codelists/", None, ANY_TOKEN),
    ("get", "/api/v1/codelists/CL_AREA/", None, ANY_TOKEN),
    ("get", "/api/v1/countries/", None, ANY_TOKEN),
    ("get", "/api/v1/countries/TH/", None, ANY_TOKEN),
    (
        "post",
        "/api/v1/countries/",
        lambda: {"code": _two_letters(), "name": "New member", "aggregates": ["MKG_JP"]},
        SECRETARIAT_WRITES,
    ),
    ("get", "/api/v1/agencies/", None, ANY_TOKEN),
    ("get", "/api/v1/agencies/TH_OIE/", None, ANY_TOKEN),
    (
        "post",
        "/api/v1/agencies/",
        lambda: {"id": _unique("NEW_AGENCY_"), "name": "New", "role": "reader"},
        SECRETARIAT_WRITES,
    ),
    ("get", "/api/v1/credentials/", None, ADMIN_SCOPE),
    (
        "post",
        "/api/v1/credentials/",
        lambda: {"name": _unique("k"), "scopes": ["read"]},
        {**ADMIN_SCOPE, "our": 201, "other": 201, "secretariat": 201},
    ),
    ("get", "/api/v1/credentials/{target}/", None, {**ADMIN_SCOPE, "other": 404}),
    ("post", "/api/v1/credentials/{target}/revoke/", None, {**ADMIN_SCOPE, "other": 404}),
    ("get", "/api/v1/submissions/", None, SUBMISSION_READS),
    (
        "post",
        "/api/v1/submissions/",
        lambda: {"observations": [{"REF_AREA": _unique("x")}]},
        {**SUBMISSION_READS, "our": 202, "our_read": 403, "other": 202, "secretariat": 403},
    ),
    ("get", "/api/v1/submissions/{submission}/", None, {**SUBMISSION_READS, "other": 404}),
    ("get", "/api/v1/submissions/{submission}/report", None, {**SUBMISSION_READS, "other": 404}),
    (
        "post",
        "/api/v1/submissions/{submission}/confirm/",
        None,
        {**SUBMISSION_READS, "our_read": 403, "other": 404},
    ),
    ("get", "/api/v1/submissions/templates/", None, {**SUBMISSION_READS, "secretariat": 400}),
    ("get", "/api/v1/weights/", None, ANY_TOKEN),
    (
        "post",
        "/api/v1/weights/",
        lambda: {"weights": [{"country": "TH", "activity": "C", "year": 2021, "value_added": "1"}]},
        SECRETARIAT_WRITES,
    ),
    ("get", "/api/v1/audit/", None, {**SECRETARIAT_WRITES, "secretariat": 200}),
    ("get", "/api/v1/series/", None, ANY_TOKEN),
    (
        "get",
        "/api/v1/data/M.TH.C.N.IX",
        None,
        {**ANY_TOKEN, **{p: 404 for p in PERSONAS if p != "anon"}},
    ),  # nothing published yet
    ("get", "/api/v1/releases/", None, ANY_TOKEN),
    ("get", "/api/v1/bulk/data.csv", None, ANY_TOKEN),
    ("get", "/api/v1/webhooks/", None, ANY_TOKEN),
    (
        "post",
        "/api/v1/webhooks/",
        lambda: {"url": f"http://127.0.0.1:9/{_unique('h')}"},
        {**ANY_TOKEN, **{p: 201 for p in PERSONAS if p != "anon"}},
    ),
    ("get", "/sdmx/dataflow/MKG/DF_IPI/1.0", None, ANY_TOKEN),
    (
        "get",
        "/sdmx/data/DF_IPI/M.TH.C.N.IX",
        None,
        {**ANY_TOKEN, **{p: 404 for p in PERSONAS if p != "anon"}},
    ),
    ("get", "/api/v1/classifications/", None, ANY_TOKEN),
    (
        "post",
        "/api/v1/classifications/",
        lambda: {"id": _unique("NEWCLASS"), "name": "New", "country": "KH"},
        SECRETARIAT_WRITES,
    ),
    (
        "get",
        "/api/v1/classifications/TSIC2009/concordance/",
        None,
        {**ANY_TOKEN, **{p: 404 for p in PERSONAS if p != "anon"}},
    ),  # none uploaded yet
    (
        "post",
        "/api/v1/classifications/TSIC2009/concordance/",
        lambda: {"entries": [{"national_code": "1011", "isic_code": "10"}]},
        SECRETARIAT_WRITES,
    ),
]

PUBLIC = ["/healthz", "/api/schema/", "/api/docs/"]


class AuthorizationMatrixTests(PersonaTestCase):
    def client_for(self, persona: str) -> APIClient:
        if persona == "anon":
            return APIClient()
        return getattr(self, persona).client()

    def test_every_persona_against_every_endpoint(self):
        self.our_read = make_persona(self.our.agency, name="read-only", scopes=("read",))
        self.revoked = make_persona(self.our.agency, name="revoked")
        credential_revoke(credential=self.revoked.credential)
        self.expired = make_persona(self.secretariat.agency, name="expired")
        ApiCredential.objects.filter(pk=self.expired.credential.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        for (method, url, body, expected), persona in itertools.product(MATRIX, PERSONAS):
            # A fresh target credential of our agency for each call, so revoking is repeatable.
            target = make_persona(self.our.agency, name=_unique("target")).credential.pk
            submission = Submission.objects.create(
                agency=self.our.agency, sha256="0" * 64, size=1, status="NEEDS_CONFIRMATION"
            )
            address = url.format(target=target, submission=submission.pk)
            with self.subTest(method=method, url=address, persona=persona):
                call = getattr(self.client_for(persona), method)
                response = call(address, body() if body else None, format="json")
                wanted = expected["anon"] if persona in REFUSED_TOKENS else expected[persona]
                self.assertEqual(
                    response.status_code,
                    wanted,
                    getattr(response, "content", b"streamed")[:300],
                )
                if response.status_code >= 400 and not address.startswith("/sdmx/"):
                    self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_public_endpoints_need_no_token(self):
        for url in PUBLIC:
            with self.subTest(url=url):
                self.assertEqual(APIClient().get(url).status_code, 200)
