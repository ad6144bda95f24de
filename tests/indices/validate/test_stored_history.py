"""The stored history the rules read (W01, W04, W06, E09): one index range per series, never a
scan of the store, and the same rows and findings as the join it replaced (issue #14)."""

from __future__ import annotations

import datetime as dt
import json
import random
from unittest import mock

from django.db import connection

from indices.national.copy_out import copied_out
from indices.national.models import NationalObservation, NationalSeries
from indices.receive.models import Submission
from indices.validate.models import Finding
from indices.validate.rules import REGISTRY, shared
from tests.indices.validate.helpers import RuleTestCase, months, raw, series
from tests.indices.validate.test_movement import seasonal_levels

# The reads as they were before migration 0017: a join of the submitted series with the store,
# which the planner ran as a hash or merge join over every stored row of the agency (the
# history gives the series' number, sk, for its id, and the columns the series id does not
# fix, as the reads now do).
OLD_HISTORY_SQL = f"""
SELECT DISTINCT ON (ns.series_id, n.period_start) s.sk, n.period_start, n.value, n.base_year
FROM indices_nationalobservation n
JOIN indices_nationalseries ns ON ns.id = n.series_no
JOIN unnest(%(sk)s::int[], %(series)s::text[], %(firsts)s::date[]) AS s(sk, series_id, first)
  ON ns.series_id = s.series_id
  AND n.period_start >= s.first - interval '{shared.LOOKBACK_MONTHS} months'
WHERE ns.agency_id = %(agency)s
ORDER BY ns.series_id, n.period_start, n.base_year DESC
"""
OLD_STORED_SQL = """
SELECT s.sk, n.period_start, n.base_year, n.value AS stored_value
FROM indices_nationalobservation n
JOIN indices_nationalseries ns ON ns.id = n.series_no
JOIN unnest(%(sk)s::int[], %(series)s::text[], %(firsts)s::date[]) AS s(sk, series_id, first)
  ON ns.series_id = s.series_id AND n.period_start >= s.first
WHERE ns.agency_id = %(agency)s
"""

# Rules whose findings depend on the stored history, and the neighbours that share its frame.
RULES = ["E09", "W01", "W02", "W03", "W04", "W05", "W06"]


def store(
    series_id: str,
    start: str,
    values: list[float | None],
    *,
    base_year: int = 2021,
    agency: str = "TH_OIE",
    nat_code: str = "",
    activity: str = "C",
) -> None:
    """Accepted observations of an earlier submission; quarterly when the series is."""
    earlier = Submission.objects.create(
        agency_id=agency, sha256="1" * 64, size=1, status=Submission.Status.ACCEPTED
    )
    freq, area, _, adjustment = series_id.split(".")
    if freq == "Q":
        year, quarter = int(start[:4]), int(start[-1])
        labels = [
            f"{year + (quarter - 1 + i) // 4}-Q{(quarter - 1 + i) % 4 + 1}"
            for i in range(len(values))
        ]
        starts = [dt.date(int(lb[:4]), 3 * int(lb[-1]) - 2, 1) for lb in labels]
    else:
        labels = months(start, len(values))
        starts = [dt.date(int(lb[:4]), int(lb[5:7]), 1) for lb in labels]
    series, _ = NationalSeries.objects.get_or_create(
        agency_id=agency,
        series_id=series_id,
        defaults={"freq": freq, "ref_area": area, "nat_code": nat_code, "adjustment": adjustment},
    )
    NationalObservation.objects.bulk_create(
        NationalObservation(
            series=series,
            activity=activity,
            period_start=period_start,
            value=value,
            status="A" if value is not None else "M",
            base_year=base_year,
            submission=earlier,
            row_no=i + 2,
        )
        for i, (period_start, value) in enumerate(zip(starts, values, strict=True))
    )


class HistoryRulesTestCase(RuleTestCase):
    rows: list

    def findings(self, rows=None) -> list[tuple]:
        self.load(self.rows if rows is None else rows)
        ctx = self.context()
        for rule_id in RULES:
            REGISTRY[rule_id](ctx)
        found = Finding.objects.filter(submission=self.submission).values_list(
            "rule_id", "row", "column", "value", "series_key", "time_period", "message"
        )
        listed = list(found)
        Finding.objects.filter(submission=self.submission).delete()
        return listed

    def same_as_read_in_full(self, rows) -> list[tuple]:
        short = self.findings(rows)
        with mock.patch.object(shared, "_HISTORY_SQL", OLD_HISTORY_SQL):
            full = self.findings(rows)
        self.assertEqual(short, full)
        return short

    def history_months(self, rows) -> dict[str, int]:
        self.load(rows)
        ctx = self.context()
        rows = shared.series(ctx).filter(~shared.pl.col("submitted"))
        return dict(rows.group_by("series_id").len().iter_rows())


class StoredHistoryTests(HistoryRulesTestCase):
    """A store with base changes, missing values, national codes, quarters and another agency's
    rows; a submission against it that every history rule has something to say about."""

    def setUp(self) -> None:
        super().setUp()
        levels = seasonal_levels(2013, "2024-05")
        labels = months("2013-01", len(levels))
        self.levels = dict(zip(labels, levels, strict=True))
        upto = labels.index("2024-03")
        # C: a base change in 2021 with the old base kept where it overlaps, a stored missing
        # value, and another agency's values of the same series id (never read).
        stored = [
            None if label == "2019-07" else v for label, v in zip(labels, levels, strict=False)
        ]
        store("M.TH.C.N", "2013-01", stored)
        store("M.TH.C.N", "2013-01", [v * 0.8 for v in levels[:100]], base_year=2015)
        store("M.TH.C.N", "2013-01", [50.0] * upto, agency="VN_NSO")
        # 10: a flat run the submission continues.
        store("M.TH.10.N", "2023-07", [99.0, 98.0, 100.0, 99.0, 101.5, 101.5], activity="10")
        # A national code, with its old base a year longer than the new one.
        store("M.TH.NAT:1011.N", "2020-01", [100.0 + i % 5 for i in range(48)], nat_code="1011")
        store(
            "M.TH.NAT:1011.N",
            "2021-01",
            [95.0 + i % 3 for i in range(30)],
            base_year=2015,
            nat_code="1011",
            activity="10",
        )
        store("Q.TH.C.N", "2019-Q1", [98.0, 99.0, 100.0, 101.0] * 5)
        self.rows = [
            # W04 (January revised), W01 (March jumps)
            raw(2, "2024-01", str(round(self.levels["2024-01"] * 1.03, 3))),
            raw(3, "2024-02", str(self.levels["2024-02"])),
            raw(4, "2024-03", str(round(self.levels["2024-03"] * 1.35, 3))),
            raw(5, "2024-04", str(round(self.levels["2024-04"] * 1.35, 3))),
            # W06: 101.5 a third time
            raw(6, "2024-01", "101.5", activity="10"),
            # E09: the national code's base year 2023, averaging 103
            *series(
                [103.0] * 12, "2023-01", first_row=7, activity="", nat_code="1011", base_per="2023"
            ),
            # W04: a stored quarter withdrawn
            raw(19, "2023-Q4", "", freq="Q", obs_status="L"),
            raw(20, "2024-Q1", "110", freq="Q"),
        ]

    def test_the_findings_are_those_of_the_join_it_replaced(self):
        new = self.findings()
        with (
            mock.patch.object(shared, "_HISTORY_SQL", OLD_HISTORY_SQL),
            mock.patch.object(shared, "_STORED_SQL", OLD_STORED_SQL),
        ):
            old = self.findings()
        self.assertEqual(new, old)
        self.assertTrue({"E09", "W01", "W04", "W06"} <= {rule_id for rule_id, *_ in new}, new)

    def test_the_rows_read_are_the_stores_newest_base_from_the_lookback(self):
        self.load(self.rows)
        ctx = self.context()
        firsts = (
            shared.valid_rows(ctx)
            .group_by("sk", "series_id", "adjustment_n")
            .agg(first_sub=shared.pl.col("period_start").min())
            .sort("sk")
            .with_columns(last_sub=None, whole=False)  # every period from the lookback on
        )
        history = shared.stored_history(ctx, firsts)
        self.assertEqual(history.schema, shared.pl.Schema(shared.HISTORY_SCHEMA))
        self.assertEqual(set(firsts["adjustment_n"]), {"N"})  # each read from LOOKBACK_MONTHS
        history = history.join(firsts, on="sk").select("series_id", *list(history.columns)[1:])
        expected = {}
        for _, series_id, _, first, _, _ in firsts.iter_rows():
            year, month = divmod(first.year * 12 + first.month - 1 - shared.LOOKBACK_MONTHS, 12)
            stored = NationalObservation.objects.filter(
                series__agency_id="TH_OIE",
                series__series_id=series_id,
                period_start__gte=dt.date(year, month + 1, 1),
            ).order_by("period_start", "base_year")
            for n in stored:  # the newest base year last: it stays
                expected[(series_id, n.period_start)] = (
                    series_id, n.period_start, n.value, n.base_year,
                )  # fmt: skip
        self.assertEqual(sorted(history.rows()), sorted(expected.values()))
        self.assertIn(None, history["v"].to_list())  # 2019-07, stored missing

        stored = shared.stored_values(ctx)
        self.assertEqual(stored.schema, shared.pl.Schema(shared.STORED_SCHEMA))
        # each value's series by its number in the submission
        stored = stored.join(shared.stats(ctx).select("sk", "series_id"), on="sk").select(
            "series_id", "period_start", "base_year", "stored_value"
        )
        named = shared.stats(ctx).select("series_id", "first").rows()
        expected_values = [
            (series_id, n.period_start, n.base_year, n.value)
            for series_id, first in named
            for n in NationalObservation.objects.filter(
                series__agency_id="TH_OIE", series__series_id=series_id, period_start__gte=first
            )
        ]
        self.assertEqual(sorted(stored.rows()), sorted(expected_values))

    def test_nothing_stored_reads_nothing(self):
        NationalObservation.objects.all().delete()
        self.load(self.rows)
        ctx = self.context()
        self.assertEqual(shared.series(ctx).height, shared.valid_rows(ctx).height)
        self.assertEqual(shared.stored_values(ctx).height, 0)


class StoredHistoryPlanTests(RuleTestCase):
    """On a store of some size, analyzed, each read is an index range per series."""

    SERIES = 300

    @classmethod
    def setUpTestData(cls) -> None:
        earlier = Submission.objects.create(
            agency_id="TH_OIE", sha256="1" * 64, size=1, status=Submission.Status.ACCEPTED
        )
        other = Submission.objects.create(
            agency_id="VN_NSO", sha256="2" * 64, size=1, status=Submission.Status.ACCEPTED
        )
        with connection.cursor() as cursor:
            # Two agencies, 240 months and two base years of every series: 288,000 rows.
            for agency, submission in (("TH_OIE", earlier.pk), ("VN_NSO", other.pk)):
                cursor.execute(
                    """
                    INSERT INTO indices_nationalseries
                        (agency_id, series_id, freq, ref_area, nat_code, adjustment)
                    SELECT %s, 'M.TH.NAT:' || s || '.N', 'M', 'TH', s::text, 'N'
                    FROM generate_series(1, %s) AS s
                    """,
                    [agency, cls.SERIES],
                )
                cursor.execute(
                    """
                    INSERT INTO indices_nationalobservation
                        (series_no, activity, period_start, value, status, base_year, comment,
                         submission_id, row_no)
                    SELECT ns.id, '10', p::date, 100 + code.s %% 7, 'A', b, '', %s,
                           code.s * 1000 + b
                    FROM indices_nationalseries AS ns
                    CROSS JOIN LATERAL (
                        SELECT split_part(split_part(ns.series_id, ':', 2), '.', 1)::int AS s
                    ) AS code,
                         generate_series('2005-01-01'::date, '2024-12-01', '1 month') AS p,
                         (VALUES (2015), (2021)) AS base(b)
                    WHERE ns.agency_id = %s
                    """,
                    [submission, agency],
                )
            cursor.execute("ANALYZE indices_nationalseries")
            cursor.execute("ANALYZE indices_nationalobservation")
        cls.params = {
            "agency": "TH_OIE",
            "sk": list(range(cls.SERIES)),
            "series": [f"M.TH.NAT:{s}.N" for s in range(1, cls.SERIES + 1)],
            "firsts": [dt.date(2024, 10, 1)] * cls.SERIES,
            "months": [shared.LOOKBACK_MONTHS] * cls.SERIES,
            "until": [dt.date(2024, 10, 1)] * cls.SERIES,  # given whole, 2024-10 .. 2024-11
            "after": [dt.date(2024, 11, 1)] * cls.SERIES,
            # Every other series read sparse, each year back from 2014 (monthly).
            "steps": [1, None] * (cls.SERIES // 2),
            "lasts": [dt.date(2024, 11, 1), None] * (cls.SERIES // 2),
            "years": shared.LOOKBACK_YEARS,
        }

    def plan(self, sql: str) -> list[dict]:
        """The plan's nodes that read the national store."""
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", self.params)
            (plan,) = cursor.fetchone()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        nodes, found = [plan[0]["Plan"]], []
        while nodes:
            node = nodes.pop()
            nodes += node.get("Plans", [])
            if node.get("Relation Name") == "indices_nationalobservation":
                found.append(node)
        return found

    def assertIndexRangePerSeries(self, sql: str, ranges: int = 1) -> None:
        nodes = self.plan(sql)
        self.assertEqual(len(nodes), ranges, nodes)
        for node in nodes:
            self.assertIn(node["Node Type"], ("Index Scan", "Index Only Scan"), node)
            self.assertEqual(node["Index Name"], "indices_nationalobservation_pkey")
            condition = node["Index Cond"]
            for column in ("series_no", "period_start >"):
                self.assertIn(column, condition)

    def test_the_history_is_an_index_range_per_series(self):
        # Before the periods given, after them, and each year back: one range each.
        self.assertIndexRangePerSeries(shared._HISTORY_SQL)

    def test_the_stored_values_are_an_index_range_per_series_read_page_by_page(self):
        # As copied_out reads them, with the planner's settings of the read.
        with connection.cursor() as cursor:
            for name, value in shared._WHOLE_PAGES.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        (node,) = self.plan(shared._STORED_SQL)
        self.assertEqual(node["Node Type"], "Bitmap Heap Scan", node)
        (index,) = node["Plans"]
        self.assertEqual(index["Node Type"], "Bitmap Index Scan", index)
        self.assertEqual(index["Index Name"], "indices_nationalobservation_pkey")
        for column in ("series_no", "period_start >"):
            self.assertIn(column, index["Index Cond"])

    def test_the_planners_settings_hold_for_the_read_alone(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_indexscan', 'on', true)")
            seen = copied_out(
                "SELECT current_setting('enable_indexscan')",
                {},
                {"setting": shared.pl.String},
                planner=shared._WHOLE_PAGES,
            )
            self.assertEqual(seen["setting"].to_list(), ["off"])
            cursor.execute("SELECT current_setting('enable_indexscan')")
            self.assertEqual(cursor.fetchone(), ("on",))


class ShortLookbackTests(HistoryRulesTestCase):
    """A series other than N is read back SHORT_LOOKBACK_MONTHS only, unless a flat run may
    reach further, and the stored periods of a series given whole are not read: the findings
    are those of a read of every stored period from LOOKBACK_MONTHS."""

    def test_movement_against_the_period_before_and_a_year_before(self):
        # S: 2013-01 .. 2024-04, then May 2024 moves 30% on April (W02) and on a year before
        # (W03); a Y series moves little, its year before read back too.
        store("M.TH.C.S", "2013-01", [100.0 + (i % 7) for i in range(136)])
        store("M.TH.C.Y", "2013-01", [100.0 + (i % 5) / 10 for i in range(136)])
        rows = [
            raw(2, "2024-05", "140", adjustment="S"),
            raw(3, "2024-05", "100.3", adjustment="Y"),
        ]
        found = self.same_as_read_in_full(rows)
        self.assertTrue({"W02", "W03"} <= {rule_id for rule_id, *_ in found}, found)
        self.assertEqual(
            self.history_months(rows),
            {"M.TH.C.S": shared.SHORT_LOOKBACK_MONTHS, "M.TH.C.Y": shared.SHORT_LOOKBACK_MONTHS},
        )

    def test_a_flat_run_longer_than_the_short_lookback_is_read_in_full(self):
        store("M.TH.C.S", "2019-01", [98.0, 99.0] + [101.5] * 62)  # flat 2019-03 .. 2024-04
        store("M.TH.10.S", "2019-01", [98.0] * 44 + [99.0, 100.0] * 9 + [101.5] * 2, activity="10")
        rows = [
            raw(2, "2024-05", "101.5", adjustment="S"),
            raw(3, "2024-05", "101.5", activity="10", adjustment="S"),
        ]
        found = self.same_as_read_in_full(rows)
        messages = {series_key: message for _, _, _, _, series_key, _, message in found}
        self.assertIn("in 63 consecutive periods, 2019-03 to 2024-05", messages["M.TH.C.S"])
        self.assertIn("in 3 consecutive periods, 2024-03 to 2024-05", messages["M.TH.10.S"])
        # The run of C reaches the short lookback's first period: C is read again in full.
        self.assertEqual(
            self.history_months(rows),
            {"M.TH.C.S": 64, "M.TH.10.S": shared.SHORT_LOOKBACK_MONTHS},
        )

    def test_a_series_given_whole_is_read_before_and_after_it_only(self):
        # 2023-06 .. 2023-09 flat in the store; 2023-05 .. 2023-07 revised, 2023-07 in the run.
        stored = (
            [100.0 + i % 3 for i in range(17)] + [101.5] * 4 + [100.0 + i % 3 for i in range(7)]
        )
        store("M.TH.C.S", "2022-01", stored)  # 2022-01 .. 2024-04
        rows = [
            raw(2, "2023-05", "100.5", adjustment="S"),
            raw(3, "2023-06", "101.5", adjustment="S"),
            raw(4, "2023-07", "101.5", adjustment="S"),
        ]
        found = self.same_as_read_in_full(rows)
        messages = [message for rule_id, *_, message in found if rule_id == "W06"]
        self.assertEqual(len(messages), 1, found)
        self.assertIn("in 4 consecutive periods, 2023-06 to 2023-09", messages[0])
        # 15 months before 2023-05, and 2023-08 .. 2024-04 after 2023-07: not the three given.
        self.assertEqual(self.history_months(rows), {"M.TH.C.S": 15 + 9})


class SparseHistoryTests(HistoryRulesTestCase):
    """An N series of a short submission (a monthly update) is read back SHORT_LOOKBACK_MONTHS,
    then each year further back only the periods W01 compares with and the period before each,
    unless a flat run may reach further: the findings are those of a read of every stored
    period from LOOKBACK_MONTHS."""

    def test_an_update_reads_the_same_periods_of_the_years_before(self):
        levels = seasonal_levels(2011, "2024-04")
        store("M.TH.C.N", "2011-01", levels)
        stored = dict(zip(months("2011-01", len(levels)), levels, strict=True))
        rows = [
            raw(2, "2024-02", str(stored["2024-02"])),
            raw(3, "2024-03", str(stored["2024-03"])),
            raw(4, "2024-04", str(stored["2024-04"])),
            raw(5, "2024-05", str(round(stored["2024-04"] * 1.6, 3))),  # May recovers 26%
        ]
        found = self.same_as_read_in_full(rows)
        self.assertIn(("W01", 5), {(rule_id, row) for rule_id, row, *_ in found}, found)
        # 2022-11 .. 2024-01, then 2022-01 .. 2022-05 and each year back to 2014-01 .. 2014-05.
        self.assertEqual(self.history_months(rows), {"M.TH.C.N": 15 + 9 * 5})

    def test_quarters_read_the_quarter_before_each(self):
        quarters = [98.0, 103.0, 97.0, 102.0]
        stored = [quarters[i % 4] + i % 5 * 0.3 for i in range(57)]  # 2010-Q1 .. 2024-Q1
        store("Q.TH.C.N", "2010-Q1", stored)
        rows = [raw(2, "2024-Q1", str(stored[-1]), freq="Q"), raw(3, "2024-Q2", "140", freq="Q")]
        found = self.same_as_read_in_full(rows)
        self.assertIn(("W01", 3), {(rule_id, row) for rule_id, row, *_ in found}, found)
        # 2022-Q4 .. 2023-Q4, then 2021-Q4 .. 2022-Q2 and each year back to 2013-Q4 .. 2014-Q2.
        self.assertEqual(self.history_months(rows), {"Q.TH.C.N": 5 + 9 * 3})

    def test_a_flat_run_longer_than_the_short_history_is_read_in_full(self):
        levels = seasonal_levels(2011, "2024-04")
        store("M.TH.C.N", "2011-01", levels[:-30] + [101.5] * 30)  # flat 2021-11 .. 2024-04
        rows = [raw(2, "2024-04", "101.5"), raw(3, "2024-05", "101.5")]
        found = self.same_as_read_in_full(rows)
        messages = [message for rule_id, *_, message in found if rule_id == "W06"]
        self.assertEqual(len(messages), 1, found)
        self.assertIn("in 31 consecutive periods, 2021-11 to 2024-05", messages[0])
        self.assertEqual(self.history_months(rows), {"M.TH.C.N": shared.LOOKBACK_MONTHS})

    def test_a_longer_submission_reads_every_period(self):
        store("M.TH.C.N", "2011-01", seasonal_levels(2011, "2024-04"))
        rows = series(seasonal_levels(2023, "2024-05")[-9:], "2023-09")  # 2023-09 .. 2024-05
        self.same_as_read_in_full(rows)
        self.assertEqual(self.history_months(rows), {"M.TH.C.N": shared.LOOKBACK_MONTHS})

    def test_random_stores_and_updates_find_what_a_full_read_finds(self):
        rng = random.Random(14)
        labels = months("2011-01", 161)  # 2011-01 .. 2024-05
        rules_found, sparse_series = set(), 0
        for _ in range(8):
            NationalObservation.objects.all().delete()
            rows: list = []
            for activity in ("C", "10", "29"):
                values: list[float | None] = list(seasonal_levels(2011, "2024-04"))
                if rng.random() < 0.6:  # a flat stretch, up to the newest month or not
                    length = rng.randint(2, 40)
                    end = len(values) if rng.random() < 0.5 else rng.randint(length, len(values))
                    values[end - length : end] = [values[end - length]] * length
                for _ in range(rng.randint(0, 3)):
                    values[rng.randrange(len(values))] = None
                store(f"M.TH.{activity}.N", "2011-01", values, activity=activity)
                # 1 to 12 months up to 2024-03, -04 or -05, one of them left out at times.
                last, span = rng.randint(158, 160), rng.randint(1, 12)
                given = list(range(last - span + 1, last + 1))
                if span > 2 and rng.random() < 0.3:
                    given.pop(rng.randrange(1, span - 1))
                for at in given:
                    before = values[at] if at < len(values) else values[-1]
                    factor = rng.choice([1.0, 1.0, 1.002, 1.5, 0.6, 1.26])
                    value = str(round((before or 100.0) * factor, 3))
                    rows.append(raw(len(rows) + 2, labels[at], value, activity=activity))
            found = self.same_as_read_in_full(rows)
            rules_found |= {rule_id for rule_id, *_ in found}
            read = self.history_months(rows).values()
            sparse_series += sum(1 for count in read if count < 100)
        # The trials reach what the sparse read must keep: W01's comparisons, W06's runs.
        self.assertTrue({"W01", "W06"} <= rules_found, rules_found)
        self.assertGreater(sparse_series, 5)
