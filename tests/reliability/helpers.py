"""Shared by the fault trials: real workers, uploads, kills, waiting for terminal statuses."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

from countries.models import Agency
from countries.services import credential_create
from ipi_exchange.health import live_workers
from tests.workers import start_worker, stop_worker, wait_until


def bad_csv(rows: int, bad_every: int, salt: int = 0) -> bytes:
    """`rows` monthly observations over many series; every `bad_every`th value is 'NaN' (one
    E06 finding each), so a complete run has exactly rows // bad_every E06 findings. `salt`
    changes the values (not the findings) so each trial uploads a file of its own."""
    lines = ["REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"]
    index = 0
    for activity in (f"{d:02d}" for d in range(10, 34)):
        for adjustment in "NSWYT":
            for year in range(1950, 2026):
                for month in range(1, 13):
                    if index == rows:
                        return ("\n".join(lines) + "\n").encode()
                    index += 1
                    value = (
                        "NaN"
                        if index % bad_every == 0
                        else f"{100 + (index % 7) * 0.5 + salt * 0.01:.2f}"
                    )
                    lines.append(f"TH,{activity},{adjustment},{year}-{month:02d},{value},2021")
    raise AssertionError("not enough series for that many rows")


def children(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_pool_children(worker: subprocess.Popen) -> list[int]:
    """SIGKILL the worker's pool process(es): the task dies mid-way, the main process lives on,
    sees the lost worker and (acks_late + reject_on_worker_lost) puts the message back."""
    killed = children(worker.pid)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    return killed


def kill_whole_worker(worker: subprocess.Popen) -> None:
    """SIGKILL the main process and its pool without warning: the message stays unacknowledged
    in Redis (until the visibility timeout), so only the sweeper can bring the work back."""
    pids = children(worker.pid)
    worker.send_signal(signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)


class Workers:
    """One live worker at a time, restarted when a trial has killed it."""

    def __init__(self, log_dir: Path, *, paced: bool = False, **env: str) -> None:
        self.log_dir = log_dir
        self.paced = paced
        self.env = env
        self.process: subprocess.Popen | None = None
        self.hostname = ""
        self.started = 0

    def ensure(self, timeout: float = 60) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.started += 1
            self.process, self.hostname = start_worker(self.log, paced=self.paced, **self.env)
        assert wait_until(lambda: self.hostname in live_workers(), timeout=timeout), self.tail()
        return self.process

    def ready_pool(self, timeout: float = 30) -> None:
        """Wait until the pool has a live child again (after a pool child was killed)."""
        assert wait_until(lambda: bool(children(self.process.pid)), timeout=timeout), self.tail()

    @property
    def log(self) -> Path:
        return self.log_dir / "workers.log"

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            stop_worker(self.process)
            self.process = None


def timed(fn) -> tuple[object, float]:
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def token_for_agency(agency_id: str, scopes=("submit", "read")) -> str:
    _, token = credential_create(
        agency=Agency.objects.get(pk=agency_id), name="reliability", scopes=list(scopes)
    )
    return token
