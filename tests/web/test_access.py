"""Who may open which page: login first, agency roles, the API's tenancy, CSRF."""

from __future__ import annotations

from django.test import Client

from indices.receive.models import Submission
from tests.indices.corpus import CORPUS
from tests.web.base import THAI, WebTestCase, validated

LONG_CSV = (CORPUS / "good/long_comma.csv").read_bytes()

EVERY_PAGE = [
    "/",
    "/upload/",
    "/upload/template/",
    "/submissions/",
    "/series/",
    "/releases/",
    "/timeliness/",
    "/audit/",
]
READER_PAGES = ["/", "/series/", "/releases/", "/timeliness/"]


class LoginRequiredTests(WebTestCase):
    def test_every_page_redirects_to_the_login_page(self):
        submission = validated(LONG_CSV)
        pages = [
            *EVERY_PAGE,
            f"/submissions/{submission.pk}/",
            f"/submissions/{submission.pk}/report.csv",
        ]
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], f"/accounts/login/?next={url}")

    def test_the_login_page_signs_in_and_goes_to_the_start_page(self):
        self.assertContains(self.client.get("/accounts/login/"), 'name="username"')
        response = self.client.post(
            "/accounts/login/",
            {"username": "somchai", "password": "correct horse battery staple"},
        )
        self.assertRedirects(response, "/")

    def test_a_user_without_an_agency_sees_only_a_message(self):
        self.signed_in(self.nobody)
        for url in EVERY_PAGE:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, "does not belong to an active agency", status_code=403
                )

    def test_confirm_needs_post(self):
        submission = validated(LONG_CSV)
        self.signed_in(self.clerk)
        response = self.client.get(f"/submissions/{submission.pk}/confirm/")
        self.assertRedirects(response, f"/submissions/{submission.pk}/")  # back to the button
        submission.refresh_from_db()
        self.assertEqual(submission.status, "NEEDS_CONFIRMATION")


class ReaderTests(WebTestCase):
    def test_readers_see_published_pages_only(self):
        self.signed_in(self.reader)
        for url in READER_PAGES:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        home = self.client.get("/").content.decode()
        self.assertNotIn("/submissions/", home)
        self.assertNotIn("/upload/", home)
        self.assertNotIn("/audit/", home)

    def test_readers_never_see_submissions(self):
        submission = validated(LONG_CSV)
        self.signed_in(self.reader)
        for url in [
            "/upload/",
            "/upload/template/",
            "/submissions/",
            f"/submissions/{submission.pk}/",
            f"/submissions/{submission.pk}/progress.json",
            f"/submissions/{submission.pk}/report.csv",
            "/audit/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn(str(submission.pk), response.content.decode())
        response = self.client.post(f"/submissions/{submission.pk}/confirm/")
        self.assertEqual(response.status_code, 403)
        submission.refresh_from_db()
        self.assertEqual(submission.status, "NEEDS_CONFIRMATION")


class TenancyTests(WebTestCase):
    def test_another_agencys_submission_is_not_found(self):
        theirs = validated(LONG_CSV.replace(b"TH,", b"VN,"), agency_id="VN_NSO")
        self.signed_in(self.clerk)
        for url in [
            f"/submissions/{theirs.pk}/",
            f"/submissions/{theirs.pk}/progress.json",
            f"/submissions/{theirs.pk}/report.csv",
            "/submissions/not-a-uuid/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(f"/submissions/{theirs.pk}/confirm/").status_code, 404)
        theirs.refresh_from_db()
        self.assertEqual(theirs.status, "NEEDS_CONFIRMATION")
        listing = self.client.get("/submissions/").content.decode()
        self.assertNotIn(str(theirs.pk), listing)

    def test_the_secretariat_sees_every_members_submissions_but_does_not_upload(self):
        ours = validated(LONG_CSV)
        theirs = validated(LONG_CSV.replace(b"TH,", b"VN,"), agency_id="VN_NSO")
        self.signed_in(self.secretariat)
        listing = self.client.get("/submissions/").content.decode()
        self.assertIn(str(ours.pk), listing)
        self.assertIn(str(theirs.pk), listing)
        only_vn = self.client.get("/submissions/?country=VN").content.decode()
        self.assertNotIn(str(ours.pk), only_vn)
        self.assertEqual(self.client.get(f"/submissions/{theirs.pk}/").status_code, 200)
        self.assertEqual(self.client.get("/upload/").status_code, 403)
        self.assertEqual(self.client.get("/audit/").status_code, 200)

    def test_only_the_secretariat_reads_the_audit_log(self):
        for user in (self.clerk, self.reader):
            self.signed_in(user)
            self.assertEqual(self.client.get("/audit/").status_code, 403)


class CsrfTests(WebTestCase):
    def test_confirm_without_the_csrf_token_is_refused(self):
        submission = validated(LONG_CSV, comment=THAI)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.clerk)
        response = client.post(f"/submissions/{submission.pk}/confirm/")
        # A page of the site that says what happened and what to do, not Django's debug text.
        self.assertContains(response, "Please send the form again", status_code=403)
        self.assertContains(response, "nothing was sent", status_code=403)
        submission.refresh_from_db()
        self.assertEqual(submission.status, "NEEDS_CONFIRMATION")

        page = client.get(f"/submissions/{submission.pk}/")
        self.assertContains(page, "csrfmiddlewaretoken")
        token = client.cookies["csrftoken"].value
        response = client.post(
            f"/submissions/{submission.pk}/confirm/", {"csrfmiddlewaretoken": token}
        )
        self.assertRedirects(response, f"/submissions/{submission.pk}/")
        submission.refresh_from_db()
        self.assertEqual(submission.status, Submission.Status.ACCEPTED)

    def test_upload_and_sign_out_without_the_csrf_token_are_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.clerk)
        self.assertEqual(client.post("/upload/", {}).status_code, 403)
        self.assertEqual(client.post("/accounts/logout/").status_code, 403)
        self.assertEqual(Submission.objects.count(), 0)
