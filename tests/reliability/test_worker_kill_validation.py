"""Fault trials: a worker killed with SIGKILL in the middle of a validation, ten times.

The kill moment varies (while the file is being read and staged; while the rules run), and so
does what dies: only the pool process running the task (the worker's main process survives and
the message comes back by itself: acks_late + reject_on_worker_lost), or the whole worker (the
message stays unacknowledged in Redis; the sweeper must re-queue the submission). After each
kill: the API still answers at once, the submission is finished by a worker with exactly one set
of findings, and nothing was staged twice.
"""

from __future__ import annotations

import time

import pytest

from indices.receive import progress
from indices.receive.models import Submission
from indices.validate.models import Finding, SubmissionRow
from indices.validate.sweeper import submissions_requeue_stalled
from tests.api_clients import TERMINAL, client_for, upload
from tests.reliability.helpers import Workers, bad_csv, kill_pool_children, kill_whole_worker
from tests.workers import wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

ROWS, BAD_EVERY = 30_000, 97
# (kill moment, what is killed), alternating so both recovery paths meet both moments.
TRIALS = [
    (("reading", "rules")[i % 2], ("pool", "pool", "worker", "worker")[i % 4]) for i in range(10)
]


@pytest.fixture(scope="module")
def workers(worker_file_store, tmp_path_factory, django_db_setup, django_db_blocker):
    pool = Workers(
        tmp_path_factory.mktemp("kill-logs"), paced=True, IPI_FILE_STORE=str(worker_file_store)
    )
    yield pool
    pool.stop()


def _at_moment(submission_id: str, moment: str) -> bool:
    state = progress.read(submission_id) or {}
    if moment == "reading":
        return state.get("stage") == "reading" and state.get("rows_read", 0) >= 10_000
    return state.get("stage") == "checking"


@pytest.mark.parametrize(("moment", "victim"), TRIALS, ids=[f"{m}-{v}" for m, v in TRIALS])
def test_a_worker_killed_mid_validation_loses_nothing_and_doubles_nothing(
    workers, settings, moment, victim
):
    settings.IPI_VALIDATING_GRACE_SECONDS = 1
    worker = workers.ensure()
    client = client_for()
    salt = TRIALS.index((moment, victim)) * 100 + int(time.time()) % 100
    created = upload(client, "big.csv", bad_csv(ROWS, BAD_EVERY, salt=salt))
    submission_id = created["id"]
    assert wait_until(lambda: _at_moment(submission_id, moment), timeout=60, interval=0.01), (
        progress.read(submission_id),
        workers.tail(),
    )
    if victim == "pool":
        assert kill_pool_children(worker)
    else:
        kill_whole_worker(worker)

    # The API answers at once: the web side shares nothing with the dead worker.
    started = time.monotonic()
    answer = client.get(created["url"])
    assert answer.status_code == 200
    assert time.monotonic() - started < 5
    # The kill rolled the whole attempt back: no finding, no staged row of the first attempt.
    # (A pool kill may already be retried by the time we look, in its own transaction.)
    submission = Submission.objects.get(pk=submission_id)
    assert submission.status in {"VALIDATING"} | TERMINAL

    if victim == "worker":
        assert submission.status == "VALIDATING"
        assert Finding.objects.filter(submission_id=submission_id).count() == 0
        assert SubmissionRow.objects.filter(submission_id=submission_id).count() == 0
        time.sleep(1.1)  # past IPI_VALIDATING_GRACE_SECONDS
        assert str(submission_id) in submissions_requeue_stalled()
        workers.ensure()  # a fresh worker takes the re-queued submission

    state = {}

    def finished() -> bool:
        state.update(client.get(created["url"]).json())
        return state["status"] in TERMINAL

    assert wait_until(finished, timeout=120, interval=0.2), (state, workers.tail())
    if victim == "pool":
        workers.ready_pool()

    assert state["status"] == "REJECTED"
    assert state["attempts"] == 2, state
    expected = ROWS // BAD_EVERY
    assert state["summary"]["by_rule"]["E06"]["count"] == expected
    e06 = Finding.objects.filter(submission_id=submission_id, rule_id="E06")
    assert e06.count() == expected
    assert e06.values("row").distinct().count() == expected  # no finding twice
    assert set(
        Finding.objects.filter(submission_id=submission_id).values_list("rule_id", flat=True)
    ) <= set(state["summary"]["by_rule"])
    staged = SubmissionRow.objects.filter(submission_id=submission_id)
    assert staged.count() in (0, ROWS)
    assert staged.values("row_no").distinct().count() == staged.count()  # no row twice
