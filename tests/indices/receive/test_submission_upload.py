"""Upload, deduplication, idempotency, limits and tenancy of submissions (the worker is not run:
these tests check what the API stores and enqueues; end-to-end tests run a real worker)."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from indices.publish.models import Release
from indices.receive.files import stored_path
from indices.receive.models import Submission
from tests.base import PersonaTestCase

URL = "/api/v1/submissions/"
CSV = b"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2024-01,101.3,2021\n"


def csv_upload(content: bytes = CSV, name: str = "ipi.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "text/csv")


class SubmissionUploadTests(PersonaTestCase):
    def upload(self, persona=None, data=None, **extra):
        persona = persona or self.our
        with (
            mock.patch("indices.validate.tasks.validate_submission.delay") as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = persona.client().post(
                URL, data or {"file": csv_upload()}, format="multipart", **extra
            )
        return response, delay

    def test_an_upload_is_kept_and_answered_202_with_the_submission_to_poll(self):
        response, delay = self.upload(data={"file": csv_upload(), "comment": "January"})
        self.assertEqual(response.status_code, 202, response.content)
        body = response.json()
        self.assertEqual(body["status"], "RECEIVED")
        self.assertEqual(body["agency"], "TH_OIE")
        self.assertEqual(body["comment"], "January")
        self.assertEqual(response["Location"], body["url"])
        self.assertTrue(body["url"].endswith(f"/api/v1/submissions/{body['id']}/"))
        submission = Submission.objects.get(pk=body["id"])
        self.assertEqual(submission.original_name, "ipi.csv")
        self.assertEqual(submission.size, len(CSV))
        self.assertEqual(stored_path(submission.sha256).read_bytes(), CSV)
        delay.assert_called_once_with(str(submission.pk))

    def test_options_are_validated(self):
        response, delay = self.upload(data={"file": csv_upload(), "action": "upsert"})
        body = self.assertProblem(response, 400, "invalid")
        self.assertEqual(body["errors"][0]["field"], "action")
        delay.assert_not_called()
        self.assertFalse(Submission.objects.exists())

    def test_options_are_stored(self):
        response, _ = self.upload(
            data={
                "file": csv_upload(),
                "action": "replace",
                "dry_run": "true",
                "acknowledge_warnings": "true",
                "release_at": "2030-01-01T09:00:00+07:00",
            }
        )
        submission = Submission.objects.get(pk=response.json()["id"])
        self.assertEqual(
            (submission.action, submission.dry_run, submission.acknowledge_warnings),
            ("replace", True, True),
        )
        self.assertEqual(submission.release_at.isoformat(), "2030-01-01T02:00:00+00:00")

    def test_the_same_file_while_pending_returns_the_earlier_submission(self):
        first, _ = self.upload()
        second, delay = self.upload()
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json()["id"], first.json()["id"])
        delay.assert_not_called()
        self.assertEqual(Submission.objects.count(), 1)

    def test_the_same_file_after_a_rejection_is_a_new_submission(self):
        first, _ = self.upload()
        Submission.objects.filter(pk=first.json()["id"]).update(status="REJECTED")
        second, _ = self.upload()
        self.assertEqual(second.status_code, 202)
        self.assertNotEqual(second.json()["id"], first.json()["id"])

    def test_the_same_file_from_another_agency_is_its_own_submission(self):
        first, _ = self.upload()
        other, _ = self.upload(self.other)
        self.assertEqual(other.status_code, 202)
        self.assertNotEqual(other.json()["id"], first.json()["id"])

    def test_the_same_file_with_another_option_is_a_new_submission(self):
        first, _ = self.upload()
        for option in (
            {"action": "delete"},
            {"action": "replace"},
            {"release_at": "2030-01-01T09:00:00+07:00"},
            {"acknowledge_warnings": "true"},
            {"dry_run": "true"},
        ):
            with self.subTest(option=option):
                again, delay = self.upload(data={"file": csv_upload(), **option})
                self.assertEqual(again.status_code, 202, again.content)
                self.assertNotEqual(again.json()["id"], first.json()["id"])
                delay.assert_called_once_with(again.json()["id"])
        self.assertEqual(Submission.objects.count(), 6)

    def test_the_same_file_and_options_with_another_comment_is_a_repeat(self):
        first, _ = self.upload(data={"file": csv_upload(), "release_at": "2030-01-01T09:00Z"})
        again, delay = self.upload(
            data={
                "file": csv_upload(name="copy.csv"),
                "release_at": "2030-01-01T16:00:00+07:00",  # the same instant
                "comment": "sent again",
            }
        )
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json()["id"], first.json()["id"])
        delay.assert_not_called()

    def test_the_same_file_after_needs_confirmation_with_acknowledge_warnings_is_new(self):
        first, _ = self.upload()
        Submission.objects.filter(pk=first.json()["id"]).update(status="NEEDS_CONFIRMATION")
        again, _ = self.upload(data={"file": csv_upload(), "acknowledge_warnings": "true"})
        self.assertEqual(again.status_code, 202)
        self.assertNotEqual(again.json()["id"], first.json()["id"])

    def test_the_same_file_accepted_but_not_yet_published_is_a_repeat(self):
        first, _ = self.upload()
        submission = Submission.objects.get(pk=first.json()["id"])
        self._accept(submission, Release.Status.SCHEDULED)
        again, delay = self.upload()
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json()["id"], str(submission.pk))
        delay.assert_not_called()

    def test_the_same_file_after_its_publication_is_a_new_submission(self):
        # A.csv published, then B.csv changed a value: A.csv again is how a clerk reverts.
        first, _ = self.upload()
        self._accept(Submission.objects.get(pk=first.json()["id"]), Release.Status.PUBLISHED)
        again, delay = self.upload()
        self.assertEqual(again.status_code, 202)
        self.assertNotEqual(again.json()["id"], first.json()["id"])
        delay.assert_called_once_with(again.json()["id"])

    def _accept(self, submission: Submission, release_status: str) -> None:
        submission.status = Submission.Status.ACCEPTED
        submission.save(update_fields=["status"])
        Release.objects.create(
            submission=submission,
            agency=submission.agency,
            ref_area="TH",
            release_at=timezone.now(),
            status=release_status,
        )

    def test_an_idempotency_key_returns_the_earlier_submission(self):
        first, _ = self.upload(HTTP_IDEMPOTENCY_KEY="jan-2024")
        Submission.objects.filter(pk=first.json()["id"]).update(status="REJECTED")
        again, _ = self.upload(HTTP_IDEMPOTENCY_KEY="jan-2024")
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json()["id"], first.json()["id"])

    def test_an_idempotency_key_reused_for_other_bytes_is_refused(self):
        self.upload(HTTP_IDEMPOTENCY_KEY="k1")
        response, _ = self.upload(
            data={"file": csv_upload(CSV + b"TH,C,2024-02,99,2021\n")}, HTTP_IDEMPOTENCY_KEY="k1"
        )
        self.assertProblem(response, 422, "idempotency_key_reused")
        self.assertEqual(Submission.objects.count(), 1)

    def test_a_json_body_is_kept_as_sent(self):
        body = b'{"observations": [{"REF_AREA": "TH", "ACTIVITY": "C"}]}'
        with (
            mock.patch("indices.validate.tasks.validate_submission.delay"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.our.client().post(
                URL + "?dry_run=true", data=body, content_type="application/json"
            )
        self.assertEqual(response.status_code, 202, response.content)
        submission = Submission.objects.get(pk=response.json()["id"])
        self.assertTrue(submission.dry_run)
        self.assertEqual(stored_path(submission.sha256).read_bytes(), body)

    def test_a_raw_csv_body_with_a_filename(self):
        with (
            mock.patch("indices.validate.tasks.validate_submission.delay"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.our.client().post(
                URL + "?filename=jan.csv", data=CSV, content_type="text/csv"
            )
        self.assertEqual(response.status_code, 202, response.content)
        self.assertEqual(response.json()["file"]["original_name"], "jan.csv")

    def test_multipart_without_a_file_field(self):
        response, _ = self.upload(data={"comment": "forgot the file"})
        self.assertProblem(response, 400, "file_missing")

    def test_a_misspelt_option_is_400_not_silently_dropped(self):
        response, _ = self.upload(data={"file": csv_upload(CSV), "acknowledge_warning": "true"})
        body = self.assertProblem(response, 400)
        self.assertEqual(
            [(e["field"], e["code"]) for e in body["errors"]],
            [("acknowledge_warning", "unknown_parameter")],
        )
        response = self.our.client().post(URL + "?dryrun=true", data=CSV, content_type="text/csv")
        body = self.assertProblem(response, 400)
        self.assertEqual(body["errors"][0]["field"], "dryrun")
        self.assertFalse(Submission.objects.exists())

    def test_two_files_in_one_upload_are_400(self):
        response, _ = self.upload(data={"file": [csv_upload(CSV), csv_upload(CSV + b"")]})
        self.assertProblem(response, 400, "too_many_files")
        response, _ = self.upload(data={"file": csv_upload(CSV), "other": csv_upload(CSV)})
        self.assertProblem(response, 400, "too_many_files")
        self.assertFalse(Submission.objects.exists())

    @override_settings(IPI_MAX_UPLOAD_BYTES=1024)
    def test_a_declared_size_over_the_limit_is_413_before_reading(self):
        response = self.our.client().post(
            URL, data=b"x", content_type="text/csv", CONTENT_LENGTH=str(10**9)
        )
        body = self.assertProblem(response, 413, "upload_too_large")
        self.assertEqual(body["max_bytes"], 1024)

    @override_settings(IPI_MAX_UPLOAD_BYTES=1024)
    def test_a_body_over_the_limit_is_413_and_nothing_is_stored(self):
        response, _ = self.upload(data={"file": csv_upload(CSV * 40)})
        self.assertProblem(response, 413, "upload_too_large")
        self.assertFalse(Submission.objects.exists())

    def test_a_reader_cannot_upload_or_list(self):
        response, _ = self.upload(self.reader)
        self.assertProblem(response, 403)
        self.assertProblem(self.reader.client().get(URL), 403)

    def test_a_token_without_submit_scope_cannot_upload(self):
        from tests.base import make_persona

        read_only = make_persona(self.our.agency, name="ro", scopes=("read",))
        response, _ = self.upload(read_only)
        self.assertProblem(response, 403)


class SubmissionTenancyTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ours = Submission.objects.create(
            agency=cls.our.agency, sha256="a" * 64, size=1, status="NEEDS_CONFIRMATION"
        )
        cls.theirs = Submission.objects.create(
            agency=cls.other.agency, sha256="b" * 64, size=1, status="REJECTED"
        )

    def test_another_agencys_submission_report_and_confirm_are_not_found(self):
        for suffix in ("", "report", "confirm/"):
            url = f"{URL}{self.theirs.pk}/{suffix}"
            with self.subTest(url=url):
                call = self.our.client().post if suffix == "confirm/" else self.our.client().get
                self.assertProblem(call(url), 404)

    def test_a_malformed_id_is_not_found(self):
        self.assertProblem(self.our.client().get(f"{URL}not-a-uuid/"), 404)

    def test_an_agency_lists_its_own_and_the_secretariat_all(self):
        own = {s["id"] for s in self.our.client().get(URL).json()["results"]}
        self.assertEqual(own, {str(self.ours.pk)})
        everything = {s["id"] for s in self.secretariat.client().get(URL).json()["results"]}
        self.assertEqual(everything, {str(self.ours.pk), str(self.theirs.pk)})

    def test_filters_by_status_country_and_date(self):
        client = self.secretariat.client()
        rejected = client.get(URL + "?status=REJECTED").json()["results"]
        self.assertEqual([s["id"] for s in rejected], [str(self.theirs.pk)])
        thai = client.get(URL + "?country=TH").json()["results"]
        self.assertEqual([s["id"] for s in thai], [str(self.ours.pk)])
        self.assertEqual(
            client.get(URL + "?received_after=2999-01-01T00:00:00Z").json()["count"], 0
        )
        self.assertProblem(client.get(URL + "?status=BOGUS"), 400)

    def test_confirming_a_submission_that_does_not_need_it_is_409(self):
        mine = Submission.objects.create(
            agency=self.our.agency, sha256="c" * 64, size=1, status="REJECTED"
        )
        self.assertProblem(
            self.our.client().post(f"{URL}{mine.pk}/confirm/"), 409, "not_confirmable"
        )

    def test_the_report_as_csv_escapes_formulas(self):
        self.ours.findings.create(
            rule_id="E06",
            severity="error",
            row=3,
            column="OBS_VALUE",
            value="=HYPERLINK(1)",
            message="OBS_VALUE '=HYPERLINK(1)' is not a number",
        )
        response = self.our.client().get(f"{URL}{self.ours.pk}/report?format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        text = response.content.decode("utf-8-sig")
        self.assertIn("'=HYPERLINK(1)", text)
        self.assertNotIn(",=HYPERLINK", text)
        as_json = self.our.client().get(f"{URL}{self.ours.pk}/report").json()
        self.assertEqual(as_json["findings"][0]["value"], "=HYPERLINK(1)")


class UploadShapeTests(PersonaTestCase):
    """Issue #19: refusals that need no validation run, made at the POST."""

    def post(self, url=URL, **kwargs):
        with mock.patch("indices.validate.tasks.validate_submission.delay") as delay:
            response = self.our.client().post(url, **kwargs)
        self.assertFalse(delay.called)
        return response

    def test_a_json_body_that_is_not_an_observations_object_is_400(self):
        for body in (b"-4194303", b"[]", b'"observations"', b' \n{"rows": []}', b"{}"):
            with self.subTest(body=body):
                response = self.post(data=body, content_type="application/json")
                body_ = self.assertProblem(response, 400, "invalid")
                self.assertEqual(
                    [(e["field"], e["code"]) for e in body_["errors"]], [("body", "not_an_object")]
                )
        self.assertFalse(Submission.objects.exists())

    def test_a_short_json_body_that_is_not_json_is_400(self):
        # The schema says application/json; the deep fuzz (issue #19) sent `{\x07` and got a
        # 202. A body read whole is judged whole, as every other JSON body of the API is.
        for body in (b"{\x07", b'{"observations": [}', b'{"observations": []'):
            with self.subTest(body=body):
                response = self.post(data=body, content_type="application/json")
                problem = self.assertProblem(response, 400, "parse_error")
                self.assertIn("JSON parse error", problem["detail"])
        self.assertFalse(Submission.objects.exists())

    def test_a_long_json_body_is_left_to_the_validation(self):
        # Longer than one read: streamed to the store unparsed; the validation reports E01.
        rows = ",".join(['{"REF_AREA": "TH"}'] * 70_000)
        body = ('{"observations": [' + rows + "}").encode()
        self.assertGreater(len(body), 1024 * 1024)
        with (
            mock.patch("indices.validate.tasks.validate_submission.delay"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.our.client().post(URL, data=body, content_type="application/json")
        self.assertEqual(response.status_code, 202, response.content)

    def test_an_option_in_both_the_query_and_the_form_is_refused(self):
        response = self.post(
            url=URL + "?dry_run=false", data={"file": csv_upload(), "dry_run": "true"}
        )
        body = self.assertProblem(response, 400, "invalid")
        self.assertEqual(
            [(e["field"], e["code"]) for e in body["errors"]],
            [("dry_run", "conflicting_parameters")],
        )
        self.assertFalse(Submission.objects.exists())

    def test_a_form_option_in_other_digits_is_refused(self):
        response = self.post(
            data={"file": csv_upload(), "release_at": "\u0662\u0660\u0663\u0660-01-01T00:00:00Z"}
        )
        body = self.assertProblem(response, 400, "invalid")
        self.assertEqual(body["errors"][0]["field"], "release_at")
