"""Answers from memory across real web processes (gunicorn, 2 workers): once both answer a
repeated request without the Redis script, a publication and a revocation made in another
process (this one) act on the very next request to either (ipi_exchange/local_caches.py)."""

from __future__ import annotations

import httpx
import pytest

from countries.models import Agency
from countries.services import credential_revoke
from tests.base import make_persona
from tests.indices.disseminate.series.test_local_answers import script_runs
from tests.indices.publishing import monthly_csv, publish, year_2021
from tests.workers import gunicorn_serving, wait_until

pytestmark = [pytest.mark.e2e]

URL = "/api/v1/data/M.TH.C.N.IX"


@pytest.fixture
def web(seeded, tmp_path):
    """gunicorn with two workers on the test database; credentials kept in Redis (and so in
    the processes' memory) as in production."""
    with gunicorn_serving(
        tmp_path / "gunicorn.log",
        *("-c", "ipi_exchange/gunicorn.conf.py", "--workers", "2"),
        IPI_TEST_CREDENTIAL_TOUCH_SECONDS="60",
    ) as (base, _):
        yield base


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
