"""Benchmark: 50 concurrent readers against gunicorn serving published data, idle and while a
1,000,000-observation submission is ingested by a real worker; then a short soak of steady
reads, reporting the memory growth of the gunicorn and worker processes.

    .venv/bin/python bench/load_readers.py [--readers 50] [--seconds 30] [--soak 180]
                                           [--rows 1000000] [--write-docs]

Uses DATABASE_URL / REDIS_URL when set, else the embedded servers; works in a database of its
own (`ipi_bench_load`, recreated each run). Target: reader p99 under ingestion within 2x of
idle, and no errors. Results go to docs/benchmarks.md between `<!-- load_readers -->` markers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.api_read import KEY, seed  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.submission_1m import (  # noqa: E402
    _bench_redis,
    _recreate_database,
    _with_database,
    generate_csv,
    national_codes,
)

WORK = ROOT / "var" / "bench"
DATABASE = "ipi_bench_load"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30, help="length of the idle phase")
    parser.add_argument("--soak", type=int, default=180, help="seconds of steady reads")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    from ipi_exchange import embedded

    with embedded.services_from_environment() as urls:
        database_url = _with_database(urls.database, DATABASE)
        _recreate_database(urls.database, DATABASE)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": _bench_redis(urls.redis),
            "IPI_FILE_STORE": str(WORK / "files"),
            "DJANGO_SETTINGS_MODULE": "ipi_exchange.settings",
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "IPI_API_RATE": "0/minute",  # measure the service, not the rate limit
        }
        os.environ.update(env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        results = run(args, env, database_url)
    report = format_results(results, args)
    print(report)
    if args.write_docs:
        write_section("load_readers", report)


# --- readers -----------------------------------------------------------------------------------


async def _readers(url: str, token: str, readers: int, until: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def reader() -> None:
            while time.monotonic() < until:
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    if response.status_code != 200:
                        errors[str(response.status_code)] = (
                            errors.get(str(response.status_code), 0) + 1
                        )
                except Exception as error:  # a refused or reset connection is an error too
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(reader() for _ in range(readers)))
    return _summary(latencies, errors)


def _summary(latencies: list[float], errors: dict[str, int]) -> dict:
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "requests": len(latencies),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(ordered) * 1000,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def read_phase(url: str, token: str, readers: int, seconds: float) -> dict:
    started = time.monotonic()
    result = asyncio.run(_readers(url, token, readers, started + seconds))
    result["rps"] = result["requests"] / max(time.monotonic() - started, 1e-9)
    return result


# --- processes ---------------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return 0


def run(args, env: dict, database_url: str) -> dict:
    import django

    django.setup()
    import httpx

    from countries.models import Agency, NationalClassification
    from countries.services import concordance_upload, credential_create
    from indices.receive.models import Submission

    WORK.mkdir(parents=True, exist_ok=True)
    seed(database_url, 200_000)  # the published data the readers read
    csv_path = WORK / f"submission-{args.rows}.csv"
    if not csv_path.exists():
        generate_csv(csv_path, args.rows)
    concordance_upload(
        classification=NationalClassification.objects.get(pk="TSIC2009"),
        raw_rows=[
            {"national_code": f"N{c:04d}", "isic_code": f"{10 + c % 24:02d}", "weight": "1"}
            for c in range(national_codes(args.rows))
        ],
        created_by=Agency.objects.get(pk="MKG_SEC"),
    )
    _, read_token = credential_create(
        agency=Agency.objects.get(pk="JP_METI"), name="bench-readers", scopes=["read"]
    )
    _, submit_token = credential_create(
        agency=Agency.objects.get(pk="TH_OIE"), name="bench-load", scopes=["submit", "read"]
    )
    web, base = servers.gunicorn(
        env, workers=args.web_workers, log=WORK / "gunicorn-load-readers.log"
    )
    worker = servers.celery_worker(
        env, queues=["validation", "default"], log=WORK / "worker-load-readers.log"
    )
    url = f"{base}/api/v1/data/{KEY}"
    try:
        assert httpx.get(url, headers={"Authorization": f"Bearer {read_token}"}).status_code == 200
        time.sleep(3)  # the worker connects
        read_phase(url, read_token, args.readers, 5)  # warm up
        idle = read_phase(url, read_token, args.readers, args.seconds)

        peak = {"worker": 0}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak["worker"] = max(peak["worker"], _tree_rss(worker.pid))
                time.sleep(0.1)

        threading.Thread(target=sample, daemon=True).start()
        with csv_path.open("rb") as handle:
            response = httpx.post(
                f"{base}/api/v1/submissions/?acknowledge_warnings=true",
                content=handle.read(),
                headers={"Authorization": f"Bearer {submit_token}", "Content-Type": "text/csv"},
                timeout=300,
            )
        assert response.status_code == 202, response.text[:500]
        submission_id = response.json()["id"]
        ingest_started = time.monotonic()
        while Submission.objects.get(pk=submission_id).status == "RECEIVED":
            time.sleep(0.05)
        # Readers run for as long as the worker validates (at most 10 minutes).
        phases = []
        terminal = {"REJECTED", "NEEDS_CONFIRMATION", "ACCEPTED", "VALIDATED"}
        while Submission.objects.get(pk=submission_id).status not in terminal:
            if time.monotonic() - ingest_started > 600:
                break
            phases.append(read_phase(url, read_token, args.readers, 5))
        ingest_seconds = time.monotonic() - ingest_started
        done.set()
        status = Submission.objects.get(pk=submission_id).status
        latencies_ok = [p for p in phases if p["requests"]]
        ingest = _merge(latencies_ok) if latencies_ok else None

        memory_start = {"web": _tree_rss(web.pid), "worker": _tree_rss(worker.pid)}
        soak = read_phase(url, read_token, args.readers, args.soak) if args.soak else None
        memory_end = {"web": _tree_rss(web.pid), "worker": _tree_rss(worker.pid)}
    finally:
        for process in (web, worker):
            servers.stop(process)
    return {
        "idle": idle,
        "ingest": ingest,
        "ingest_seconds": ingest_seconds,
        "ingest_status": status,
        "soak": soak,
        "memory_start": memory_start,
        "memory_end": memory_end,
        "worker_peak": peak["worker"],
        "rows": args.rows,
        "readers": args.readers,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"PostgreSQL {_server_version()} and Redis on the same machine"
        ),
    }


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def _merge(phases: list[dict]) -> dict:
    """Combine 5-second phases: requests and errors add up; percentiles are the worst phase's
    (conservative: the merged raw latencies are not kept)."""
    total = sum(p["requests"] for p in phases)
    kinds: dict[str, int] = {}
    for p in phases:
        for kind, n in p["error_kinds"].items():
            kinds[kind] = kinds.get(kind, 0) + n
    return {
        "requests": total,
        "p50_ms": max(p["p50_ms"] for p in phases),
        "p99_ms": max(p["p99_ms"] for p in phases),
        "mean_ms": sum(p["mean_ms"] * p["requests"] for p in phases) / max(total, 1),
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "rps": sum(p["rps"] for p in phases) / len(phases),
    }


def format_results(r: dict, args) -> str:
    def line(name: str, m: dict | None) -> str:
        if not m:
            return f"| {name} | - | - | - | - | - |\n"
        return (
            f"| {name} | {m['requests']:,} | {m['rps']:.0f} | {m['p50_ms']:.1f} | "
            f"{m['p99_ms']:.1f} | {m['errors']} {m['error_kinds'] or ''} |\n"
        )

    mb = 1024 * 1024
    ratio = (r["ingest"]["p99_ms"] / r["idle"]["p99_ms"]) if r["ingest"] else float("nan")
    verdict = "met" if ratio <= 2 and not (r["ingest"] or {}).get("errors") else "NOT met"
    return (
        "### Readers under load (`bench/load_readers.py`)\n\n"
        f"{r['readers']} concurrent readers (asyncio + httpx, keep-alive) of one series "
        f"(`/api/v1/data/{KEY}`) from gunicorn ({args.web_workers} sync workers); "
        f"{r['when']}, {r['machine']}.\n\n"
        "| phase | requests | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|\n"
        + line("idle", r["idle"])
        + line(f"while a {r['rows']:,}-row submission is validated", r["ingest"])
        + line(f"soak ({args.soak} s)", r["soak"])
        + f"\np99 under ingestion / idle p99: {ratio:.2f} (target <= 2, 0 errors: {verdict}). "
        f"Ingestion took {r['ingest_seconds']:.0f} s and ended {r['ingest_status']}; "
        f"worker peak RSS {r['worker_peak'] / mb:.0f} MB.\n\n"
        "Memory over the soak (RSS of the process and its children): gunicorn "
        f"{r['memory_start']['web'] / mb:.0f} -> {r['memory_end']['web'] / mb:.0f} MB, worker "
        f"{r['memory_start']['worker'] / mb:.0f} -> {r['memory_end']['worker'] / mb:.0f} MB.\n\n"
    )


if __name__ == "__main__":
    main()
