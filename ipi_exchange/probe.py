"""The containers' healthchecks (docker-compose.yml), one command per kind of process:

    python -m ipi_exchange.probe web                 # gunicorn answers /healthz
    python -m ipi_exchange.probe worker main         # this container's worker beats in Redis
    python -m ipi_exchange.probe worker adjustment
    python -m ipi_exchange.probe worker webhooks
    python -m ipi_exchange.probe beat FILE           # beat saved its schedule FILE lately

Exit status 0 when healthy, 1 (with the reason on stderr) when not.

`web` asks 127.0.0.1:PORT (8000) for /healthz with a Host that production accepts: the first
name of ALLOWED_HOSTS (a `.example.org` pattern as `example.org`). A request for
`localhost:8000` would be refused as DisallowedHost (400) under production settings.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
import time
from collections.abc import Mapping

# celery beat saves its schedule every 3 minutes (beat_sync_every): older means it is stuck.
BEAT_MAX_AGE_SECONDS = 300


def probe_host(environ: Mapping[str, str]) -> str:
    """The Host header the web probe sends: one ALLOWED_HOSTS accepts."""
    hosts = [h.strip() for h in environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    for host in hosts:
        if host == "*":
            return "localhost"
        return host.lstrip(".")
    return "localhost"


def web(environ: Mapping[str, str]) -> str | None:
    port = int(environ.get("PORT", "") or 8000)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": probe_host(environ)})
        response = connection.getresponse()
        body = response.read(500)
    except OSError as error:
        return f"web: 127.0.0.1:{port} does not answer: {error}"
    finally:
        connection.close()
    if response.status != 200:
        return f"web: /healthz answered {response.status}: {body!r}"
    return None


def worker_name(kind: str, hostname: str | None = None) -> str:
    """The Celery hostname ipi_exchange/worker.py gives a worker of this kind here."""
    node = "celery" if kind == "main" else kind
    return f"{node}@{hostname or socket.gethostname()}"


def worker(kind: str) -> str | None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipi_exchange.settings")
    django.setup()
    from ipi_exchange.health import live_workers

    name = worker_name(kind)
    try:
        live = live_workers()
    except Exception as error:
        return f"worker: Redis cannot be read: {type(error).__name__}: {error}"
    if name not in live:
        return f"worker: no fresh heartbeat from {name} (live: {', '.join(live) or 'none'})"
    return None


def beat(schedule: str, now: float | None = None) -> str | None:
    now = time.time() if now is None else now
    # shelve may add a suffix (.db; dbm.dumb: .dat, .dir) to the name it is given.
    candidates = [schedule, f"{schedule}.db", f"{schedule}.dat", f"{schedule}.dir"]
    stamps = [os.stat(path).st_mtime for path in candidates if os.path.exists(path)]
    if not stamps:
        return f"beat: no schedule file {schedule}"
    age = now - max(stamps)
    if age > BEAT_MAX_AGE_SECONDS:
        return f"beat: schedule {schedule} not saved for {age:.0f} s"
    return None


def main(argv: list[str]) -> int:
    if argv[:1] == ["web"]:
        problem = web(os.environ)
    elif len(argv) == 2 and argv[0] == "worker":
        problem = worker(argv[1])
    elif len(argv) == 2 and argv[0] == "beat":
        problem = beat(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
