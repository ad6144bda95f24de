#!/usr/bin/env python3
"""The two commands: `python3 dev.py serve` runs the service, `python3 dev.py test` runs the tests.

Works on a fresh machine with nothing but Python 3.11: the first run creates `.venv/` and installs
requirements.txt (again whenever that file changes). Without DATABASE_URL / REDIS_URL it starts the
embedded PostgreSQL and Redis under `var/` and stops them when it exits.

This file uses only the standard library until it has re-executed itself inside the virtualenv.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements.txt"
INSTALLED_MARKER = VENV / ".requirements.sha256"
# Settings for checks that read the code and never connect (ipi_exchange/settings_offline.py).
OFFLINE_SETTINGS = "--settings=ipi_exchange.settings_offline"

USAGE = """usage: python3 dev.py COMMAND

  serve   run the web server (gunicorn), the Celery workers and beat; Ctrl-C stops everything
  test    run every check, cheapest first: ruff (lint and format check), missing migrations
          (makemigrations --check), mypy, then the whole pytest suite
          (extra arguments go to pytest, e.g. `python3 dev.py test -k submissions`)
"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_virtualenv(argv)
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from ipi_exchange import embedded

    with embedded.services_from_environment() as urls:
        env = {**os.environ, "DATABASE_URL": urls.database, "REDIS_URL": urls.redis}
        # Importing ipi_exchange above set DJANGO_SETTINGS_MODULE in this process (celery.py's
        # setdefault): name the right module for each command explicitly.
        env["DJANGO_SETTINGS_MODULE"] = (
            "ipi_exchange.settings" if command == "serve" else "ipi_exchange.settings_test"
        )
        if command == "serve":
            return serve(env, embedded_mode=urls.embedded)
        return run_tests(env, rest)


def ensure_virtualenv(argv: list[str]) -> None:
    """Create .venv and install the pinned requirements, then continue inside it."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if sys.version_info[:2] != (3, 11):
        print(
            f"warning: Python 3.11 is expected, this is {sys.version.split()[0]}", file=sys.stderr
        )
    if not VENV_PYTHON.exists():
        print(f"creating virtualenv in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    installed = INSTALLED_MARKER.read_text().strip() if INSTALLED_MARKER.exists() else ""
    if installed != wanted:
        print("installing requirements.txt", flush=True)
        pip = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        INSTALLED_MARKER.write_text(wanted)
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *argv])


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV_PYTHON), "manage.py", *args], env=env, check=True, cwd=ROOT)


def serve(env: dict[str, str], *, embedded_mode: bool) -> int:
    # Handlers first: a Ctrl-C (or SIGTERM) during migrations must still stop everything.
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    port = env.get("PORT", "8000")
    manage(env, "migrate", "--no-input")
    manage(env, "load_standard")
    seed = ["seed_members"] + (["--demo-tokens"] if embedded_mode else [])
    manage(env, *seed)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    bin_dir = VENV / "bin"
    celery_worker = [str(bin_dir / "celery"), "-A", "ipi_exchange", "worker", "--loglevel", "INFO"]
    commands = {
        "web": [
            str(bin_dir / "gunicorn"),
            "ipi_exchange.wsgi",
            "--bind",
            f"0.0.0.0:{port}",
            "--workers",
            env.get("WEB_CONCURRENCY", "2"),
            "--access-logfile",
            "-",
        ],
        "worker": [
            *celery_worker,
            "--queues",
            "validation,publication,adjustment,default,maintenance",
            "--concurrency",
            env.get("WORKER_CONCURRENCY", "2"),
        ],
        # Webhook deliveries wait on partners' servers: a worker of their own.
        "webhooks": [
            *celery_worker,
            "--queues",
            "webhooks",
            "--concurrency",
            env.get("WEBHOOK_CONCURRENCY", "2"),
            "--hostname",
            "webhooks@%h",
        ],
        "beat": [
            str(bin_dir / "celery"),
            "-A",
            "ipi_exchange",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(ROOT / "var" / "celerybeat-schedule"),
        ],
    }
    (ROOT / "var").mkdir(exist_ok=True)
    if stopping:
        return 130
    processes = {name: subprocess.Popen(cmd, env=env, cwd=ROOT) for name, cmd in commands.items()}
    print(
        f"\nipi_exchange is up:\n  API       http://localhost:{port}/api/v1/\n"
        f"  API docs  http://localhost:{port}/api/docs/\n"
        f"  readiness http://localhost:{port}/readyz\n  admin     http://localhost:{port}/admin/\n"
        "Ctrl-C stops the web server, the workers, beat"
        + (" and the embedded PostgreSQL and Redis.\n" if embedded_mode else ".\n"),
        flush=True,
    )
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} exited with {process.returncode}; stopping", file=sys.stderr)
                exit_code, stopping = 1, True
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code


def ensure_browser() -> None:
    """The browser tests drive Debian's Chromium (Playwright never downloads one here).
    Installed when missing and possible; if it cannot be, those tests say why (and fail in CI)."""
    if Path("/usr/bin/chromium").exists() or os.environ.get("IPI_CHROMIUM"):
        return
    if os.geteuid() != 0 or not Path("/usr/bin/apt-get").exists():
        print(
            "note: Chromium is not installed (apt-get install chromium); browser tests "
            "will fail in CI and be skipped elsewhere",
            file=sys.stderr,
        )
        return
    print("installing Chromium for the browser tests", flush=True)
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "fonts-thai-tlwg"],
        check=False,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        **quiet,
    )


def run_tests(env: dict[str, str], pytest_args: list[str]) -> int:
    ensure_browser()
    bin_dir = VENV / "bin"
    # Cheapest first. The migration check uses the pre-commit hook's settings: it reads the
    # models only, so the answer never depends on the state of a database.
    makemigrations_check = ["makemigrations", "--check", "--dry-run"]
    steps = [
        ("lint", [str(bin_dir / "ruff"), "check", "."]),
        ("formatting (fix: ruff format .)", [str(bin_dir / "ruff"), "format", "--check", "."]),
        (
            "migrations (a model changed without one: python manage.py makemigrations)",
            [str(VENV_PYTHON), "manage.py", *makemigrations_check, OFFLINE_SETTINGS],
        ),
        ("type check", [str(bin_dir / "mypy")]),
        ("tests", [str(VENV_PYTHON), "-m", "pytest", *pytest_args]),
    ]
    for name, step in steps:
        print("$", " ".join([Path(step[0]).name, *step[1:]]), flush=True)
        result = subprocess.run(step, env=env, cwd=ROOT)
        if result.returncode != 0:
            print(f"dev.py test: {name} failed", file=sys.stderr, flush=True)
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
