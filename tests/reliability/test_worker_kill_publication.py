"""Fault trials: a worker killed with SIGKILL in the middle of a publication, ten times.

"Publishing" is observed from outside: the release's attempt counter is committed just before
the publishing transaction, and the publisher holds its advisory lock (pg_locks) throughout.
The kill comes at once or a little later, and kills either the pool process (the message comes
back by itself) or the whole worker (the beat's next scan, simulated here, publishes it). After
each kill: no partial release (nothing published, the national store untouched); afterwards the
release is published exactly once, with no duplicated current value.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from indices.national.models import NationalObservation
from indices.publish.models import PublishedObservation, Release
from indices.publish.releases import PUBLICATION_LOCK
from indices.publish.tasks import publish_releases
from tests.indices.publishing import accept, csv_for
from tests.reliability.helpers import Workers, kill_pool_children, kill_whole_worker
from tests.workers import wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

SERIES, YEARS = 60, range(2004, 2026)
TRIALS = [((0.0, 0.15)[i % 2], ("pool", "pool", "worker", "worker")[i % 4]) for i in range(10)]


@pytest.fixture(scope="module")
def workers(worker_file_store, tmp_path_factory, django_db_setup, django_db_blocker):
    pool = Workers(tmp_path_factory.mktemp("publish-logs"), IPI_FILE_STORE=str(worker_file_store))
    yield pool
    pool.stop()


def _lock_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
            [PUBLICATION_LOCK],
        )
        return cursor.fetchone()[0] > 0


def _publishing(release_id: int) -> bool:
    release = Release.objects.get(pk=release_id)
    return release.attempts >= 1 and release.status == "SCHEDULED" and _lock_held()


@pytest.mark.parametrize(
    ("delay", "victim"), TRIALS, ids=[f"after{d}s-{v}-{i}" for i, (d, v) in enumerate(TRIALS)]
)
def test_a_worker_killed_mid_publication_leaves_no_partial_release(workers, delay, victim):
    submission = accept(csv_for(SERIES, YEARS), release_at=timezone.now() + timedelta(days=1))
    release = Release.objects.get(submission=submission)
    worker = workers.ensure()
    Release.objects.filter(pk=release.pk).update(release_at=timezone.now())
    publish_releases.delay()
    assert wait_until(lambda: _publishing(release.pk), timeout=60, interval=0.01), workers.tail()
    time.sleep(delay)
    assert _publishing(release.pk), "publication ended before the kill: use a bigger file"
    if victim == "pool":
        assert kill_pool_children(worker)
    else:
        kill_whole_worker(worker)
        # Nothing can have been published by anyone: the only worker is dead.
        release.refresh_from_db()
        assert release.status == "SCHEDULED"
        assert release.attempts == 1
        assert not PublishedObservation.objects.exists()
        assert not NationalObservation.objects.exists()  # the store change rolled back too
        assert wait_until(lambda: not _lock_held(), timeout=10)  # died with its connection
        workers.ensure()
        publish_releases.delay()  # the beat's next scan

    assert wait_until(
        lambda: Release.objects.get(pk=release.pk).status == "PUBLISHED", timeout=120
    ), workers.tail()
    publish_releases.delay().get(timeout=60)  # once more: nothing left to do
    release.refresh_from_db()
    assert release.attempts == 2
    assert NationalObservation.objects.count() == SERIES * len(YEARS) * 12
    current = PublishedObservation.objects.filter(valid_to__isnull=True)
    duplicates = (
        current.values("series_key", "period_start").order_by().annotate(n=Count("*"))
    ).filter(n__gt=1)
    assert not duplicates.exists()
    assert PublishedObservation.objects.exclude(release=release).count() == 0
    assert current.filter(release=release).count() == PublishedObservation.objects.count()
