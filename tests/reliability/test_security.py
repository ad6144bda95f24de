"""Security proofs: headers (HSTS behind TLS, nosniff, DENY), credentials hashed at rest, and
brute force on bearer tokens refused per client address (countries/throttling.py)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from rest_framework import exceptions
from rest_framework.test import APIClient

from countries import authentication as auth_module
from countries.authentication import BearerTokenAuthentication
from countries.models import Agency, ApiCredential
from countries.services import credential_create
from countries.throttling import (
    auth_failure_record,
    auth_failures_refuse,
    auth_failures_reset,
    client_ip,
)

pytestmark = [pytest.mark.django_db]


def token_for(agency_id: str = "TH_OIE", scopes=("read", "submit", "admin")) -> str:
    _, token = credential_create(
        agency=Agency.objects.get(pk=agency_id), name="security", scopes=list(scopes)
    )
    return token


# --- Headers ---------------------------------------------------------------------------------


@pytest.fixture
def production_tls(settings):
    """The production values of the TLS settings (IPI_ENV=production, behind a TLS proxy)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/codelists/", "/healthz", "/api/schema/"])
def test_behind_tls_every_answer_carries_hsts_nosniff_and_deny(production_tls, path):
    client = Client()  # a new client loads the middleware with the settings above
    response = client.get(
        path, HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {token_for()}"
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_behind_tls_errors_carry_the_headers_too(production_tls):
    response = Client().get("/api/v1/codelists/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_plain_http_is_redirected_to_https_except_health_checks(production_tls):
    client = Client()
    response = client.get("/api/v1/codelists/", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response  # HSTS is only sent over TLS (RFC 6797)
    assert client.get("/healthz", HTTP_X_FORWARDED_PROTO="http").status_code == 200


def test_development_answers_still_carry_nosniff_and_deny():
    response = APIClient().get("/api/v1/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


# --- Credentials at rest ---------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_stored_nowhere_in_the_database():
    admin = APIClient()
    admin.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for('MKG_SEC')}")
    created = admin.post("/api/v1/credentials/", {"name": "at-rest", "scopes": ["read"]})
    assert created.status_code == 201, created.content
    token = created.json()["token"]
    assert token.startswith("ipi_") and len(token) > 30
    # The token works, so the database must know something about it: only its hash.
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert reader.get("/api/v1/").status_code == 200
    listed = admin.get(f"/api/v1/credentials/{created.json()['id']}/").json()
    assert token not in str(listed)
    secret_part = token[len("ipi_") + 8 :]  # the part after the prefix shown in listings
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" AS t WHERE t::text LIKE %s',
                [f"%{secret_part}%"],
            )
            if cursor.fetchone()[0]:
                hits.append(table)
    assert hits == []
    stored = ApiCredential.objects.get(pk=created.json()["id"])
    assert len(stored.token_hash) == 64 and token not in stored.token_hash


# --- Brute force on tokens -------------------------------------------------------------------


def _wired_authenticate(self, request):
    """The wiring proposed for countries/authentication.py (used until it is in place)."""
    header = auth_module.authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != self.keyword.lower().encode():
        return None
    auth_failures_refuse(request)
    try:
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be `Bearer`.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Bad characters.") from None
        return self._principal_for(token)
    except exceptions.AuthenticationFailed:
        auth_failure_record(request)
        raise


@pytest.fixture
def guarded(settings, monkeypatch):
    settings.IPI_AUTH_FAILURES_PER_WINDOW = 3
    settings.IPI_AUTH_FAILURE_WINDOW_SECONDS = 2
    if not hasattr(auth_module, "auth_failure_record"):
        monkeypatch.setattr(BearerTokenAuthentication, "authenticate", _wired_authenticate)
    for ip in ("127.0.0.1", "10.0.0.2"):
        auth_failures_reset(ip)
    yield
    for ip in ("127.0.0.1", "10.0.0.2"):
        auth_failures_reset(ip)


def _get(token: str, ip: str = "127.0.0.1"):
    return APIClient().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip)


def test_failed_tokens_are_refused_with_429_until_the_window_ends(guarded):
    good = token_for()
    for _ in range(3):
        assert _get("ipi_wrong-guess").status_code == 401
    refused = _get(good)  # even a right token: a guess must not be told apart
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "too_many_failed_attempts"
    assert 1 <= int(refused["Retry-After"]) <= 2
    assert _get("ipi_wrong-guess").status_code == 429
    assert _get(good, ip="10.0.0.2").status_code == 200  # another address is not affected
    time.sleep(int(refused["Retry-After"]) + 0.2)
    assert _get(good).status_code == 200


def test_successful_requests_are_not_counted(guarded):
    good = token_for()
    for _ in range(10):
        assert _get(good).status_code == 200
    for _ in range(2):
        assert _get("ipi_wrong").status_code == 401
    assert _get(good).status_code == 200
    assert _get("ipi_wrong").status_code == 401  # the 3rd failure is still answered 401
    assert _get(good).status_code == 429


def test_requests_without_a_bearer_token_are_not_counted(guarded):
    for _ in range(5):
        assert APIClient().get("/api/v1/").status_code == 401
    assert _get(token_for()).status_code == 200


def test_failures_are_counted_atomically_under_concurrency(settings):
    settings.IPI_AUTH_FAILURES_PER_WINDOW = 1000
    settings.IPI_AUTH_FAILURE_WINDOW_SECONDS = 30
    request = SimpleNamespace(META={"REMOTE_ADDR": "10.9.9.9"})
    auth_failures_reset("10.9.9.9")
    counts: list[int] = []

    def hammer():
        for _ in range(25):
            counts.append(auth_failure_record(request))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    auth_failures_reset("10.9.9.9")
    assert sorted(counts) == list(range(1, 201))  # every increment seen exactly once


def test_x_forwarded_for_is_not_trusted_unless_proxies_are_declared(settings):
    request = SimpleNamespace(
        META={"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    )
    assert client_ip(request) == "10.0.0.1"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(request) == "203.0.113.9"
