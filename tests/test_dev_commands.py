"""dev.py: `manage` runs manage.py with the same servers, gunicorn binds 127.0.0.1 unless HOST
says otherwise with its control socket under this checkout's var/, and `test` says what it
installs with apt-get, and why, before installing it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from django.conf import settings

from ipi_exchange.env import with_redis_db
from tests.workers import ROOT


def dev_module():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "dev.py", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.e2e
def test_dev_manage_runs_manage_py_with_the_same_servers():
    servers = {
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": with_redis_db(settings.REDIS_URL, 5),
    }
    show = (
        "from django.conf import settings; from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('SELECT 1'); "
        "print(settings.SETTINGS_MODULE, cursor.fetchone()[0], settings.REDIS_URL)"
    )
    result = dev("manage", "shell", "-c", show, **servers)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1] == f"ipi_exchange.settings 1 {servers['REDIS_URL']}"
    )
    # manage.py's exit status is dev.py's.
    failed = dev("manage", "no_such_command", **servers)
    assert failed.returncode != 0
    assert "Unknown command: 'no_such_command'" in failed.stderr


def test_gunicorn_binds_loopback_unless_host_says_otherwise_with_a_control_socket_in_var():
    module = dev_module()
    web = module.service_commands({})["web"]
    assert web[web.index("--bind") + 1] == "127.0.0.1:8000"
    assert web[web.index("--control-socket") + 1] == str(ROOT / "var" / "gunicorn.ctl")
    assert web[web.index("--config") + 1] == "ipi_exchange/gunicorn.conf.py"
    web = module.service_commands({"HOST": "0.0.0.0", "PORT": "9000"})["web"]
    assert web[web.index("--bind") + 1] == "0.0.0.0:9000"
    web = module.service_commands({"HOST": "::1"})["web"]
    assert web[web.index("--bind") + 1] == "[::1]:8000"


FAKE_APT_GET = """#!/bin/sh
echo "fake apt-get $*"
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="dev.py installs Chromium only when run as root")
def test_dev_test_says_what_it_installs_and_why_before_installing(tmp_path):
    apt_get = tmp_path / "apt-get"
    apt_get.write_text(FAKE_APT_GET)
    apt_get.chmod(0o755)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, '.'); import dev; "
        f"dev.ensure_browser(chromium=Path({str(tmp_path / 'no-chromium')!r}), "
        f"apt_get={str(apt_get)!r})"
    )
    environment = {k: v for k, v in os.environ.items() if k != "IPI_CHROMIUM"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    said = out.index("installing with apt-get: chromium fonts-thai-tlwg")
    assert "browser tests" in out[: said + 200]
    assert (
        said
        < out.index("fake apt-get update")
        < out.index("fake apt-get install -y -qq chromium fonts-thai-tlwg")
    )
