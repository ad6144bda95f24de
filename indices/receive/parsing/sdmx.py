"""SDMX-CSV 1.0 (first column DATAFLOW) and 2.0 (STRUCTURE, STRUCTURE_ID, optional ACTION) of
MKG:DF_IPI(1.0): the harmonized dataflow's columns (STANDARD.md section 2), read as a long table.

Series attributes that the exchange derives itself (UNIT_MEASURE, DECIMALS, ...) are accepted
and ignored, so that a file exported from another SDMX system uploads as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from indices.receive.parsing.base import (
    STANDARD_COLUMNS,
    FindingSink,
    ParsedFile,
    ParseFinding,
    column_letter,
    fatal_file,
    no_observations,
    truncate,
)
from indices.receive.parsing.header import analyse_header, check_required
from indices.receive.parsing.layout import guarded
from indices.receive.parsing.rows import long_rows

SDMX_FIRST_COLUMNS = {"DATAFLOW": "sdmx-csv-1.0", "STRUCTURE": "sdmx-csv-2.0"}
_IGNORED = (
    "DATAFLOW",
    "STRUCTURE",
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "SERIES_KEY",
    "OBS_KEY",
    "UNIT_MEASURE",
    "UNIT_MULT",
    "DECIMALS",
    "REF_YEAR",
    "NAT_CLASSIF",
    "COMPILING_ORG",
    "COVERAGE",
)
_KNOWN: dict[str, str] = {
    **{name: name for name in STANDARD_COLUMNS},
    **dict.fromkeys(_IGNORED, ""),
    "TRANSFORMATION": "TRANSFORMATION",
    "NAT_BASE_PER": "NAT_BASE_PER",
    "ACTION": "ACTION",
}
ACTIONS = {"I": "merge", "A": "merge", "R": "replace", "D": "delete"}


def sdmx_header(cells: list[str]) -> list[str]:
    """Header ids: "FREQ: Frequency" (SDMX-CSV with labels) is the column FREQ."""
    return [cell.split(":", 1)[0].strip() for cell in cells]


def parse_sdmx(
    fmt: str,
    records: Generator[tuple[int, list[str]], None, None],
    header: tuple[int, list[str]],
    *,
    reopen: Callable[[], Generator[tuple[int, list[str]], None, None]],
    encoding: str,
    max_rows: int,
    findings: list[ParseFinding],
    action: str = "merge",
) -> ParsedFile:
    """`action` is the upload option; a merge upload does what the ACTION column declares."""
    row_no, cells = header
    table = analyse_header(sdmx_header(cells), row_no=row_no, known=_KNOWN, allow_periods=False)
    declared = None
    if not table.findings and "ACTION" in table.index:
        declared, finding = _declared_action(reopen(), row_no, table.index["ACTION"])
        if finding:
            table.findings.append(finding)
    # As the validation will decide (validation_run): an explicit option wins over the column.
    effective = declared if declared and action == "merge" else action
    check_required(table, base_alt="NAT_BASE_PER", action=effective)
    if fmt == "sdmx-csv-2.0" and "STRUCTURE_ID" not in {c.upper() for c in sdmx_header(cells)}:
        table.findings.append(
            table.finding(
                "SDMX-CSV 2.0 needs a STRUCTURE_ID column (MKG:DF_IPI(1.0)) after STRUCTURE; "
                "add it, or export the file again as SDMX-CSV.",
                column="STRUCTURE_ID",
            )
        )
    if table.findings:
        records.close()
        return fatal_file(fmt, [*findings, *table.findings], encoding=encoding)
    table.transformation = table.index.get("TRANSFORMATION", -1)
    table.base_alt = table.index.get("NAT_BASE_PER", -1)
    sink = FindingSink(findings)
    rows = long_rows(records, table, sink, max_rows=max_rows, text=str.strip)
    columns = table.columns
    if "BASE_PER" not in columns and table.base_alt >= 0:
        columns["BASE_PER"] = column_letter(table.base_alt)
    return ParsedFile(
        format=fmt,
        layout="long",
        columns=columns,
        encoding=encoding,
        findings=findings,
        rows=guarded(rows, sink, records, empty=no_observations(header_row=row_no)),
        fatal=False,
        declared_action=declared,
    )


def _declared_action(
    records: Generator[tuple[int, list[str]], None, None], header_row: int, i: int
) -> tuple[str | None, ParseFinding | None]:
    """The file's one action. Read in a first pass because it decides what the whole submission
    does: a file that mixes replace and delete must be refused before any row is staged."""
    action: str | None = None
    first_row = 0
    letter = column_letter(i)
    try:
        for row_no, cells in records:
            if row_no <= header_row or i >= len(cells):
                continue
            code = cells[i].strip().upper()
            if not code:
                continue
            this = ACTIONS.get(code)
            cell = f"{letter}{row_no}"
            if this is None:
                return None, ParseFinding(
                    "E01",
                    f'ACTION "{truncate(code)}" is not an SDMX action; use I or A (merge), '
                    "R (replace) or D (delete).",
                    row=row_no,
                    cell=cell,
                    column="ACTION",
                    value=truncate(code),
                )
            if action is None:
                action, first_row = this, row_no
            elif this != action:
                return None, ParseFinding(
                    "E01",
                    f"The file mixes actions: row {first_row} says {action} but row {row_no} "
                    f"says {this} ({code}). One submission does one thing; split the file into "
                    "one file per action and upload them separately.",
                    row=row_no,
                    cell=cell,
                    column="ACTION",
                    value=truncate(code),
                )
    finally:
        records.close()
    return action, None


def is_sdmx(first_cell: str) -> str:
    """The SDMX-CSV version a header's first cell announces, or ""."""
    return SDMX_FIRST_COLUMNS.get(first_cell.split(":", 1)[0].strip().upper(), "")
