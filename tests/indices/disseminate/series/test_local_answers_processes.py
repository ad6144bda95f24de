"""Answers from memory across real web processes (gunicorn, 2 workers): once both answer a
repeated request without the Redis script, a publication and a revocation made in another
process (this one) act on the very next request to either (ipi_exchange/local_caches.py)."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest

from countries.models import Agency
from countries.services import credential_revoke
from tests.base import make_persona
from tests.indices.disseminate.series.test_local_answers import script_runs
from tests.indices.publishing import monthly_csv, publish, year_2021
from tests.workers import ROOT, wait_until, worker_environment

pytestmark = [pytest.mark.e2e]

URL = "/api/v1/data/M.TH.C.N.IX"


@pytest.fixture
def web(seeded, tmp_path):
    """gunicorn with two workers on the test database; credentials kept in Redis (and so in
    the processes' memory) as in production."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-c", "ipi_exchange/gunicorn.conf.py"),
            *("ipi_exchange.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"),
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=worker_environment(IPI_TEST_CREDENTIAL_TOUCH_SECONDS="60"),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(up, timeout=60), log.read_text()[-3000:]
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_process_follows_a_publication_and_a_revocation_at_once(web):
    publish(monthly_csv("TH", "C", year_2021()))
    persona = make_persona(Agency.objects.get(pk="TH_OIE"), scopes=("read",), name="pipeline")
    auth = {"Authorization": f"Bearer {persona.token}"}

    def burst() -> list[httpx.Response]:
        # A connection each: gunicorn hands them to either worker.
        return [httpx.get(web + URL, headers=auth, timeout=10) for _ in range(12)]

    def both_from_memory() -> bool:
        return script_runs(burst) == 0

    assert wait_until(both_from_memory, timeout=30)

    publish(monthly_csv("TH", "C", {"2022-01": 111.5}))
    answers = burst()
    assert {r.status_code for r in answers} == {200}
    assert {r.json()["series"][0]["observations"][-1]["value"] for r in answers} == {111.5}

    assert wait_until(both_from_memory, timeout=30)
    credential_revoke(credential=persona.credential)
    assert {r.status_code for r in burst()} == {401}
