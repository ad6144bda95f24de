"""The stores' indexes rebuilt where releases left them bloated (publish/services/compaction.py).

Values are written as monthly releases write them, a month of every series at a time, so the
national store's primary key splits its pages half full; the compaction rebuilds it, without
blocking, to the size of a fresh build, and the store answers as before. REINDEX CONCURRENTLY
cannot run in a transaction: these tests commit, and the tables are flushed after each.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from indices.publish.services import compaction
from indices.publish.services.compaction import BLOATED, index_sizes, stores_compact
from tests.indices.publishing import accept, monthly_csv, year_2021

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

PRIMARY_KEY = "indices_nationalobservation_pkey"
SERIES = 40
MONTHS = 600

# Month after month, every series' value of the month, as monthly releases add them: each
# after its series' last value, before the next series' first. A series spans several pages
# of the index, and only its last one is ever written again.
SERIES_ADD = """
INSERT INTO indices_nationalseries (agency_id, series_id, freq, ref_area, nat_code, adjustment)
SELECT 'TH_OIE', format('M.TH.NAT:N%%s.N', lpad(s::text, 4, '0')), 'M', 'TH',
       format('N%%s', lpad(s::text, 4, '0')), 'N'
FROM generate_series(1, %(series)s) AS s
ON CONFLICT DO NOTHING
"""
MONTHS_OF_EVERY_SERIES = """
INSERT INTO indices_nationalobservation
    (series_no, activity, period_start, value, status, base_year, comment, submission_id,
     row_no)
SELECT series.id, '10', period, 100 + s / 7.0, 'A', 2021, '', %(submission)s, s
FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS period,
     generate_series(1, %(series)s) AS s
JOIN indices_nationalseries AS series
  ON series.agency_id = 'TH_OIE'
 AND series.series_id = format('M.TH.NAT:N%%s.N', lpad(s::text, 4, '0'))
ORDER BY period, s
"""
# What the store answers: every value, in the primary key's order (read through it).
ANSWER = """
SELECT count(*), md5(string_agg(series_no || ' ' || period_start || value, ','
                                ORDER BY series_no, period_start, base_year))
FROM indices_nationalobservation
"""


def sizes() -> dict[str, compaction.IndexSize]:
    return {index.name: index for index in index_sizes()}


def answer() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(ANSWER)
        return cursor.fetchone()


@pytest.fixture
def bloated():
    submission = accept(monthly_csv("TH", "C", year_2021()))
    with connection.cursor() as cursor:
        cursor.execute(SERIES_ADD, {"series": SERIES})
        cursor.execute(MONTHS_OF_EVERY_SERIES, months(submission, "1970-01-01", MONTHS))
    return submission


def months(submission, first: str, count: int, series: int = SERIES) -> dict:
    year, month = int(first[:4]), int(first[5:7]) - 1 + count - 1
    last = f"{year + month // 12}-{month % 12 + 1:02d}-01"
    return {"submission": submission.pk, "first": first, "last": last, "series": series}


def test_a_bloated_primary_key_is_rebuilt_and_answers_the_same(bloated):
    before = sizes()[PRIMARY_KEY]
    assert before.bloat > BLOATED, before
    answered = answer()
    assert answered[0] == SERIES * MONTHS

    assert PRIMARY_KEY in stores_compact(smallest_bytes=0)

    after = sizes()[PRIMARY_KEY]
    assert after.bytes < before.bytes * 0.8, (before, after)
    assert after.bloat < BLOATED, after
    assert answer() == answered
    # Still the primary key: a second value of a series' period and base year is refused.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(MONTHS_OF_EVERY_SERIES, months(bloated, "1990-01-01", 1, series=1))
    # Compact now: left alone.
    assert PRIMARY_KEY not in stores_compact(smallest_bytes=0)


def test_small_indexes_are_left_alone(bloated):
    assert sizes()[PRIMARY_KEY].bloat > BLOATED
    assert stores_compact() == []  # all under SMALLEST_BYTES


def test_an_index_left_by_an_interrupted_rebuild_is_dropped(bloated):
    # A concurrent build that failed stays behind, invalid, as an interrupted REINDEX's does.
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY store_ccnew ON indices_nationalobservation (status)"
        )
    assert "store_ccnew" not in sizes()  # invalid: not measured
    stores_compact()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('store_ccnew')")
        assert cursor.fetchone() == (None,)


def test_one_compaction_at_a_time(bloated):
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [compaction.COMPACTION_LOCK])
        assert stores_compact(smallest_bytes=0) == []
        # Let go before closing: a closed session's locks go only when its server process
        # has ended, which may be after the next line asks (seen on a loaded machine).
        other.execute("SELECT pg_advisory_unlock(%s)", [compaction.COMPACTION_LOCK])
    assert PRIMARY_KEY in stores_compact(smallest_bytes=0)
