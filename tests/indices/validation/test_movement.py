"""W01-W04: a submitted value against the previous period, the year before, the stored value."""

from __future__ import annotations

import datetime as dt

from indices.models import NationalObservation, Submission
from tests.indices.validation.helpers import RuleTestCase, months, raw, series

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


def store_history(series_id: str, start: str, values: list[float], activity: str = "C") -> None:
    """Accepted observations of an earlier submission of TH_OIE."""
    earlier = Submission.objects.create(
        agency_id="TH_OIE", sha256="1" * 64, size=1, status=Submission.Status.ACCEPTED
    )
    freq, _, _, adjustment = series_id.split(".")
    NationalObservation.objects.bulk_create(
        NationalObservation(
            agency_id="TH_OIE",
            series_id=series_id,
            freq=freq,
            ref_area="TH",
            activity=activity,
            adjustment=adjustment,
            period_start=dt.date(int(label[:4]), int(label[5:7]), 1),
            period_label=label,
            value=value,
            status="A",
            base_year=2021,
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
