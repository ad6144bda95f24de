"""A rule's context (the submission, the standard, "today") and the session settings the rules'
statements run under."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection

from indices.standard import StandardDefinition


@dataclass(frozen=True)
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
    action: str = "merge"  # the submission's action: a delete names observations, no values
    # National code -> its concordance weight (W09 combines national codes sharing an ISIC code)
    national_weights: dict[str, float] = field(default_factory=dict)

    def severity(self, rule_id: str) -> str:
        return self.standard.rules[rule_id]["severity"]

    def threshold(self, rule_id: str, name: str) -> float:
        return self.standard.threshold(rule_id, name)

    @property
    def today(self) -> date:
        return self.now.date()


def current_period_starts(now: datetime) -> tuple[date, date]:
    """First day of the current month and of the current quarter."""
    return date(now.year, now.month, 1), date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)


def plain(number: float) -> str:
    """A number as a clerk writes it: 0.000001, 1000000000 (no exponent, no trailing zeros)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def base_params(ctx: RuleContext) -> dict[str, Any]:
    current_month, current_quarter = current_period_starts(ctx.now)
    return {
        "sid": ctx.submission_id,
        "agency": ctx.agency_id,
        "country": ctx.country_code,
        "missing": sorted(ctx.standard.missing_statuses),
        "missing_list": ", ".join(sorted(ctx.standard.missing_statuses)),
        "current_month": current_month,
        "current_quarter": current_quarter,
        "today": ctx.today,
        # E06: the range of a plausible index level; beyond it, ratios of two values overflow.
        "min_value": ctx.threshold("E06", "min_value"),
        "max_value": ctx.threshold("E06", "max_value"),
        "value_range": f"{plain(ctx.threshold('E06', 'min_value'))} to "
        f"{plain(ctx.threshold('E06', 'max_value'))}",
    }


# Settings for the rules' statements: sorts of a million rows fit in memory, and JIT, which
# compiles each big statement anew (0.1-0.5 s apiece), does not pay for itself here.
RULE_SETTINGS = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def session_settings() -> Iterator[None]:
    """RULE_SETTINGS for the statements inside, restored afterwards (transaction-local when in
    a transaction, so an error that rolls back restores them too)."""
    with connection.cursor() as cursor:
        names = list(RULE_SETTINGS)
        cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in names), names)
        before = dict(zip(names, cursor.fetchone(), strict=True))
        local = not connection.get_autocommit()
        for name, value in RULE_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, %s)", [name, value, local])
    yield
    # Not after an error: the rollback that follows restores transaction-local settings.
    with connection.cursor() as cursor:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, %s)", [name, value, local])
