"""Benchmark: the time to adjust N monthly series (H7) with 1 and with 2 worker processes.

Each series is adjusted the way an `adjust_series` task does it (one X-13ARIMA-SEATS run per
series, automatic model identification, the member's calendar regressors), split over a pool
of processes as Celery splits the chord's tasks over the processes of the workers serving the
`adjustment` queue. The database part of a task (reading the series, writing its row) is a few
milliseconds and is left out: X-13 is the cost.

    .venv/bin/python bench/adjust_series.py [--series 2000] [--months 120] [--write-docs]

Series: generated, 10 years (2014-2023) by default, log level = trend + stable seasonality +
the member's festival effect + noise, members and festivals in turn (TH Songkran, VN Tet, KH,
LA, MM, JP), seeded: every run adjusts the same series.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.results import write_section  # noqa: E402
from indices.publish.adjustment import adjust  # noqa: E402
from indices.publish.adjustment.calendars import regressors  # noqa: E402

MARKER = "adjust_series"
COUNTRIES = [("TH", "songkran"), ("VN", "tet"), ("KH", "khmer_new_year"), ("LA", "pi_mai_lao")]
COUNTRIES += [("MM", "thingyan"), ("JP", "golden_week")]
START = 2014


def generated(i: int, months: int) -> tuple[str, dict[date, float]]:
    country, festival = COUNTRIES[i % len(COUNTRIES)]
    rng = np.random.default_rng(i)
    dates = [date(START + k // 12, k % 12 + 1, 1) for k in range(months)]
    t = np.arange(months)
    season = rng.normal(0, 0.04, 12)
    calendar = np.array(regressors(country, [(d.year, d.month) for d in dates])[festival])
    log_y = (
        4.6
        + rng.uniform(-0.002, 0.004) * t
        + season[t % 12]
        + rng.uniform(-0.04, 0.0) * calendar
        + rng.normal(0, rng.uniform(0.003, 0.02), months)
    )
    return country, dict(zip(dates, np.exp(log_y), strict=True))


def one(job: tuple[int, int]) -> tuple[bool, float]:
    i, months = job
    country, values = generated(i, months)
    started = time.perf_counter()
    result = adjust(
        series_key=f"M.{country}.S{i}.N.IX", country=country, values=values, today=date(2024, 1, 15)
    )
    return result.ok, time.perf_counter() - started


def run(series: int, months: int, processes: int) -> tuple[float, int, list[float]]:
    jobs = [(i, months) for i in range(series)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        results = list(pool.map(one, jobs, chunksize=1))
    elapsed = time.perf_counter() - started
    return elapsed, sum(ok for ok, _ in results), [s for _, s in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()[0]
    for processes in (1, 2):
        elapsed, ok, each = run(args.series, args.months, processes)
        per = elapsed / args.series
        rows.append((processes, elapsed, per, ok, float(np.percentile(each, 95))))
        print(
            f"{processes} process(es): {args.series} series in {elapsed:.1f} s "
            f"({per * 1000:.0f} ms a series, {ok} adjusted, p95 of one run "
            f"{rows[-1][4] * 1000:.0f} ms)",
            flush=True,
        )
    speedup = rows[0][1] / rows[1][1]
    full = 2000 * rows[1][2]
    report = "\n".join(
        [
            f"### Seasonal adjustment, {args.series} series (`bench/adjust_series.py`)",
            "",
            f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, X-13ARIMA-SEATS 1.1.62; {args.months} months a "
            "series, automatic model identification (the costliest run: re-estimation with a "
            f"kept model is faster). Load average before the run: {load_before:.1f} "
            "(other processes on the same cores slow the 2-process run first).",
            "",
            "| worker processes | wall time | per series | adjusted | p95 of one X-13 run |",
            "|---|---|---|---|---|",
            *(
                f"| {p} | {e:.1f} s | {per * 1000:.0f} ms | {ok} / {args.series} | "
                f"{p95 * 1000:.0f} ms |"
                for p, e, per, ok, p95 in rows
            ),
            "",
            f"Two processes: {speedup:.2f} times faster. At that rate 2,000 series take about "
            f"{full / 60:.0f} minutes on these two cores; the split is by series (one Celery task "
            "each), so more `adjustment` workers divide it further.",
            "",
        ]
    )
    print(report)
    if args.write_docs:
        write_section(MARKER, report)


if __name__ == "__main__":
    main()
