"""Seasonal adjustment (H7) end to end with real processes: a member uploads three monthly N
series through the API with an embargo; the main worker validates and publishes them at the
instant (beat), the adjustment worker (`python -m ipi_exchange.worker adjustment`, two
processes) runs the chord of X-13 runs, and the follow-up release puts Y, T and the regional Y
where readers see them: never before the instant, a few seconds after it. Three X-13 runs."""

from __future__ import annotations

from datetime import timedelta

import psutil
import pytest
from django.utils import timezone

from countries.models import Country
from indices.publish.models import PublishedObservation, Release, ValueAddedWeight
from ipi_exchange.health import live_workers
from ipi_exchange.queues import NICENESS
from tests.api_clients import client_for, upload
from tests.indices.publish.test_adjustment_pipeline import seasonal
from tests.workers import (
    start_adjustment_worker,
    start_beat,
    start_worker,
    stop_worker,
    wait_until,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

ACTIVITIES = ("C", "10", "11")
# Long enough for the worker to validate the upload before it (a second or two), short enough
# to keep the test under a minute.
EMBARGO = timedelta(seconds=15)


def three_series() -> bytes:
    lines = ["REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"]
    for number, activity in enumerate(ACTIVITIES):
        for period, value in seasonal(f"TH{number}").items():
            lines.append(f"TH,{activity},N,{period},{value},2021")
    return ("\n".join(lines) + "\n").encode()


def log_tail(*paths) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-2500:]}" for p in paths if p.exists())


def test_the_adjustment_worker_publishes_y_and_t_at_an_embargoed_releases_instant(tmp_path):
    # Thailand alone carries value added: the regional aggregates are its own (coverage 100).
    for activity in ACTIVITIES:
        ValueAddedWeight.objects.create(
            country=Country.objects.get(pk="TH"), activity=activity, year=2021, value_added=100
        )
    logs = [tmp_path / "worker.log", tmp_path / "adjustment.log", tmp_path / "beat.log"]
    worker, worker_name = start_worker(logs[0])
    adjuster, adjuster_name = start_adjustment_worker(logs[1], concurrency=2)
    beat = start_beat(tmp_path)
    api = client_for("TH_OIE")

    def data(key: str, **params):
        return api.get(f"/api/v1/data/{key}", params)

    def series(key: str) -> dict:
        answer = data(key)
        assert answer.status_code == 200, answer.content
        (found,) = answer.json()["series"]
        return found

    try:
        assert wait_until(
            lambda: {worker_name, adjuster_name} <= set(live_workers()), timeout=60
        ), log_tail(*logs)
        release_at = timezone.now() + EMBARGO
        submission = upload(
            api,
            "th.csv",
            three_series(),
            release_at=release_at.isoformat(),
            acknowledge_warnings="true",
        )
        assert wait_until(
            lambda: (
                api.get(f"/api/v1/submissions/{submission['id']}/").json()["status"] == "ACCEPTED"
            ),
            timeout=30,
        ), api.get(f"/api/v1/submissions/{submission['id']}/").json()

        # Before the instant: nothing, unadjusted or adjusted, and no diagnostics.
        assert timezone.now() < release_at - timedelta(seconds=2), "validation took too long"
        for key in ("M.TH.C.N.IX", "M.TH.C.Y.IX", "M.TH.10.T.IX", "M.MKG.C.Y.IX"):
            assert data(key).status_code == 404, key
        assert api.get("/api/v1/series/M.TH.C.Y.IX/adjustment").status_code == 404

        # After it: the source release, then the adjustment worker's chord and the follow-up.
        assert wait_until(
            lambda: (
                data("M.TH.11.Y.IX").status_code == 200 and data("M.MKG.11.Y.IX").status_code == 200
            ),
            timeout=90,
            interval=0.5,
        ), log_tail(*logs)
    finally:
        nice = {psutil.Process(adjuster.pid).nice()}
        nice |= {child.nice() for child in psutil.Process(adjuster.pid).children(recursive=True)}
        stop_worker(beat)
        stop_worker(adjuster)
        stop_worker(worker)
    assert timezone.now() >= release_at

    source = Release.objects.get(submission_id=submission["id"])
    follow_up = Release.objects.get(adjusts=source)
    assert follow_up.status == "PUBLISHED"
    assert follow_up.release_at == source.release_at == release_at
    assert follow_up.adjusted_series == [f"M.TH.{a}.N.IX" for a in sorted(ACTIVITIES)]
    assert source.published_at >= release_at

    for activity in ACTIVITIES:
        for code in ("Y", "T"):
            monthly = series(f"M.TH.{activity}.{code}.IX")
            assert len(monthly["observations"]) == 60
            assert monthly["attributes"]["COMPILING_ORG"] == "MKG_SEC"
            assert len(series(f"Q.TH.{activity}.{code}.IX")["observations"]) == 20
            assert data(f"A.TH.{activity}.{code}.IX").status_code == 404  # no season in a year
        assert series(f"M.TH.{activity}.N.IX")["attributes"]["COMPILING_ORG"] == "TH_OIE"
        diagnostics = api.get(f"/api/v1/series/M.TH.{activity}.Y.IX/adjustment")
        assert diagnostics.status_code == 200, diagnostics.content
        assert diagnostics.json()["status"] == "ADJUSTED"
        assert diagnostics.json()["compiling_org"] == "MKG_SEC"
        # The regional Y: H6 over the members' Y, compiled by the secretariat, no annual.
        for group in ("MKG", "MKG_JP"):
            regional = series(f"M.{group}.{activity}.Y.IX")
            assert len(regional["observations"]) == 60
            assert regional["attributes"]["COMPILING_ORG"] == "MKG_SEC"
            assert data(f"A.{group}.{activity}.Y.IX").status_code == 404

    # As the data stood just before the instant: no adjusted value, none unadjusted either.
    before = (release_at - timedelta(milliseconds=1)).isoformat()
    for key in ("M.TH.C.Y.IX", "M.TH.C.T.IX", "M.MKG.C.Y.IX", "M.TH.C.N.IX"):
        assert data(key, asOf=before).status_code == 404, key
    adjusted = PublishedObservation.objects.filter(release=follow_up)
    assert adjusted.count() > 0
    assert not adjusted.filter(valid_from__lt=release_at).exists()
    assert not PublishedObservation.objects.filter(valid_from__lt=release_at).exists()

    # X-13 ran in the adjustment worker only, at its lower CPU priority.
    ran = "Task indices.adjust_series["  # "... received", "... succeeded"
    assert logs[1].read_text().count(ran) >= 2 * len(ACTIVITIES)
    assert ran not in logs[0].read_text()
    assert nice == {NICENESS["adjustment"]}
