"""Benchmark: one series read from a store of 1,000,000 and of 50,000,000 values, vintages
included, in the same run (issue #15: latency may grow at most 1.5x between the two).

For each size the published store is built in a database of its own by `INSERT ... SELECT`
(bench/api_read.py's `seed`: series of 486 months, each with a closed earlier vintage of its
last `--revised` months, as a revision leaves them), then one gunicorn (2 sync workers) serves
`GET /api/v1/data/M.TH.C.N.IX`:
- computed by the view on every request (`IPI_ANSWER_STORE=0`): the query against the store;
- kept (the answer made once per publication state, then served from Redis or the process);
each with wrk at 1 connection (latency) and at 32 connections (req/s, p99), and the first
request after a publication (the answer computed and kept), timed by the client.

    .venv/bin/python bench/store_scale.py [--sizes 1000000,50000000] [--keep] [--write-docs]

--keep reuses a size's database when a previous run built it (`ipi_bench_store_<size>`); a
50M build takes about 15-25 minutes and 15 GB. Uses DATABASE_URL / REDIS_URL when set, else the
embedded servers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.api_read import KEY, MONTHS, seed, wrk  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.submission_1m import _bench_redis, _with_database  # noqa: E402

WORK = ROOT / "var" / "bench"
RESULTS = WORK / "store_scale.json"
URL = f"/api/v1/data/{KEY}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000,50000000")
    parser.add_argument("--revised", type=int, default=97, help="closed vintages per series")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="reuse a database built before")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--from-json", action="store_true", help="report the last run")
    args = parser.parse_args()
    if args.from_json:
        results = json.loads(RESULTS.read_text())
    else:
        from ipi_exchange import embedded

        results = {"load": os.getloadavg(), "seconds": args.seconds, "sizes": []}
        with embedded.services_from_environment() as urls:
            for size in (int(s) for s in args.sizes.split(",")):
                results["sizes"].append(measure_size(args, urls, size))
        results["load_after"] = os.getloadavg()
        WORK.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    report = format_results(results)
    print(report)
    if args.write_docs:
        write_section("store_scale", report)


def measure_size(args, urls, size: int) -> dict:
    import psycopg

    name = f"ipi_bench_store_{size}"
    database_url = _with_database(urls.database, name)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": _bench_redis(urls.redis),
        "DJANGO_SETTINGS_MODULE": "bench.api_read_settings",
        "LOG_LEVEL": "WARNING",
    }
    built = None
    if not (args.keep and _seeded(urls.database, name)):
        maintenance = _with_database(urls.database, "postgres")
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        started = time.perf_counter()
        per_series = MONTHS + args.revised
        seed(database_url, max(1, size // per_series) * MONTHS, revised=args.revised)
        built = time.perf_counter() - started
    token = subprocess.run(
        [sys.executable, "-c", _CREDENTIAL],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    result: dict = {"size": size, "built_seconds": built, **_sizes(database_url)}
    for store in ("0", "1"):
        label = "kept" if store == "1" else "computed"
        log = WORK / f"gunicorn-store-{size}-{label}.log"
        server, base = servers.gunicorn({**env, "IPI_ANSWER_STORE": store}, workers=2, log=log)
        try:
            result[label] = _measure(args, base, token, env)
        finally:
            servers.stop(server)
    return result


_CREDENTIAL = """
import django; django.setup()
from countries.models import Agency
from countries.services import credential_create
print(credential_create(agency=Agency.objects.get(pk='TH_OIE'), name='bench', scopes=['read'])[1])
"""
_FORGET = "import django; django.setup(); from indices.disseminate.answers import answers_forget;"
_FORGET += " answers_forget()"


def _measure(args, base: str, token: str, env: dict) -> dict:
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    firsts = []
    for _ in range(5):
        # A publication retires the kept answers: the next request computes and keeps one.
        subprocess.run([sys.executable, "-c", _FORGET], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        response = httpx.get(base + URL, headers=auth)
        firsts.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["series"][0]["observations"]) == MONTHS
    wrk(base + URL, token, 2, {})
    one = wrk(base + URL, token, args.seconds, {}, connections=1, threads=1)
    many = wrk(base + URL, token, args.seconds, {})
    return {"first_ms": statistics.median(firsts), "one": one, "many": many}


def _seeded(maintenance_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_with_database(maintenance_url, "postgres")) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with psycopg.connect(_with_database(maintenance_url, name)) as conn:
        found = conn.execute("SELECT to_regclass('indices_publishedobservation')").fetchone()
        if found is None or found[0] is None:
            return False
        return conn.execute(
            "SELECT EXISTS (SELECT 1 FROM indices_publishedobservation)"
        ).fetchone()[0]


def _sizes(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM indices_publishedobservation),"
            " (SELECT count(*) FROM indices_publishedobservation WHERE valid_to IS NULL),"
            " pg_table_size('indices_publishedobservation'),"
            " pg_indexes_size('indices_publishedobservation')"
        ).fetchone()
        indexes = conn.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes"
            " WHERE relname = 'indices_publishedobservation' ORDER BY indexrelname"
        ).fetchall()
    assert row is not None
    return {
        "values": row[0],
        "current": row[1],
        "table_mb": row[2] / 2**20,
        "indexes_mb": row[3] / 2**20,
        "index_mb": {index: size / 2**20 for index, size in indexes},
    }


def format_results(r: dict) -> str:
    load = " / ".join(f"{x:.2f}" for x in r["load"])
    after = " / ".join(f"{x:.2f}" for x in r["load_after"])
    lines = [
        f"### One series at 1M and at 50M stored values ({datetime.now(UTC):%Y-%m-%d})\n\n",
        f"`bench/store_scale.py`: `GET {URL}` (JSON, {MONTHS} observations) from gunicorn (2 "
        f"sync workers); wrk {r['seconds']} s at 1 connection and at 32 (2 threads), after a "
        f"warm-up; load average before {load}, after {after}. Each store is the published "
        "store only, written by `INSERT ... SELECT`: series of 486 current monthly values, "
        "each with a closed earlier vintage of its last 97 months.\n\n",
        "| store | values (current) | table | indexes | built in |\n|---|---|---|---|---|\n",
    ]
    for s in r["sizes"]:
        built = f"{s['built_seconds'] / 60:.1f} min" if s["built_seconds"] else "kept"
        lines.append(
            f"| {s['size']:,} | {s['values']:,} ({s['current']:,}) | {s['table_mb']:,.0f} MB | "
            f"{s['indexes_mb']:,.0f} MB | {built} |\n"
        )
    lines += [
        "\n| store | answer | first after a publication | 1 connection: req/s, p50, p99 |"
        " 32 connections: req/s, p99 |\n|---|---|---|---|---|\n",
    ]
    for s in r["sizes"]:
        for label in ("computed", "kept"):
            m = s[label]
            lines.append(
                f"| {s['size']:,} | {label} | {m['first_ms']:.1f} ms | {m['one']['rps']:,.0f}, "
                f"{m['one']['p50_ms']:.2f} ms, {m['one']['p99_ms']:.2f} ms | "
                f"{m['many']['rps']:,.0f}, {m['many']['p99_ms']:.1f} ms |\n"
            )
    if len(r["sizes"]) >= 2:
        small, large = r["sizes"][0], r["sizes"][-1]
        growths = {
            label: large[label]["one"]["p50_ms"] / small[label]["one"]["p50_ms"]
            for label in ("computed", "kept")
        }
        growths["first answer after a publication"] = (
            large["computed"]["first_ms"] / small["computed"]["first_ms"]
        )
        worst = max(growths.values())
        lines.append(
            f"\nFrom {small['size']:,} to {large['size']:,} values, latency grows "
            + ", ".join(f"{g:.2f}x ({label})" for label, g in growths.items())
            + f": target <= 1.5x {'met' if worst <= 1.5 else 'NOT met'}.\n"
        )
    return "".join(lines)


if __name__ == "__main__":
    main()
