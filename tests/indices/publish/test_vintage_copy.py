"""The vintages' COPY text (services/vintages.py writes it itself, not the driver): every value
arrives exactly, a comment's tab, newline, return and backslash included."""

from datetime import date
from unittest import mock

from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from countries.models import Agency
from indices.publish.harmonization import HarmonizedSeries, Point
from indices.publish.models import PublishedObservation, Release
from indices.publish.services import vintages
from indices.publish.services.vintages import vintages_write

COMMENTS = ["", "plain", "tab\there", "two\nlines", "cr\rlf", "back\\slash \\N", "ไทย 😀"]


def points_of_every_kind() -> tuple[Point, ...]:
    values = [100, 0.1 + 0.2, 1e-300, 123456789.123456789, -2.5e17, 5e-324, 99.99999999999999]
    return tuple(
        Point(date(2021, month, 1), value, "AP"[month % 2], coverage, comment)
        for month, (value, coverage, comment) in enumerate(
            zip(
                values,
                [None, 79.99999999999999, 100.0, None, 0.1, None, 50],
                COMMENTS,
                strict=True,
            ),
            start=1,
        )
    )


class VintageCopyTests(TestCase):
    def setUp(self):
        self.release = Release.objects.create(
            agency=Agency.objects.get(pk="TH_OIE"), ref_area="TH", release_at=timezone.now()
        )

    def test_a_first_load_is_written_as_the_comparing_statements_write_it(self):
        # Nothing of the scopes published: the values are COPYed straight into the store.
        # Forced through the temporary table and the comparing statements, the same rows.
        series = [
            HarmonizedSeries("M", "TH", "C", "N", "IX", points_of_every_kind()),
            HarmonizedSeries("M", "TH", "C", "N", "PCH_PRE", ()),
            HarmonizedSeries("A", "TH", "C", "N", "IX", points_of_every_kind()[:1]),
        ]
        instant = timezone.now()
        written = []
        for current in (vintages._any_current, lambda keys: True):
            with mock.patch.object(vintages, "_any_current", current), transaction.atomic():
                changes = vintages_write(
                    series=series, scopes=[("TH", "C", "N")], release=self.release, instant=instant
                )
                rows = sorted(
                    PublishedObservation.objects.values_list(
                        "series_key", "period_start", "time_period", "value", "status",
                        "coverage", "comment", "release_id", "valid_from", "valid_to",
                    )
                )  # fmt: skip
                written.append((changes, rows))
                transaction.set_rollback(True)
        (fast, fast_rows), (compared, compared_rows) = written
        self.assertEqual(fast_rows, compared_rows)
        self.assertEqual(len(fast_rows), 8)
        self.assertEqual(fast, compared)

    def test_values_and_comments_arrive_exactly(self):
        release = self.release
        points = points_of_every_kind()
        series = HarmonizedSeries("M", "TH", "C", "N", "IX", points)
        changes = vintages_write(
            series=[series], scopes=[("TH", "C", "N")], release=release, instant=timezone.now()
        )
        self.assertEqual(changes.opened, len(points))
        stored = {
            o.period_start: o for o in PublishedObservation.objects.filter(series_key="M.TH.C.N.IX")
        }
        for point in points:
            row = stored[point.period]
            self.assertEqual(row.time_period, f"2021-{point.period.month:02d}")
            self.assertEqual(
                (row.value, row.status, row.coverage, row.comment),
                (float(point.value), point.status, point.coverage, point.comment),
            )
