"""Benchmark: the read API under gunicorn against baselines measured in the same run.

1. One series (486 observations) as JSON, as CSV (`format=csv`) and through `/sdmx/data/` in
   each SDMX format (generic, structure-specific, SDMX-JSON, SDMX-CSV): requests/s and p99
   with 32 connections (wrk, 2 threads, after a warm-up), each against a minimal Django view
   returning the same bytes from the same gunicorn (bench/api_read_urls.py).
2. A 304 revalidation (If-None-Match) against a minimal view returning 304.
3. With `--without-store`, the same answers computed by the views for every request
   (IPI_ANSWER_STORE=0, a second gunicorn): the "before".
4. In process, where one answer's time goes (Django test client, no network).
5. The bulk CSV export of `--rows` observations against PostgreSQL `COPY (same SELECT) TO
   STDOUT` read by psycopg, with the peak memory of the gunicorn worker serving it.

    apt-get install -y wrk
    .venv/bin/python bench/api_read.py [--rows 1000000] [--seconds 20] [--without-store]
                                       [--write-docs]

Works in a database of its own (`ipi_bench_api`, recreated each run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.submission_1m import _bench_redis, _recreate_database, _with_database  # noqa: E402

WORK = ROOT / "var" / "bench"
RESULTS = WORK / "api_read.json"
BARE = WORK / "bare"  # the baseline views' bytes (bench/api_read_urls.py)
MONTHS = 486  # 1990-01 .. 2030-06: the one-series query returns this many observations
KEY = "M.TH.C.N.IX"
MARKER = "<!-- api_read -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--without-store",
        action="store_true",
        help="also measure every answer computed by its view (IPI_ANSWER_STORE=0): the before",
    )
    parser.add_argument("--before-seconds", type=int, default=10, help="wrk time of the before")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--from-json", action="store_true", help="report the last run (var/bench/api_read.json)"
    )
    args = parser.parse_args()
    if args.from_json:
        results = json.loads(RESULTS.read_text())
        args.seconds, args.before_seconds = results["seconds"], results["before_seconds"]
        report = format_results(results, args)
        print(report)
        if args.write_docs:
            write_docs(report)
        return
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
    results.update(seconds=args.seconds, before_seconds=args.before_seconds)
    RESULTS.write_text(json.dumps(results, indent=1))
    report = format_results(results, args)
    print(report)
    if args.write_docs:
        write_docs(report)


def seed(database_url: str, rows: int, revised: int = 0) -> None:
    """`rows` current observations: series of MONTHS months each, KEY among them; with
    `revised`, each series' last `revised` months also have the closed vintage a revision
    left (published 30 days before, closed when the current one opened)."""
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
            "INSERT INTO indices_publishedobservation (series_no, period_start, time_period,"
            " value, status, release_id, valid_from)"
            " SELECT s.number, date '1990-01-01' + make_interval(months => m),"
            " to_char(date '1990-01-01' + make_interval(months => m), 'YYYY-MM'),"
            " 90 + 20 * random(), 'A', %s, now()"
            " FROM indices_publishedseries AS s, generate_series(0, %s) AS m",
            [release, MONTHS - 1],
        )
        if revised:
            conn.execute(
                "INSERT INTO indices_publishedobservation (series_no, period_start,"
                " time_period, value, status, release_id, valid_from, valid_to)"
                " SELECT series_no, period_start, time_period, value - 1, status, release_id,"
                " valid_from - interval '30 days', valid_from"
                " FROM indices_publishedobservation"
                " WHERE period_start >= date '1990-01-01' + make_interval(months => %s)",
                [MONTHS - revised],
            )
        conn.execute("VACUUM ANALYZE indices_publishedobservation")
        conn.execute("VACUUM ANALYZE indices_publishedseries")


def wrk(
    url: str,
    token: str | None,
    seconds: int,
    headers: dict[str, str],
    *,
    connections: int = 32,
    threads: int = 2,
) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in {
        **headers,
        **({"Authorization": f"Bearer {token}"} if token else {}),
    }.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    scale = {"us": 1e-3, "ms": 1, "s": 1e3}
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)],
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)],
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def store_sizes(database_url: str) -> dict:
    """Table and index sizes of the published store (MB)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT pg_table_size('indices_publishedobservation'),"
            " pg_indexes_size('indices_publishedobservation'),"
            " pg_total_relation_size('indices_publishedseries')"
        ).fetchone()
    assert row is not None
    return {"table_mb": row[0] / 2**20, "indexes_mb": row[1] / 2**20, "series_mb": row[2] / 2**20}


def targets(token: str) -> list[tuple[str, str, dict[str, str]]]:
    """(name, path, headers) of each answer measured."""
    from indices.disseminate.sdmx import media

    sdmx = f"/sdmx/data/DF_IPI/{KEY}"
    return [
        ("json", f"/api/v1/data/{KEY}", {}),
        ("csv", f"/api/v1/data/{KEY}?format=csv", {}),
        ("sdmx-generic", sdmx, {"Accept": media.GENERIC}),
        ("sdmx-structurespecific", sdmx, {"Accept": media.STRUCTURE_SPECIFIC}),
        ("sdmx-json", sdmx, {"Accept": media.JSON}),
        ("sdmx-csv", sdmx, {"Accept": media.CSV}),
    ]


def measure_answers(args, base: str, token: str, with_baselines: bool, seconds: int) -> dict:
    """wrk over every answer (and its baseline), plus the 304, after a warm-up of each."""
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    results: dict = {}
    etag = ""
    for name, path, headers in targets(token):
        first = httpx.get(base + path, headers={**auth, **headers})
        assert first.status_code == 200, (name, first.status_code, first.text[:300])
        if name == "json":
            assert len(first.json()["series"][0]["observations"]) == MONTHS
            etag = first.headers["ETag"]
        if with_baselines:
            (BARE / f"{name}.body").write_bytes(first.content)
            (BARE / f"{name}.type").write_text(first.headers["Content-Type"])
        results[f"{name}_bytes"] = len(first.content)
    revalidate = httpx.get(base + targets(token)[0][1], headers={**auth, "If-None-Match": etag})
    assert revalidate.status_code == 304
    for name, path, headers in targets(token):
        url = base + path
        wrk(url, token, 2, headers)  # warm-up: every worker's connections, the stored answer
        results[name] = wrk(url, token, seconds, headers)
        if with_baselines:
            wrk(f"{base}/bare/{name}", None, 2, {})
            results[f"bare_{name}"] = wrk(f"{base}/bare/{name}", None, seconds, {})
    json_url = base + targets(token)[0][1]
    wrk(json_url, token, 2, {"If-None-Match": etag})
    results["revalidate"] = wrk(json_url, token, seconds, {"If-None-Match": etag})
    if with_baselines:
        wrk(f"{base}/bare-304", None, 2, {})
        results["bare_304"] = wrk(f"{base}/bare-304", None, seconds, {})
    return results


def profile_in_process(token: str, repeat: int = 500) -> dict:
    """Mean time of one answer through Django in this process (no HTTP server, no network):
    the stored answer, the same computed by the view, the minimal views, and the one Redis
    script alone."""
    from django.test import Client, RequestFactory, override_settings

    from indices.disseminate import answers

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/data/{KEY}"
    etag = client.get(url)["ETag"]

    def mean_us(call) -> float:
        for _ in range(20):
            call()
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        return (time.perf_counter() - started) / repeat * 1e6

    timings = {
        "bare": mean_us(lambda: client.get("/bare/json")),
        "bare_304": mean_us(lambda: client.get("/bare-304")),
        "stored": mean_us(lambda: client.get(url)),
        "stored_304": mean_us(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag)),
    }
    with override_settings(IPI_ANSWER_STORE=False):
        timings["computed"] = mean_us(lambda: client.get(url))
        timings["computed_304"] = mean_us(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag))
    factory = RequestFactory(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    timings["serve_call"] = mean_us(
        lambda: answers.answer_serve(factory.get(url), "DataApi", sdmx=False)
    )
    return timings


def run(args, env: dict, database_url: str) -> dict:
    import django

    django.setup()
    import httpx
    import psutil

    from countries.models import Agency
    from countries.services import credential_create
    from indices.disseminate.answers import answers_forget
    from indices.disseminate.apis.bulk import export_statement
    from indices.disseminate.keys import KeyFilter
    from indices.disseminate.query import PeriodRange

    started = time.perf_counter()
    seed(database_url, args.rows)
    answers_forget()  # rows written by SQL, not by a publication
    results_sizes = store_sizes(database_url)
    results_sizes["seed_seconds"] = time.perf_counter() - started
    _, token = credential_create(
        agency=Agency.objects.get(pk="TH_OIE"), name="bench", scopes=["read"]
    )
    WORK.mkdir(parents=True, exist_ok=True)
    BARE.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "rows": args.rows,
        "workers": args.workers,
        "load": os.getloadavg(),
        "store": results_sizes,
    }
    if args.without_store:
        server, base = servers.gunicorn(
            {**env, "IPI_ANSWER_STORE": "0"},
            workers=args.workers,
            log=WORK / "gunicorn-api-read-computed.log",
        )
        try:
            computed = measure_answers(args, base, token, False, args.before_seconds)
        finally:
            servers.stop(server)
        results["computed"] = computed
    server, base = servers.gunicorn(env, workers=args.workers, log=WORK / "gunicorn-api-read.log")
    try:
        results.update(measure_answers(args, base, token, True, args.seconds))
        auth = {"Authorization": f"Bearer {token}"}
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
        servers.stop(server)
    results["profile"] = profile_in_process(token)
    results["load_after"] = os.getloadavg()
    return results


NAMES = {
    "json": f"`GET /api/v1/data/{KEY}` JSON",
    "csv": "same, `format=csv`",
    "sdmx-generic": f"`/sdmx/data/DF_IPI/{KEY}` SDMX-ML generic",
    "sdmx-structurespecific": "same, SDMX-ML structure-specific",
    "sdmx-json": "same, SDMX-JSON",
    "sdmx-csv": "same, SDMX-CSV",
}


def format_results(r: dict, args) -> str:
    cpu = platform.processor() or platform.machine()
    load = " / ".join(f"{x:.2f}" for x in r["load"])
    lines = [
        f"### Read API ({datetime.now(UTC):%Y-%m-%d})\n\n",
        f"Machine: {os.cpu_count()} cores ({cpu}); PostgreSQL, Redis, gunicorn "
        f"({r['workers']} sync workers) and wrk (2 threads, 32 connections, {args.seconds} s "
        f"after a 2 s warm-up) on the same machine; {r['rows']:,} stored values; load average "
        f"before the run {load}. Baselines: minimal Django views returning the same bytes "
        "(or a 304) from the same gunicorn, in the same run.\n\n",
        "How an answer is made now (`indices/disseminate/answers.py`): the first request for "
        "a (publication state, request) computes it through the view and keeps its bytes and "
        "headers in Redis; the next is answered by one Lua script that refuses an address "
        "over its failed-token budget, finds the credential by token hash, counts the rate "
        "limit and returns the kept answer; from then on the web process answers it from its "
        "own memory (`indices/disseminate/local_answers.py`), before the URL is resolved "
        "(`indices/disseminate/middleware.py`), counting the rate limit there "
        "and adding the counts to Redis every 50 ms: no Redis round trip, no SQL, no ORM "
        "object, no DRF request. Publication, the next release instant, revocation, agency "
        "changes and a locked-out address are announced to every process, which forgets "
        "before the change returns (docs/api.md, sections 6 and 7).\n\n",
        "| answer | bytes | service | baseline | ratio | p99 | target |\n",
        "|---|---|---|---|---|---|---|\n",
    ]
    for name, label in NAMES.items():
        m, b = r[name], r[f"bare_{name}"]
        ok = m["rps"] >= 0.5 * b["rps"] and m["p99_ms"] <= 50 and not m["errors"]
        lines.append(
            f"| {label} | {r[f'{name}_bytes']:,} | {m['rps']:,.0f} req/s | "
            f"{b['rps']:,.0f} req/s | {m['rps'] / b['rps']:.0%} | {m['p99_ms']:.1f} ms | "
            f">= 50%, p99 <= 50 ms: {'met' if ok else 'NOT met'} |\n"
        )
    m, b = r["revalidate"], r["bare_304"]
    ok = m["rps"] >= 0.8 * b["rps"] and not m["errors"]
    lines.append(
        f"| same JSON URL, `If-None-Match` -> 304 | 0 | {m['rps']:,.0f} req/s | "
        f"{b['rps']:,.0f} req/s | {m['rps'] / b['rps']:.0%} | {m['p99_ms']:.1f} ms | "
        f">= 80%: {'met' if ok else 'NOT met'} |\n"
    )
    errors = sum(r[k]["errors"] for k in [*NAMES, "revalidate"])
    after = " / ".join(f"{x:.2f}" for x in r.get("load_after", r["load"]))
    lines.append(f"\nNon-2xx/3xx answers during the runs: {errors}. Load average after: {after}.\n")
    if "computed" in r:
        c = r["computed"]
        lines += [
            "\nBefore (the same answers computed by the views on every request, "
            f"`IPI_ANSWER_STORE=0`, wrk {args.before_seconds} s each, same run):\n\n",
            "| answer | computed | stored | baseline | computed vs baseline | p99 computed |\n",
            "|---|---|---|---|---|---|\n",
        ]
        for name, label in [*NAMES.items(), ("revalidate", "304 revalidation")]:
            base = r["bare_304" if name == "revalidate" else f"bare_{name}"]
            lines.append(
                f"| {label} | {c[name]['rps']:,.0f} req/s | {r[name]['rps']:,.0f} req/s | "
                f"{base['rps']:,.0f} req/s | {c[name]['rps'] / base['rps']:.0%} | "
                f"{c[name]['p99_ms']:.1f} ms |\n"
            )
    p = r["profile"]
    lines += [
        "\nWhere one answer's time goes (in process through the Django test client, no "
        "HTTP server; mean of 500):\n\n",
        "| path | time per answer |\n|---|---|\n",
        f"| minimal view, same JSON bytes | {p['bare']:.0f} us |\n",
        f"| minimal view, 304 | {p['bare_304']:.0f} us |\n",
        f"| kept JSON answer (from the process's memory, rate limit counted there) | "
        f"{p['stored']:.0f} us |\n",
        f"| of which `answer_serve` alone (the checks and the response) | "
        f"{p['serve_call']:.0f} us |\n",
        f"| kept 304 | {p['stored_304']:.0f} us |\n",
        f"| computed by the view (credential query, 3 ORM queries, a dict and a Decimal per "
        f"observation, JSON) | {p['computed']:.0f} us |\n",
        f"| computed 304 (credential query, version query) | {p['computed_304']:.0f} us |\n",
    ]
    if "store" in r:
        st = r["store"]
        lines.append(
            f"\nThe store: {r['rows']:,} current values written by `INSERT ... SELECT` "
            "(`seed`, not through the publication path) in "
            f"{st['seed_seconds']:.0f} s; `indices_publishedobservation` {st['table_mb']:,.0f} MB "
            f"and its indexes {st['indexes_mb']:,.0f} MB; `indices_publishedseries` "
            f"{st['series_mb']:,.0f} MB. (One series at 1M and at 50M: `bench/store_scale.py`.)\n"
        )
    bulk_ratio = r["bulk_identity_seconds"] / r["copy_seconds"]
    lines += [
        "\n| bulk export | value | target |\n|---|---|---|\n",
        f"| PostgreSQL `COPY (same SELECT) TO STDOUT`, {r['rows']:,} rows | "
        f"{r['copy_seconds']:.2f} s ({r['copy_mb']:.0f} MB) | |\n",
        f"| `GET /api/v1/bulk/data.csv`, same rows | {r['bulk_identity_seconds']:.2f} s "
        f"({r['bulk_identity_mb']:.0f} MB) | |\n",
        f"| bulk vs COPY | {bulk_ratio:.2f}x | within 2x |\n",
        f"| bulk with `Accept-Encoding: gzip` | {r['bulk_gzip_seconds']:.2f} s "
        f"({r['bulk_gzip_mb']:.0f} MB) | |\n",
        f"| gunicorn worker RSS: idle / peak during both exports | {r['idle_rss_mb']:.0f} MB / "
        f"{r['peak_rss_mb']:.0f} MB | constant |\n",
    ]
    return "".join(lines)


def write_docs(report: str) -> None:
    write_section(MARKER.removeprefix("<!-- ").removesuffix(" -->"), report)


if __name__ == "__main__":
    main()
