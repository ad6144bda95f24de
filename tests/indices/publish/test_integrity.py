"""The database refuses rows that point at nothing: the national store's series and submission,
the published store's series and release. They are checked once per statement over the rows it
wrote (migrations 0015, 0020, 0021), not by foreign keys row by row; these tests hold the
database to it. The national series point at their agency by a foreign key."""

import uuid

from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from countries.models import Agency
from indices.national.models import NationalSeries
from indices.publish.models import PublishedObservation, PublishedSeries, Release
from indices.publish.releases import releases_publish_due
from tests.indices.publishing import accept, monthly_csv, year_2021

NATIONAL_INSERT = """
INSERT INTO indices_nationalobservation
    (series_no, activity, period_start, value, status, base_year, comment, submission_id,
     row_no)
SELECT %s, 'C', d, 100, 'A', 2021, '', %s, 1
FROM generate_series('2030-01-01'::date, '2030-03-01', '1 month') AS d
"""
PUBLISHED_INSERT = """
INSERT INTO indices_publishedobservation
    (series_no, period_start, time_period, value, status, comment, release_id, valid_from)
VALUES (%s, '2030-01-01', '2030-01', 100, 'A', '', %s, now())
"""


class OrphanRefusalTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.submission = accept(monthly_csv("TH", "C", year_2021()), "TH_OIE")
        releases_publish_due()
        cls.release = Release.objects.get(submission=cls.submission)
        cls.series = NationalSeries.objects.get(agency="TH_OIE", series_id="M.TH.C.N")
        cls.published = PublishedSeries.objects.get(series_key="M.TH.C.N.IX")

    def unpublished_series(self, *, saved: bool = True) -> PublishedSeries:
        """M.TH.B.N.IX, with no values: stored, or an instance not read from the database."""
        series = PublishedSeries(
            series_key="M.TH.B.N.IX",
            freq="M",
            ref_area="TH",
            activity="B",
            adjustment="N",
            transformation="IX",
            first_published_at=self.release.release_at,
            last_updated_at=self.release.release_at,
        )
        if saved:
            series.save()
        return series

    def refused(self, sql: str, params: list) -> str:
        with (
            self.assertRaises(IntegrityError) as refused,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
        return str(refused.exception)

    def test_the_publication_wrote_rows_that_point_at_what_exists(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM indices_nationalobservation WHERE submission_id = %s",
                [self.submission.pk],
            )
            self.assertEqual(cursor.fetchone()[0], 12)
        self.assertTrue(PublishedObservation.objects.filter(release=self.release).exists())

    def test_a_national_row_of_an_unknown_submission_or_series_is_refused(self):
        message = self.refused(NATIONAL_INSERT, [self.series.pk, uuid.uuid4()])
        self.assertIn("submission_id", message)
        message = self.refused(NATIONAL_INSERT, [self.series.pk + 1000, self.submission.pk])
        self.assertIn("series_no", message)
        with connection.cursor() as cursor:  # a series and submission that exist are taken
            cursor.execute(NATIONAL_INSERT, [self.series.pk, self.submission.pk])
        # and one orphan among valid rows, by an update of stored rows
        message = self.refused(
            "UPDATE indices_nationalobservation SET submission_id = %s WHERE period_start = %s",
            [uuid.uuid4(), "2021-06-01"],
        )
        self.assertIn("submission_id", message)

    def test_a_published_row_of_an_unknown_release_or_series_is_refused(self):
        number = self.published.number
        message = self.refused(PUBLISHED_INSERT, [number, self.release.pk + 1000])
        self.assertIn("release_id", message)
        unknown = PublishedSeries.objects.order_by("-number").first().number + 1
        message = self.refused(PUBLISHED_INSERT, [unknown, self.release.pk])
        self.assertIn("series_no", message)
        with connection.cursor() as cursor:  # a series and release that exist are taken
            cursor.execute(PUBLISHED_INSERT, [number, self.release.pk])
        # and one orphan among valid rows, by an update of stored rows
        message = self.refused(
            "UPDATE indices_publishedobservation SET series_no = %s"
            " WHERE series_no = %s AND period_start = %s",
            [unknown, number, "2021-06-01"],
        )
        self.assertIn("series_no to indices_publishedseries: a row points at nothing", message)

    def test_the_database_numbers_a_new_published_series(self):
        series = self.unpublished_series()
        self.assertIsInstance(series.number, int)
        self.assertGreater(series.number, self.published.number)

    def test_a_referenced_submission_release_or_series_cannot_be_deleted(self):
        for sql, params in (
            ("DELETE FROM indices_submission WHERE id = %s", [self.submission.pk]),
            ("DELETE FROM indices_release WHERE id = %s", [self.release.pk]),
            ("UPDATE indices_release SET id = id + 1000 WHERE id = %s", [self.release.pk]),
            ("DELETE FROM indices_nationalseries WHERE id = %s", [self.series.pk]),
            ("UPDATE indices_nationalseries SET id = id + 1000 WHERE id = %s", [self.series.pk]),
            ("DELETE FROM indices_publishedseries WHERE number = %s", [self.published.number]),
        ):
            with self.subTest(sql=sql):
                self.assertIn("rows still point at", self.refused(sql, params))
        self.assertTrue(NationalSeries.objects.filter(pk=self.series.pk).exists())
        self.assertTrue(PublishedSeries.objects.filter(number=self.published.number).exists())

    def test_a_published_series_keeps_its_number(self):
        unread = self.unpublished_series()
        for series in (self.published, unread):  # with values, and without
            with self.subTest(series=series.series_key):
                message = self.refused(
                    "UPDATE indices_publishedseries SET number = number + 1000 WHERE number = %s",
                    [series.number],
                )
                self.assertIn(f"keeps its number {series.number}", message)
        # A series saved from an instance not read from the database (its number left to the
        # default): refused, not renumbered.
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.unpublished_series(saved=False).save()
        self.assertEqual(PublishedSeries.objects.get(pk=unread.pk).number, unread.number)

    def test_an_agency_with_stored_series_cannot_be_deleted(self):
        # An agency that only a series points at; its foreign key checked at once here
        # rather than at the commit.
        agency = Agency.objects.create(id="TH_SERIES", name="Series only", role="reader")
        NationalSeries.objects.create(
            agency=agency, series_id="M.TH.C.N", freq="M", ref_area="TH", adjustment="N"
        )
        message = self.refused(
            "SET CONSTRAINTS ALL IMMEDIATE; DELETE FROM countries_agency WHERE id = %s",
            [agency.pk],
        )
        self.assertIn('table "indices_nationalseries"', message)
        self.assertTrue(Agency.objects.filter(pk=agency.pk).exists())
