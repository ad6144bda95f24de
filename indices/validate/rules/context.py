"""A rule's context: the submission's rows, the standard, "today", and the tables several
rules derive from the rows (built once per run, rules/shared.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

from countries.standard import StandardDefinition


@dataclass  # not frozen: valid_rows may put `rows` in series order
class RuleContext:
    submission_id: uuid.UUID
    agency_id: str
    country_code: str
    standard: StandardDefinition
    now: datetime  # aware UTC; "today" for E05/E08/W07
    columns: dict[str, str]  # standard column -> column letter, for cell references
    is_spreadsheet: bool  # XLSX: findings carry sheet + cell; CSV/JSON: row + column only
    division_weights: dict[str, float]  # ISIC division -> national weight (W09)
    cap: int  # max findings stored per rule
    # The submission's rows, raw and normalized (validation/frame.py), in file order; once
    # valid_rows (rules/shared.py) finds every row valid and alone in its period, the same rows
    # in series and period order (then the rules after it need no second copy of them).
    rows: pl.DataFrame
    action: str = "merge"  # the submission's action: a delete names observations, no values
    # National code -> its concordance weight (W09 combines national codes sharing an ISIC code)
    national_weights: dict[str, float] = field(default_factory=dict)
    # Tables derived from the rows that several rules read, by name (rules/shared.py).
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def severity(self, rule_id: str) -> str:
        return self.standard.rules[rule_id]["severity"]

    def threshold(self, rule_id: str, name: str) -> float:
        return self.standard.threshold(rule_id, name)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def current_month(self) -> date:
        return current_period_starts(self.now)[0]

    @property
    def current_quarter(self) -> date:
        return current_period_starts(self.now)[1]

    @property
    def min_value(self) -> float:
        """E06: the smallest plausible index level; with max_value, the range beyond which
        ratios of two values overflow."""
        return self.threshold("E06", "min_value")

    @property
    def max_value(self) -> float:
        return self.threshold("E06", "max_value")

    @property
    def min_year(self) -> int:
        """E08: the earliest base year accepted; the latest is this year."""
        return int(self.threshold("E08", "min_base_year"))

    @property
    def max_year(self) -> int:
        return self.now.year

    @property
    def missing_statuses(self) -> list[str]:
        return sorted(self.standard.missing_statuses)


def current_period_starts(now: datetime) -> tuple[date, date]:
    """First day of the current month and of the current quarter."""
    return date(now.year, now.month, 1), date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)


def current_period(ctx: RuleContext, freq: pl.Expr | None = None) -> pl.Expr:
    """The first day of the current period of each row's frequency (of freq_n by default)."""
    freq = pl.col("freq_n") if freq is None else freq
    return (
        pl.when(freq == "Q").then(pl.lit(ctx.current_quarter)).otherwise(pl.lit(ctx.current_month))
    )


def plain(number: float) -> str:
    """A number as a clerk writes it: 0.000001, 1000000000 (no exponent, no trailing zeros)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_range(ctx: RuleContext) -> str:
    """E06's range as its message shows it: 0.000001 to 1000000000."""
    return f"{plain(ctx.min_value)} to {plain(ctx.max_value)}"
