"""W01-W04: a submitted value against the previous period, the year before, the stored value."""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from random import Random

import polars as pl

from indices.national.models import NationalObservation, NationalSeries
from indices.receive.models import Submission
from indices.validate.rules import movement
from indices.validate.rules.formatting import parameter_text
from indices.validate.rules.movement import _unusual
from tests.indices.validate.helpers import RuleTestCase, months, raw, series

# Deterministic noise that spreads each calendar month's changes over the years.
NOISE = [0.6, -0.4, 0.2, -0.7, 0.5, -0.1, 0.3, -0.5, 0.7, -0.3, 0.1, -0.6]


def seasonal_levels(start_year: int, end: str, *, april: float = -21.0) -> list[float]:
    """Monthly levels from January of `start_year` to `end`: every April drops by about
    `april` % (Songkran) and May recovers, other months move by about 0.5 %."""
    labels = months(f"{start_year}-01", 10_000)
    labels = labels[: labels.index(end) + 1]
    levels, level = [], 100.0
    for label in labels:
        year, month = int(label[:4]), int(label[5:7])
        wiggle = NOISE[(year + month) % 12]
        change = {4: april + wiggle, 5: 26.0 + wiggle}.get(month, 0.5 + wiggle)
        level *= 1 + change / 100
        levels.append(round(level, 3))
    return levels


def store_history(
    series_id: str,
    start: str,
    values: list[float | None],
    activity: str = "C",
    base_year: int = 2021,
) -> None:
    """Accepted observations of an earlier submission of TH_OIE."""
    earlier = Submission.objects.create(
        agency_id="TH_OIE", sha256="1" * 64, size=1, status=Submission.Status.ACCEPTED
    )
    freq, _, _, adjustment = series_id.split(".")
    series, _ = NationalSeries.objects.get_or_create(
        agency_id="TH_OIE",
        series_id=series_id,
        defaults={"freq": freq, "ref_area": "TH", "adjustment": adjustment},
    )
    NationalObservation.objects.bulk_create(
        NationalObservation(
            series=series,
            activity=activity,
            period_start=dt.date(int(label[:4]), int(label[5:7]), 1),
            value=value,
            status="A",
            base_year=base_year,
            submission=earlier,
            row_no=i + 2,
        )
        for i, (label, value) in enumerate(zip(months(start, len(values)), values, strict=True))
    )


class W01Tests(RuleTestCase):
    def test_songkran_april_drop_every_year_is_not_flagged(self):
        levels = seasonal_levels(2013, "2024-05")
        april_2024 = months("2013-01", len(levels)).index("2024-04")
        change = 100 * (levels[april_2024] / levels[april_2024 - 1] - 1)
        self.assertAlmostEqual(change, -21.0, delta=1.0)
        self.assertNoFindings("W01", series(levels, "2013-01"))

    def test_one_off_jump_in_a_calm_month_is_flagged(self):
        levels = seasonal_levels(2013, "2024-05")
        labels = months("2013-01", len(levels))
        march = labels.index("2024-03")
        levels = levels[:march] + [round(v * 1.35, 3) for v in levels[march:]]
        total, found = self.run_rule("W01", series(levels, "2013-01"))
        self.assertEqual(total, 1)
        self.assertEqual((found[0].time_period, found[0].series_key), ("2024-03", "M.TH.C.N"))
        self.assertEqual(found[0].row, march + 2)
        self.assertRegex(
            found[0].message, r"changes by \+3[45]\.\d% on the previous period, unusual for March"
        )
        self.assertIn("limit 4", found[0].message)

    def test_history_from_the_store_with_a_one_month_upload(self):
        levels = seasonal_levels(2013, "2024-05")
        labels = months("2013-01", len(levels))
        march = labels.index("2024-03")
        store_history("M.TH.C.N", "2013-01", levels[:march])
        jump = round(levels[march] * 1.35, 3)
        total, found = self.run_rule("W01", [raw(2, "2024-03", str(jump))])
        self.assertEqual(total, 1)
        self.assertEqual(found[0].value, str(jump))

    def test_stored_value_replaced_by_the_submission(self):
        # The store has a wrong February; the submission corrects it, and its value is used.
        levels = seasonal_levels(2013, "2024-05")
        labels = months("2013-01", len(levels))
        march = labels.index("2024-03")
        store_history("M.TH.C.N", "2013-01", [*levels[: march - 1], levels[march - 1] / 1.35])
        self.assertNoFindings(
            "W01",
            [raw(2, "2024-02", str(levels[march - 1])), raw(3, "2024-03", str(levels[march]))],
        )

    def test_fewer_than_five_years_or_no_spread(self):
        levels = seasonal_levels(2020, "2024-05")  # four years of March changes
        march = months("2020-01", len(levels)).index("2024-03")
        levels = levels[:march] + [v * 1.35 for v in levels[march:]]
        rows = series(levels, "2020-01")
        # Flat for eight years: every change is 0, MAD is 0, z is undefined.
        rows += series([100.0] * 100 + [135.0], "2016-01", first_row=1000, activity="10")
        self.assertNoFindings("W01", rows)

    def test_only_unadjusted_series(self):
        levels = seasonal_levels(2013, "2024-05")
        march = months("2013-01", len(levels)).index("2024-03")
        levels = levels[:march] + [v * 1.35 for v in levels[march:]]
        self.assertNoFindings("W01", series(levels, "2013-01", adjustment="W"))


class W02Tests(RuleTestCase):
    def test_adjusted_monthly_changes(self):
        rows = series([100.0, 106.0], "2024-01", adjustment="S")
        rows += series([100.0, 116.0], "2024-01", first_row=10, activity="10", adjustment="Y")
        total, found = self.run_rule("W02", rows)
        self.assertEqual(total, 2)
        self.assertEqual([f.row for f in found], [3, 11])
        self.assertIn(
            "changes by +6.0% on the previous period (100.000), more than 5.0% for a section/total",
            found[0].message,
        )
        self.assertIn("more than 15.0% for a division", found[1].message)

    def test_within_limits_or_unadjusted(self):
        rows = series([100.0, 104.0], "2024-01", adjustment="T")
        rows += series([100.0, 114.0], "2024-01", first_row=10, activity="10", adjustment="S")
        rows += series([100.0, 130.0], "2024-01", first_row=20, activity="D")
        self.assertNoFindings("W02", rows)

    def test_previous_value_from_the_store(self):
        store_history("M.TH.C.S", "2023-12", [100.0])
        total, _ = self.run_rule("W02", [raw(2, "2024-01", "94", adjustment="S")])
        self.assertEqual(total, 1)


class W03Tests(RuleTestCase):
    def test_year_on_year(self):
        store_history("M.TH.C.N", "2023-01", [100.0])
        store_history("M.TH.10.N", "2023-01", [100.0], activity="10")
        rows = [raw(2, "2024-01", "125"), raw(3, "2024-01", "130", activity="10")]
        total, found = self.run_rule("W03", rows)
        self.assertEqual(total, 1)
        self.assertEqual(found[0].row, 2)
        self.assertIn(
            "changes by +25.0% on a year before (100.000), more than 20.0%", found[0].message
        )

    def test_within_limits(self):
        rows = [*series([100.0] * 13, "2023-01")[:1], raw(20, "2024-01", "119")]
        rows += [
            raw(30, "2023-01", "100", activity="10"),
            raw(31, "2024-01", "60.5", activity="10"),
        ]
        self.assertNoFindings("W03", rows)


class W04Tests(RuleTestCase):
    def test_large_revision(self):
        store_history("M.TH.C.N", "2024-01", [100.0, 100.0])
        store_history("M.TH.10.N", "2024-01", [100.0], activity="10")
        rows = [
            raw(2, "2024-01", "103"),
            raw(3, "2024-02", "101.5"),
            raw(4, "2024-01", "104.9", activity="10"),
        ]
        total, found = self.run_rule("W04", rows)
        self.assertEqual(total, 1)
        self.assertEqual((found[0].row, found[0].value), (2, "103"))
        self.assertIn(
            "revises the published 100 by +3.0%, more than 2.0% for a section/total",
            found[0].message,
        )

    def test_a_missing_status_over_a_published_value_warns_that_it_withdraws_it(self):
        store_history("M.TH.C.N", "2024-01", [100.0, 106.1])
        rows = [raw(2, "2024-01", "100"), raw(3, "2024-02", "", obs_status="L")]
        total, found = self.run_rule("W04", rows)
        self.assertEqual(total, 1)
        self.assertEqual((found[0].row, found[0].column, found[0].value), (3, "OBS_VALUE", ""))
        self.assertEqual(
            found[0].message,
            "OBS_STATUS L with no OBS_VALUE for 2024-02 withdraws the published 106.1: confirm "
            "that the value is missing (say why in COMMENT) or give the value",
        )

    def test_a_missing_status_where_nothing_was_published_withdraws_nothing(self):
        store_history("M.TH.C.N", "2024-01", [100.0])
        self.assertNoFindings("W04", [raw(2, "2024-02", "", obs_status="L")])

    def test_new_periods_are_not_revisions(self):
        store_history("M.TH.C.N", "2023-12", [100.0])
        self.assertNoFindings("W04", [raw(2, "2024-01", "150")])


def march_jumps(changes: list[float]) -> list[float]:
    """Monthly levels of a year a change, from January: 100, except each March, which is up
    by that year's change (April is back to 100); the last year ends in March."""
    levels: list[float] = []
    for change in changes:
        levels += [100.0, 100.0, 100 * (1 + change / 100)] + [100.0] * 9
    return levels[:-9]


class W01MessageTests(RuleTestCase):
    def test_message_as_the_old_sql_wrote_it(self):
        # Marches 2014-2023 rise 1, 2, 3, 4, 5 % twice: median 3, MAD 1; 2024 rises 40 %.
        levels = march_jumps([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 40])
        total, found = self.run_rule("W01", series(levels, "2014-01"))
        self.assertEqual(total, 1)
        self.assertEqual(
            found[0].message,
            "OBS_VALUE 140.0 for 2024-03 changes by +40.0% on the previous period, unusual for "
            "March (median change over the last 10 years: +3.0%; robust z = 25.0, limit 4.0): "
            "check the value; if it is right, say why in COMMENT",
        )
        self.assertEqual(
            (found[0].row, found[0].column, found[0].value, found[0].series_key),
            (len(levels) + 1, "OBS_VALUE", "140.0", "M.TH.C.N"),
        )
        self.assertEqual((found[0].sheet, found[0].cell, found[0].time_period), ("", "", "2024-03"))

    def test_quarters_name_the_quarter(self):
        # Q2 rises 1-5 % twice over ten years (Q3 falls back), then 40 % in 2024.
        rows, level, row_no = [], 100.0, 2
        for year, change in zip(range(2014, 2025), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 40], strict=True):
            for quarter in range(1, 5):
                if year == 2024 and quarter > 2:
                    break
                level = 100 * (1 + change / 100) if quarter == 2 else 100.0
                rows.append(raw(row_no, f"{year}-Q{quarter}", repr(level), freq="Q"))
                row_no += 1
        total, found = self.run_rule("W01", rows)
        self.assertEqual(total, 1)
        self.assertEqual((found[0].series_key, found[0].time_period), ("Q.TH.C.N", "2024-Q2"))
        self.assertIn(
            "changes by +40.0% on the previous period, unusual for Q2 (", found[0].message
        )

    def test_cap_keeps_the_first_rows_and_counts_all(self):
        levels = march_jumps([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 40])
        rows = series(levels, "2014-01", first_row=500)
        rows += series(levels, "2014-01", first_row=2, activity="10")
        total, found = self.run_rule("W01", rows, cap=1)
        self.assertEqual(total, 2)
        self.assertEqual([(f.row, f.series_key) for f in found], [(len(levels) + 1, "M.TH.10.N")])

    def test_spreadsheet_findings_name_the_sheet_and_value_cell(self):
        levels = march_jumps([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 40])
        rows = series(levels[:-1], "2014-01", sheet="Data")
        rows.append(raw(len(levels) + 1, "2024-03", "140", sheet="Data", value_cell="H131"))
        total, found = self.run_rule("W01", rows, is_spreadsheet=True)
        self.assertEqual(total, 1)
        self.assertEqual((found[0].sheet, found[0].cell, found[0].value), ("Data", "H131", "140"))

    def test_a_history_shorter_than_the_window_counts_its_years(self):
        # Six Marches of history (2018-2023): n is 6, not 10.
        levels = march_jumps([1, 2, 3, 4, 5, 3, 40])
        _, found = self.run_rule("W01", series(levels, "2018-01"))
        self.assertIn("(median change over the last 6 years: +3.0%;", found[0].message)

    def test_changes_older_than_the_window_are_left_out(self):
        # 2013's huge March change is eleven years back: outside the ten-year window.
        levels = march_jumps([900, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 40])
        total, found = self.run_rule("W01", series(levels, "2013-01"))
        self.assertEqual(total, 1)
        self.assertIn(
            "(median change over the last 10 years: +3.0%; robust z = 25.0", found[0].message
        )


def reference_unusual(frame: pl.DataFrame, years: int, min_years: int, scale: float, max_z: float):
    """The old per-row loop (over sorted lists), for comparison: (position, n, med, z)."""

    def median(ordered: list[float]) -> float:
        n = len(ordered)
        lo = ordered[(n - 1) // 2]
        return lo if n % 2 else lo + 0.5 * (ordered[n // 2] - lo)

    by_series: dict[str, list[tuple[int, float, int | None]]] = {}
    changes = frame.with_row_index("position").filter(
        (pl.col("adjustment_n") == "N") & pl.col("pct").is_not_null()
    )
    for position, series_id, mi, pct, submitted in changes.select(
        "position", "series_id", "mi", "pct", "submitted"
    ).iter_rows():
        by_series.setdefault(series_id, []).append((mi, pct, position if submitted else None))
    found = []
    for series_changes in by_series.values():
        series_changes.sort(key=itemgetter(0))
        by_month: dict[int, list[tuple[int, float, int | None]]] = {}
        for change in series_changes:
            by_month.setdefault(change[0] % 12, []).append(change)
        for same_month in by_month.values():
            for i in range(min_years, len(same_month)):
                if same_month[i][2] is None:
                    continue
                window = [
                    pct for mi, pct, _ in same_month[:i] if mi >= same_month[i][0] - 12 * years
                ]
                if len(window) < min_years:
                    continue
                med = median(sorted(window))
                mad = median(sorted(abs(x - med) for x in window))
                if mad > 1e-9:
                    z = (same_month[i][1] - med) / (scale * mad)
                    if abs(z) > max_z:
                        found.append((same_month[i][2], len(window), med, z))
    return sorted(found)


class W01VectorizedTests(RuleTestCase):
    def test_same_findings_bit_for_bit_as_the_per_row_loop(self):
        random = Random(7)
        rows = []
        for number in range(12):
            series_id = f"M.TH.S{number}.{'S' if number == 11 else 'N'}"
            for mi in range(2010 * 12, 2024 * 12 + 5):
                if random.random() < 0.05:
                    continue  # a gap
                # Coarse changes in some series: ties, and MADs of 0.
                pct = round(random.gauss(0, 2), 0 if number % 4 == 0 else 6) + 0.0
                if random.random() < 0.03:
                    pct += random.choice([-30.0, 30.0])
                rows.append(
                    {
                        "series_id": series_id,
                        "mi": mi,
                        "pct": None if random.random() < 0.02 else pct,
                        "submitted": mi >= 2012 * 12,
                        "adjustment_n": series_id[-1],
                    }
                )
        random.shuffle(rows)
        frame = pl.DataFrame(rows, schema_overrides={"mi": pl.Int32}).with_columns(
            sk=pl.col("series_id").rank("dense").cast(pl.UInt32)  # as normalization numbers them
        )
        ctx = self.context()
        ctx.derived["series"] = frame
        for params in [(10, 5, 1.4826, 4.0), (3, 2, 1.0, 2.0), (10, 1, 1.4826, 3.0)]:
            expected = reference_unusual(frame, *params)
            got = sorted(_unusual(ctx, *params).iter_rows())
            self.assertGreater(len(expected), 10)
            self.assertEqual(
                [(p, n, med.hex(), z.hex()) for p, n, med, z in got],
                [(p, n, med.hex(), z.hex()) for p, n, med, z in expected],
            )

    def test_no_changes(self):
        self.assertNoFindings("W01", [])
        self.assertNoFindings("W01", [raw(2, "2024-01", "100")])


class ChangeMessageTests(RuleTestCase):
    def test_w02_message_as_the_old_sql_wrote_it(self):
        rows = series([100.0, 84.0], "2024-01", activity="10", adjustment="S")
        total, found = self.run_rule("W02", rows)
        self.assertEqual(total, 1)
        self.assertEqual(
            found[0].message,
            "OBS_VALUE 84.0 for 2024-02 changes by -16.0% on the previous period (100.000), more "
            "than 15.0% for a division: check the value; if it is right, say why in COMMENT",
        )
        self.assertEqual(
            (found[0].row, found[0].column, found[0].value, found[0].series_key),
            (3, "OBS_VALUE", "84.0", "M.TH.10.S"),
        )

    def test_w02_previous_value_rounded_to_three_decimals(self):
        rows = [
            raw(2, "2024-01", "99.12345", adjustment="S"),
            raw(3, "2024-02", "105", adjustment="S"),
        ]
        _, found = self.run_rule("W02", rows)
        self.assertIn("changes by +5.9% on the previous period (99.123), more", found[0].message)

    def test_w03_division_message_and_spreadsheet_cell(self):
        store_history("M.TH.10.N", "2023-02", [100.0], activity="10")
        rows = [raw(7, "2024-02", "141", activity="10", sheet="IPI", value_cell="E7")]
        total, found = self.run_rule("W03", rows, is_spreadsheet=True)
        self.assertEqual(total, 1)
        self.assertEqual(
            found[0].message,
            "OBS_VALUE 141 for 2024-02 changes by +41.0% on a year before (100.000), more than "
            "40.0% for a division: check the value; if it is right, say why in COMMENT",
        )
        self.assertEqual((found[0].sheet, found[0].cell), ("IPI", "E7"))

    def test_w03_cap_counts_all(self):
        rows = series([100.0] * 12 + [130.0, 70.0, 125.0], "2023-01")
        total, found = self.run_rule("W03", rows, cap=2)
        self.assertEqual(total, 3)
        self.assertEqual([f.time_period for f in found], ["2024-01", "2024-02"])
        self.assertIn("changes by -30.0% on a year before", found[1].message)


class W04MoreTests(RuleTestCase):
    def test_division_message_as_the_old_sql_wrote_it(self):
        store_history("M.TH.10.N", "2024-01", [100.25], activity="10")
        total, found = self.run_rule("W04", [raw(2, "2024-01", "94.5", activity="10")])
        self.assertEqual(total, 1)
        self.assertEqual(
            found[0].message,
            "OBS_VALUE 94.5 for 2024-01 revises the published 100.25 by -5.7%, more than 5.0% "
            "for a division: confirm the revision (say why in COMMENT) or correct the value",
        )
        self.assertEqual((found[0].series_key, found[0].time_period), ("M.TH.10.N", "2024-01"))

    def test_only_the_same_base_year_is_compared(self):
        store_history("M.TH.C.N", "2024-01", [100.0], base_year=2015)
        self.assertNoFindings("W04", [raw(2, "2024-01", "150")])
        total, _ = self.run_rule("W04", [raw(2, "2024-01", "150", base_per="2015")])
        self.assertEqual(total, 1)

    def test_only_the_same_period_and_base_year_is_compared(self):
        # One month later and one base year earlier: another stored value altogether.
        store_history("M.TH.C.N", "2024-02", [100.0], base_year=2015)
        self.assertNoFindings("W04", [raw(2, "2024-03", "150", base_per="2014")])
        self.assertNoFindings("W04", [raw(2, "2024-01", "150", base_per="2016")])
        total, _ = self.run_rule("W04", [raw(2, "2024-02", "150", base_per="2015")])
        self.assertEqual(total, 1)

    def test_withdrawal_by_a_row_the_series_rules_skip(self):
        # July is after "today" (NOW is 2024-06-10): not a valid row, still a withdrawal.
        store_history("M.TH.C.N", "2024-07", [100.0])
        total, found = self.run_rule(
            "W04",
            [raw(4, "2024-07", "", obs_status="M", sheet="S", value_cell="G4")],
            is_spreadsheet=True,
        )
        self.assertEqual(total, 1)
        self.assertEqual((found[0].sheet, found[0].cell, found[0].value), ("S", "G4", ""))
        self.assertTrue(found[0].message.startswith("OBS_STATUS M with no OBS_VALUE for 2024-07"))

    def test_a_stored_missing_value_is_not_withdrawn_again(self):
        # The old SQL wrote a NULL message here (and failed to store it).
        store_history("M.TH.C.N", "2024-01", [None])
        self.assertNoFindings("W04", [raw(2, "2024-01", "", obs_status="M")])
        self.assertNoFindings("W04", [raw(2, "2024-01", "100")])

    def test_each_revision_reports_its_own_row_and_stored_value(self):
        # Revisions among rows within the limit and a new period, in two series.
        store_history("M.TH.C.N", "2024-01", [100.0, 100.0, 100.0])
        store_history("M.TH.10.N", "2024-01", [100.0, 80.0], activity="10")
        rows = [
            raw(2, "2024-01", "100.5"),
            raw(3, "2024-02", "97"),
            raw(4, "2024-03", "101"),
            raw(5, "2024-04", "150"),
            raw(6, "2024-01", "100", activity="10"),
            raw(7, "2024-02", "88", activity="10"),
        ]
        total, found = self.run_rule("W04", rows)
        self.assertEqual(total, 2)
        self.assertEqual(
            [(f.row, f.value, f.series_key, f.time_period) for f in found],
            [(3, "97", "M.TH.C.N", "2024-02"), (7, "88", "M.TH.10.N", "2024-02")],
        )
        self.assertIn("revises the published 100 by -3.0%, more than 2.0%", found[0].message)
        self.assertIn("revises the published 80 by +10.0%, more than 5.0%", found[1].message)

    def test_cap_and_report_order(self):
        store_history("M.TH.C.N", "2024-01", [100.0, 100.0, 100.0])
        rows = [
            raw(9, "2024-01", "110"),
            raw(3, "2024-03", "", obs_status="L"),
            raw(5, "2024-02", "90"),
        ]
        total, found = self.run_rule("W04", rows, cap=2)
        self.assertEqual(total, 3)
        self.assertEqual([f.row for f in found], [3, 5])
        self.assertIn(
            "revises the published 100 by -10.0%, more than 2.0% for a section/total",
            found[1].message,
        )


class LimitTextTests(RuleTestCase):
    def test_limits_read_as_the_numeric_literals_the_old_sql_printed(self):
        self.assertEqual(parameter_text(5.0), "5.0")
        self.assertEqual(parameter_text(1.4826), "1.4826")
        self.assertEqual(parameter_text(1e-05), "0.00001")
        self.assertEqual(parameter_text(1e16), "10000000000000000")
        self.assertEqual(parameter_text(5), "5")


class W04CapTests(RuleTestCase):
    def test_findings_past_the_cap_are_counted_not_gathered(self):
        store_history("M.TH.C.N", "2023-01", [100.0] * 24)
        # Revised beyond the limit (rows 2-13, in reverse order) and withdrawn (rows 14-25).
        rows = [raw(13 - i, period, "110") for i, period in enumerate(months("2023-01", 12))]
        rows += [
            raw(14 + i, period, "", obs_status="M")
            for i, period in enumerate(months("2024-01", 12))
        ]
        total, located = self.run_capped("W04", rows, 3, movement, "value_located")
        self.assertEqual(total, 24)
        # Three revised rows and as many withdrawn ones are located, not twenty-four.
        self.assertEqual(
            [sorted(frame["row_no"].to_list()) for frame in located], [[2, 3, 4], [14, 15, 16]]
        )


class ChangeRuleCapTests(RuleTestCase):
    def test_changes_past_the_cap_are_counted_not_located(self):
        # An adjusted series jumping by 20% every month: every row after the first is a W02.
        rows = series([100.0 * 1.2**i for i in range(20)], "2022-01", adjustment="S")
        rows = Random(4).sample(rows, len(rows))
        total, (located,) = self.run_capped("W02", rows, 2, movement, "value_located")
        self.assertEqual(total, 19)
        self.assertEqual(sorted(located["row_no"].to_list()), [3, 4])
