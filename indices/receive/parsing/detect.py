"""`parse_file`: recognise an upload by its content (never by its name: clerks rename files) and
hand it to the reader for that format."""

from __future__ import annotations

import pathlib

from indices.receive.parsing.base import (
    ParsedFile,
    ParseFinding,
    empty_file,
    fatal_file,
    unknown_format,
)
from indices.receive.parsing.fast import long_csv_reader
from indices.receive.parsing.jsonfile import parse_json
from indices.receive.parsing.layout import first_nonempty, table_file
from indices.receive.parsing.sdmx import is_sdmx, parse_sdmx
from indices.receive.parsing.text import (
    NotText,
    csv_records,
    detect_encoding,
    first_content,
    looks_binary,
    sniff_delimiter,
    utf16_finding,
    utf16_without_bom,
)
from indices.receive.parsing.xlsx import CFB_MAGIC, legacy_finding, parse_xlsx

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HEAD = 65536


def parse_file(
    path: pathlib.Path,
    *,
    original_name: str = "",
    max_rows: int = 2_000_000,
    max_uncompressed_bytes: int = 500 * 1024 * 1024,
    action: str = "merge",
) -> ParsedFile:
    """Open an uploaded file; never raises for bad content (problems are findings).

    `original_name` is only quoted back in findings about unknown formats; the format is taken
    from the bytes. `max_rows` bounds the observations read; `max_uncompressed_bytes` bounds what
    an XLSX may unpack to. `action` is the submission's upload option: a delete names
    observations by key and period, so it needs no OBS_VALUE column.
    """
    path = pathlib.Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
    except OSError as exc:
        return fatal_file("", [ParseFinding("E01", f"The file cannot be read ({exc.strerror}).")])
    if head.startswith(CFB_MAGIC):
        return fatal_file("", [legacy_finding()])
    if head.startswith(_ZIP_MAGIC):
        return parse_xlsx(
            path, max_rows=max_rows, max_uncompressed_bytes=max_uncompressed_bytes, action=action
        )
    if not head.strip(b" \t\r\n\x1a") and len(head) < _HEAD:
        return empty_file(len(head))
    if utf16_without_bom(head):
        return fatal_file("", [utf16_finding()])
    if not head.strip(b" \t\r\n\x1a") or looks_binary(head):
        return unknown_format(original_name)
    try:
        encoding, problem = detect_encoding(path, head)
    except NotText:
        return unknown_format(original_name)
    except OSError as exc:
        return fatal_file("", [ParseFinding("E01", f"The file cannot be read ({exc.strerror}).")])
    if problem is not None:
        return fatal_file("", [problem])
    return _parse_text(path, encoding, max_rows=max_rows, action=action)


def _parse_text(path: pathlib.Path, encoding: str, *, max_rows: int, action: str) -> ParsedFile:
    first_char, first_line = first_content(path, encoding)
    if first_char in ("{", "["):
        return parse_json(path, encoding=encoding, max_rows=max_rows)
    if not first_line:
        return empty_file(path.stat().st_size)
    delimiter = sniff_delimiter(first_line)
    findings: list[ParseFinding] = []

    def reopen():  # a fresh pass over the records, for SDMX's ACTION column
        return csv_records(path, encoding, delimiter, [])

    records = csv_records(path, encoding, delimiter, findings)
    first = first_nonempty(records, str.strip)
    if first is None:
        records.close()
        return fatal_file("", findings) if findings else empty_file(path.stat().st_size)
    row_no, cells = first
    if cells[0].strip().lower().startswith("sep=") and not any(c.strip() for c in cells[1:]):
        # Excel's "sep=;" hint line: the separator was already sniffed; the header follows.
        first = first_nonempty(records, str.strip)
        if first is None:
            records.close()
            return empty_file(path.stat().st_size)
        row_no, cells = first
    header = [cell.strip().lstrip("\ufeff").strip() for cell in cells]
    sdmx = is_sdmx(header[0])
    if sdmx:
        return parse_sdmx(
            sdmx,
            records,
            (row_no, header),
            reopen=reopen,
            encoding=encoding,
            max_rows=max_rows,
            findings=findings,
            action=action,
        )
    return table_file(
        records,
        (row_no, header),
        kind="csv",
        encoding=encoding,
        sheet="",
        text=str.strip,
        period_text=None,
        max_rows=max_rows,
        findings=findings,
        action=action,
        fast=long_csv_reader(path, encoding, delimiter),
    )
