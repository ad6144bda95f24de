"""Reading and checking a concordance (national code -> ISIC code, weight): plain Python.

Rules (STANDARD.md H1): a national code maps to exactly one ISIC code; where several national
codes map to one ISIC code they are combined with base-year value-added weights, so each of
them needs a positive weight.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ipi_exchange.http.text import bad_text, shown

COLUMNS = ("national_code", "isic_code", "weight", "national_name")
REQUIRED = ("national_code", "isic_code")


@dataclass(frozen=True)
class ConcordanceRow:
    row: int
    national_code: str
    isic_code: str
    weight: Decimal | None
    national_name: str = ""


@dataclass(frozen=True)
class ConcordanceProblem:
    row: int | None
    column: str | None
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


def read_csv(data: bytes) -> tuple[list[dict], list[ConcordanceProblem]]:
    """CSV (UTF-8, optional BOM, comma or semicolon) to row dicts keyed by lower-case column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [ConcordanceProblem(None, None, "", f"The file is not UTF-8 text ({error}).")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return _read_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:  # a NUL byte, a stray carriage return...: a 400, not a 500
        return [], [ConcordanceProblem(None, None, "", f"The file is not readable CSV ({error}).")]


def _read_rows(reader) -> tuple[list[dict], list[ConcordanceProblem]]:
    header = [name.strip().lower() for name in next(reader, [])]
    problems = [
        ConcordanceProblem(
            1, name, name, f"Unknown column {name!r}; expected {', '.join(COLUMNS)}."
        )
        for name in header
        if name not in COLUMNS
    ]
    problems += [
        ConcordanceProblem(1, name, "", f"Required column {name!r} is missing.")
        for name in REQUIRED
        if name not in header
    ]
    if problems:
        return [], problems
    rows = [
        {"row": number, **dict(zip(header, (cell.strip() for cell in cells), strict=False))}
        for number, cells in enumerate(reader, start=2)
        if any(cell.strip() for cell in cells)
    ]
    return rows, []


def check_rows(
    raw_rows: list[dict], activity_codes: frozenset[str]
) -> tuple[list[ConcordanceRow], list[ConcordanceProblem]]:
    """Validate raw rows (dicts with the COLUMNS; `row` optional) against CL_ACTIVITY_ISIC4."""
    problems: list[ConcordanceProblem] = []
    rows: list[ConcordanceRow] = []
    if not raw_rows:
        problems.append(ConcordanceProblem(None, None, "", "The concordance has no rows."))
    for index, raw in enumerate(raw_rows, start=1):
        number = raw.get("row", index)
        # A NUL or a lone surrogate (from a CSV cell) could not be stored: PostgreSQL refuses it.
        bad = [
            ConcordanceProblem(number, column, shown(str(value)), f"The cell contains {problem}.")
            for column, value in raw.items()
            if isinstance(value, str) and (problem := bad_text(value))
        ]
        if bad:
            problems += bad
            continue
        code = str(raw.get("national_code") or "").strip()
        isic = str(raw.get("isic_code") or "").strip()
        if not code:
            problems.append(
                ConcordanceProblem(number, "national_code", "", "National code is empty.")
            )
            continue
        if isic not in activity_codes:
            problems.append(
                ConcordanceProblem(
                    number,
                    "isic_code",
                    isic,
                    f"{isic!r} is not in CL_ACTIVITY_ISIC4 "
                    "(sections B-E, divisions 05-39, B-E, B_C).",
                )
            )
            continue
        weight, weight_problem = _weight(raw.get("weight"), number)
        if weight_problem:
            problems.append(weight_problem)
            continue
        rows.append(ConcordanceRow(number, code, isic, weight, str(raw.get("national_name") or "")))
    problems += _mapped_twice(rows) + _missing_weights(rows)
    return rows, problems


def _weight(raw: object, row: int) -> tuple[Decimal | None, ConcordanceProblem | None]:
    if raw is None or str(raw).strip() == "":
        return None, None
    try:
        weight = Decimal(str(raw).strip())
    except InvalidOperation:
        weight = None
    if weight is None or not math.isfinite(weight) or weight <= 0:
        return None, ConcordanceProblem(
            row, "weight", str(raw), "Weight must be a positive number with a decimal point."
        )
    return weight, None


def _mapped_twice(rows: list[ConcordanceRow]) -> list[ConcordanceProblem]:
    seen: dict[str, ConcordanceRow] = {}
    problems = []
    for row in rows:
        first = seen.setdefault(row.national_code, row)
        if first is not row:
            problems.append(
                ConcordanceProblem(
                    row.row,
                    "national_code",
                    row.national_code,
                    f"National code {row.national_code!r} is mapped twice (first on row "
                    f"{first.row}, to {first.isic_code}); a national code maps to one ISIC code.",
                )
            )
    return problems


def _missing_weights(rows: list[ConcordanceRow]) -> list[ConcordanceProblem]:
    by_isic: dict[str, list[ConcordanceRow]] = defaultdict(list)
    for row in rows:
        by_isic[row.isic_code].append(row)
    return [
        ConcordanceProblem(
            row.row,
            "weight",
            "",
            f"{len(group)} national codes map to {isic}; each needs its base-year value-added "
            "weight to combine them.",
        )
        for isic, group in by_isic.items()
        if len(group) > 1
        for row in group
        if row.weight is None
    ]
