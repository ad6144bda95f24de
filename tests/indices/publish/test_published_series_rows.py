"""The published series' rows a release writes beside its values (services/vintages.py
`_series_stored`, `_series_changed`): created on first publication, their attributes and last
update set where values changed or the attributes did, left alone otherwise."""

from datetime import date, timedelta

from django.test import TestCase
from django.utils import timezone

from countries.models import Agency
from indices.publish.harmonization import HarmonizedSeries, Point
from indices.publish.models import PublishedSeries, Release
from indices.publish.services.vintages import vintages_write

SCOPE = [("TH", "C", "N")]


def series(transformation: str, values: list[float], **attributes) -> HarmonizedSeries:
    points = tuple(
        Point(date(2021, month, 1), value, "A", None, "")
        for month, value in enumerate(values, start=1)
    )
    return HarmonizedSeries("M", "TH", "C", "N", transformation, points, attributes)


class PublishedSeriesRowsTests(TestCase):
    def setUp(self):
        self.release = Release.objects.create(
            agency=Agency.objects.get(pk="TH_OIE"), ref_area="TH", release_at=timezone.now()
        )
        self.start = timezone.now()

    def write(self, items: list[HarmonizedSeries], day: int) -> timezone.datetime:
        instant = self.start + timedelta(days=day)
        vintages_write(series=items, scopes=SCOPE, release=self.release, instant=instant)
        return instant

    def row(self, key: str) -> tuple:
        found = PublishedSeries.objects.get(series_key=key)
        return found.attributes, found.first_published_at, found.last_updated_at

    def test_created_with_their_dimensions_and_attributes(self):
        first = self.write([series("IX", [100, 101], DECIMALS=1, COVERAGE=80.0)], 0)
        created = PublishedSeries.objects.get(series_key="M.TH.C.N.IX")
        self.assertEqual(
            (created.freq, created.ref_area, created.activity, created.adjustment),
            ("M", "TH", "C", "N"),
        )
        self.assertEqual(created.transformation, "IX")
        self.assertEqual(self.row("M.TH.C.N.IX"), ({"DECIMALS": 1, "COVERAGE": 80.0}, first, first))

    def test_unchanged_values_and_attributes_leave_the_row_alone(self):
        first = self.write([series("IX", [100, 101], COVERAGE=80.0, REF_YEAR=2021)], 0)
        # The same attributes in another order, a float that equals the stored number.
        self.write([series("IX", [100, 101], REF_YEAR=2021, COVERAGE=80)], 1)
        self.assertEqual(
            self.row("M.TH.C.N.IX"), ({"COVERAGE": 80.0, "REF_YEAR": 2021}, first, first)
        )

    def test_changed_attributes_alone_are_written_with_the_instant(self):
        first = self.write([series("IX", [100, 101], COVERAGE=80.0)], 0)
        later = self.write([series("IX", [100, 101], COVERAGE=79.9)], 1)
        self.assertEqual(self.row("M.TH.C.N.IX"), ({"COVERAGE": 79.9}, first, later))

    def test_a_revised_value_marks_its_series_updated(self):
        first = self.write([series("IX", [100, 101]), series("PCH_PRE", [1.0])], 0)
        later = self.write([series("IX", [100, 102]), series("PCH_PRE", [1.0])], 1)
        self.assertEqual(self.row("M.TH.C.N.IX"), ({}, first, later))
        self.assertEqual(self.row("M.TH.C.N.PCH_PRE"), ({}, first, first))

    def test_a_series_that_lost_every_value_is_marked_updated(self):
        first = self.write([series("IX", [100, 101]), series("PCH_PRE", [1.0])], 0)
        later = self.write([series("IX", [100, 101])], 1)
        self.assertEqual(self.row("M.TH.C.N.PCH_PRE"), ({}, first, later))
        self.assertEqual(self.row("M.TH.C.N.IX"), ({}, first, first))

    def test_a_revised_value_rewrites_the_attributes_as_the_release_spells_them(self):
        self.write([series("IX", [100, 101], COVERAGE=80)], 0)
        later = self.write([series("IX", [100, 102], COVERAGE=80.0)], 1)
        stored = PublishedSeries.objects.get(series_key="M.TH.C.N.IX")
        self.assertEqual(stored.last_updated_at, later)
        self.assertIsInstance(stored.attributes["COVERAGE"], float)

    def test_only_new_series_are_given_numbers(self):
        self.write([series("IX", [100, 101]), series("PCH_PRE", [1.0])], 0)
        numbers = dict(PublishedSeries.objects.values_list("series_key", "number"))
        for day in (1, 2):  # written again: the same numbers, none drawn
            self.write([series("IX", [100, 101 + day]), series("PCH_PRE", [1.0])], day)
        self.write(
            [series("IX", [100, 104]), series("PCH_PRE", [1.0]), series("PCH_YOY", [2.0])], 3
        )
        now = dict(PublishedSeries.objects.values_list("series_key", "number"))
        self.assertEqual({key: now[key] for key in numbers}, numbers)
        self.assertEqual(now["M.TH.C.N.PCH_YOY"], max(numbers.values()) + 1)
