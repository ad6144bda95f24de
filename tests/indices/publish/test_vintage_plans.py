"""Closing values reads each scoped series' current values by its own range of the current-value
index, never every current value of the store, whatever the planner's prices; and closes the rows
the join it replaced closed (services/vintages.py, issue #14)."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from countries.models import Agency
from indices.publish.harmonization import HarmonizedSeries, Point
from indices.publish.models import Release
from indices.publish.services import vintages

# The close statement as it was: the scope joined with the store.
OLD_CLOSE = """
UPDATE indices_publishedobservation AS p SET valid_to = %(instant)s
FROM vintage_scope AS s
WHERE p.series_no = s.series_no AND p.valid_to IS NULL AND p.period_start >= s.since
  AND NOT EXISTS (
      SELECT 1 FROM vintage_new AS n
      WHERE n.series_no = p.series_no AND n.period_start = p.period_start
        AND abs(n.value - p.value) <= %(tolerance)s * greatest(1.0, abs(p.value))
        AND n.status = p.status
        AND (n.coverage IS NULL) = (p.coverage IS NULL)
        AND coalesce(abs(n.coverage - p.coverage) <= %(tolerance)s * 100, true)
        AND n.comment = p.comment)
RETURNING p.series_no, p.period_start
"""

SERIES = 500  # 240 months each, written month after month as releases write them
SCOPED = 100  # a monthly update's: each series' last three months compared


class ClosePlanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        release = Release.objects.create(
            agency=Agency.objects.get(pk="TH_OIE"), ref_area="TH", release_at=timezone.now()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO indices_publishedseries
                    (series_key, freq, ref_area, activity, adjustment, transformation,
                     attributes, first_published_at, last_updated_at)
                SELECT 'M.TH.' || s || '.N.IX', 'M', 'TH', s::text, 'N', 'IX', '{}', now(), now()
                FROM generate_series(1, %s) AS s
                """,
                [SERIES],
            )
            cursor.execute(
                """
                INSERT INTO indices_publishedobservation
                    (series_no, period_start, time_period, value, status, comment, release_id,
                     valid_from)
                SELECT k.number, p::date, to_char(p, 'YYYY-MM'), 100 + s %% 7,
                       'A', '', %s, now()
                FROM generate_series('2005-01-01'::date, '2024-12-01', '1 month') AS p,
                     generate_series(1, %s) AS s
                JOIN indices_publishedseries AS k ON k.series_key = 'M.TH.' || s || '.N.IX'
                ORDER BY p, s
                """,
                [release.pk, SERIES],
            )
            cursor.execute("ANALYZE indices_publishedobservation")

    def close_plan(self, statement: str) -> list[dict]:
        """The plan's nodes that read the published store, with the temporary tables as
        vintages_write fills them for a monthly update."""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE vintage_new (series_no integer, period_start date,"
                " time_period text, value float8, status text, coverage float8,"
                " comment text NOT NULL)"
            )
            cursor.execute(
                "CREATE TEMP TABLE vintage_scope (series_no integer PRIMARY KEY,"
                " since date NOT NULL)"
            )
            cursor.execute(
                "INSERT INTO vintage_scope SELECT number, '2024-10-01'"
                " FROM indices_publishedseries WHERE activity::int <= %s",
                [SCOPED],
            )
            cursor.execute(
                "INSERT INTO vintage_new SELECT series_no, p::date, to_char(p, 'YYYY-MM'),"
                " 101, 'A', NULL, '' FROM vintage_scope,"
                " generate_series('2024-10-01'::date, '2024-12-01', '1 month') AS p"
            )
            cursor.execute("ANALYZE vintage_new")
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            # On the 10M bench store the planner, pricing a loop over the scope's series above
            # a scan of every current value, chose the scan; at this size it prices them the
            # other way. Loops priced out, as they were there.
            cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) {statement}",
                {"instant": timezone.now(), "tolerance": vintages.RELATIVE_TOLERANCE},
            )
            (plan,) = cursor.fetchone()
            cursor.execute("DROP TABLE vintage_new, vintage_scope")
        plan = json.loads(plan) if isinstance(plan, str) else plan
        nodes, found = [plan[0]["Plan"]], []
        while nodes:
            node = nodes.pop()
            nodes += node.get("Plans", [])
            if (
                node.get("Relation Name") == "indices_publishedobservation"
                and node["Node Type"] != "ModifyTable"
            ):
                found.append(node)
        return found

    def assertEveryReadIsScoped(self, reads: list[dict]) -> None:
        """Every read of the store is one scoped series' range of the current-value index (an
        index scan, or a bitmap scan of that range), or a row to close by its ctid."""
        for node in reads:
            if node["Node Type"] == "Tid Scan":
                continue
            condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
            self.assertIn(node["Node Type"], ("Index Scan", "Bitmap Heap Scan"), node)
            for scoped in ("series_no = s.series_no", "period_start >= s.since"):
                self.assertIn(scoped, condition, node)

    def test_each_scoped_series_is_read_by_its_index_range(self):
        reads = self.close_plan(vintages._CLOSE)
        self.assertEveryReadIsScoped(reads)
        self.assertIn("Tid Scan", {node["Node Type"] for node in reads})

    def test_the_join_it_replaced_read_every_current_value(self):
        """What the test above guards against: the same store and scope, the old statement,
        reads the store with no condition on the series, every current value of it."""
        reads = self.close_plan(OLD_CLOSE)
        unscoped = [
            node
            for node in reads
            if "series_no" not in (node.get("Index Cond") or node.get("Recheck Cond") or "")
        ]
        self.assertTrue(unscoped, reads)
        self.assertGreaterEqual(max(node["Plan Rows"] for node in unscoped), SERIES * 240 // 2)
        with self.assertRaises(AssertionError):
            self.assertEveryReadIsScoped(reads)

    def test_the_rows_closed_are_those_of_the_join_it_replaced(self):
        instant = timezone.now()
        release = Release.objects.get()
        current = [
            ("M.TH.1.N.IX", date(2024, 12, 1), 101.0, "A", ""),  # as published: kept
            ("M.TH.2.N.IX", date(2024, 12, 1), 120.5, "A", ""),  # a revised value
            ("M.TH.3.N.IX", date(2024, 12, 1), 103.0, "P", ""),  # a status
            ("M.TH.4.N.IX", date(2024, 12, 1), 104.0, "A", "strike"),  # a comment
        ]
        series = [
            HarmonizedSeries(
                freq="M",
                ref_area="TH",
                activity=key.split(".")[2],
                adjustment="N",
                transformation="IX",
                points=(Point(period, value, status, None, comment),),
            )
            for key, period, value, status, comment in current
        ]

        def closed(statement: str) -> tuple[list, int]:
            with mock.patch.object(vintages, "_CLOSE", statement):
                changes = vintages.vintages_write(
                    series=series,
                    scopes=[],
                    release=release,
                    instant=instant,
                    windows={("TH", s.activity, "N"): date(2024, 1, 1) for s in series},
                )
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT s.series_key, o.period_start FROM indices_publishedobservation AS o"
                    " JOIN indices_publishedseries AS s ON s.number = o.series_no"
                    " WHERE o.valid_to = %s ORDER BY 1, 2",
                    [instant],
                )
                rows = cursor.fetchall()
                # Undone, for the other statement to find the same store.
                cursor.execute(
                    "DELETE FROM indices_publishedobservation WHERE release_id = %s"
                    " AND valid_from = %s",
                    [release.pk, instant],
                )
                cursor.execute(
                    "UPDATE indices_publishedobservation SET valid_to = NULL WHERE valid_to = %s",
                    [instant],
                )
            return rows, changes.withdrawn

        new = closed(vintages._CLOSE)
        self.assertEqual(new, closed(OLD_CLOSE))
        # Every month of 2024 but December: no longer published (withdrawn); December: the
        # first series' value is as published, the other three are revised.
        rows, withdrawn = new
        self.assertEqual(len(rows), 4 * 11 + 3)
        self.assertEqual(withdrawn, 4 * 11)
        self.assertNotIn(("M.TH.1.N.IX", date(2024, 12, 1)), rows)
