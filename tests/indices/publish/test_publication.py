"""Publication: harmonized series published as vintages at the release instant, embargoes,
revisions (current / as of / history / changes since), withdrawals, aggregates, audit."""

from datetime import timedelta

from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.test import TestCase
from django.utils import timezone

from countries.models import AuditEvent, Country
from indices.disseminate.selectors.published import (
    changes_since,
    observations_as_of,
    observations_current,
    observations_history,
)
from indices.publish.models import PublishedObservation, PublishedSeries, Release, ValueAddedWeight
from indices.publish.releases import releases_publish_due
from indices.receive.models import Submission
from tests.indices.publishing import accept, monthly_csv, year_2021


class PublicationTests(TestCase):
    def accept(self, content: bytes, agency: str = "TH_OIE", **options) -> Submission:
        return accept(content, agency, **options)

    def current(self, key: str) -> dict[str, float]:
        return {o.time_period: o.value for o in observations_current([key])}

    def test_an_accepted_submission_is_published_harmonized_at_its_release(self):
        submission = self.accept(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110}))
        release = submission.release
        self.assertEqual(release.status, "SCHEDULED")
        self.assertFalse(PublishedObservation.objects.exists())
        self.assertEqual(releases_publish_due(), [release.pk])
        release.refresh_from_db()
        self.assertEqual(release.status, "PUBLISHED")
        levels = self.current("M.TH.C.N.IX")
        self.assertAlmostEqual(sum(levels[f"2021-{m:02d}"] for m in range(1, 13)) / 12, 100)
        self.assertAlmostEqual(levels["2022-01"], 110)
        self.assertAlmostEqual(self.current("M.TH.C.N.PCH_SM")["2022-01"], 100 * (110 / 98 - 1))
        self.assertAlmostEqual(self.current("A.TH.C.N.IX")["2021"], 100)
        self.assertIn("M.TH.C.N.IX", release.changed_series)
        series = PublishedSeries.objects.get(series_key="M.TH.C.N.IX")
        self.assertEqual(series.attributes["COMPILING_ORG"], "TH_OIE")
        self.assertEqual(series.attributes["REF_YEAR"], 2021)
        self.assertEqual(releases_publish_due(), [])  # exactly once

    def test_an_embargoed_release_leaves_no_trace_until_its_instant(self):
        release_at = timezone.now() + timedelta(hours=2)
        submission = self.accept(monthly_csv("TH", "C", year_2021()), release_at=release_at)
        self.assertEqual(releases_publish_due(), [])
        self.assertEqual(releases_publish_due(now=release_at - timedelta(seconds=1)), [])
        self.assertFalse(PublishedObservation.objects.exists())
        self.assertFalse(PublishedSeries.objects.exists())
        published = releases_publish_due(now=release_at + timedelta(seconds=1))
        self.assertEqual(published, [submission.release.pk])
        self.assertTrue(PublishedObservation.objects.filter(series_key="M.TH.C.N.IX").exists())
        self.assertEqual(releases_publish_due(now=release_at + timedelta(hours=1)), [])

    def test_a_revision_keeps_the_preliminary_value_as_a_vintage(self):
        self.accept(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110}, status="P"))
        releases_publish_due()
        between = timezone.now()
        self.accept(monthly_csv("TH", "C", {"2022-01": 112}))
        releases_publish_due()
        key = "M.TH.C.N.IX"
        self.assertAlmostEqual(self.current(key)["2022-01"], 112)
        then = {o.time_period: (o.value, o.status) for o in observations_as_of([key], between)}
        self.assertAlmostEqual(then["2022-01"][0], 110)
        self.assertEqual(then["2022-01"][1], "P")
        history = [
            (o.value, o.valid_to is None)
            for o in observations_history([key])
            if o.time_period == "2022-01"
        ]
        self.assertEqual(len(history), 2)
        self.assertAlmostEqual(history[0][0], 110)
        self.assertEqual([current for _, current in history], [False, True])
        # The unchanged months were not revised: one vintage each.
        self.assertEqual(
            PublishedObservation.objects.filter(series_key=key, time_period="2021-05").count(), 1
        )
        changed = {(c.series_key, c.time_period, c.action) for c in changes_since(between)}
        self.assertIn((key, "2022-01", "updated"), changed)
        self.assertNotIn((key, "2021-05", "updated"), changed)

    def test_a_withdrawal_closes_values_and_shows_in_changes_since(self):
        self.accept(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110, "2022-02": 111}))
        releases_publish_due()
        before = timezone.now()
        self.accept(
            b"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2022-02,,2021\n",
            action="delete",
        )
        releases_publish_due()
        self.assertNotIn("2022-02", self.current("M.TH.C.N.IX"))
        deletions = {
            (c.series_key, c.time_period) for c in changes_since(before) if c.action == "deleted"
        }
        self.assertIn(("M.TH.C.N.IX", "2022-02"), deletions)
        self.assertEqual(
            PublishedObservation.objects.filter(
                series_key="M.TH.C.N.IX", time_period="2022-02"
            ).count(),
            1,
        )

    def test_aggregates_weight_members_by_value_added(self):
        for code, value in (("TH", 300), ("VN", 100)):
            ValueAddedWeight.objects.create(
                country=Country.objects.get(pk=code), activity="C", year=2020, value_added=value
            )
            ValueAddedWeight.objects.create(
                country=Country.objects.get(pk=code), activity="C", year=2021, value_added=value
            )
        self.accept(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110}))
        releases_publish_due()
        self.accept(monthly_csv("VN", "C", {**year_2021(), "2022-01": 130}), agency="VN_NSO")
        releases_publish_due()
        mkg = self.current("M.MKG.C.N.IX")
        # Both members are 100 on average in 2021; 2022-01 is their 3:1 weighted mean.
        self.assertAlmostEqual(mkg["2022-01"], (3 * 110 + 130) / 4)
        self.assertAlmostEqual(self.current("M.MKG_JP.C.N.IX")["2022-01"], (3 * 110 + 130) / 4)

    def test_publication_is_audited_and_the_audit_log_is_append_only(self):
        self.accept(monthly_csv("TH", "C", year_2021()))
        releases_publish_due()
        event = AuditEvent.objects.get(action="release.published")
        self.assertEqual(event.agency, "TH_OIE")
        for statement in (
            "UPDATE indices_auditevent SET action = 'x'",
            "DELETE FROM indices_auditevent",
        ):
            with (
                self.subTest(statement=statement),
                self.assertRaises((InternalError, ProgrammingError, IntegrityError)) as refused,
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
            self.assertIn("append-only", str(refused.exception))
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).action, "release.published")

    def test_a_series_without_the_reference_year_is_kept_unpublished_with_a_reason(self):
        submission = self.accept(monthly_csv("TH", "D", {"2023-01": 100, "2023-02": 101}))
        releases_publish_due()
        self.assertFalse(PublishedSeries.objects.filter(ref_area="TH", activity="D").exists())
        submission.refresh_from_db()
        unpublished = submission.summary["unpublished"]
        self.assertEqual(unpublished[0]["series_key"], "M.TH.D.N")
        self.assertIn("2021", unpublished[0]["reason"])
        self.assertTrue(submission.findings.filter(rule_id="H2").exists())
        self.assertEqual(Release.objects.get(submission=submission).status, "PUBLISHED")

    def test_a_release_that_keeps_killing_its_worker_is_set_aside_not_blocking_others(self):
        poison = self.accept(monthly_csv("TH", "C", year_2021())).release
        Release.objects.filter(pk=poison.pk).update(attempts=3)
        later = self.accept(monthly_csv("VN", "C", year_2021()), agency="VN_NSO").release
        self.assertEqual(releases_publish_due(), [later.pk])
        poison.refresh_from_db()
        self.assertEqual(poison.status, "FAILED")
        self.assertTrue(AuditEvent.objects.filter(action="release.failed").exists())
