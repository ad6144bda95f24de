"""Shared set-up for the validation tests: raw rows, a TH_OIE submission, a rule context."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from unittest import mock

import polars as pl
from django.test import TestCase

from countries.standard import load_definition
from indices.receive.models import Submission
from indices.receive.parsing import RawRow
from indices.validate.frame import normalized_frame, raw_frame
from indices.validate.models import Finding
from indices.validate.normalize import Normalizer
from indices.validate.rules import REGISTRY, RuleContext

NOW = dt.datetime(2024, 6, 10, 9, 0, tzinfo=dt.UTC)
STANDARD = load_definition()
CONCORDANCE = {"1011": "10", "1012": "10", "2910": "29", "C00": "C"}
# Twelve months averaging exactly 100, without two equal neighbours.
BASE_PATTERN = [99, 101, 98, 102, 100.5, 99.5, 97, 103, 99, 101, 100.4, 99.6]


def raw(
    row_no: int,
    time_period: str = "2024-01",
    obs_value: str = "100",
    *,
    ref_area: str = "TH",
    activity: str = "C",
    nat_code: str = "",
    adjustment: str = "",
    freq: str = "",
    obs_status: str = "",
    base_per: str = "2021",
    comment: str = "",
    sheet: str = "",
    value_cell: str = "",
) -> RawRow:
    return RawRow(
        row_no,
        sheet,
        value_cell,
        ref_area,
        activity,
        nat_code,
        adjustment,
        freq,
        time_period,
        obs_value,
        obs_status,
        base_per,
        comment,
    )


def months(start: str, count: int) -> list[str]:
    year, month = int(start[:4]), int(start[5:7])
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return labels


def series(
    values: list[float], start: str = "2021-01", first_row: int = 2, **kwargs
) -> list[RawRow]:
    """One row per value, monthly from `start`, numbered from `first_row`."""
    return [
        raw(first_row + i, period, repr(float(value)), **kwargs)
        for i, (period, value) in enumerate(zip(months(start, len(values)), values, strict=True))
    ]


def good_values(count: int = 41, growth: float = 0.01) -> list[float]:
    """From 2021-01: the base pattern, a little higher each year (mean of 2021 is 100)."""
    return [round(BASE_PATTERN[i % 12] * (1 + growth * (i // 12)), 3) for i in range(count)]


class RuleTestCase(TestCase):
    concordance = CONCORDANCE

    def setUp(self) -> None:
        self.submission = Submission.objects.create(agency_id="TH_OIE", sha256="0" * 64, size=1)
        self.frame = raw_frame([])

    def load(self, rows: list[RawRow]) -> int:
        """The rows the next rule runs over, normalized as the worker does."""
        normalizer = Normalizer(standard=STANDARD, concordance=self.concordance)
        self.frame = normalized_frame(raw_frame(rows), normalizer)
        return self.frame.height

    def context(self, **overrides) -> RuleContext:
        values = {
            "submission_id": self.submission.id,
            "agency_id": "TH_OIE",
            "country_code": "TH",
            "standard": STANDARD,
            "now": NOW,
            "columns": {},
            "is_spreadsheet": False,
            "division_weights": {},
            "cap": 1000,
            "rows": self.frame,
        }
        values.update(overrides)
        return RuleContext(**values)

    def run_rule(self, rule_id: str, rows: list[RawRow] | None = None, **overrides):
        """Load `rows`, run one rule; returns (total, its stored findings in report order)."""
        if rows is not None:
            self.load(rows)
        total = REGISTRY[rule_id](self.context(**overrides))
        found = list(Finding.objects.filter(submission=self.submission, rule_id=rule_id))
        return total, found

    def assertNoFindings(self, rule_id: str, rows: list[RawRow] | None = None, **overrides):
        total, found = self.run_rule(rule_id, rows, **overrides)
        self.assertEqual(total, 0, [f.message for f in found])
        self.assertEqual(found, [])

    def run_capped(
        self, rule_id: str, rows: list[RawRow], cap: int, module: ModuleType, locate: str
    ) -> tuple[int, list[pl.DataFrame]]:
        """Run a rule over `rows` without a cap, then with `cap` and `module`'s function
        `locate` watched: the second run counts as many findings and keeps the first `cap` of
        the first run's (in report order). Returns the count and the frames the second run
        located."""

        def fields(finding: Finding) -> tuple:
            return (finding.row, finding.series_key, finding.time_period, finding.message)

        total_all, everything = self.run_rule(rule_id, rows)
        Finding.objects.filter(submission=self.submission).delete()
        watched = getattr(module, locate)
        with mock.patch.object(module, locate, wraps=watched) as spy:
            total, kept = self.run_rule(rule_id, rows, cap=cap)
        self.assertEqual(total, total_all)
        self.assertEqual(sorted(map(fields, kept)), sorted(map(fields, everything))[:cap])
        return total, [call.args[1] for call in spy.call_args_list]
