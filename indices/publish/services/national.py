"""Apply an accepted submission to the national series store, set-based (one statement each).

merge: insert or replace the given observations; replace: the given series are replaced as a
whole over the period range the submission gives for each (per base year); delete: withdraw
the given observations. A series keeps one value per period and base year. Reads the
submission's staged rows, so it runs before they are purged.
"""

from __future__ import annotations

from uuid import UUID

from django.db import connection

from indices.receive.models import Submission

# Rows in the order of the store's unique index (agency, series_id, period_start, base_year):
# each index page is visited once, and a series' rows are written together. The conflict
# target names the index's columns (their order does not matter to ON CONFLICT).
_UPSERT = """
INSERT INTO indices_nationalobservation
    (agency_id, series_id, freq, ref_area, activity, nat_code, adjustment, period_start,
     period_label, value, status, base_year, comment, submission_id, row_no, updated_at)
SELECT %(agency)s, series_id, freq_n, ref_area, activity_n, nat_code, adjustment_n,
       period_start, period_label, value_n, status_n, base_year, comment, submission_id,
       row_no, now()
FROM indices_submissionrow
WHERE submission_id = %(submission)s
ORDER BY series_id, period_start, base_year
ON CONFLICT (agency_id, series_id, period_start, base_year) DO UPDATE SET
    freq = EXCLUDED.freq, ref_area = EXCLUDED.ref_area, activity = EXCLUDED.activity,
    nat_code = EXCLUDED.nat_code, adjustment = EXCLUDED.adjustment,
    period_label = EXCLUDED.period_label, value = EXCLUDED.value, status = EXCLUDED.status,
    comment = EXCLUDED.comment,
    submission_id = EXCLUDED.submission_id, row_no = EXCLUDED.row_no,
    updated_at = EXCLUDED.updated_at
"""

# A first load (no stored value of any of the submission's series): nothing can conflict, and a
# plain INSERT costs about half of the upsert's speculative insertion per row.
_INSERT = _UPSERT.split("ON CONFLICT")[0]
# One index probe per series (LIMIT 1 in a lateral join), never a scan of the whole store.
_ANY_STORED = """
SELECT EXISTS (
    SELECT 1
    FROM (SELECT DISTINCT series_id FROM indices_submissionrow
          WHERE submission_id = %(submission)s) AS given
    CROSS JOIN LATERAL (
        SELECT 1 FROM indices_nationalobservation AS stored
        WHERE stored.agency_id = %(agency)s AND stored.series_id = given.series_id
        LIMIT 1) AS found
)
"""

_DELETE_RANGES = """
DELETE FROM indices_nationalobservation AS stored
USING (
    SELECT series_id, base_year, min(period_start) AS first, max(period_start) AS last
    FROM indices_submissionrow WHERE submission_id = %(submission)s
    GROUP BY series_id, base_year
) AS given
WHERE stored.agency_id = %(agency)s AND stored.series_id = given.series_id
  AND stored.base_year = given.base_year
  AND stored.period_start BETWEEN given.first AND given.last
"""

_DELETE_GIVEN = """
DELETE FROM indices_nationalobservation AS stored
USING indices_submissionrow AS given
WHERE given.submission_id = %(submission)s AND stored.agency_id = %(agency)s
  AND stored.series_id = given.series_id AND stored.base_year = given.base_year
  AND stored.period_start = given.period_start
"""


def national_store_apply(*, submission: Submission) -> int:
    """Apply the submission's action; returns the number of observations written or removed."""
    params: dict[str, str | UUID] = {"agency": submission.agency_id, "submission": submission.pk}
    with connection.cursor() as cursor:
        if submission.action == Submission.Action.DELETE:
            cursor.execute(_DELETE_GIVEN, params)
            return cursor.rowcount
        removed = 0
        if submission.action == Submission.Action.REPLACE:
            cursor.execute(_DELETE_RANGES, params)
            removed = cursor.rowcount
        cursor.execute(_ANY_STORED, params)
        (any_stored,) = cursor.fetchone()
        cursor.execute(_UPSERT if any_stored else _INSERT, params)
        return removed + cursor.rowcount
