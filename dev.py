#!/usr/bin/env python3
"""`python3 dev.py serve` runs the service, `python3 dev.py test` runs the tests and
`python3 dev.py manage ARGS...` runs manage.py with the same servers.

Works on a fresh machine with nothing but Python 3.11: the first run creates `.venv/` and installs
requirements-dev.txt, which includes requirements.txt (again whenever either file changes).
Without DATABASE_URL / REDIS_URL it starts the embedded PostgreSQL and Redis under `var/` and
stops them when it exits.

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
# What development installs: the runtime's requirements.txt (all the production image installs)
# and the tests and tools of requirements-dev.txt, which includes it (`-r requirements.txt`).
REQUIREMENTS = ROOT / "requirements-dev.txt"
REQUIREMENT_FILES = (ROOT / "requirements.txt", REQUIREMENTS)
INSTALLED_MARKER = VENV / ".requirements.sha256"
# Settings for checks that read the code and never connect (ipi_exchange/settings_offline.py).
OFFLINE_SETTINGS = "--settings=ipi_exchange.settings_offline"

USAGE = """usage: python3 dev.py COMMAND

  serve   run the web server (gunicorn on HOST:PORT, 127.0.0.1:8000 by default), the Celery
          workers and beat; Ctrl-C stops everything
  test    run every check, cheapest first: ruff (lint and format check), missing migrations
          (makemigrations --check), mypy, then the whole pytest suite
          (extra arguments go to pytest, e.g. `python3 dev.py test -k submissions`)
  manage  run manage.py inside the virtualenv with the same servers as serve
          (e.g. `python3 dev.py manage createsuperuser`, `python3 dev.py manage shell`)
"""
COMMANDS = {"serve", "test", "manage"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
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
            "ipi_exchange.settings_test" if command == "test" else "ipi_exchange.settings"
        )
        if command == "serve":
            return serve(env, embedded_mode=urls.embedded)
        if command == "manage":
            return run_manage(env, rest)
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
    wanted = requirements_digest(REQUIREMENT_FILES)
    installed = INSTALLED_MARKER.read_text().strip() if INSTALLED_MARKER.exists() else ""
    if installed != wanted:
        print("installing requirements-dev.txt (with requirements.txt)", flush=True)
        # Byte-compiled after, on every core: pip compiles file after file, 40 of the 90 s a
        # fresh install took on 2 cores (compileall -j 0: 24 s). Compiled up front all the
        # same: where PYTHONDONTWRITEBYTECODE is set, nothing imported is ever cached.
        pip_install = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
        subprocess.run([*pip_install, "-q", "--no-compile", "-r", str(REQUIREMENTS)], check=True)
        site_packages = VENV / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
        # (A few packages ship files of other Pythons' syntax, as pip's own pass finds too.)
        subprocess.run(
            [str(VENV_PYTHON), "-m", "compileall", "-j", "0", "-q", str(site_packages)],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        INSTALLED_MARKER.write_text(wanted)
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *argv])


def requirements_digest(files: tuple[Path, ...]) -> str:
    """One digest of every requirements file: a change to either reinstalls."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV_PYTHON), "manage.py", *args], env=env, check=True, cwd=ROOT)


def run_manage(env: dict[str, str], args: list[str]) -> int:
    """manage.py ARGS with this process's servers; its exit status is ours."""
    # Ctrl-C belongs to the command (an interactive shell cancels a line with it): this process
    # waits, keeping the servers attached. A handler, not SIG_IGN, which the child would inherit.
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    return subprocess.run([str(VENV_PYTHON), "manage.py", *args], env=env, cwd=ROOT).returncode


def bind_address(env: dict[str, str]) -> str:
    """HOST:PORT for gunicorn: 127.0.0.1 unless HOST says otherwise (0.0.0.0: every address)."""
    host = env.get("HOST", "").strip() or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"{host}:{env.get('PORT', '8000')}"


def service_commands(env: dict[str, str]) -> dict[str, list[str]]:
    """The processes `serve` starts: gunicorn, one worker per kind of ipi_exchange/queues.py
    (`python -m ipi_exchange.worker KIND`, as docker-compose.yml starts them) and beat."""
    bin_dir = VENV / "bin"
    from ipi_exchange.queues import WORKER_QUEUES

    commands = {
        "web": [
            str(bin_dir / "gunicorn"),
            "--config",
            "ipi_exchange/gunicorn.conf.py",
            "ipi_exchange.wsgi",
            "--bind",
            bind_address(env),
            "--workers",
            env.get("WEB_CONCURRENCY", "2"),
            # This checkout's, not the user's one shared by every gunicorn on the machine.
            "--control-socket",
            str(ROOT / "var" / "gunicorn.ctl"),
            "--access-logfile",
            "-",
        ],
    }
    for kind in WORKER_QUEUES:
        commands[kind if kind != "main" else "worker"] = [
            str(VENV_PYTHON),
            "-m",
            "ipi_exchange.worker",
            kind,
        ]
    commands["beat"] = [
        str(bin_dir / "celery"),
        "-A",
        "ipi_exchange",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(ROOT / "var" / "celerybeat-schedule"),
    ]
    return commands


# (path, what) of the addresses `serve` prints: the API, then the web pages (indices/web/urls.py).
ADDRESSES = (
    ("/api/v1/", "API root (Bearer token)"),
    ("/api/docs/", "API docs (OpenAPI 3 at /api/schema/)"),
    ("/readyz", "readiness: PostgreSQL, Redis and a live worker"),
    ("/accounts/login/", "sign in to the web pages (a person of an agency)"),
    ("/upload/", "upload a file (reporters)"),
    ("/submissions/", "submissions and their validation reports (reporters, secretariat)"),
    ("/find/", "find a series by country and activity, in words"),
    ("/series/", "published series on a chart; each series has a page at /series/<key>/"),
    ("/compare/", "several countries or activities on one chart, aggregates with coverage"),
    ("/releases/", "release calendar"),
    ("/timeliness/", "who has published which month"),
    ("/audit/", "audit log (secretariat)"),
    ("/admin/", "Django admin (secretariat staff)"),
)


def banner(env: dict[str, str], *, embedded_mode: bool) -> str:
    host = env.get("HOST", "").strip()
    shown = "localhost" if host in ("", "127.0.0.1", "0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    base = f"http://{shown}:{env.get('PORT', '8000')}"
    width = max(len(base + path) for path, _ in ADDRESSES)
    lines = ["", "ipi_exchange is up:"]
    lines += [f"  {base + path:<{width}}  {what}" for path, what in ADDRESSES]
    if embedded_mode:
        lines.append(
            "Demo tokens (one per agency): var/demo-tokens.json; people who sign in to the web "
            "pages (one per agency): var/demo-people.json"
        )
    lines.append(
        "Ctrl-C stops the web server, the workers, beat"
        + (" and the embedded PostgreSQL and Redis." if embedded_mode else ".")
    )
    return "\n".join(lines) + "\n"


def serve(env: dict[str, str], *, embedded_mode: bool) -> int:
    # Handlers first: a Ctrl-C (or SIGTERM) during migrations must still stop everything.
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    manage(env, "migrate", "--no-input")
    manage(env, "load_standard")
    seed = ["seed_members"] + (["--demo-tokens"] if embedded_mode else [])
    manage(env, *seed)
    manage(env, "collectstatic", "--no-input", "-v", "0")
    commands = service_commands(env)
    (ROOT / "var").mkdir(exist_ok=True)
    if stopping:
        return 130
    processes = {name: subprocess.Popen(cmd, env=env, cwd=ROOT) for name, cmd in commands.items()}
    print(banner(env, embedded_mode=embedded_mode), flush=True)
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


BROWSER_PACKAGES = ("chromium", "fonts-thai-tlwg")


def ensure_browser(
    *, chromium: Path = Path("/usr/bin/chromium"), apt_get: str = "/usr/bin/apt-get"
) -> None:
    """The browser tests drive Debian's Chromium (Playwright never downloads one here).
    Installed when missing and possible, saying what and why first; if it cannot be, those
    tests say why (and fail in CI)."""
    if chromium.exists() or os.environ.get("IPI_CHROMIUM"):
        return
    if os.geteuid() != 0 or not Path(apt_get).exists():
        print(
            "note: Chromium is not installed (apt-get install chromium); browser tests "
            "will fail in CI and be skipped elsewhere",
            file=sys.stderr,
        )
        return
    print(
        f"dev.py test: {chromium} is missing and the browser tests (tests/web/test_browser.py)"
        " drive it, so, as root, installing with apt-get: "
        f"{' '.join(BROWSER_PACKAGES)} (Chromium, and the Thai font its pages are drawn "
        "with). Set IPI_CHROMIUM to a Chromium binary to skip this.",
        flush=True,
    )
    for command in (
        [apt_get, "update", "-qq"],
        [apt_get, "install", "-y", "-qq", *BROWSER_PACKAGES],
    ):
        print("$", " ".join(command), flush=True)
        result = subprocess.run(
            command, check=False, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        )
        if result.returncode != 0:
            print(f"dev.py test: {command[1]} failed ({result.returncode})", file=sys.stderr)
            return


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
