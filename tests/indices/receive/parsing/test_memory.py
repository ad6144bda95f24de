"""Rows are streamed: memory stays flat however long the file is, and big files stay fast."""

from __future__ import annotations

import time
import tracemalloc

from indices.receive.parsing import parse_file

HEADER = "REF_AREA,ACTIVITY,ADJUSTMENT,FREQ,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER,COMMENT\n"


def _write_csv(path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(rows):
            period = f"{2000 + i // 12 % 25}-{i % 12 + 1:02d}"
            fh.write(f"TH,{10 + i % 24},N,M,{period},{100 + i % 997 / 10},A,2021,ผลิต\n")


def test_200k_row_csv_streams_in_constant_memory(tmp_path):
    path = tmp_path / "big.csv"
    _write_csv(path, 200_000)
    assert path.stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        parsed = parse_file(path)
        count = 0
        last = None
        for row in parsed.rows:
            count += 1
            last = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert last is not None and last.row_no == 200_001
    assert parsed.findings == []
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_200k_rows_parse_quickly(tmp_path):
    """A generous bound (about 10x the measured time) that still catches a per-row regression
    such as a regex or a dict per cell."""
    path = tmp_path / "big.csv"
    _write_csv(path, 200_000)
    started = time.perf_counter()
    assert sum(1 for _ in parse_file(path).rows) == 200_000
    assert time.perf_counter() - started < 8
