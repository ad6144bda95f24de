"""Requests too large for the service get problem+json answers from a real gunicorn, like every
other 4xx (README: "Every 4xx and 5xx answer is application/problem+json"): over-long addresses
(414) and header fields (431), whatever gunicorn's own limits; and bodies sent with
`Transfer-Encoding: chunked` are read (Django alone sees no body without a Content-Length)."""

from __future__ import annotations

import httpx
import pytest

from tests.workers import gunicorn_serving

pytestmark = [pytest.mark.e2e]

MAX_UPLOAD_BYTES = 4096


@pytest.fixture(scope="module")
def web(django_db_setup, tmp_path_factory):
    """The base URL of gunicorn started as dev.py and the Dockerfile start it (its config file),
    serving the test database, with a small upload limit."""
    files = tmp_path_factory.mktemp("files")
    with gunicorn_serving(
        tmp_path_factory.mktemp("gunicorn") / "gunicorn.log",
        *("-c", "ipi_exchange/gunicorn.conf.py", "--workers", "1"),
        IPI_FILE_STORE=str(files),
        IPI_MAX_UPLOAD_BYTES=str(MAX_UPLOAD_BYTES),
    ) as (base, _):
        yield base


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


# --- Chunked bodies ----------------------------------------------------------------------------

CSV = (
    b"FREQ,REF_AREA,ACTIVITY,ADJUSTMENT,MEASURE,TIME_PERIOD,OBS_VALUE,UNIT_MULT,BASE_PER\n"
    b"M,TH,C,N,IX,2024-01,101.5,0,2021\n"
)


@pytest.fixture
def submit_token(seeded):
    """A reporter's token, committed so that gunicorn sees it."""
    from countries.models import Agency
    from countries.services import credential_create

    agency = Agency.objects.get(pk="TH_OIE")
    _, token = credential_create(agency=agency, name="chunked", scopes=["submit", "read"])
    return token


def chunks(data: bytes, size: int = 1000):
    """An iterator, so httpx sends `Transfer-Encoding: chunked` and no Content-Length."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def upload(web: str, token: str, content, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{web}/api/v1/submissions/?filename=ipi.csv",
        content=content,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv", **headers},
        timeout=30,
    )


def test_a_chunked_upload_over_the_limit_is_413_like_one_with_a_content_length(web, submit_token):
    from indices.models import Submission

    too_large = CSV + b"M,TH,C,N,IX,2024-02,101.5,0,2021\n" * 4000  # about 130 KB
    chunked = upload(web, submit_token, chunks(too_large))
    assert "content-length" not in chunked.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"
    body = assert_problem(chunked, 413, "upload_too_large")
    assert body["max_bytes"] == MAX_UPLOAD_BYTES

    with_length = upload(web, submit_token, too_large)
    assert with_length.request.headers["content-length"] == str(len(too_large))
    assert assert_problem(with_length, 413, "upload_too_large") == body
    # Over the limit by less than the multipart allowance: refused once read, the same way.
    just_over = CSV + b"M,TH,C,N,IX,2024-02,101.5,0,2021\n" * 150  # about 5 KB
    assert assert_problem(upload(web, submit_token, chunks(just_over)), 413, "upload_too_large")
    assert not Submission.objects.exists()


def test_a_chunked_upload_within_the_limit_is_received(web, submit_token):
    from indices.models import Submission

    response = upload(web, submit_token, chunks(CSV, size=7))
    assert response.status_code == 202, response.text[:500]
    submission = Submission.objects.get()
    assert submission.size == len(CSV)
    assert response.json()["id"]
