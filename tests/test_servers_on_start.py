"""Settings read configuration and start nothing; whoever starts a process starts (or attaches
to) the embedded PostgreSQL and Redis: manage.py, a Celery command started by hand, dev.py and
the test session (tests/servers.py). Each test here uses a var/ directory of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.workers import ROOT

pytestmark = [pytest.mark.e2e]


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """This environment without the servers' URLs or a settings module: the embedded default."""
    unset = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "IPI_ENV"}
    return {
        **{k: v for k, v in os.environ.items() if k not in unset},
        "IPI_VAR_DIR": str(var_dir),
        "SECRET_KEY": "test-only-secret-key",
        **extra,
    }


def processes_naming(path: Path) -> list[list[str]]:
    """Command lines of live processes that name `path` (an embedded server under it)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any(str(path) in part for part in cmdline):
            found.append(cmdline)
    return found


@pytest.fixture
def var_dir() -> Iterator[Path]:
    # Short: PostgreSQL's and Redis's Unix sockets live in it (a socket path has ~100 bytes).
    path = Path(tempfile.mkdtemp(prefix="ipi-var-"))
    path.chmod(0o755)  # run as root, the embedded PostgreSQL runs as a user of its own
    yield path
    assert not processes_naming(path), "an embedded server outlived the processes using it"
    shutil.rmtree(path, ignore_errors=True)


def run(command: list[str], var_dir: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        env=environment(var_dir, **extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


IMPORT_SETTINGS = """
import django, psutil
django.setup()
from django.conf import settings
print(settings.DATABASE_URL)
print(settings.REDIS_URL)
print(len(psutil.Process().children(recursive=True)))
"""


def test_the_test_session_reads_the_test_settings():
    from django.conf import settings

    # tests/servers.py starts the servers without choosing the settings module for pytest-django.
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "ipi_exchange.settings_test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.REDIS_URL.endswith("db=9") or settings.REDIS_URL.endswith("/9")


def test_importing_the_settings_starts_no_server(var_dir):
    result = run(
        [sys.executable, "-c", IMPORT_SETTINGS],
        var_dir,
        DJANGO_SETTINGS_MODULE="ipi_exchange.settings",
    )
    assert result.returncode == 0, result.stderr
    database_url, redis_url, children = result.stdout.split()
    # The embedded servers' addresses under this var/, computed only.
    assert database_url.startswith("postgresql://postgres@")
    assert "ipi-var-" in database_url
    assert redis_url == f"unix://{var_dir}/redis/redis.sock?db=0"
    assert children == "0"
    assert list(var_dir.iterdir()) == []
    assert not processes_naming(var_dir)


SHOW_SERVERS = (
    "from django.db import connection; from django.core.cache import cache; "
    "from django.conf import settings; cursor = connection.cursor(); "
    "cursor.execute('SELECT current_database()'); print(cursor.fetchone()[0]); "
    "cache.set('ping', 'pong'); print(cache.get('ping')); print(settings.DATABASE_URL)"
)


def test_manage_py_starts_the_embedded_servers_and_they_stop_after_it(var_dir):
    result = run([sys.executable, "manage.py", "shell", "-c", SHOW_SERVERS], var_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-3:-1] == ["ipi_exchange", "pong"]
    assert "ipi-var-" in lines[-1]
    assert (var_dir / "postgres" / "PG_VERSION").exists()
    assert (var_dir / "redis" / "redis.sock").exists() is False  # stopped: its socket is gone


def test_a_celery_command_started_by_hand_starts_the_embedded_servers(var_dir):
    celery = str(Path(sys.executable).parent / "celery")
    result = run([celery, "-A", "ipi_exchange", "purge", "-f", "-Q", "default"], var_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (var_dir / "postgres" / "PG_VERSION").exists()
    assert (var_dir / "redis" / "redis.log").exists()
