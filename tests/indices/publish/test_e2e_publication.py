"""Publication end to end with real worker and beat processes: an embargo ends on time, and a
worker killed in the middle of a publication leaves no partial release."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from indices.national.models import NationalObservation
from indices.publish.models import PublishedObservation, Release
from indices.publish.releases import PUBLICATION_LOCK
from indices.publish.tasks import publish_releases
from tests.indices.publishing import accept, csv_for
from tests.workers import start_beat, start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


def test_an_embargoed_release_is_published_by_the_worker_at_its_instant(settings, tmp_path):
    release_at = timezone.now() + timedelta(seconds=8)
    submission = accept(csv_for(2, range(2021, 2023)), release_at=release_at)
    worker, _ = start_worker(tmp_path / "worker.log")
    beat = start_beat(tmp_path)
    try:
        time.sleep(3)
        assert timezone.now() < release_at
        assert not PublishedObservation.objects.exists()  # still under embargo
        assert wait_until(
            lambda: Release.objects.get(submission=submission).status == "PUBLISHED",
            timeout=60,
        ), (tmp_path / "worker.log").read_text()[-2000:]
    finally:
        stop_worker(beat)
        stop_worker(worker)
    release = Release.objects.get(submission=submission)
    assert release.published_at >= release_at
    assert release.published_at - release_at < timedelta(seconds=30)
    assert PublishedObservation.objects.filter(release=release).exists()
    assert PublishedObservation.objects.filter(valid_from__lt=release_at).count() == 0


def test_a_worker_killed_during_publication_leaves_no_partial_release(tmp_path):
    submission = accept(
        csv_for(60, range(1995, 2026)), release_at=timezone.now() + timedelta(days=1)
    )
    release = Release.objects.get(submission=submission)
    Release.objects.filter(pk=release.pk).update(release_at=timezone.now())
    victim, _ = start_worker(tmp_path / "victim.log")
    try:
        publish_releases.delay()

        def publishing() -> bool:
            # The attempt is counted (committed) just before the publishing transaction.
            if Release.objects.get(pk=release.pk).attempts < 1:
                return False
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                    [PUBLICATION_LOCK],
                )
                return cursor.fetchone()[0] > 0

        assert wait_until(publishing, timeout=60, interval=0.02), (
            tmp_path / "victim.log"
        ).read_text()[-3000:]
        import psutil

        for child in psutil.Process(victim.pid).children(recursive=True):
            os.kill(child.pid, signal.SIGKILL)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    finally:
        stop_worker(victim)
    release.refresh_from_db()
    assert release.status == "SCHEDULED"
    assert not PublishedObservation.objects.exists()
    assert not NationalObservation.objects.exists()  # the national store change rolled back too
    rescuer, _ = start_worker(tmp_path / "rescuer.log")
    try:
        publish_releases.delay()
        assert wait_until(
            lambda: Release.objects.get(pk=release.pk).status == "PUBLISHED", timeout=120
        ), (tmp_path / "rescuer.log").read_text()[-3000:]
        publish_releases.delay().get(timeout=60)  # once more: nothing to do
    finally:
        stop_worker(rescuer)
    release.refresh_from_db()
    assert release.attempts == 2
    assert NationalObservation.objects.count() == 60 * 31 * 12
    duplicates = (
        PublishedObservation.objects.filter(valid_to__isnull=True)
        .values("series_key", "period_start")
        .order_by()
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("*"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert PublishedObservation.objects.exclude(release=release).count() == 0
