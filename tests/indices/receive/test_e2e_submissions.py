"""End to end with a real Celery worker process: one upload per format, and a worker killed
with SIGKILL in the middle of a validation."""

from __future__ import annotations

import os
import signal
import time

import pytest
from rest_framework.test import APIClient

from indices.national.models import NationalObservation
from indices.publish.models import Release
from indices.receive.models import Submission
from indices.validate.models import Finding, SubmissionRow
from indices.validate.sweeper import submissions_requeue_stalled
from tests.api_clients import TERMINAL, client_for, upload
from tests.indices.corpus import CORPUS, load_concordances, manifest
from tests.reliability.helpers import children
from tests.workers import start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

ONE_GOOD_FILE_PER_FORMAT = {}
for _entry in manifest():
    if _entry["file"].startswith("good/") and _entry.get("format"):
        ONE_GOOD_FILE_PER_FORMAT.setdefault(_entry["format"], _entry)


def wait_for_status(client: APIClient, url: str, timeout: float = 90) -> dict:
    state = {}

    def finished() -> bool:
        state.update(client.get(url).json())
        return state["status"] in TERMINAL

    assert wait_until(finished, timeout=timeout, interval=0.3), state
    return state


@pytest.mark.parametrize("fmt", sorted(ONE_GOOD_FILE_PER_FORMAT))
def test_each_format_through_a_real_worker(worker, fmt):
    entry = ONE_GOOD_FILE_PER_FORMAT[fmt]
    load_concordances()
    agency = entry.get("agency", "TH_OIE")
    client = client_for(agency)
    path = CORPUS / entry["file"]
    created = upload(client, path.name, path.read_bytes(), acknowledge_warnings="true")
    done = wait_for_status(client, created["url"])
    assert done["file"]["detected_format"] == fmt
    assert done["summary"]["errors"] == 0, client.get(created["report_url"]).json()
    assert done["status"] == "ACCEPTED"
    assert done["progress"]["rows_read"] > 0
    # Then published by the same worker: its rows are staged from the kept file and stored.
    assert wait_until(
        lambda: Release.objects.filter(submission_id=created["id"], status="PUBLISHED").exists(),
        timeout=90,
        interval=0.3,
    )
    assert NationalObservation.objects.filter(submission_id=created["id"]).count() > 0


def big_csv(rows: int, bad_every: int) -> bytes:
    """A long CSV of `rows` monthly observations over many series; every `bad_every`th value
    is 'NaN' (an E06 finding), so a complete run has exactly rows // bad_every findings."""
    lines = ["REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"]
    activities = [f"{d:02d}" for d in range(10, 34)]
    adjustments = "NSWYT"
    index = 0
    for activity in activities:
        for adjustment in adjustments:
            for year in range(1950, 2026):
                for month in range(1, 13):
                    if index == rows:
                        return ("\n".join(lines) + "\n").encode()
                    index += 1
                    value = "NaN" if index % bad_every == 0 else f"{100 + (index % 7) * 0.5:.1f}"
                    lines.append(f"TH,{activity},{adjustment},{year}-{month:02d},{value},2021")
    raise AssertionError("not enough series for that many rows")


def test_a_worker_killed_mid_validation_is_recovered_with_exactly_one_set_of_findings(
    worker, settings, worker_file_store, tmp_path
):
    settings.IPI_VALIDATING_GRACE_SECONDS = 1
    rows, bad_every = 100_000, 97
    client = client_for()
    stop_worker(worker)  # this test runs its own workers
    # Paced: the validation pauses between its steps, so the kill lands inside it.
    victim, _ = start_worker(
        tmp_path / "victim.log", paced=True, IPI_FILE_STORE=str(worker_file_store)
    )
    try:
        created = upload(client, "big.csv", big_csv(rows, bad_every))
        started = wait_until(
            lambda: client.get(created["url"]).json()["progress"]["rows_read"] > 0,
            timeout=60,
            interval=0.05,
        )
        assert started, (tmp_path / "victim.log").read_text()[-3000:]
        # Kill the whole worker (main process and pool child) without warning.
        for child in children(victim.pid):
            os.kill(child, signal.SIGKILL)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    finally:
        stop_worker(victim)
    submission = Submission.objects.get(pk=created["id"])
    assert submission.status == "VALIDATING"
    assert Finding.objects.filter(submission=submission).count() == 0  # rolled back
    assert SubmissionRow.objects.filter(submission=submission).count() == 0
    time.sleep(1.1)
    assert submissions_requeue_stalled() == [str(submission.pk)]
    rescuer, _ = start_worker(tmp_path / "rescuer.log", IPI_FILE_STORE=str(worker_file_store))
    try:
        done = wait_for_status(client, created["url"], timeout=180)
    finally:
        stop_worker(rescuer)
    assert done["status"] == "REJECTED"
    assert done["attempts"] == 2
    e06 = Finding.objects.filter(submission=submission, rule_id="E06")
    assert done["summary"]["by_rule"]["E06"]["count"] == rows // bad_every
    assert e06.count() == min(rows // bad_every, 1000)
    assert e06.values("row").distinct().count() == e06.count()  # no finding twice
    assert SubmissionRow.objects.filter(submission=submission).count() in (0, rows)
