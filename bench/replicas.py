"""Benchmark: the one-series read under gunicorn with one and two web processes, without and
with a streaming replica (DATABASE_REPLICA_URLS), each with answers computed by the view on
every request and with answers kept (indices/disseminate/answers.py), for docs/scaling.md.

The store is bench/api_read.py's (`--rows` current observations, 400 per series); the replica a
real hot standby of the embedded PostgreSQL (tests/standby.py: `pg_basebackup -R`). Every load
is wrk (2 threads, 32 connections) on `GET /api/v1/data/M.TH.C.N.IX`; the transactions each
server committed during the run say where the reads went.

    apt-get install -y wrk
    .venv/bin/python bench/replicas.py [--rows 1000000] [--seconds 10] [--write-docs]

Everything runs on this one machine: a replica here shares the primary's cores, so the figures
show what routing costs and where the reads go, not the capacity a replica on its own host adds.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.api_read import KEY, seed, wrk  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.submission_1m import _bench_redis, _recreate_database, _with_database  # noqa: E402

WORK = ROOT / "var" / "bench"
DATABASE = "ipi_bench_replicas"
MARKER = "replicas"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
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
            "DJANGO_SETTINGS_MODULE": "bench.api_read_settings",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_REPLICA_URLS", None)
        os.environ.update(env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        try:
            results = run(args, env, database_url)
        finally:
            # Not kept: a standby made later (tests/test_read_replicas.py) copies every database.
            from django.db import connections

            connections.close_all()
            _drop_database(urls.database, DATABASE)
    report = format_results(results, args)
    print(report)
    if args.write_docs:
        write_section(MARKER, report)


def _drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def committed(url: str) -> int:
    """Transactions committed in the bench database on the server `url` names."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return int(
            conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [DATABASE]
            ).fetchone()[0]
        )


def run(args, env: dict, database_url: str) -> dict:
    import dj_database_url
    import django

    django.setup()
    import httpx

    from countries.models import Agency
    from countries.services import credential_create
    from tests.standby import Standby

    seed(database_url, args.rows)
    _, token = credential_create(
        agency=Agency.objects.get(pk="TH_OIE"), name="bench", scopes=["read"]
    )
    WORK.mkdir(parents=True, exist_ok=True)
    primary = dj_database_url.parse(database_url)
    standby = Standby(dict(primary))
    started = time.perf_counter()
    import psycopg

    with psycopg.connect(database_url) as conn:
        major = conn.info.server_version // 10000
    standby.start(major)
    results: dict = {"rows": args.rows, "standby_seconds": time.perf_counter() - started}
    replica_url = (
        f"postgresql://{primary['USER']}@{quote(str(standby.directory), safe='')}:"
        f"{standby.port}/{DATABASE}"
    )
    auth = {"Authorization": f"Bearer {token}"}
    try:
        for name, workers, replica, store in (
            (f"{setup}, answers {answers}", workers, replica, answers == "kept")
            for answers in ("computed", "kept")
            for setup, workers, replica in (
                ("1 web process", 1, False),
                ("2 web processes", 2, False),
                ("1 web process + replica", 1, True),
                ("2 web processes + replica", 2, True),
            )
        ):
            scenario_env = {
                **env,
                "IPI_ANSWER_STORE": "1" if store else "0",
                **({"DATABASE_REPLICA_URLS": replica_url} if replica else {}),
            }
            server, base = servers.gunicorn(
                scenario_env,
                workers=workers,
                log=WORK / f"gunicorn-replicas-{workers}.log",
                timeout=120,
            )
            try:
                url = f"{base}/api/v1/data/{KEY}"
                first = httpx.get(url, headers=auth)
                assert first.status_code == 200, first.text[:300]
                wrk(url, token, 2, {})  # warm every worker's connections
                before = (committed(database_url), committed(standby.conninfo(DATABASE)))
                results[name] = wrk(url, token, args.seconds, {})
                after = (committed(database_url), committed(standby.conninfo(DATABASE)))
                results[name]["primary_tx"] = after[0] - before[0]
                results[name]["replica_tx"] = after[1] - before[1]
                results[name]["body"] = first.content
            finally:
                servers.stop(server)
        bodies = {results[name].pop("body") for name in results if isinstance(results[name], dict)}
        results["identical"] = len(bodies) == 1
    finally:
        standby.remove()
    return results


def format_results(r: dict, args) -> str:
    cpu = platform.processor() or platform.machine()
    load = os.getloadavg()
    lines = [
        f"### Read replicas ({datetime.now(UTC):%Y-%m-%d})\n",
        f"Machine: {os.cpu_count()} cores ({cpu}), load average before the run "
        f"{load[0]:.2f}; PostgreSQL (primary and hot standby), Redis, gunicorn (sync workers) "
        f"and wrk (2 threads, 32 connections, {args.seconds} s) on the same machine; "
        f"`GET /api/v1/data/{KEY}` JSON, {r['rows']:,} stored values. Transactions: "
        "`pg_stat_database.xact_commit` of each server during the run (a request's queries "
        "outside a transaction count one each). The standby was made and started in "
        f"{r['standby_seconds']:.1f} s.\n",
        "| web | req/s | p99 | non-2xx/3xx | transactions on the primary | on the replica |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in r.items():
        if isinstance(m, dict):
            lines.append(
                f"| {name} | {m['rps']:,.0f} | {m['p99_ms']:.1f} ms | {m['errors']} | "
                f"{m['primary_tx']:,} | {m['replica_tx']:,} |"
            )
    lines.append(
        f"\nThe answers are {'byte-identical' if r['identical'] else 'NOT identical'} in every "
        "set-up. Computed: every answer made by the view (`IPI_ANSWER_STORE=0`), the load a "
        "database carries for queries that are not repeated; kept: answers kept per "
        "publication and given again from Redis or the web process's memory.\n"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
