"""Helpers for the parser tests: files are written to tmp_path and parsed from there, as the
worker does with stored uploads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from indices.receive.parsing import ParsedFile, RawRow, parse_file


def raw(row_no: int, cell: str = "", sheet: str = "", **fields: str) -> RawRow:
    """A RawRow with "" for every field not given."""
    values = {name: "" for name in RawRow._fields[3:]}
    values.update(fields)
    return RawRow(row_no, sheet, cell, **values)


def xlsx_bytes(rows: list[list[Any]], *, title: str = "Data", extra_sheet: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if extra_sheet:
        wb.create_sheet("Notes").append(["this sheet is not read", "REF_AREA"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Parser:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.count = 0

    def __call__(self, data: bytes | str, **options: Any) -> tuple[ParsedFile, list[RawRow]]:
        """Parse `data` (str is written as UTF-8) and consume its rows."""
        self.count += 1
        path = self.tmp_path / f"upload-{self.count}"
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        parsed = parse_file(path, **options)
        return parsed, list(parsed.rows)


@pytest.fixture
def parse(tmp_path: Path) -> Parser:
    return Parser(tmp_path)
