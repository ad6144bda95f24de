"""The staging table's statistics are refreshed before the rules, unless another validation's
transaction holds the ANALYZE lock: then the rules run on the old statistics, without waiting."""

from __future__ import annotations

import time

import psycopg
from django.db import connection

from indices.models import Finding
from indices.validation.runner import run_rules, staging_statistics_refresh
from tests import workers
from tests.indices.validation.helpers import RuleTestCase, good_values, raw, series


class StagingStatisticsTests(RuleTestCase):
    def test_the_staged_rows_are_counted_before_the_rules(self):
        self.load(series(good_values(30), "2021-01"))
        self.assertTrue(staging_statistics_refresh())
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'indices_submissionrow'")
            self.assertEqual(cursor.fetchone()[0], 30)

    def test_a_lock_held_elsewhere_is_not_waited_for(self):
        self.load([*series(good_values(30), "2021-01"), raw(100, "2024-05", "1,5")])
        # Another validation's transaction, which analyzed the table and has not ended.
        with psycopg.connect(workers.test_database_url()) as other:
            other.execute("ANALYZE indices_submissionrow")
            started = time.monotonic()
            self.assertFalse(staging_statistics_refresh())
            self.assertLess(time.monotonic() - started, 5)
            # The transaction goes on: the rules run and store their findings.
            counts = run_rules(self.context())
            other.rollback()
        self.assertEqual(counts["E06"], 1)
        self.assertEqual(Finding.objects.filter(rule_id="E06").count(), 1)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            self.assertEqual(cursor.fetchone()[0], "0")
