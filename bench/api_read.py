"""Benchmark: the read API under gunicorn against baselines measured in the same run.

1. One series (~400 observations) as JSON: requests/s and p99 with 32 concurrent connections
   (wrk), against a bare Django JSON view of the same rows served by the same gunicorn.
2. A 304 revalidation (If-None-Match) against the same bare view.
3. The bulk CSV export of 1,000,000 observations against PostgreSQL `COPY (same SELECT) TO
   STDOUT` read by psycopg, with the peak memory of the gunicorn worker serving it.

    apt-get install -y wrk
    .venv/bin/python bench/api_read.py [--rows 1000000] [--seconds 10] [--write-docs]

Works in a database of its own (`ipi_bench_api`, recreated each run).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.results import write_section  # noqa: E402
from bench.submission_1m import _bench_redis, _recreate_database, _with_database  # noqa: E402

WORK = ROOT / "var" / "bench"
MONTHS = 400  # 1990-01 .. 2023-04: the one-series query returns this many observations
KEY = "M.TH.C.N.IX"
MARKER = "<!-- api_read -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    from ipi_exchange import embedded

    with embedded.services_from_environment() as urls:
        database_url = _with_database(urls.database, "ipi_bench_api")
        _recreate_database(urls.database, "ipi_bench_api")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": _bench_redis(urls.redis),
            "DJANGO_SETTINGS_MODULE": "bench.api_read_settings",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        results = run(args, env, database_url)
    report = format_results(results, args)
    print(report)
    if args.write_docs:
        write_docs(report)


def seed(database_url: str, rows: int) -> None:
    """`rows` current observations: series of MONTHS months each, KEY among them."""
    import psycopg

    series = max(1, rows // MONTHS)
    with psycopg.connect(database_url, autocommit=True) as conn:
        release = conn.execute(
            "INSERT INTO indices_release (agency_id, ref_area, release_at, status, published_at,"
            " description, changed_series, observations_changed, observations_withdrawn,"
            " attempts, created_at, adjusted_series) VALUES ('TH_OIE', 'TH', now(), 'PUBLISHED',"
            " now(), 'bench', '{}', 0, 0, 1, now(), '{}') RETURNING id"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO indices_publishedseries (series_key, freq, ref_area, activity,"
            " adjustment, transformation, attributes, first_published_at, last_updated_at)"
            " SELECT CASE WHEN s = 0 THEN %s ELSE 'M.TH.' || s || '.N.IX' END, 'M', 'TH',"
            " CASE WHEN s = 0 THEN 'C' ELSE s::text END, 'N', 'IX',"
            ' \'{"DECIMALS": 2, "UNIT_MEASURE": "IX", "REF_YEAR": 2021}\', now(), now()'
            " FROM generate_series(0, %s) AS s",
            [KEY, series - 1],
        )
        conn.execute(
            "INSERT INTO indices_publishedobservation (series_key, period_start, time_period,"
            " value, status, release_id, valid_from)"
            " SELECT s.series_key, date '1990-01-01' + make_interval(months => m),"
            " to_char(date '1990-01-01' + make_interval(months => m), 'YYYY-MM'),"
            " 90 + 20 * random(), 'A', %s, now()"
            " FROM indices_publishedseries AS s, generate_series(0, %s) AS m",
            [release, MONTHS - 1],
        )
        conn.execute("VACUUM ANALYZE indices_publishedobservation")
        conn.execute("VACUUM ANALYZE indices_publishedseries")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, token: str | None, seconds: int, headers: dict[str, str]) -> dict:
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in {
        **headers,
        **({"Authorization": f"Bearer {token}"} if token else {}),
    }.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 1e-3, "ms": 1, "s": 1e3}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def run(args, env: dict, database_url: str) -> dict:
    import django

    django.setup()
    import httpx
    import psutil

    from countries.models import Agency
    from countries.services import credential_create
    from indices.disseminate.apis.bulk import export_statement
    from indices.disseminate.keys import KeyFilter
    from indices.disseminate.query import PeriodRange

    seed(database_url, args.rows)
    _, token = credential_create(
        agency=Agency.objects.get(pk="TH_OIE"), name="bench", scopes=["read"]
    )
    port = free_port()
    WORK.mkdir(parents=True, exist_ok=True)
    log = (WORK / "gunicorn-api-read.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ipi_exchange.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--timeout",
            "300",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        api_url, bare_url = f"{base}/api/v1/data/{KEY}", f"{base}/bare/{KEY}"
        first = httpx.get(api_url, headers=auth)
        assert first.status_code == 200 and len(first.json()["series"][0]["observations"]) == MONTHS
        etag = first.headers["ETag"]
        assert httpx.get(api_url, headers={**auth, "If-None-Match": etag}).status_code == 304
        for url in (api_url, bare_url):  # warm every worker's connections
            wrk(url, token, 2, {})
        results = {
            "bare": wrk(bare_url, None, args.seconds, {}),
            "json": wrk(api_url, token, args.seconds, {}),
            "revalidate": wrk(api_url, token, args.seconds, {"If-None-Match": etag}),
            "rows": args.rows,
            "workers": args.workers,
        }
        # Bulk: baseline COPY of the same SELECT, read by psycopg and thrown away.
        import psycopg

        statement = export_statement(KeyFilter(), PeriodRange())
        with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
            started = time.perf_counter()
            copied = 0
            with cursor.copy(statement) as copy:
                for data in copy:
                    copied += len(data)
            results["copy_seconds"] = time.perf_counter() - started
        workers = psutil.Process(server.pid).children()
        idle_rss = max(p.memory_info().rss for p in workers)
        peak = {"rss": idle_rss}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak["rss"] = max(peak["rss"], *(p.memory_info().rss for p in workers))
                time.sleep(0.02)

        threading.Thread(target=sample, daemon=True).start()
        for encoding in ("identity", "gzip"):
            started = time.perf_counter()
            size = 0
            with httpx.stream(
                "GET",
                f"{base}/api/v1/bulk/data.csv",
                headers={**auth, "Accept-Encoding": encoding},
                timeout=600,
            ) as response:
                assert response.status_code == 200
                for chunk in response.iter_raw():
                    size += len(chunk)
            results[f"bulk_{encoding}_seconds"] = time.perf_counter() - started
            results[f"bulk_{encoding}_mb"] = size / 1e6
        done.set()
        results["copy_mb"] = copied / 1e6
        results["idle_rss_mb"] = idle_rss / 2**20
        results["peak_rss_mb"] = peak["rss"] / 2**20
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return results


def row(name: str, m: dict) -> str:
    return f"| {name} | {m['rps']:,.0f} req/s | {m['p99_ms']:.1f} ms | {m['errors']} |\n"


def format_results(r: dict, args) -> str:
    json_ratio = r["json"]["rps"] / r["bare"]["rps"]
    revalidate_ratio = r["revalidate"]["rps"] / r["bare"]["rps"]
    bulk_ratio = r["bulk_identity_seconds"] / r["copy_seconds"]
    cpu = platform.processor() or platform.machine()
    return (
        f"### Read API ({datetime.now(UTC):%Y-%m-%d})\n\n"
        f"Machine: {os.cpu_count()} cores ({cpu}); PostgreSQL, Redis, gunicorn "
        f"({r['workers']} sync workers) and wrk (2 threads, 32 connections, {args.seconds} s) "
        "on the same machine. Baselines measured in the same run.\n\n"
        "| load | throughput | p99 | non-2xx/3xx |\n|---|---|---|---|\n"
        + row("bare Django JSON view, same 400 rows (baseline)", r["bare"])
        + row(f"`GET /api/v1/data/{KEY}` JSON (auth, rate limit, validators)", r["json"])
        + row("same, `If-None-Match` -> 304", r["revalidate"])
        + "\n| measure | value | target |\n|---|---|---|\n"
        f"| one-series JSON vs bare view | {json_ratio:.0%} | >= 50%, p99 <= 50 ms |\n"
        f"| 304 revalidation vs bare view | {revalidate_ratio:.0%} | >= 80% |\n"
        f"| PostgreSQL `COPY (same SELECT) TO STDOUT`, {r['rows']:,} rows | "
        f"{r['copy_seconds']:.2f} s ({r['copy_mb']:.0f} MB) | |\n"
        f"| `GET /api/v1/bulk/data.csv`, same rows | {r['bulk_identity_seconds']:.2f} s "
        f"({r['bulk_identity_mb']:.0f} MB) | |\n"
        f"| bulk vs COPY | {bulk_ratio:.2f}x | within 2x |\n"
        f"| bulk with `Accept-Encoding: gzip` | {r['bulk_gzip_seconds']:.2f} s "
        f"({r['bulk_gzip_mb']:.0f} MB) | |\n"
        f"| gunicorn worker RSS: idle / peak during both exports | {r['idle_rss_mb']:.0f} MB / "
        f"{r['peak_rss_mb']:.0f} MB | constant |\n"
    )


def write_docs(report: str) -> None:
    write_section(MARKER.removeprefix("<!-- ").removesuffix(" -->"), report)


if __name__ == "__main__":
    main()
