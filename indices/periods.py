"""The SDMX label of a period (2024, 2024-Q1, 2024-03), shared by every stage."""

from __future__ import annotations

from datetime import date


def period_label(freq: str, period: date) -> str:
    if freq == "A":
        return f"{period.year:04d}"
    if freq == "Q":
        return f"{period.year:04d}-Q{(period.month - 1) // 3 + 1}"
    return f"{period.year:04d}-{period.month:02d}"
