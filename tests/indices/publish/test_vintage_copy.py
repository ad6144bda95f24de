"""The vintages' COPY text (services/vintages.py writes it itself, not the driver): every value
arrives exactly, a comment's tab, newline, return and backslash included."""

from datetime import date

from django.test import TestCase
from django.utils import timezone

from countries.models import Agency
from indices.publish.harmonization import HarmonizedSeries, Point
from indices.publish.models import PublishedObservation, Release
from indices.publish.services.vintages import vintages_write

COMMENTS = ["", "plain", "tab\there", "two\nlines", "cr\rlf", "back\\slash \\N", "ไทย 😀"]


class VintageCopyTests(TestCase):
    def test_values_and_comments_arrive_exactly(self):
        release = Release.objects.create(
            agency=Agency.objects.get(pk="TH_OIE"), ref_area="TH", release_at=timezone.now()
        )
        values = [100, 0.1 + 0.2, 1e-300, 123456789.123456789, -2.5e17, 5e-324, 99.99999999999999]
        points = tuple(
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
