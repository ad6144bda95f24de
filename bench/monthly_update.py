"""Benchmark: a monthly update (every series of a country: one new month and revisions of the last
three, about 20,000 values) into a store that already holds about 10,000,000 values, POST ->
published with a real worker, against PostgreSQL COPY of the update's rows, in the same run.

    .venv/bin/python bench/monthly_update.py [--scale 1.0] [--reuse] [--write-docs]

The store is filled first through the real path: million-row files of three members (Thailand, Viet
Nam, Japan: the members with a national classification, so with thousands of series each) POSTed
one after the other, each validated, accepted and published by the worker before the next. The
aggregates' value-added weights of those members are then set (where the store has none), so that
every release recomputes and publishes the groups' series (H6) as in production, and the
recomputation of every group they cause is waited for. A warm-up upload (five values of the newest
month sent again) then runs through the worker, so that the timed update does not pay for a fresh
worker's first imports. Then the update of Thailand is POSTed and timed, holding /tmp/quiet.lock if
it can. The worker log's seconds per publication step are reported, and the stores' size per value.

--reuse keeps the filled store of the previous run (database `ipi_bench_monthly`) and times
only a new update (the month after the newest stored). --scale shrinks the store (0.01 for a
smoke run). Uses DATABASE_URL / REDIS_URL when set, else the embedded servers, as
bench/submission_1m.py.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.submission_1m import (  # noqa: E402
    _publication_steps,
    bench_environment,
    posted_until_decided,
    release_decided,
    time_copy,
    weights_set,
)

WORK = ROOT / "var" / "bench"
DATABASE = "ipi_bench_monthly"
# Queues of its own: a worker of bench/submission_1m.py (db 8) running meanwhile would otherwise
# take this run's tasks, and this one its.
REDIS_DB = 10
LOG = WORK / "monthly-worker.log"
QUIET_LOCK = Path("/tmp/quiet.lock")
ADJUSTMENTS = "NSWYT"
MONTHS = 500
# The fill's months end half a year before the present, so that a filled store takes six
# updates (each the month after the newest stored) before one would be in the future.
_TODAY = datetime.now(UTC)
FIRST = (_TODAY.year - 1985) * 12 + _TODAY.month - 1 - 6 - MONTHS + 1  # months since 1985-01
CODES_PER_FILE = 400  # 400 codes x 5 adjustments x 500 months = 1,000,000 rows
# The members filled: country, reporting agency, national classification, national codes.
# 1,000 + 1,500 + 1,500 codes x 5 adjustments x 500 months = 10,000,000 values.
MEMBERS = [
    ("TH", "TH_OIE", "TSIC2009", 1000),
    ("VN", "VN_NSO", "VSIC2018", 1500),
    ("JP", "JP_METI", "JP_IIP_GROUPS", 1500),
]
UPDATED = "TH"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the national codes")
    parser.add_argument("--reuse", action="store_true", help="keep the previous run's store")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    from ipi_exchange import embedded

    members = [
        (area, agency, classification, max(1, round(codes * args.scale)))
        for area, agency, classification, codes in MEMBERS
    ]
    with embedded.services_from_environment() as urls:
        # Not bench/submission_1m.py's database, which every run of it recreates.
        database_url, env = bench_environment(
            urls, DATABASE, recreate=not args.reuse, redis_db=REDIS_DB
        )
        results = run(members, env, database_url, fill=not args.reuse)
    report = format_results(results)
    print(report)
    if args.write_docs:
        write_section("monthly_update", report)


def series_level(code: int, adjustment: str, t: int) -> float:
    """Month t's value of a series: seasonal when not adjusted, about 100 in 2021."""
    seasonal = adjustment == "N"
    level = (80 + 0.05 * t + code % 13) * (1 + (0.04 * math.sin(t / 1.9) if seasonal else 0))
    return level * 100 / (80 + 0.05 * (2021 - 1985) * 12 + 0.05 * 5.5 + code % 13)


def _period(t: int) -> str:
    return f"{1985 + t // 12}-{t % 12 + 1:02d}"


def write_rows(path: Path, area: str, codes: range, months: range, revised: range) -> int:
    """One row per code, adjustment and month; the months in `revised` get a revised value."""
    count = 0
    with path.open("w") as out:
        out.write("REF_AREA,NAT_CODE,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER\n")
        for code in codes:
            for adjustment in ADJUSTMENTS:
                lines = []
                for t in months:
                    value = series_level(code, adjustment, t) * (1.002 if t in revised else 1)
                    lines.append(f"{area},N{code:04d},{adjustment},{_period(t)},{value:.4f},2021\n")
                out.writelines(lines)
                count += len(lines)
    return count


def fill_files(members: list[tuple[str, str, str, int]]) -> list[tuple[str, Path, int]]:
    """The fill's files, at most a million rows each: (agency, path, rows)."""
    files = []
    for area, agency, _, codes in members:
        for first in range(0, codes, CODES_PER_FILE):
            chunk = range(first, min(codes, first + CODES_PER_FILE))
            path = WORK / f"fill-{area}-{chunk.start}-{chunk.stop}-{FIRST}-{MONTHS}.csv"
            if not path.exists():
                write_rows(path, area, chunk, range(FIRST, FIRST + MONTHS), range(0))
            rows = len(chunk) * len(ADJUSTMENTS) * MONTHS
            files.append((agency, path, rows))
    return files


def run(members: list, env: dict, database_url: str, *, fill: bool) -> dict:
    import django

    django.setup()
    from rest_framework.test import APIClient

    from countries.models import Agency, NationalClassification
    from countries.services import concordance_upload, credential_create

    WORK.mkdir(parents=True, exist_ok=True)
    if fill:
        for _, _, classification, codes in members:
            concordance_upload(
                classification=NationalClassification.objects.get(pk=classification),
                raw_rows=[
                    {
                        "national_code": f"N{c:04d}",
                        "isic_code": f"{10 + c % 24:02d}",
                        "weight": str(1 + c % 5),
                    }
                    for c in range(codes)
                ],
                created_by=Agency.objects.get(pk="MKG_SEC"),
            )
    clients = {}
    for _, agency, _, _ in members:
        _, token = credential_create(
            agency=Agency.objects.get(pk=agency), name="bench", scopes=["submit", "read"]
        )
        clients[agency] = APIClient()
        clients[agency].credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    worker = servers.celery_worker(
        env, queues=["validation", "publication", "default"], log=LOG, loglevel="INFO", append=True
    )
    try:  # the worker is stopped however the run ends
        time.sleep(4)  # let the worker connect before the clock starts
        for client in clients.values():
            assert client.get("/api/v1/submissions/").status_code == 200
        filled = []
        fill_started = time.perf_counter()
        if fill:
            for agency, path, rows in fill_files(members):
                timing = submit(clients[agency], path)
                filled.append({"agency": agency, "rows": rows, **timing})
                print(f"filled {path.name}: {timing}", flush=True)
        fill_seconds = time.perf_counter() - fill_started
        weights = weights_set([area for area, _, _, _ in members], LOG)
        before = store_size()
        area, agency, _, codes = next(m for m in members if m[0] == UPDATED)
        newest = _newest_month(agency)
        update_path = WORK / f"update-{area}-{codes}-{newest + 1}.csv"
        update_rows = write_rows(
            update_path,
            area,
            range(codes),
            range(newest - 2, newest + 2),
            range(newest - 2, newest + 1),
        )
        # A worker serves task after task: the timed update should not pay for its first
        # imports and connections. Five values of the newest month, sent again as they are.
        warm_path = WORK / f"warm-{area}-{newest}.csv"
        write_rows(warm_path, area, range(1), range(newest, newest + 1), range(0))
        warm_up = submit(clients[agency], warm_path)
        with quiet() as held:
            load_before = _load()
            copy_seconds = time_copy(database_url, update_path)
            update = submit(clients[agency], update_path)
            load_after = _load()
        after = store_size()
    finally:
        servers.stop(worker)
    return {
        "members": members,
        "filled": filled,
        "fill_seconds": fill_seconds,
        "weights": weights,
        "before": before,
        "after": after,
        "update_rows": update_rows,
        "update_months": f"{_period(newest + 1)} new, {_period(newest - 2)} to "
        f"{_period(newest)} revised",
        "update_size_kb": update_path.stat().st_size / 1e3,
        "copy_seconds": copy_seconds,
        "update": update,
        "warm_up": warm_up,
        "quiet": held,
        "load_before": load_before,
        "load_after": load_after,
    }


def submit(client, path: Path) -> dict:
    """POST a file; wait for ACCEPTED, then for the release published. Seconds from the POST."""

    started = time.perf_counter()
    submission, answered = posted_until_decided(client, path)
    accepted = time.perf_counter() - started
    assert submission.status == "ACCEPTED", (submission.status, submission.summary)
    release = release_decided(submission.pk)
    published = time.perf_counter() - started
    assert release.status == "PUBLISHED", release.status
    time.sleep(0.3)  # the worker logs its step seconds just after the commit
    return {
        "answered": answered,
        "accepted": accepted,
        "published": published,
        "steps": _publication_steps(LOG),
        "warnings": submission.summary.get("warnings", 0),
    }


class quiet:
    """Hold /tmp/quiet.lock (the machine's shared 'benchmark running' sign) for the timed
    part, waiting up to 10 minutes for it; entered as whether it was held."""

    def __enter__(self) -> bool:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                QUIET_LOCK.mkdir()
            except FileExistsError:
                time.sleep(5)
                continue
            (QUIET_LOCK / "owner").write_text(
                f"bench/monthly_update.py, pid {os.getpid()}, a few minutes at most\n"
            )
            self.held = True
            return True
        self.held = False
        return False

    def __exit__(self, *exc: object) -> None:
        if self.held:
            (QUIET_LOCK / "owner").unlink(missing_ok=True)
            QUIET_LOCK.rmdir()


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _newest_month(agency: str) -> int:
    """The newest stored month of the agency's series, as months since 1985-01."""
    from django.db.models import Max

    from indices.national.models import NationalObservation

    newest = NationalObservation.objects.filter(series__agency_id=agency).aggregate(
        newest=Max("period_start")
    )["newest"]
    return (newest.year - 1985) * 12 + newest.month - 1


def store_size() -> dict:
    """The stores' rows and bytes (tables, indexes, TOAST), after VACUUM ANALYZE, and the
    whole database's size."""
    from django.db import connection

    tables = ("indices_nationalobservation", "indices_publishedobservation")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
        sizes = {}
        for table in tables:
            cursor.execute(
                f"SELECT pg_total_relation_size('{table}'), pg_indexes_size('{table}'),"
                f" (SELECT count(*) FROM {table})"
            )
            sizes[table.rsplit("_", 1)[1]] = cursor.fetchone()
        # Each store's series table counts with its values (a few thousand rows).
        for store, series in (("national", "nationalseries"), ("published", "publishedseries")):
            cursor.execute(
                f"SELECT pg_total_relation_size('indices_{series}'),"
                f" pg_indexes_size('indices_{series}')"
            )
            total, indexes = cursor.fetchone()
            values, values_indexes, rows = sizes[f"{store}observation"]
            sizes[f"{store}observation"] = (values + total, values_indexes + indexes, rows)
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes["database"] = cursor.fetchone()[0]
    return sizes


def _size_line(sizes: dict) -> str:
    national, national_indexes, national_rows = sizes["nationalobservation"]
    published, published_indexes, published_rows = sizes["publishedobservation"]
    values = national_rows + published_rows
    return (
        f"{national_rows:,} national values, {national / 2**20:,.0f} MB "
        f"({national / national_rows:.0f} B each, indexes {national_indexes / 2**20:,.0f} MB); "
        f"{published_rows:,} published, {published / 2**20:,.0f} MB "
        f"({published / published_rows:.0f} B each, indexes {published_indexes / 2**20:,.0f} MB); "
        f"**{(national + published) / values:.0f} B per value**; "
        f"whole database {sizes['database'] / 2**20:,.0f} MB "
        f"({sizes['database'] / values:.0f} B per value)"
    )


def format_results(r: dict) -> str:
    u = r["update"]
    filled = r["filled"]
    fill_lines = "".join(
        f"| {i + 1} | {f['agency']} | {f['rows']:,} | {f['accepted']:.1f} s | "
        f"{f['published']:.1f} s | {f['steps']} |\n"
        for i, f in enumerate(filled)
    )
    members = ", ".join(
        f"{area} ({codes:,} codes x {len(ADJUSTMENTS)} adjustments = "
        f"{codes * len(ADJUSTMENTS):,} series)"
        for area, _, _, codes in r["members"]
    )
    fill = (
        (
            f"The store was filled through the real path (POST, validation, publication by the "
            f"worker), {len(filled)} files one after the other, {MONTHS} months each "
            f"({_period(FIRST)} to {_period(FIRST + MONTHS - 1)}), of {members}, in "
            f"{r['fill_seconds'] / 60:.1f} min:\n\n"
            "| file | agency | rows | POST -> ACCEPTED | POST -> published | steps |\n"
            "|---|---|---|---|---|---|\n" + fill_lines + "\n"
        )
        if filled
        else "The store of a previous run was reused (--reuse).\n\n"
    )
    weights = r["weights"]
    if weights:
        fill += (
            f"The aggregates' value-added weights were then set ({weights['rows']} rows: each "
            "member's, every activity, 2021), and the recomputation of every group that "
            f"follows published in {weights['published']:.1f} s ({weights['steps']}).\n\n"
        )
    return (
        f"### Monthly update into a store of 10 million values ({datetime.now(UTC):%Y-%m-%d})\n\n"
        "`bench/monthly_update.py`: a real worker (validation and publication queues, "
        "concurrency 1), PostgreSQL and Redis on the same 2 cores. Before the timed update "
        f"the worker served a warm-up upload ({r['warm_up']['published']:.2f} s POST -> "
        "published: five values sent again as they were), as a long-running worker has.\n\n"
        + fill
        + "Store before the update (after VACUUM ANALYZE of both stores): "
        f"{_size_line(r['before'])}.\n\n"
        f"The update: {UPDATED}, every series, {r['update_months']}: "
        f"{r['update_rows']:,} rows ({r['update_size_kb']:.0f} kB CSV).\n\n"
        "| measure | value |\n|---|---|\n"
        f"| PostgreSQL COPY of the update's rows into 6 text columns | "
        f"{r['copy_seconds']:.3f} s |\n"
        f"| POST answered (202) | {u['answered']:.2f} s |\n"
        f"| POST -> ACCEPTED | {u['accepted']:.2f} s ({u['accepted'] / r['copy_seconds']:.0f}x "
        f"the COPY) |\n"
        f"| POST -> published (target <= 1 s) | **{u['published']:.2f} s** |\n"
        f"| ACCEPTED -> published | {u['published'] - u['accepted']:.2f} s ({u['steps']}) |\n"
        f"| /tmp/quiet.lock held while timed | {'yes' if r['quiet'] else 'no (busy 10 min)'} |\n"
        f"| load average before / after (1, 5, 15 min) | {r['load_before']} / "
        f"{r['load_after']} |\n\n"
        f"Store after the update: {_size_line(r['after'])}.\n\n"
    )


if __name__ == "__main__":
    main()
