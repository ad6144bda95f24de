"""Liveness, readiness and the worker heartbeat that readiness reads.

Every worker writes its hostname and the time into one Redis hash every few seconds; /readyz is
ready when PostgreSQL and Redis answer and at least one heartbeat is fresh. A worker that hangs
or dies stops beating, so readiness tells the truth about whether submissions will be processed.
"""

from __future__ import annotations

import logging
import time

from celery import bootsteps, shared_task
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

from ipi_exchange.http.problems import problem_response

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "ipi:worker-heartbeats"


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def record_heartbeat(hostname: str) -> None:
    client = _redis()
    client.hset(HEARTBEAT_KEY, hostname, f"{time.time():.3f}")
    client.expire(HEARTBEAT_KEY, settings.IPI_WORKER_STALE_SECONDS * 4)


def live_workers(now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    beats = _redis().hgetall(HEARTBEAT_KEY)
    return sorted(
        name.decode()
        for name, stamp in beats.items()
        if now - float(stamp) <= settings.IPI_WORKER_STALE_SECONDS
    )


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Worker bootstep: beat on the worker's own timer, so a blocked worker stops beating."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker, **kwargs) -> None:
        self.tref = None

    def start(self, worker) -> None:
        interval = settings.IPI_WORKER_HEARTBEAT_SECONDS
        self.hostname = worker.hostname
        self._beat()
        self.tref = worker.timer.call_repeatedly(interval, self._beat, priority=10)

    def stop(self, worker) -> None:
        if self.tref is not None:
            self.tref.cancel()
        try:
            _redis().hdel(HEARTBEAT_KEY, self.hostname)
        except Exception:  # stopping anyway; a stale beat expires by itself
            logger.warning("could not clear the heartbeat of %s", self.hostname)

    def _beat(self) -> None:
        try:
            record_heartbeat(self.hostname)
        except Exception:
            logger.exception("worker heartbeat failed")


@shared_task(name="ipi_exchange.ping", queue="default")
def ping(payload: str = "ping") -> dict:
    """A round trip through the broker, a worker and the result backend."""
    from celery import current_task

    return {"echo": payload, "worker": current_task.request.hostname}


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so it never flaps with a dependency."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["postgresql"] = {"ok": True}
    except Exception as error:
        checks["postgresql"] = {"ok": False, "error": type(error).__name__}
    try:
        workers = live_workers()
        checks["redis"] = {"ok": True}
        checks["worker"] = {"ok": bool(workers), "live": workers}
    except Exception as error:
        checks["redis"] = {"ok": False, "error": type(error).__name__}
        checks["worker"] = {"ok": False, "live": []}
    # The apps' own checks (settings.IPI_READINESS_CHECKS), e.g. the X-13 binary: by dotted
    # name, so this module imports no app.
    for name, dotted in getattr(settings, "IPI_READINESS_CHECKS", {}).items():
        try:
            import_string(dotted)()
            checks[name] = {"ok": True}
        except Exception as error:
            checks[name] = {"ok": False, "error": str(error) or type(error).__name__}
    if all(check["ok"] for check in checks.values()):
        return JsonResponse({"status": "ready", "checks": checks})
    failing = ", ".join(name for name, check in checks.items() if not check["ok"])
    # The apps' checks explain themselves (the X-13 binary is missing, corrupt, ...).
    messages = "; ".join(
        check["error"]
        for name, check in checks.items()
        if not check["ok"] and name not in ("postgresql", "redis") and "error" in check
    )
    detail = f"Not ready: {failing} unavailable." + (f" {messages}." if messages else "")
    return problem_response(503, code="not_ready", detail=detail, checks=checks)
