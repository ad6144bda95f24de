"""Values a computation could not survive are findings, and a validation that fails for a
reason a retry would meet again is rejected at once, with a message, instead of being retried
by the sweeper for half an hour."""

from unittest import mock

from django.test import TestCase

from countries.models import Agency
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.models import Finding
from indices.validate.rules import REGISTRY
from indices.validate.services import submission_validate
from indices.validate.tasks import validate_submission

HEADER = "REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\n"
YEAR_2021 = [f"TH,D,2021-{m:02d},{v},2021" for m, v in enumerate([100] * 12, start=1)]


def submit(*rows: str) -> Submission:
    submission, _ = submission_create(
        agency=Agency.objects.get(pk="TH_OIE"),
        credential=None,
        chunks=[(HEADER + "".join(f"{row}\n" for row in rows)).encode()],
        original_name="t.csv",
        media_type="text/csv",
        options=SubmissionOptions(acknowledge_warnings=True),
    )
    return submission


class ExtremeValueTests(TestCase):
    def test_values_beyond_an_index_level_are_e06_findings_not_an_overflow(self):
        submission = submit(
            *YEAR_2021,
            "TH,D,2022-01,0.0000000001,2021",
            "TH,D,2022-02,1e300,2021",
            "TH,D,2022-03,99999999999999999999999,2021",
            "TH,D,2022-04,1e308,2021",
        )
        self.assertEqual(submission_validate(submission.pk), "REJECTED")
        findings = Finding.objects.filter(submission=submission, rule_id="E06").order_by("row")
        self.assertEqual(
            [(f.rule_id, f.row) for f in findings],
            [("E06", 14), ("E06", 15), ("E06", 16), ("E06", 17)],
        )
        self.assertIn(
            "'1e300' is not a plausible index level (the exchange accepts 0.000001 to "
            "1000000000): check the value and its decimal point",
            findings[1].message,
        )

    def test_the_limits_themselves_are_index_levels(self):
        submission = submit(
            *YEAR_2021, "TH,D,2022-01,0.000001,2021", "TH,D,2022-02,1000000000,2021"
        )
        submission_validate(submission.pk)
        self.assertFalse(Finding.objects.filter(submission=submission, rule_id="E06").exists())


class UnexpectedErrorTests(TestCase):
    def test_a_failing_rule_rejects_the_submission_at_once_with_a_message(self):
        submission = submit(*YEAR_2021)

        def broken_rule(ctx):
            raise ZeroDivisionError("float division by zero")

        # A rule with a bug: every retry would meet it again.
        with mock.patch.dict(REGISTRY, {"W06": broken_rule}):
            status = validate_submission(str(submission.pk))
        self.assertEqual(status, "REJECTED")
        submission.refresh_from_db()
        self.assertEqual(submission.status, "REJECTED")
        self.assertEqual(submission.failure, "ZeroDivisionError: float division by zero")
        self.assertEqual(
            submission.summary["by_rule"], {"E01": {"severity": "error", "count": 1, "shown": 1}}
        )
        (finding,) = Finding.objects.filter(submission=submission)
        self.assertEqual(finding.rule_id, "E01")
        self.assertIn("because of an error on its side", finding.message)
        self.assertIn("Nothing was stored", finding.message)

    def test_a_finished_submission_is_not_touched(self):
        submission = submit(*YEAR_2021)
        submission_validate(submission.pk)
        submission.refresh_from_db()
        before = (submission.status, list(Finding.objects.filter(submission=submission)))
        from indices.validate.services import submission_fail

        self.assertIsNone(submission_fail(submission.pk, error=ValueError("late")))
        submission.refresh_from_db()
        self.assertEqual(
            (submission.status, list(Finding.objects.filter(submission=submission))), before
        )
