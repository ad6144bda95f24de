"""The parser's vocabulary: the row and finding types every format produces, and the helpers
that all formats share (column letters, capped findings, the row limit).

Pure Python on purpose: parsing runs in a Celery worker before anything touches the database,
and the tests run without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import polars as pl

# Header names of the standard's upload (STANDARD.md section 3), in the order templates use.
STANDARD_COLUMNS: tuple[str, ...] = (
    "REF_AREA",
    "ACTIVITY",
    "NAT_CODE",
    "ADJUSTMENT",
    "FREQ",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "BASE_PER",
    "COMMENT",
)
# RawRow's value fields follow the same order (after row_no, sheet, value_cell).
ROW_FIELDS = STANDARD_COLUMNS
MISSING_STATUSES = frozenset({"M", "L", "O"})
COLUMN_LIST = ", ".join(STANDARD_COLUMNS)

ACCEPTED_FORMATS_MESSAGE = (
    "This file is not in a format the exchange accepts. Upload one of: "
    "CSV (UTF-8, comma- or semicolon-separated) or Excel .xlsx (first sheet) in the long layout "
    f"(one row per observation, columns {COLUMN_LIST}) or in the wide layout (one row per series "
    "with REF_AREA, ACTIVITY or NAT_CODE, ADJUSTMENT and BASE_PER, then one column per period "
    "such as 2024-01 or 2024-Q1); SDMX-CSV 1.0 or 2.0 of MKG:DF_IPI(1.0); or JSON "
    '{"observations": [{...one object per observation...}]}. '
    "Download a template from the exchange to start from."
)

# One row-level rule reports at most this many findings; the rest are summarised in one finding,
# so that a million bad rows cannot exhaust the worker's memory (STANDARD.md section 4 caps
# reports at 1,000 per rule as well).
FINDINGS_CAP_PER_RULE = 1_000


class RawRow(NamedTuple):
    """One observation as text, exactly as the file gave it (stripped); validated later, as a
    row of the rows frame (validate/frame.py, validate/rules)."""

    row_no: int
    sheet: str  # the XLSX sheet's name; "" in text files
    value_cell: str  # the XLSX cell OBS_VALUE was read from (findings name it); "" in text files
    ref_area: str
    activity: str
    nat_code: str
    adjustment: str
    freq: str
    time_period: str
    obs_value: str
    obs_status: str
    base_per: str
    comment: str


# The raw columns of the rows frame (validate/frame.py), in RawRow's order.
RAW_COLUMNS: tuple[str, ...] = RawRow._fields


@dataclass(frozen=True)
class ParseFinding:
    """A problem in the file, located as precisely as the format allows."""

    rule_id: str
    message: str
    row: int | None = None
    sheet: str = ""
    cell: str = ""
    column: str = ""
    value: str = ""


@dataclass
class ParsedFile:
    """What `parse_file` found. `rows` is a one-shot lazy iterator; `findings` grows as it runs.
    When `frame` is set (a plain long CSV, read by the fast path of parsing/fast.py), it holds
    the rows as the rows frame's raw columns and `findings` is complete; `rows` then yields the
    same rows from the frame, for readers that want RawRows (the worker takes the frame)."""

    format: str
    layout: str
    columns: dict[str, str]
    encoding: str
    findings: list[ParseFinding]
    rows: Iterator[RawRow]
    fatal: bool
    declared_action: str | None = None
    # The rows as a polars frame (validation/frame.py RAW_COLUMNS), when a fast reader read the
    # whole table at once; then `rows` yields the same rows from it.
    frame: pl.DataFrame | None = None

    def let_go_of_rows(self) -> None:
        """Hold the rows no longer (the frame, and `rows` read from it): a reader that has
        taken them whole frees them once it is done with them."""
        self.frame = None
        self.rows = iter(())


def fatal_file(fmt: str, findings: list[ParseFinding], *, encoding: str = "") -> ParsedFile:
    """A file nothing can be read from: the findings say why, `rows` yields nothing."""
    layout = "wide" if fmt.endswith("-wide") else ("long" if fmt else "")
    return ParsedFile(
        format=fmt,
        layout=layout,
        columns={},
        encoding=encoding,
        findings=findings,
        rows=iter(()),
        fatal=True,
    )


def unknown_format(value: str = "") -> ParsedFile:
    return fatal_file("", [ParseFinding("E01", ACCEPTED_FORMATS_MESSAGE, value=value[:100])])


def empty_file(size: int) -> ParsedFile:
    """A file with nothing in it: said plainly, not as an unknown format."""
    what = (
        "The file is empty (0 bytes)"
        if size == 0
        else "The file is empty: it has no table, only blank lines, spaces or separators"
    )
    return fatal_file(
        "",
        [
            ParseFinding(
                "E01",
                f"{what}. Export the data table again (in Excel: File > Save As > \u201cCSV UTF-8 "
                "(Comma delimited)\u201d or \u201cExcel Workbook (*.xlsx)\u201d), check that the "
                "saved file has your rows, and upload that file.",
            )
        ],
    )


def no_observations(
    *, header_row: int, sheet: str = "", periods: list[tuple[int, str]] | None = None
) -> ParseFinding:
    """E01 for a table with a header but nothing under it: accepting it would publish a
    release of zero observations (the blank template uploaded as it is, say)."""
    where = f"row {header_row} of sheet {sheet}" if sheet else f"row {header_row}"
    if periods:
        first, last = periods[0][1], periods[-1][1]
        span = first if first == last else f"{first} to {last}"
        message = (
            f"The table has column headers ({where}) but no values: every period cell "
            f"({span}) is empty, so the file holds no observations. Type the index values into "
            "the period columns, one row per series, and upload again."
        )
    else:
        message = (
            f"The file has column headers ({where}) but no data rows, so it holds no "
            "observations. Fill in one row per observation below the header row and upload "
            "again."
        )
    return ParseFinding("E01", message, row=header_row, sheet=sheet)


def float_text(value: float) -> str:
    """The number as the clerk typed it: 101.3 -> "101.3", 100.0 -> "100".

    repr() is the shortest text that reads back as the same float. Excel itself stores up to
    17 digits ("101.30000000000001" for a computed 101.3) but shows 15, so beyond 15 significant
    digits we use 15, which is what the clerk saw.
    """
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    mantissa = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    if len(mantissa) > 15 and mantissa[0].isdigit():
        text = format(value, ".15g")
    return text


_LETTERS: list[str] = []


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters ("A", ..., "Z", "AA", ...), cached: called per cell."""
    while len(_LETTERS) <= index:
        n = len(_LETTERS) + 1
        letters = ""
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        _LETTERS.append(letters)
    return _LETTERS[index]


def truncate(value: str, limit: int = 100) -> str:
    """Findings quote offending values; a pasted essay must not bloat every report."""
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


@dataclass
class FindingSink:
    """Appends row-level findings to a ParsedFile's list, capped per rule (see the cap above)."""

    findings: list[ParseFinding]
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, finding: ParseFinding) -> None:
        count = self.counts.get(finding.rule_id, 0) + 1
        self.counts[finding.rule_id] = count
        if count <= FINDINGS_CAP_PER_RULE:
            self.findings.append(finding)

    def close(self) -> None:
        """Summarise what the cap left out, once the rows are exhausted."""
        for rule_id, count in self.counts.items():
            if count > FINDINGS_CAP_PER_RULE:
                more = count - FINDINGS_CAP_PER_RULE
                self.findings.append(
                    ParseFinding(
                        rule_id,
                        f"{more} more rows have {rule_id} problems like the ones above; "
                        "fix those first, then upload the file again to see the rest.",
                    )
                )
        self.counts.clear()


def row_limit_finding(max_rows: int, row: int | None, sheet: str = "") -> ParseFinding:
    return ParseFinding(
        "E01",
        f"The file has more than {max_rows:,} observations, the most one submission may hold; "
        "split it into several files (for example one per year) and upload them one by one.",
        row=row,
        sheet=sheet,
    )
