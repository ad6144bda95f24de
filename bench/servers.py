"""The processes a benchmark starts beside itself: gunicorn and a Celery worker from this
checkout, each writing to a log file under the bench's folder, started, waited for and
stopped the same way by every bench."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict, log: Path, *, append: bool = False) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    # The child keeps its own copy of the file: ours is closed once it has started.
    with log.open("ab" if append else "wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def gunicorn(
    env: dict, *, workers: int, log: Path, timeout: int = 300
) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free local port, answering /healthz: the process and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "ipi_exchange.wsgi:application"]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--timeout", str(timeout)]
    # Benches may run two servers from one checkout: no shared control socket.
    command += ["--no-control-socket"]
    process = start(command, env, log)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process, log)
    return process, base


def wait_healthy(base: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz at {base}; see {log}")


def celery_worker(
    env: dict,
    *,
    queues: Iterable[str],
    log: Path,
    loglevel: str = "WARNING",
    concurrency: int = 1,
    append: bool = False,
) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "ipi_exchange", "worker"]
    command += ["--concurrency", str(concurrency), "--queues", ",".join(queues)]
    command += ["--loglevel", loglevel, "--without-mingle", "--without-gossip"]
    return start(command, env, log, append=append)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
