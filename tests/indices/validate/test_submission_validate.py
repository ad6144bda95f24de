"""The validation service called directly (no worker): statuses, idempotency, the national
store's merge / replace / delete, give-up after repeated crashes, the sweeper."""

from datetime import date, timedelta
from unittest import mock

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from countries.models import Agency
from indices.national.models import NationalObservation
from indices.publish.models import Release
from indices.publish.releases import releases_publish_due
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.models import Finding, SubmissionRow
from indices.validate.rows import kept_rows_path, staging_purge
from indices.validate.services import MAX_ATTEMPTS, submission_confirm, submission_validate
from indices.validate.sweeper import submissions_requeue_stalled

HEADER = "REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


class SubmissionValidateTests(TestCase):
    def submit(self, content: bytes, **options) -> Submission:
        submission, _ = submission_create(
            agency=Agency.objects.get(pk="TH_OIE"),
            credential=None,
            chunks=[content],
            original_name="t.csv",
            media_type="text/csv",
            options=SubmissionOptions(**{"acknowledge_warnings": True, **options}),
        )
        return submission

    def validate(self, content: bytes, **options) -> Submission:
        """Validate, then publish what was accepted (the national store changes at release)."""
        submission = self.submit(content, **options)
        submission_validate(submission.pk)
        releases_publish_due()
        submission.refresh_from_db()
        return submission

    def stored(self) -> dict[str, float]:
        return dict(
            (observation.period_label, observation.value)
            for observation in NationalObservation.objects.filter(
                series__agency_id="TH_OIE"
            ).select_related("series")
        )

    def test_a_clean_file_is_accepted_and_stored_with_its_row_numbers(self):
        submission = self.validate(csv("TH,C,2024-01,101.5,2021", "TH,C,2024-02,102.5,2021"))
        self.assertEqual(submission.status, "ACCEPTED", submission.summary)
        self.assertEqual(submission.rows_read, 2)
        self.assertEqual(submission.detected_format, "csv-long")
        observation = NationalObservation.objects.select_related("series").get(
            period_start=date(2024, 2, 1)
        )
        self.assertEqual(
            (observation.value, observation.row_no, observation.series.series_id),
            (102.5, 3, "M.TH.C.N"),
        )
        self.assertEqual(observation.submission_id, submission.pk)

    def test_warnings_wait_for_confirmation_then_are_stored(self):
        submission = self.validate(csv("TH,C,2024-01,101.5,2021"), acknowledge_warnings=False)
        self.assertEqual(submission.status, "NEEDS_CONFIRMATION")  # late data: W07
        self.assertIn("W07", submission.summary["by_rule"])
        self.assertEqual(self.stored(), {})
        confirmed = submission_confirm(submission=submission)
        self.assertEqual(confirmed.status, "ACCEPTED")
        self.assertEqual(self.stored(), {})  # applied when its release is published
        releases_publish_due()
        self.assertEqual(self.stored(), {"2024-01": 101.5})

    def test_rows_are_applied_from_the_kept_file_at_publication(self):
        # Validation reads the file in the worker and stages nothing; publication applies the
        # rows it kept, staging nothing either (issue #14).
        submission = self.validate(csv("TH,C,2024-01,101.5,2021"), acknowledge_warnings=False)
        self.assertFalse(SubmissionRow.objects.filter(submission=submission).exists())
        self.assertTrue(kept_rows_path(submission.pk).exists())
        submission_confirm(submission=submission)
        self.assertFalse(SubmissionRow.objects.filter(submission=submission).exists())
        releases_publish_due()
        self.assertFalse(SubmissionRow.objects.filter(submission=submission).exists())
        self.assertEqual(self.stored(), {"2024-01": 101.5})

    def test_errors_reject_and_store_nothing(self):
        submission = self.validate(csv("TH,C,2024-01,NaN,2021"))
        self.assertEqual(submission.status, "REJECTED")
        self.assertEqual(submission.summary["by_rule"]["E06"]["count"], 1)
        self.assertEqual(self.stored(), {})

    def test_a_dry_run_keeps_only_the_report(self):
        submission = self.validate(csv("TH,C,2024-01,101.5,2021"), dry_run=True)
        self.assertEqual(submission.status, "VALIDATED")
        self.assertEqual(self.stored(), {})
        self.assertTrue(submission.findings.exists())

    def test_validating_again_changes_nothing(self):
        submission = self.validate(csv("TH,C,2024-01,NaN,2021", "TH,C,2024-02,x,2021"))
        findings = list(Finding.objects.filter(submission=submission).values_list("id", flat=True))
        self.assertIsNone(submission_validate(submission.pk))
        self.assertEqual(
            list(Finding.objects.filter(submission=submission).values_list("id", flat=True)),
            findings,
        )

    def test_merge_replace_and_delete(self):
        self.validate(
            csv("TH,C,2024-01,101,2021", "TH,C,2024-02,102,2021", "TH,C,2024-03,103,2021")
        )
        self.validate(csv("TH,C,2024-02,112,2021"))  # merge
        self.assertEqual(self.stored(), {"2024-01": 101, "2024-02": 112, "2024-03": 103})
        self.validate(csv("TH,C,2024-01,121,2021", "TH,C,2024-02,122,2021"), action="replace")
        self.assertEqual(self.stored(), {"2024-01": 121, "2024-02": 122, "2024-03": 103})
        self.validate(
            csv("TH,C,2024-01,121,2021", "TH,C,2024-03,103,2021"), action="replace"
        )  # the range 01-03 is replaced as a whole: 02 goes
        self.assertEqual(self.stored(), {"2024-01": 121, "2024-03": 103})
        deleted = self.validate(
            b"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2024-01,,2021\n",
            action="delete",
        )
        self.assertEqual(deleted.status, "ACCEPTED", deleted.summary)
        self.assertEqual(self.stored(), {"2024-03": 103})

    def test_the_same_file_again_after_publication_reverts_a_later_change(self):
        a = csv("TH,C,2024-01,101,2021", "TH,C,2024-02,102,2021")
        first = self.validate(a)
        self.validate(csv("TH,C,2024-02,112,2021"))
        self.assertEqual(self.stored(), {"2024-01": 101, "2024-02": 112})
        again = self.validate(a)
        self.assertNotEqual(again.pk, first.pk)
        self.assertEqual(again.status, "ACCEPTED", again.summary)
        self.assertEqual(self.stored(), {"2024-01": 101, "2024-02": 102})

    def test_the_same_file_with_action_delete_withdraws_it(self):
        a = csv("TH,C,2024-01,101,2021", "TH,C,2024-02,102,2021")
        merged = self.submit(a)  # accepted below, its release not yet published
        submission_validate(merged.pk)
        deleted = self.submit(a, action="delete")
        self.assertNotEqual(deleted.pk, merged.pk)
        submission_validate(deleted.pk)
        releases_publish_due()  # in release order: the merge, then the delete
        deleted.refresh_from_db()
        self.assertEqual(deleted.status, "ACCEPTED", deleted.summary)
        self.assertEqual(self.stored(), {})

    def test_a_repeat_while_the_release_waits_is_the_same_submission(self):
        a = csv("TH,C,2024-01,101,2021")
        first = self.validate(a, release_at=timezone.now() + timedelta(days=1))
        self.assertEqual(first.status, "ACCEPTED")
        again, created = submission_create(
            agency=first.agency,
            credential=None,
            chunks=[a],
            original_name="again.csv",
            media_type="text/csv",
            options=SubmissionOptions(
                acknowledge_warnings=True, release_at=first.release_at, comment="retry"
            ),
        )
        self.assertEqual((again.pk, created), (first.pk, False))

    def test_a_file_without_observations_is_rejected_and_publishes_nothing(self):
        from indices.receive.parsing import TemplateSeries, build_template

        blank_template = build_template(
            fmt="xlsx",
            layout="wide",
            ref_area="TH",
            series=[TemplateSeries(activity="C", base_per="2021")],
            periods=["2024-01", "2024-02"],
        )
        for content, action in (
            (csv(), "merge"),
            (csv(), "delete"),
            (blank_template, "merge"),
            (b'{"observations": []}', "merge"),
        ):
            with self.subTest(content=content[:20], action=action):
                submission = self.validate(content, action=action)
                self.assertEqual(submission.status, "REJECTED", submission.summary)
                self.assertEqual(submission.rows_read, 0)
                finding = submission.findings.get()
                self.assertEqual(finding.rule_id, "E01")
                self.assertIn("holds no observations", finding.message)
                self.assertFalse(Release.objects.filter(submission=submission).exists())
        self.assertFalse(Release.objects.exists())

    def test_a_delete_names_keys_and_periods_without_obs_value(self):
        self.validate(csv("TH,C,2024-01,101,2021", "TH,C,2024-02,102,2021"))
        deleted = self.validate(
            b"REF_AREA,ACTIVITY,TIME_PERIOD,BASE_PER\nTH,C,2024-01,2021\n", action="delete"
        )
        self.assertEqual(deleted.status, "ACCEPTED", deleted.summary)
        self.assertEqual(self.stored(), {"2024-02": 102})
        # an SDMX-CSV file declaring the delete in its ACTION column, uploaded with no option
        declared = self.validate(
            b"STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,ACTIVITY,TIME_PERIOD,NAT_BASE_PER\n"
            b"dataflow,MKG:DF_IPI(1.0),D,TH,C,2024-02,2021\n"
        )
        self.assertEqual((declared.status, declared.action), ("ACCEPTED", "delete"))
        self.assertEqual(self.stored(), {})

    def test_a_delete_row_without_a_valid_base_per_is_an_e08_finding_not_a_silent_no_op(self):
        self.validate(csv("TH,C,2024-01,101,2021"))
        deleted = self.validate(
            b"REF_AREA,ACTIVITY,TIME_PERIOD,BASE_PER\nTH,C,2024-01,\n", action="delete"
        )
        self.assertEqual(deleted.status, "REJECTED")
        self.assertEqual(list(deleted.summary["by_rule"]), ["E08"])
        self.assertEqual(self.stored(), {"2024-01": 101})

    def test_a_file_that_keeps_killing_its_worker_is_given_up(self):
        submission = self.submit(csv("TH,C,2024-01,101.5,2021"))
        Submission.objects.filter(pk=submission.pk).update(
            status="VALIDATING", attempts=MAX_ATTEMPTS
        )
        self.assertEqual(submission_validate(submission.pk), "REJECTED")
        submission.refresh_from_db()
        finding = submission.findings.get()
        self.assertEqual(finding.rule_id, "E01")
        self.assertIn(f"after {MAX_ATTEMPTS} attempts", finding.message)
        self.assertTrue(submission.failure)

    def test_kept_rows_are_purged_once_published(self):
        submission = self.validate(csv("TH,C,2024-01,101.5,2021"))  # and published
        self.assertTrue(kept_rows_path(submission.pk).exists())
        self.assertEqual(staging_purge(), 1)
        self.assertFalse(kept_rows_path(submission.pk).exists())
        self.assertEqual(staging_purge(), 0)


class SweeperTests(TestCase):
    def setUp(self):
        cache.clear()

    def make(self, status: str, age: timedelta) -> Submission:
        moment = timezone.now() - age
        return Submission.objects.create(
            agency_id="TH_OIE",
            sha256="f" * 64,
            size=1,
            status=status,
            received_at=moment,
            validation_started_at=moment if status == "VALIDATING" else None,
        )

    def test_lost_and_orphaned_submissions_are_requeued_once(self):
        lost = self.make("RECEIVED", timedelta(minutes=10))
        fresh = self.make("RECEIVED", timedelta(seconds=5))
        orphan = self.make("VALIDATING", timedelta(minutes=10))
        self.make("ACCEPTED", timedelta(days=1))
        with mock.patch("indices.validate.tasks.validate_submission.delay") as delay:
            requeued = submissions_requeue_stalled()
            again = submissions_requeue_stalled()
        self.assertEqual(set(requeued), {str(lost.pk), str(orphan.pk)})
        self.assertNotIn(str(fresh.pk), requeued)
        self.assertEqual(again, [])  # not again within ten minutes
        self.assertEqual(delay.call_count, 2)
