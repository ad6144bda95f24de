"""The full recomputation's read of a country's stored values (publication.py `stored_query`):
the values of the pairs asked for, each read once, whatever the planner's prices (issue #14:
joined with the pairs, every series was read once per pair of its adjustment). And the
window's read (windowed.py `_reduced_rows`): the series with a value of a pair given, whole."""

from __future__ import annotations

import json
from datetime import date

from django.db import connection
from django.test import TestCase

from indices.publish.services import windowed
from indices.publish.services.publication import stored_query
from indices.publish.services.windowed import STORED_SCHEMA, stored_read
from indices.receive.models import Submission

MONTHS = 60
# Thailand's series: (series id, adjustment, activity of its values).
SERIES = [
    (f"M.TH.NAT:{code}.{adjustment}", adjustment, activity)
    for code, activity in (("1", "10"), ("2", "10"), ("3", "11"), ("4", "12"))
    for adjustment in "NS"
]
PAIRS = [("10", "N"), ("11", "N"), ("13", "N"), ("10", "S")]

# The read as it was: the pairs joined with the series.
OLD_STORED = stored_query("TH", PAIRS)[0].replace(
    "WHERE s.ref_area = %(area)s AND s.adjustment = ANY(%(adjustments)s::text[])\n"
    "  AND n.activity || ':' || s.adjustment = ANY(%(pairs)s::text[])",
    "WHERE s.ref_area = %(area)s AND (n.activity, s.adjustment) IN (\n"
    "  SELECT * FROM unnest(%(activities)s::text[], %(adjustment_of_pairs)s::text[]))",
)


class StoredReadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        submissions = {
            agency: Submission.objects.create(
                agency_id=agency, sha256="1" * 64, size=1, status=Submission.Status.ACCEPTED
            )
            for agency in ("TH_OIE", "VN_NSO")
        }
        with connection.cursor() as cursor:
            for agency, area in (("TH_OIE", "TH"), ("VN_NSO", "VN")):
                for series_id, adjustment, activity in SERIES:
                    series_id = series_id.replace(".TH.", f".{area}.")
                    cursor.execute(
                        "INSERT INTO indices_nationalseries"
                        " (agency_id, series_id, freq, ref_area, nat_code, adjustment)"
                        " VALUES (%s, %s, 'M', %s, %s, %s) RETURNING id",
                        [agency, series_id, area, series_id.split(":")[1][0], adjustment],
                    )
                    (number,) = cursor.fetchone()
                    cursor.execute(
                        "INSERT INTO indices_nationalobservation (series_no, activity,"
                        " period_start, value, status, base_year, comment, submission_id, row_no)"
                        " SELECT %s, %s, p::date, 100, 'A', 2021, '', %s, 1"
                        " FROM generate_series('2020-01-01'::date, '2024-12-01', '1 month') AS p",
                        [number, activity, submissions[agency].pk],
                    )
            cursor.execute("ANALYZE indices_nationalseries")
            cursor.execute("ANALYZE indices_nationalobservation")

    def test_the_values_of_the_pairs_asked_for(self):
        stored = stored_read(*stored_query("TH", PAIRS), STORED_SCHEMA)
        found = stored.group_by("series_id", "activity", "adjustment").len().sort("series_id")
        self.assertEqual(
            found.rows(),
            [
                ("M.TH.NAT:1.N", "10", "N", MONTHS),
                ("M.TH.NAT:1.S", "10", "S", MONTHS),
                ("M.TH.NAT:2.N", "10", "N", MONTHS),
                ("M.TH.NAT:2.S", "10", "S", MONTHS),
                ("M.TH.NAT:3.N", "11", "N", MONTHS),
            ],
        )

    def values_read(self, sql: str, params: dict) -> int:
        """How many stored values the statement reads (each loop's rows, kept or filtered),
        with joins other than loops priced out, as the 10M bench store's estimates did."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_hashjoin', 'off', true)")
            cursor.execute("SELECT set_config('enable_mergejoin', 'off', true)")
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            (plan,) = cursor.fetchone()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        nodes, read = [plan[0]["Plan"]], 0
        while nodes:
            node = nodes.pop()
            nodes += node.get("Plans", [])
            if node.get("Relation Name") == "indices_nationalobservation":
                per_loop = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
                read += per_loop * node["Actual Loops"]
        return read

    def test_each_value_of_a_series_of_an_adjustment_asked_for_is_read_once(self):
        of_the_adjustments = MONTHS * len(SERIES)  # N and S: every Thai series
        self.assertLessEqual(self.values_read(*stored_query("TH", PAIRS)), of_the_adjustments)
        old_params = {
            "area": "TH",
            "activities": [activity for activity, _ in PAIRS],
            "adjustment_of_pairs": [adjustment for _, adjustment in PAIRS],
        }
        # What the test guards against: the old statement read series again per pair.
        self.assertGreater(self.values_read(OLD_STORED, old_params), of_the_adjustments)

    def window_read(self, pairs: list[tuple[str, str]]) -> list[tuple[str, int]]:
        """The series the window's read gives for `pairs` (from 2024 and of 2021), and how
        many values of each."""
        read = windowed._reduced_rows(["TH_OIE"], date(2024, 1, 1), 2021, pairs)
        return read.group_by("series_id").len().sort("series_id").rows()

    def test_the_window_reads_the_series_of_the_pairs_given_only(self):
        # A correction of one pair reads its series, not the country's.
        self.assertEqual(self.window_read([("11", "N")]), [("M.TH.NAT:3.N", 24)])
        self.assertEqual(
            self.window_read([("10", "S"), ("12", "N")]),
            [("M.TH.NAT:1.S", 24), ("M.TH.NAT:2.S", 24), ("M.TH.NAT:4.N", 24)],
        )

    def test_a_series_with_a_value_of_a_pair_given_is_read_whole(self):
        # Code 1's values of 2024 name another activity (a concordance mapped it anew): asked
        # for either pair, the series is read with all its values, so that windowed.py sees
        # that they name two pairs.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE indices_nationalobservation SET activity = '13' WHERE series_no ="
                " (SELECT id FROM indices_nationalseries WHERE series_id = 'M.TH.NAT:1.N')"
                " AND period_start >= '2024-07-01'"
            )
        for pairs in ([("13", "N")], [("10", "N")]):
            read = windowed._reduced_rows(["TH_OIE"], date(2024, 1, 1), 2021, pairs)
            mixed = read.filter(read["series_id"] == "M.TH.NAT:1.N")
            self.assertEqual(sorted(set(mixed["activity"])), ["10", "13"], pairs)
            self.assertEqual(mixed.height, 24)
            self.assertEqual(windowed._mixed_series(read), {"M.TH.NAT:1.N"})
        # Asked for neither of its pairs, it is not read.
        self.assertEqual(self.window_read([("11", "N")]), [("M.TH.NAT:3.N", 24)])
