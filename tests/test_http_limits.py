"""Requests too large for the service get problem+json answers from a real gunicorn, like every
other 4xx (README: "Every 4xx and 5xx answer is application/problem+json"): over-long addresses
(414) and header fields (431), whatever gunicorn's own limits; and bodies sent with
`Transfer-Encoding: chunked` are read (Django alone sees no body without a Content-Length)."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest

from tests.workers import ROOT, wait_until, worker_environment

pytestmark = [pytest.mark.e2e]

MAX_UPLOAD_BYTES = 4096


@pytest.fixture(scope="module")
def web(django_db_setup, tmp_path_factory):
    """The base URL of gunicorn started as dev.py and the Dockerfile start it (its config file),
    serving the test database, with a small upload limit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    files = tmp_path_factory.mktemp("files")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "ipi_exchange/gunicorn.conf.py",
            "ipi_exchange.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=worker_environment(
            IPI_FILE_STORE=str(files), IPI_MAX_UPLOAD_BYTES=str(MAX_UPLOAD_BYTES)
        ),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(up, timeout=60), log_path.read_text()[-3000:]
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"] == f"urn:ipi-exchange:problem:{code}"
    assert body["title"] and body["detail"]
    return body


def test_a_9000_character_series_key_is_414_problem_json(web):
    response = httpx.get(f"{web}/api/v1/data/{'M.TH.C.N.IX+' * 750}", timeout=10)
    body = assert_problem(response, 414, "uri_too_long")
    assert body["max_length"] == 8190
    # Below the limit, the request reaches the API (no token here: 401, not gunicorn's 414).
    response = httpx.get(f"{web}/api/v1/data/{'M.TH.C.N.IX+' * 400}", timeout=10)
    assert_problem(response, 401, "not_authenticated")


def test_a_9000_character_header_is_431_problem_json(web):
    response = httpx.get(f"{web}/api/v1/", headers={"X-Note": "n" * 9000}, timeout=10)
    body = assert_problem(response, 431, "header_too_large")
    assert body["header"] == "X-Note"
    response = httpx.get(f"{web}/api/v1/", headers={"Authorization": "Bearer " + "t" * 9000})
    assert_problem(response, 431, "header_too_large")
