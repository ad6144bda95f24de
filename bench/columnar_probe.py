"""Probe, not a benchmark of the service: how long the core of a columnar validation would take
on the 1,000,000-row file of `bench/submission_1m.py`, to size the rewrite the 3x target needs.

Times, with polars: reading the CSV, normalizing (series keys, periods, values), the windows
the movement rules read (previous period, same period a year before, % changes), the base-year
means of E09, the duplicate count of E07, and writing the narrowed staging rows as COPY CSV;
then, with DATABASE_URL set, the server side of COPYing those rows into a table like the
staging table. polars is not a dependency of the service; run it in a virtualenv of its own:

    python3 -m venv /tmp/probe && /tmp/probe/bin/pip install polars 'psycopg[binary]'
    .venv/bin/python bench/submission_1m.py --rows 1000000   # writes var/bench/submission-*.csv
    DATABASE_URL=postgres://... /tmp/probe/bin/python bench/columnar_probe.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl

CSV = Path(__file__).resolve().parent.parent / "var" / "bench" / "submission-1000000.csv"
STAGING = """CREATE TEMPORARY TABLE probe_staging (
    row_no integer, series_id text, period_start date, value_n double precision,
    obs_value text, status_n text, base_year integer)"""


def main() -> None:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    raw = pl.read_csv(CSV, infer_schema=False)
    lap("read CSV (all text)")
    rows = raw.with_row_index("row_no", offset=2).with_columns(
        series_id=pl.concat_str(
            pl.lit("M."), "REF_AREA", pl.lit(".NAT:"), "NAT_CODE", pl.lit("."), "ADJUSTMENT"
        ),
        period_start=pl.col("TIME_PERIOD").str.to_date("%Y-%m", strict=False),
        value_n=pl.col("OBS_VALUE").cast(pl.Float64, strict=False),
        status_n=pl.lit("A"),
        base_year=pl.col("BASE_PER").cast(pl.Int32, strict=False),
    )
    lap("normalize")
    series = (
        rows.sort("series_id", "period_start", "row_no")
        .unique(["series_id", "period_start"], keep="first", maintain_order=True)
        .with_columns(
            pv=pl.col("value_n").shift(1).over("series_id"),
            py=pl.col("value_n").shift(12).over("series_id"),
        )
        .with_columns(
            pct=100 * (pl.col("value_n") / pl.col("pv") - 1),
            pct_year=100 * (pl.col("value_n") / pl.col("py") - 1),
        )
    )
    lap("series windows (W01-W03, W06)")
    base_means = (
        series.filter(pl.col("period_start").dt.year() == pl.col("base_year"))
        .group_by("series_id", "base_year")
        .agg(pl.col("value_n").mean().alias("mean"), pl.len().alias("n"))
        .filter((pl.col("n") == 12) & ((pl.col("mean") - 100).abs() > 0.5))
    )
    lap("base-year means (E09)")
    duplicates = rows.height - series.height
    lap("duplicates (E07)")
    staged = rows.select(
        "row_no", "series_id", "period_start", "value_n", "OBS_VALUE", "status_n", "base_year"
    ).write_csv(include_header=False)
    lap("staging rows as COPY CSV")
    if os.environ.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
            connection.execute(STAGING)
            clock = time.perf_counter()
            with connection.cursor().copy("COPY probe_staging FROM STDIN (FORMAT csv)") as copy:
                copy.write(staged)
            lap("COPY of the staging rows (server)")
    total = sum(timings.values())
    for name, seconds in timings.items():
        print(f"{name:40s} {seconds:6.2f} s")
    print(
        f"{'total':40s} {total:6.2f} s  ({rows.height:,} rows, {base_means.height} E09, "
        f"{duplicates} duplicates)"
    )


if __name__ == "__main__":
    main()
