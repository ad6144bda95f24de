"""Benchmark: one 1,000,000-observation submission, POST -> terminal status with a real worker,
against PostgreSQL COPY of the same rows, in the same run. Peak worker memory is sampled.

    python3 dev.py serve   # not needed: this script starts what it needs
    .venv/bin/python bench/submission_1m.py [--rows 1000000] [--publish] [--write-docs]

With --publish the worker also takes the publication queue: the clock then runs on from POST
until the release is published, and the first series published is read back through
/api/v1/data/ and SDMX (not timed) to show the values readable. The worker log's seconds per
publication step (store, harmonize, aggregate, vintages, commit) are reported. Thailand's
value-added weights are set first (before the clock), so that the release also computes and
publishes the regional aggregates' series (H6), as a member's release does in production.

With --again (which implies --publish) the same series are then sent once more, every value
revised by 0.1%, and POST -> ACCEPTED of that second file is timed against a COPY of it: a
country's second million-row file, validated against a store that holds the first (the
stored history and W04's stored values of every series), and the worker's peak memory while it
does. Once that second file is published, a third is sent: the first's rows of even
months only, every other month of every series missing, so that validation reads and merges
each series' stored values between the months it gives; its POST -> ACCEPTED and the
worker's peak memory are reported likewise.

Before the clock starts, twelve values of another member go through the worker (validated, and
published with --publish), as a running worker has served other uploads before.

With --repeat N (validation only, not with --publish) the COPY and the file's POST -> ACCEPTED
are timed N times, one after the other (the submission deleted before the next, so that the
same bytes make a new one). On a shared machine one run's ratio can move by a tenth or more;
each run and their median are reported.

Uses DATABASE_URL / REDIS_URL when set, else the embedded servers; works in a database of its
own (`ipi_bench`, recreated each run) so it never touches development or test data, and Redis
db 8. Two runs at the same time (e.g. from two checkouts) each need their own: `--database
ipi_bench_other --redis-db 9` (the worker of one run would otherwise take the other's tasks).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.results import write_section  # noqa: E402

WORK = ROOT / "var" / "bench"
NATIONAL_CODES = 400
# 1985-01 .. 2026-08: a larger file has more national codes, not months past the present
# (which validation rejects).
MAX_MONTHS = 500
ADJUSTMENTS = "NSWYT"
# How often the clock looks at the submission's status: the resolution of the times reported
# (every 0.1 s, as before 2026-12-07, added 0.05 s to each on average).
POLL = 0.02


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--publish", action="store_true", help="also time the publication")
    parser.add_argument(
        "--again", action="store_true", help="then time a revised second file (implies --publish)"
    )
    parser.add_argument(
        "--order", choices=ORDERS, default="series", help="the order of the file's rows"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="time COPY and POST -> ACCEPTED this many times"
    )
    parser.add_argument("--database", default="ipi_bench", help="the database to recreate")
    parser.add_argument("--redis-db", type=int, default=8, help="the Redis db of the queues")
    args = parser.parse_args()
    if args.repeat > 1 and (args.publish or args.again):
        parser.error("--repeat times validation only: not with --publish or --again")
    from ipi_exchange import embedded

    with embedded.services_from_environment() as urls:
        database_url, env = bench_environment(
            urls, args.database, recreate=True, redis_db=args.redis_db
        )
        results = run(
            args.rows,
            env,
            database_url,
            publish=args.publish or args.again,
            order=args.order,
            again=args.again,
            repeat=args.repeat,
        )
    report = format_results(results)
    print(report)
    if args.write_docs:
        write_docs(report, publish=args.publish or args.again)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _bench_redis(url: str, db: int = 8) -> str:
    from ipi_exchange.env import with_redis_db

    return with_redis_db(url, db)


def bench_environment(
    urls, database: str, *, recreate: bool, redis_db: int = 8
) -> tuple[str, dict]:
    """A database of the bench's own on the servers `urls` names (recreated, or kept), migrated,
    and the environment of the processes that use it (also set in this one)."""
    database_url = _with_database(urls.database, database)
    if recreate:
        _recreate_database(urls.database, database)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": _bench_redis(urls.redis, redis_db),
        "IPI_FILE_STORE": str(WORK / "files"),
        "DJANGO_SETTINGS_MODULE": "ipi_exchange.settings",
        "LOG_LEVEL": "INFO",
        "ALLOWED_HOSTS": "testserver",
    }
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return database_url, env


def _recreate_database(url: str, name: str) -> None:
    import psycopg

    maintenance = _with_database(url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# The orders a file's rows may come in: series by series (as the template and most exports
# write them), period by period (every series' January, then February...), or shuffled.
ORDERS = ("series", "period", "random")


def national_codes(rows: int) -> int:
    """How many national codes a file of `rows` has (400 up to 1,000,000 rows)."""
    return max(NATIONAL_CODES, math.ceil(rows / (len(ADJUSTMENTS) * MAX_MONTHS)))


def generate_csv(path: Path, rows: int, order: str = "series") -> int:
    """Monthly NAT_CODE series from 1985, seasonal, rebased so each 2021 averages 100."""
    codes = national_codes(rows)
    months_per_series = math.ceil(rows / (codes * len(ADJUSTMENTS)))
    lines = []
    for code in range(codes):
        for adjustment in ADJUSTMENTS:
            seasonal = adjustment == "N"
            levels = [
                (80 + 0.05 * t + code % 13) * (1 + (0.04 * math.sin(t / 1.9) if seasonal else 0))
                for t in range(months_per_series)
            ]
            base_months = [i for i in range(months_per_series) if 1985 + i // 12 == 2021]
            scale = (
                100 / (sum(levels[i] for i in base_months) / 12) if len(base_months) == 12 else 1
            )
            lines.append(
                [
                    f"TH,N{code:04d},{adjustment},{1985 + t // 12}-{t % 12 + 1:02d},"
                    f"{level * scale:.4f},2021\n"
                    for t, level in enumerate(levels)
                ]
            )
    chosen = [line for series_lines in lines for line in series_lines][:rows]
    if order == "period":  # the same rows, January of every series first
        chosen.sort(key=lambda line: line.split(",")[3])
    elif order == "random":
        random.Random(2026).shuffle(chosen)
    with path.open("w") as out:
        out.write("REF_AREA,NAT_CODE,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER\n")
        out.writelines(chosen)
    return len(chosen)


def revised_csv(path: Path, factor: float) -> Path:
    """A copy of the file `path` with every OBS_VALUE times `factor` (the same rows)."""
    revised = path.with_name(f"{path.stem}-revised.csv")
    with path.open() as source, revised.open("w") as out:
        out.write(next(source))
        for line in source:
            *key, value, base = line.rstrip("\n").split(",")
            out.write(f"{','.join(key)},{float(value) * factor:.4f},{base}\n")
    return revised


def every_other_month_csv(path: Path) -> Path:
    """A copy of the file `path` with the rows of even months only (a gap in every other month
    of every series): sent after the file itself, every period it gives is stored already, and
    validation reads each series' stored values between those it gives."""
    gaps = path.with_name(f"{path.stem}-gaps.csv")
    with path.open() as source, gaps.open("w") as out:
        out.write(next(source))
        out.writelines(line for line in source if int(line.split(",")[3][5:7]) % 2 == 0)
    return gaps


def _validated(client, database_url: str, path: Path, peak: dict) -> dict:
    """The file `path` POSTed and validated: its COPY, POST -> decided, status and the worker's
    peak memory meanwhile, and the submission's id."""
    measures = {"copy_seconds": time_copy(database_url, path)}
    peak["rss"] = 0
    started = time.perf_counter()
    decided, _ = posted_until_decided(client, path)
    return measures | {
        "seconds": time.perf_counter() - started,
        "status": decided.status,
        "peak_rss_mb": peak["rss"] / 2**20,
        "submission_id": decided.pk,
    }


def run(
    rows: int,
    env: dict,
    database_url: str,
    *,
    publish: bool = False,
    order: str = "series",
    again: bool = False,
    repeat: int = 1,
) -> dict:
    import django

    django.setup()
    import psutil
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: F401
    from rest_framework.test import APIClient

    from countries.models import Agency, NationalClassification
    from countries.services import concordance_upload, credential_create

    WORK.mkdir(parents=True, exist_ok=True)
    csv_path = WORK / (
        f"submission-{rows}.csv" if order == "series" else f"submission-{rows}-{order}.csv"
    )
    if not csv_path.exists():
        generate_csv(csv_path, rows, order)
    size_mb = csv_path.stat().st_size / 1e6
    concordance_upload(
        classification=NationalClassification.objects.get(pk="TSIC2009"),
        raw_rows=[
            {
                "national_code": f"N{c:04d}",
                "isic_code": f"{10 + c % 24:02d}",
                "weight": str(1 + c % 5),
            }
            for c in range(national_codes(rows))
        ],
        created_by=Agency.objects.get(pk="MKG_SEC"),
    )
    copy_seconds = time_copy(database_url, csv_path)

    queues = ["validation", "publication", "default"] if publish else ["validation", "default"]
    worker = servers.celery_worker(env, queues=queues, log=WORK / "worker.log", loglevel="INFO")
    peak = {"rss": 0}
    sampling = threading.Event()

    def sample() -> None:
        process = psutil.Process(worker.pid)
        while not sampling.is_set():
            try:
                tree = [process, *process.children(recursive=True)]
                peak["rss"] = max(peak["rss"], max(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    try:  # the worker is stopped however the run ends
        time.sleep(4)  # let the worker connect before the clock starts
        second: dict = {}
        gaps: dict = {}
        _, token = credential_create(
            agency=Agency.objects.get(pk="TH_OIE"), name="bench", scopes=["submit", "read"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        # A running server has loaded its views: so does this in-process one, before the clock.
        probe = client.get("/api/v1/submissions/")
        assert probe.status_code == 200, probe.content[:500]
        if publish:
            weights_set(["TH"], WORK / "worker.log")
        _warm_up(publish=publish)
        started = time.perf_counter()
        submission, answered = posted_until_decided(client, csv_path)
        submission_id = submission.pk
        end_to_end = time.perf_counter() - started
        validation_rss = peak["rss"]
        publication_seconds = None
        readable = ""
        stored_bytes = ""
        steps = ""
        publication_rss = 0
        if publish and submission.status == "ACCEPTED":
            release = release_decided(submission_id)
            publication_seconds = time.perf_counter() - started - end_to_end
            readable = _read_back(client, release)
            stored_bytes = _bytes_per_value()
            # Before a second file's publication logs its own (the log's last are read).
            steps = _publication_steps(WORK / "worker.log")
            publication_rss = peak["rss"]
        runs = [(copy_seconds, end_to_end, answered)]
        for _ in range(repeat - 1):
            _delete_submission(submission_id)
            copy_seconds = time_copy(database_url, csv_path)
            started = time.perf_counter()
            submission, answered = posted_until_decided(client, csv_path)
            submission_id = submission.pk
            runs.append((copy_seconds, time.perf_counter() - started, answered))
            validation_rss = max(validation_rss, peak["rss"])  # (nothing published meanwhile)
        # The run of the median ratio stands for them all.
        copy_seconds, end_to_end, answered = sorted(runs, key=lambda run: run[1] / run[0])[
            len(runs) // 2
        ]
        if again and publication_seconds is not None:
            second = _validated(client, database_url, revised_csv(csv_path, 1.001), peak)
            release_decided(second.pop("submission_id"))  # published before the third
            gaps = _validated(client, database_url, every_other_month_csv(csv_path), peak)
            gaps.pop("submission_id")
    finally:
        sampling.set()
        servers.stop(worker)
    return {
        "rows": rows,
        "order": order,
        "load": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "size_mb": size_mb,
        "copy_seconds": copy_seconds,
        "end_to_end_seconds": end_to_end,
        "answered_seconds": answered,
        "status": submission.status,
        "summary": submission.summary,
        "peak_worker_rss_mb": validation_rss / 2**20,
        "publication_seconds": publication_seconds,
        "peak_worker_rss_publication_mb": publication_rss / 2**20,
        "publication_steps": steps,
        "readable": readable,
        "stored_bytes": stored_bytes,
        "again": second,
        "gaps": gaps,
        "runs": runs,
    }


def _delete_submission(submission_id) -> None:
    """Gone, so that the same bytes make a new submission (not the repeat of a pending one)."""
    from indices.publish.models import Release
    from indices.receive.models import Submission

    Release.objects.filter(submission_id=submission_id).delete()
    Submission.objects.filter(pk=submission_id).delete()


def posted_until_decided(client, path: Path):
    """POST the file, then wait for its decision: (the submission, seconds to the 202)."""
    from indices.receive.models import Submission

    started = time.perf_counter()
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/submissions/?acknowledge_warnings=true",
            data=handle.read(),
            content_type="text/csv",
        )
    assert response.status_code == 202, response.content
    answered = time.perf_counter() - started
    terminal = {"REJECTED", "NEEDS_CONFIRMATION", "ACCEPTED", "VALIDATED"}
    while True:
        submission = Submission.objects.get(pk=response.json()["id"])
        if submission.status in terminal:
            return submission, answered
        time.sleep(POLL)


def release_decided(submission_id):
    """The submission's release once published (or failed)."""
    from indices.publish.models import Release

    release = Release.objects.get(submission_id=submission_id)
    while release.status not in ("PUBLISHED", "FAILED"):
        time.sleep(POLL)
        release.refresh_from_db()
    return release


# One series of another member (ISIC C, no concordance), 2021 averaging 100.
WARM_UP = "REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\n" + "".join(
    f"VN,C,2021-{month:02d},{99 + 2 * (month % 2)},2021\n" for month in range(1, 13)
)


def _warm_up(*, publish: bool) -> None:
    """A running worker has served other uploads before: its first imports and connections are
    not the timed file's. Twelve values of Viet Nam go through it first (published too, with
    --publish), sharing no series or activity with the timed file."""
    from rest_framework.test import APIClient

    from countries.models import Agency
    from countries.services import credential_create
    from indices.publish.models import Release
    from indices.receive.models import Submission

    _, token = credential_create(
        agency=Agency.objects.get(pk="VN_NSO"), name="warm-up", scopes=["submit"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(
        "/api/v1/submissions/?acknowledge_warnings=true", data=WARM_UP, content_type="text/csv"
    )
    assert response.status_code == 202, response.content
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=response.json()["id"])
        release = Release.objects.filter(submission=submission).first()
        if submission.status in ("REJECTED", "NEEDS_CONFIRMATION", "VALIDATED"):
            raise AssertionError(
                f"the warm-up upload was {submission.status}: {submission.summary}"
            )
        if submission.status == "ACCEPTED" and (not publish or release.status == "PUBLISHED"):
            return
        time.sleep(0.1)
    raise AssertionError("the warm-up upload did not finish in 2 minutes")


def weights_set(countries: list[str], log: Path) -> dict | None:
    """The regional aggregates' value-added weights of `countries`, every activity the bench's
    national codes map to (10 to 33), so that a member's release recomputes and publishes the
    groups' series (H6) as in production. Set once per store; the recomputation of every group
    that follows is waited for and timed (its steps from the worker's `log`). None where the
    store had weights already."""
    from countries.models import Agency
    from indices.publish.models import ValueAddedWeight
    from indices.publish.services.weights import weights_upload

    if ValueAddedWeight.objects.exists():
        return None
    rows = [
        {"country": area, "activity": f"{10 + d:02d}", "year": "2021", "value_added": f"{v}.0"}
        for v, area in enumerate(countries, start=1)
        for d in range(24)
    ]
    started = time.perf_counter()
    _, release = weights_upload(rows=rows, agency=Agency.objects.get(pk="MKG_SEC"))
    while release.status not in ("PUBLISHED", "FAILED"):
        time.sleep(0.1)
        release.refresh_from_db()
    assert release.status == "PUBLISHED", release.status
    time.sleep(0.3)  # the worker logs its step seconds just after the commit
    return {
        "rows": len(rows),
        "published": time.perf_counter() - started,
        "steps": _publication_steps(log),
    }


def _bytes_per_value() -> str:
    """The national and published stores' size (tables, indexes, TOAST) per value they hold."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE indices_nationalobservation")
        cursor.execute("VACUUM ANALYZE indices_publishedobservation")
        cursor.execute(
            # each store's series table counts with its values (a few thousand rows)
            "SELECT pg_total_relation_size('indices_nationalobservation')"
            " + pg_total_relation_size('indices_nationalseries'),"
            " pg_total_relation_size('indices_publishedobservation')"
            " + pg_total_relation_size('indices_publishedseries'),"
            " (SELECT count(*) FROM indices_nationalobservation),"
            " (SELECT count(*) FROM indices_publishedobservation)"
        )
        national, published, national_rows, published_rows = cursor.fetchone()
    if not national_rows or not published_rows:  # a small --rows file may publish nothing
        return f"{national_rows:,} national and {published_rows:,} published values"
    return (
        f"{(national + published) / (national_rows + published_rows):.0f} bytes per value "
        f"({national_rows:,} national, {national / national_rows:.0f} B each; "
        f"{published_rows:,} published, {published / published_rows:.0f} B each)"
    )


def _read_back(client, release) -> str:
    """The first series the release changed, read through the REST API and SDMX."""
    if not release.changed_series:  # a small --rows file may publish no harmonized series
        return "no series changed"
    key = sorted(release.changed_series)[0]
    rest = client.get(f"/api/v1/data/{key}")
    sdmx = client.get(f"/sdmx/data/DF_IPI/{key}")
    assert rest.status_code == 200 and sdmx.status_code == 200, (rest.status_code, sdmx)
    return f"{key}: REST {rest.status_code}, SDMX {sdmx.status_code}"


def _publication_steps(log: Path) -> str:
    """The worker log's seconds per publication step: "store 1.2s, harmonize ..., commit ..."."""
    steps, committed = "", ""
    for line in log.read_text(errors="replace").splitlines():
        if "published release" in line and "(" in line:
            steps = line.rsplit("(", 1)[1].rstrip(")")
        elif "committed in" in line:
            committed = line.rsplit("committed in", 1)[1].strip()
    return f"{steps}, commit {committed}" if steps else ""


def time_copy(database_url: str, csv_path: Path) -> float:
    """The baseline: PostgreSQL COPY of the same file into a table of the same text columns."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(
            "CREATE TABLE bench_copy (ref_area text, nat_code text, adjustment text, "
            "time_period text, obs_value text, base_per text)"
        )
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            csv_path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    return elapsed


def format_results(r: dict) -> str:
    ratio = r["end_to_end_seconds"] / r["copy_seconds"]
    runs = r.get("runs", [])
    cpu = platform.processor() or platform.machine()
    return (
        f"### 1,000,000-observation submission ({datetime.now(UTC):%Y-%m-%d})\n\n"
        f"Machine: {os.cpu_count()} cores ({cpu}), PostgreSQL and Redis on the same machine.\n\n"
        "| measure | value |\n|---|---|\n"
        f"| rows | {r['rows']:,} ({r['size_mb']:.1f} MB CSV), in {r['order']} order |\n"
        f"| PostgreSQL COPY of the same rows | {r['copy_seconds']:.2f} s |\n"
        f"| POST -> {r['status']} with the real worker | {r['end_to_end_seconds']:.2f} s |\n"
        f"| of which the POST's answer (202: file kept, submission queued) | "
        f"{r['answered_seconds']:.2f} s |\n"
        f"| ratio (target <= 3x) | {ratio:.2f}x |\n"
        + (
            f"| runs, COPY / POST -> {r['status']} (ratio), the median's above | "
            + ", ".join(f"{copy:.2f} / {post:.2f} s ({post / copy:.2f}x)" for copy, post, _ in runs)
            + " |\n"
            if len(runs) > 1
            else ""
        )
        + f"| peak worker memory, RSS (target < 1 GB) | {r['peak_worker_rss_mb']:.0f} MB |\n"
        + f"| findings | {r['summary'].get('errors', 0)} errors, "
        f"{r['summary'].get('warnings', 0)} warnings |\n"
        + (
            f"| then ACCEPTED -> release published | {r['publication_seconds']:.2f} s "
            f"({r['publication_steps']}) |\n"
            f"| POST -> published, values readable ({r['readable']}) | "
            f"{r['end_to_end_seconds'] + r['publication_seconds']:.2f} s |\n"
            f"| ratio POST -> published / COPY (target <= 3x) | "
            f"{(r['end_to_end_seconds'] + r['publication_seconds']) / r['copy_seconds']:.1f}x |\n"
            f"| the stores, indexes included (target <= 150 B per value) | "
            f"{r['stored_bytes']} |\n"
            f"| peak worker memory through publication, RSS | "
            f"{r['peak_worker_rss_publication_mb']:.0f} MB |\n"
            if r["publication_seconds"] is not None
            else ""
        )
        + (
            f"| a second file of the same series, every value revised by 0.1%: POST -> "
            f"{r['again']['status']} against the store holding the first | "
            f"{r['again']['seconds']:.2f} s, "
            f"{r['again']['seconds'] / r['again']['copy_seconds']:.2f}x a COPY of it "
            f"({r['again']['copy_seconds']:.2f} s; target <= 3x) |\n"
            f"| peak worker memory validating the second file, RSS | "
            f"{r['again']['peak_rss_mb']:.0f} MB |\n"
            f"| then a third file, the first's rows of even months only (every other month "
            f"missing): POST -> {r['gaps']['status']} | {r['gaps']['seconds']:.2f} s, "
            f"{r['gaps']['seconds'] / r['gaps']['copy_seconds']:.2f}x a COPY of it "
            f"({r['gaps']['copy_seconds']:.2f} s) |\n"
            f"| peak worker memory validating the third file, RSS (target < 1 GB) | "
            f"{r['gaps']['peak_rss_mb']:.0f} MB |\n"
            if r["again"]
            else ""
        )
        + f"| load average at the end (1, 5, 15 min) | {r['load']} |\n"
    )


def write_docs(report: str, *, publish: bool = False) -> None:
    # Publication has a section of its own, beside the validation's.
    write_section("publication_1m" if publish else "submission_1m", report)


if __name__ == "__main__":
    main()
