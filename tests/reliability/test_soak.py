"""A soak shortened to what a CI run allows: steady reads of every kind from gunicorn for
IPI_SOAK_SECONDS (default 25) while a real worker validates an upload every few seconds.

Promises checked: no error of any kind (every read 200, every upload 202 and validated), and
memory that does not keep growing. The figures (requests, latencies, RSS of the web and worker
process trees before and after) are printed and written to test-artifacts/reliability/soak.json.
The hour-long version is `bench/load_readers.py --soak 3600`.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time

import httpx
import psutil
import pytest

from indices.publish.releases import releases_publish_due
from indices.receive.models import Submission
from tests.api_clients import TERMINAL
from tests.indices.publishing import accept, csv_for
from tests.reliability.helpers import token_for_agency
from tests.workers import ROOT, start_worker, stop_worker, wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

SOAK_SECONDS = float(os.environ.get("IPI_SOAK_SECONDS", "25"))
WARM_UP_SECONDS = 8
READERS = 6
UPLOAD_EVERY_SECONDS = 3
# Growth allowed over the soak, per process tree: a leak of a few KB a request over the
# thousands of requests of a soak shows far above it; warm caches and allocator noise stay below.
MAX_GROWTH_BYTES = 40 * 1024 * 1024
ARTIFACT = ROOT / "test-artifacts" / "reliability" / "soak.json"


def tree_rss(pid: int) -> int:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


UPLOADS = itertools.count(1)


def upload_csv(index: int) -> bytes:
    """A small monthly series, different each time (no duplicate-file shortcut)."""
    lines = ["REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"]
    for month in range(1, 13):
        value = 100 + (month - 6.5) * 0.1 + index * 0.001
        lines.append(f"TH,25,N,2021-{month:02d},{value:.4f},2021")
    return ("\n".join(lines) + "\n").encode()


class Soak:
    """Readers and an uploader in threads, counting answers by kind."""

    def __init__(self, base: str, read_paths: list[str], reader_token: str, submit_token: str):
        self.base = base
        self.read_paths = read_paths
        self.reader_token = reader_token
        self.submit_token = submit_token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.uploads: list[str] = []

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)

    def reader(self, offset: int) -> None:
        headers = {"Authorization": f"Bearer {self.reader_token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as client:
            index = offset
            while not self.stop.is_set():
                path = self.read_paths[index % len(self.read_paths)]
                index += 1
                started = time.perf_counter()
                try:
                    status = client.get(path).status_code
                    error = None if status == 200 else f"{status} {path}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__} {path}"
                self.record(time.perf_counter() - started, error)

    def uploader(self) -> None:
        headers = {"Authorization": f"Bearer {self.submit_token}", "Content-Type": "text/csv"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as client:
            while not self.stop.wait(UPLOAD_EVERY_SECONDS):
                # Numbered across the warm-up and the soak: a file of the warm-up still being
                # validated would otherwise make the soak's first upload a repeat (200).
                response = client.post(
                    "/api/v1/submissions/?dry_run=true", content=upload_csv(next(UPLOADS))
                )
                if response.status_code == 202:
                    with self.lock:
                        self.uploads.append(response.json()["id"])
                else:
                    self.record(0.0, f"upload {response.status_code} {response.text[:200]}")

    def run(self, seconds: float) -> None:
        threads = [threading.Thread(target=self.reader, args=(i,)) for i in range(READERS)]
        threads.append(threading.Thread(target=self.uploader))
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=60)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


# The soak measures the service, not the per-client rate limit (tested on its own).
@pytest.mark.parametrize("live_web_server", [{"IPI_API_RATE": "0/minute"}], indirect=True)
def test_steady_reads_and_uploads_leave_no_errors_and_no_growing_memory(
    live_web_server, settings, tmp_path
):
    base, web = live_web_server
    published = accept(csv_for(10, range(2018, 2025)))
    assert published.status == "ACCEPTED"
    assert releases_publish_due()
    reader_token = token_for_agency("JP_METI", scopes=["read"])
    submit_token = token_for_agency("TH_OIE")
    headers = {"Authorization": f"Bearer {reader_token}"}
    catalog = httpx.get(f"{base}/api/v1/series/", headers=headers, timeout=30)
    assert catalog.status_code == 200, catalog.text
    keys = [series["key"] for series in catalog.json()["results"]][:3]
    assert keys, catalog.json()
    read_paths = [
        "/api/v1/series/",
        "/api/v1/releases/",
        *(f"/api/v1/data/{key}" for key in keys),
        f"/api/v1/data/{keys[0]}?format=csv",
        f"/sdmx/data/DF_IPI/{keys[0]}",
        "/sdmx/dataflow/all/all/latest",
    ]
    worker, _ = start_worker(tmp_path / "worker.log", IPI_FILE_STORE=str(settings.IPI_FILE_STORE))

    def validated(uploads: list[str]) -> bool:
        statuses = Submission.objects.filter(pk__in=uploads).values_list("status", flat=True)
        return set(statuses) <= TERMINAL

    try:
        warm_up = Soak(base, read_paths, reader_token, submit_token)
        warm_up.run(WARM_UP_SECONDS)
        # Memory is measured from the worker's steady state: on a busy machine the warm-up's
        # files may still be waiting, and their first validations would count as growth.
        assert wait_until(lambda: validated(warm_up.uploads), timeout=60)
        before = {"web": tree_rss(web.pid), "worker": tree_rss(worker.pid)}
        soak = Soak(base, read_paths, reader_token, submit_token)
        soak.run(SOAK_SECONDS)
        after = {"web": tree_rss(web.pid), "worker": tree_rss(worker.pid)}

        assert wait_until(lambda: validated(soak.uploads), timeout=60)
    finally:
        stop_worker(worker)
    figures = {
        "seconds": SOAK_SECONDS,
        "readers": READERS,
        "requests": len(soak.latencies),
        "requests_per_second": round(len(soak.latencies) / SOAK_SECONDS, 1),
        "p50_ms": round(soak.percentile(0.50), 1),
        "p99_ms": round(soak.percentile(0.99), 1),
        "uploads_validated": len(soak.uploads),
        "errors": soak.errors[:20],
        "rss_before_mb": {name: round(rss / 2**20, 1) for name, rss in before.items()},
        "rss_after_mb": {name: round(rss / 2**20, 1) for name, rss in after.items()},
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n")
    print("\nsoak:", json.dumps(figures))
    assert not soak.errors, soak.errors[:20]
    assert soak.uploads and len(soak.latencies) > 100
    assert Submission.objects.filter(pk__in=soak.uploads, status="VALIDATED").count() == len(
        soak.uploads
    )
    for name in ("web", "worker"):
        assert after[name] - before[name] < MAX_GROWTH_BYTES, figures
