"""The README's run command (`python3 dev.py serve`) brings the whole service up and Ctrl-C
stops everything it started. Run against this test run's PostgreSQL and Redis (a database and
a Redis database of its own), so it starts no embedded servers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import psutil
import pytest
from django.conf import settings

from ipi_exchange.env import with_redis_db
from tests.workers import ROOT

pytestmark = [pytest.mark.e2e]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}


def test_serve_brings_the_service_up_and_ctrl_c_stops_everything(tmp_path):
    database = urlunsplit(urlsplit(settings.DATABASE_URL)._replace(path="/ipi_serve_smoke"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database,
        "REDIS_URL": with_redis_db(settings.REDIS_URL, 5),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
        "ADJUSTMENT_CONCURRENCY": "1",
        "IPI_FILE_STORE": str(tmp_path / "files"),
    }
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "dev.py", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 150
        status, body = 0, {}
        while time.monotonic() < deadline and status != 200:
            time.sleep(1)
            status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, (body, (tmp_path / "serve.log").read_text()[-3000:])
        assert body["checks"]["worker"]["ok"]
        # Every kind of worker of ipi_exchange/queues.py beats: the adjustment one too.
        while time.monotonic() < deadline and not {
            name.split("@")[0] for name in body["checks"]["worker"]["live"]
        } >= {"celery", "adjustment", "webhooks"}:
            time.sleep(1)
            status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert {name.split("@")[0] for name in body["checks"]["worker"]["live"]} >= {
            "celery",
            "adjustment",
            "webhooks",
        }, body
        unauthenticated, problem = get(f"http://127.0.0.1:{port}/api/v1/codelists/")
        assert unauthenticated == 401
        assert problem["code"] == "not_authenticated"
        children = psutil.Process(serve.pid).children(recursive=True)
        assert len(children) >= 5  # gunicorn, three workers and beat (and their children)
        # gunicorn listens on the loopback only (HOST unset), its control socket in var/.
        listening = {
            connection.laddr.ip
            for child in children
            if "gunicorn" in " ".join(child.cmdline())
            for connection in child.net_connections("inet")
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port
        }
        assert listening == {"127.0.0.1"}
        assert (ROOT / "var" / "gunicorn.ctl").is_socket()
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=60)
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
