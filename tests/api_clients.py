"""API clients of the end-to-end tests: a reporter's token, an upload answered 202, and the
statuses a validation ends in."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from countries.models import Agency
from countries.services import credential_create

TERMINAL = {"REJECTED", "NEEDS_CONFIRMATION", "ACCEPTED", "VALIDATED"}


def client_for(agency_id: str = "TH_OIE", scopes=("submit", "read")) -> APIClient:
    _, token = credential_create(
        agency=Agency.objects.get(pk=agency_id), name="e2e", scopes=list(scopes)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def upload(client: APIClient, name: str, content: bytes, **options) -> dict:
    response = client.post(
        "/api/v1/submissions/",
        {"file": SimpleUploadedFile(name, content), **options},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    return response.json()
