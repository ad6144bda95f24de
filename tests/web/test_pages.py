"""What the pages show: upload, progress, the report grouped by rule, its CSV, templates, the
explorer's chart data and vintages, the calendar's embargo, the timeliness board, the audit log."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tempfile
from datetime import timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from countries.audit import audit_record
from countries.models import AuditEvent, User
from indices.receive.models import Submission
from indices.validate.models import Finding
from indices.web.management.commands.create_user import Command as CreateUser
from indices.web.selectors.timeliness import timeliness_board
from tests.indices.corpus import CORPUS
from tests.indices.publishing import monthly_csv, publish, year_2021
from tests.web.base import THAI, WebTestCase, validated

LONG_CSV = (CORPUS / "good/long_comma.csv").read_bytes()


def chart_of(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


class UploadPageTests(WebTestCase):
    def test_the_form_has_labelled_controls_and_template_links(self):
        self.signed_in(self.clerk)
        page = self.client.get("/upload/")
        for snippet in [
            '<label for="id_file" class="dropzone"',
            'type="file" name="file" id="id_file"',
            '<label for="id_action">',
            '<label for="id_release_at">',
            '<label for="id_dry_run">',
            '<label for="id_acknowledge_warnings">',
            '<label for="id_comment">',
            '<button type="submit" id="upload-button">',
            "/upload/template/?format=xlsx",
            "/api/v1/submissions/templates/",
            "your local time (Asia/Bangkok, UTC+07:00)",
        ]:
            self.assertContains(page, snippet)
        # Shown back in local time when the form comes back with an error.
        again = self.client.post("/upload/", {"action": "merge", "release_at": "2030-01-02T08:30"})
        self.assertContains(again, 'value="2030-01-02T08:30"', status_code=400)

    def test_an_upload_creates_a_submission_with_its_options_and_who_sent_it(self):
        self.signed_in(self.clerk)
        with mock.patch("indices.validate.tasks.validate_submission.delay_on_commit") as enqueue:
            response = self.client.post(
                "/upload/",
                {
                    "file": SimpleUploadedFile("ipi.csv", LONG_CSV, content_type="text/csv"),
                    "action": "replace",
                    "release_at": "2030-01-02T08:30",
                    "dry_run": "on",
                    "comment": THAI,
                },
            )
        submission = Submission.objects.get()
        self.assertRedirects(response, f"/submissions/{submission.pk}/")
        enqueue.assert_called_once_with(str(submission.pk))
        self.assertEqual(submission.agency_id, "TH_OIE")
        self.assertEqual(submission.uploaded_by_user, "somchai")
        received = AuditEvent.objects.get(action="submission.received")
        self.assertEqual(received.actor, "somchai (web)")
        self.assertEqual(submission.action, "replace")
        self.assertTrue(submission.dry_run)
        self.assertFalse(submission.acknowledge_warnings)
        self.assertEqual(submission.comment, THAI)
        # Issue #17 (10): the release time is the agency's local time (Bangkok, UTC+7).
        self.assertEqual(submission.release_at.isoformat(), "2030-01-02T01:30:00+00:00")
        page = self.client.get(f"/submissions/{submission.pk}/")
        self.assertContains(page, "release at 2030-01-02 08:30 Asia/Bangkok (2030-01-02 01:30 UTC)")
        self.assertContains(page, THAI)
        self.assertContains(page, "data-progress-url=")  # still RECEIVED: the page polls
        progress = self.client.get(f"/submissions/{submission.pk}/progress.json").json()
        self.assertEqual(
            progress,
            {
                "id": str(submission.pk),
                "status": "RECEIVED",
                "rows_read": 0,
                "stage": "queued",
                "errors": 0,
                "warnings": 0,
                "unpublished": 0,
                "findings": "0 errors, 0 warnings",
                "finished": False,
            },
        )

    def test_without_a_file_the_form_says_so(self):
        self.signed_in(self.clerk)
        response = self.client.post("/upload/", {"action": "merge"})
        self.assertContains(response, "This field is required", status_code=400)
        self.assertEqual(Submission.objects.count(), 0)

    def test_an_empty_file_or_two_files_are_refused_with_a_message_a_clerk_can_act_on(self):
        self.signed_in(self.clerk)
        empty = SimpleUploadedFile("ipi.csv", b"", content_type="text/csv")
        response = self.client.post("/upload/", {"file": empty, "action": "merge"})
        self.assertContains(response, "The file is empty (0 bytes)", status_code=400)
        two = [
            SimpleUploadedFile("a.csv", LONG_CSV, content_type="text/csv"),
            SimpleUploadedFile("b.csv", LONG_CSV, content_type="text/csv"),
        ]
        response = self.client.post("/upload/", {"file": two, "action": "merge"})
        self.assertContains(response, "Choose one file", status_code=400)
        self.assertEqual(Submission.objects.count(), 0)

    def test_templates_download_like_the_api(self):
        self.signed_in(self.clerk)
        response = self.client.get("/upload/template/?format=csv&layout=long&months=3")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv")
        self.assertIn("ipi-template-TH-long.csv", response["Content-Disposition"])
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:2], ["REF_AREA", "ACTIVITY"])
        self.assertEqual(len(rows), 1 + 4 * 3)  # the four default sections x 3 months
        xlsx = self.client.get("/upload/template/")
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(xlsx.content.startswith(b"PK"))
        self.assertEqual(self.client.get("/upload/template/?months=0").status_code, 400)


class ReportPageTests(WebTestCase):
    def test_findings_are_grouped_by_rule_with_the_standards_title(self):
        bad = LONG_CSV.replace(b"2021-03,107.6", b"2021-03,abc").replace(
            b"2021-04,85.3", b"2021-04,=1+2"
        )
        submission = validated(bad, comment=THAI)
        self.assertEqual(submission.status, "REJECTED")
        self.signed_in(self.clerk)
        page = self.client.get(f"/submissions/{submission.pk}/")
        html = page.content.decode()
        self.assertIn('data-rule="E06"', html)
        self.assertIn("OBS_VALUE", html)
        self.assertIn("abc", html)
        self.assertIn("=1+2", html)
        self.assertIn(THAI, html)
        self.assertNotIn("confirm-button", html)
        for finding in Finding.objects.filter(submission=submission):
            self.assertIn(f'data-rule="{finding.rule_id}"', html)

    def test_the_csv_report_is_the_apis_spreadsheet_safe_csv(self):
        bad = LONG_CSV.replace(b"2021-04,85.3", b"2021-04,=1+2")
        submission = validated(bad)
        self.signed_in(self.clerk)
        response = self.client.get(f"/submissions/{submission.pk}/report.csv")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        self.assertIn(f"report-{submission.pk}.csv", response["Content-Disposition"])
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeffrule,severity,row"))
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        self.assertEqual(len(rows), Finding.objects.filter(submission=submission).count())
        self.assertIn("'=1+2", [row["value"] for row in rows])

    def test_confirming_warnings_accepts_and_records_who(self):
        submission = validated(LONG_CSV)
        self.assertEqual(submission.status, "NEEDS_CONFIRMATION")
        self.signed_in(self.clerk)
        page = self.client.get(f"/submissions/{submission.pk}/")
        self.assertContains(page, 'data-rule="W07"')
        self.assertContains(page, "confirm-button")
        response = self.client.post(f"/submissions/{submission.pk}/confirm/", follow=True)
        self.assertContains(response, "Warnings accepted")
        submission.refresh_from_db()
        self.assertEqual(submission.status, "ACCEPTED")
        event = AuditEvent.objects.get(action="submission.confirmed")
        self.assertEqual(event.actor, "somchai (web)")
        again = self.client.post(f"/submissions/{submission.pk}/confirm/", follow=True)
        self.assertEqual(again.status_code, 200)

    def test_series_that_could_not_be_published_show_beside_the_counts_and_in_the_report(self):
        # No 2021 values: the series cannot be re-referenced to 2021 = 100 (H2).
        publish(monthly_csv("TH", "C", {"2023-01": 101, "2023-02": 102}))
        submission = Submission.objects.get()
        self.assertTrue(submission.summary["unpublished"])
        self.signed_in(self.clerk)
        page = self.client.get(f"/submissions/{submission.pk}/")
        count = len(submission.summary["unpublished"])
        self.assertContains(page, f"; {count} series not published")
        self.assertContains(page, "Series not published: harmonization could not place them")
        self.assertContains(self.client.get("/submissions/"), f"; {count} series not published")

    def test_after_signing_in_again_the_confirm_link_leads_back_to_the_submission(self):
        # The button's POST met an expired session: login, then a GET of the confirm URL.
        submission = validated(LONG_CSV)
        self.signed_in(self.clerk)
        response = self.client.get(f"/submissions/{submission.pk}/confirm/")
        self.assertRedirects(response, f"/submissions/{submission.pk}/")
        submission.refresh_from_db()
        self.assertEqual(submission.status, "NEEDS_CONFIRMATION")  # a GET confirms nothing

    def test_signed_out_the_progress_poll_is_401_not_the_login_page(self):
        submission = validated(LONG_CSV)
        response = self.client.get(f"/submissions/{submission.pk}/progress.json")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"signed_in": False})

    def test_the_list_shows_status_progress_and_thai_comments(self):
        submission = validated(LONG_CSV, comment=THAI)
        self.signed_in(self.clerk)
        page = self.client.get("/submissions/")
        self.assertContains(page, THAI)
        self.assertContains(page, "NEEDS_CONFIRMATION")
        self.assertContains(page, f"/submissions/{submission.pk}/")
        self.assertEqual(page["Content-Type"], "text/html; charset=utf-8")


class ExplorerTests(WebTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.before = publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110.0}))
        publish(monthly_csv("VN", "C", year_2021()), agency="VN_NSO")
        # A revision later: the vintage view shows 2022-01 as it was before.
        cls.between = timezone.now()
        publish(monthly_csv("TH", "C", {"2022-01": 111.0, "2022-02": 112.0}))

    def test_several_countries_on_one_chart(self):
        self.signed_in(self.reader)
        page = self.client.get("/series/?country=TH&country=VN&activity=C&adjustment=N")
        chart = chart_of(page)
        self.assertEqual([line["key"] for line in chart["lines"]], ["M.TH.C.N.IX", "M.VN.C.N.IX"])
        th = chart["lines"][0]
        self.assertEqual(len(th["periods"]), 14)
        self.assertEqual(th["periods"][-1], "2022-02")
        self.assertAlmostEqual(
            th["values"][-2], 111.0 / (sum(year_2021().values()) / 12) * 100, places=6
        )
        self.assertContains(page, 'data-points="26"')
        self.assertContains(page, "/assets/plotly-")

    def test_year_on_year_growth(self):
        self.signed_in(self.reader)
        page = self.client.get("/series/?country=TH&activity=C&adjustment=N&transformation=PCH_SM")
        chart = chart_of(page)
        self.assertEqual([line["key"] for line in chart["lines"]], ["M.TH.C.N.PCH_SM"])
        self.assertEqual(chart["lines"][0]["periods"], ["2022-01", "2022-02"])

    def test_the_vintage_view_adds_the_series_as_it_stood(self):
        self.signed_in(self.reader)
        day = (self.between - timedelta(days=1)).date()
        page = self.client.get(f"/series/?country=TH&activity=C&as_of={day.isoformat()}")
        chart = chart_of(page)
        # Published today, so as of yesterday there was nothing yet.
        self.assertEqual([line["vintage"] for line in chart["lines"]], ["current"])
        page = self.client.get(f"/series/?country=TH&activity=C&as_of={self.between.date()}")
        vintages = [line["vintage"] for line in chart_of(page)["lines"]]
        self.assertEqual(vintages, ["current", f"{self.between.date()}"])

    def test_the_default_view_and_no_data(self):
        self.signed_in(self.clerk)
        self.assertContains(self.client.get("/series/"), 'id="chart"')
        self.assertContains(self.client.get("/series/?country=KH"), 'id="no-data"')
        self.assertEqual(self.client.get("/series/?country=XX").status_code, 400)

    def test_a_single_series_is_named_above_the_chart(self):
        # Issue #17 (2): the title names what is drawn (the legend shows too: browser test).
        self.signed_in(self.reader)
        page = self.client.get("/series/?country=TH&activity=C&adjustment=N")
        title = "Index level: Thailand · C Manufacturing · neither seasonally nor calendar adjusted"
        self.assertEqual(chart_of(page)["title"], title)
        self.assertContains(page, f'<h2 id="chart-title">{title} <small>')

    def test_the_default_view_chooses_the_countries_it_draws(self):
        # Issue #17 (2): the first look draws TH and VN; the form says so.
        self.signed_in(self.reader)
        page = self.client.get("/series/")
        self.assertEqual(
            [line["key"] for line in chart_of(page)["lines"]], ["M.TH.C.N.IX", "M.VN.C.N.IX"]
        )
        text = page.content.decode()
        self.assertIn('<option value="TH" selected>', text)
        self.assertIn('<option value="VN" selected>', text)
        self.assertNotIn('<option value="KH" selected>', text)

    def test_a_choice_without_published_series_says_why(self):
        # Issue #17 (2): MKG (a group) draws nothing; the page says why and what there is.
        self.signed_in(self.reader)
        page = self.client.get("/series/?country=MKG&activity=C&adjustment=N")
        self.assertContains(page, 'id="no-data"')
        self.assertContains(
            page,
            "No published series for Mekong (KH+LA+MM+TH+VN) (MKG) with activity C, "
            "adjustment N, index level, monthly. MKG is a group of members",
        )
        self.assertContains(page, "have reported every month of a year")
        # Beside a country that has it: the chart draws TH and the notice names MKG.
        page = self.client.get("/series/?country=TH&country=MKG&activity=C&adjustment=N")
        self.assertEqual([line["key"] for line in chart_of(page)["lines"]], ["M.TH.C.N.IX"])
        self.assertContains(page, "No published series for Mekong (KH+LA+MM+TH+VN) (MKG)")

    def test_month_on_month_and_quarterly_views(self):
        # Issue #17 (3).
        self.signed_in(self.reader)
        page = self.client.get("/series/?country=TH&activity=C&adjustment=N&transformation=PCH_PRE")
        self.assertEqual(page.status_code, 200)
        chart = chart_of(page)
        self.assertEqual([line["key"] for line in chart["lines"]], ["M.TH.C.N.PCH_PRE"])
        self.assertTrue(chart["title"].startswith("Month-on-month growth: Thailand"))
        self.assertContains(page, '<label for="id_freq">Frequency</label>')
        page = self.client.get("/series/?country=TH&activity=C&adjustment=N&freq=Q")
        chart = chart_of(page)
        self.assertEqual([line["key"] for line in chart["lines"]], ["Q.TH.C.N.IX"])
        self.assertEqual(chart["lines"][0]["periods"][0], "2021-Q1")

    def test_a_vintage_before_anything_was_published_says_so(self):
        # Issue #17 (4).
        self.signed_in(self.reader)
        day = (self.before - timedelta(days=1)).date()
        page = self.client.get(f"/series/?country=TH&activity=C&as_of={day.isoformat()}")
        self.assertEqual([line["vintage"] for line in chart_of(page)["lines"]], ["current"])
        self.assertContains(
            page, f"Nothing of these series had been published by the end of {day:%Y-%m-%d}"
        )
        self.assertContains(
            page, f"The first of their values was published on {self.before:%Y-%m-%d}"
        )
        later = self.client.get(f"/series/?country=TH&activity=C&as_of={self.between.date()}")
        self.assertNotContains(later, "had been published by the end of")

    def test_the_chart_library_is_served_locally(self):
        from indices.web.views.assets import chart_library_version

        url = f"/assets/plotly-{chart_library_version()}.min.js"
        response = self.client.get(url)  # no sign-in needed for a public library
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"plotly", b"".join(response.streaming_content)[:2000].lower())
        self.assertIn("immutable", response["Cache-Control"])
        self.assertEqual(self.client.get("/assets/plotly-0.0.1.min.js").status_code, 404)


class CalendarAndBoardTests(WebTestCase):
    def test_upcoming_releases_show_time_and_country_only(self):
        publish(monthly_csv("TH", "C", year_2021()))
        later = timezone.now() + timedelta(days=3)
        publish(
            monthly_csv("VN", "C", {**year_2021(), "2022-01": 123.456}),
            agency="VN_NSO",
            release_at=later,
            comment="secret embargoed comment",
        )
        self.signed_in(self.reader)
        page = self.client.get("/releases/").content.decode()
        upcoming = page[page.index('id="upcoming"') : page.index('id="published"')]
        self.assertIn("VN", upcoming)
        self.assertIn(f"{later:%Y-%m-%d %H:%M}", upcoming)
        self.assertNotIn("rows", upcoming)
        self.assertNotIn("M.VN", page)
        self.assertNotIn("secret", page)
        published = page[page.index('id="published"') :]
        self.assertIn("M.TH.C.N.IX", published)
        # Nor does the embargoed data show in the explorer.
        chart = self.client.get("/series/?country=VN")
        self.assertContains(chart, 'id="no-data"')

    def test_the_calendars_series_links_lead_to_the_series_they_name(self):
        # Issue #17 (3): monthly, quarterly and annual; index, month-on-month, year-on-year.
        publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110.0}))
        self.signed_in(self.reader)
        page = self.client.get("/releases/").content.decode()
        links = re.findall(r'<a href="(/series/[^/"]+/)">([A-Z]\.[^<]+)</a>', page)
        self.assertGreaterEqual(len(links), 3)
        self.assertEqual({key[0] for _, key in links} & {"M", "Q", "A"}, {"M", "Q", "A"})
        for url, key in links:
            drawn = chart_of(self.client.get(html.unescape(url)))
            self.assertEqual([line["key"] for line in drawn["lines"]], [key], url)

    def test_timeliness_marks_late_members(self):
        today = timezone.now().date()
        year, month = today.year, today.month - 1 or 12
        if month == 12:
            year -= 1
        last = f"{year}-{month:02d}"
        values = {**year_2021(), last: 101.0}
        publish(monthly_csv("TH", "C", values))
        board = {row.country.code: row for row in timeliness_board(today=today)}
        self.assertEqual(board["TH"].last_period, last)
        self.assertFalse(board["TH"].late)
        self.assertEqual(board["TH"].months[-1], (last, "sent"))
        self.assertIsNone(board["VN"].last_period)
        self.assertTrue(board["VN"].late)
        self.assertEqual(board["VN"].months[0][1], "late")
        self.signed_in(self.reader)
        page = self.client.get("/timeliness/")
        self.assertContains(page, 'data-country="TH" data-late="false"')
        self.assertContains(page, 'data-country="VN" data-late="true"')


class AuditPageTests(WebTestCase):
    def test_newest_first_and_filtered_by_action(self):
        audit_record(action="credential.created", agency="TH_OIE", actor="a")
        audit_record(action="submission.received", agency="VN_NSO", actor="ข้อมูล")
        self.signed_in(self.secretariat)
        page = self.client.get("/audit/").content.decode()
        self.assertLess(
            page.index("submission.received</td>"), page.index("credential.created</td>")
        )
        filtered = self.client.get("/audit/?action=credential.created").content.decode()
        self.assertNotIn("submission.received</td>", filtered)
        self.assertIn("credential.created</td>", filtered)
        self.assertIn("ข้อมูล", page)


class CreateUserCommandTests(WebTestCase):
    def test_creates_a_user_in_an_agency(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
            handle.write("a long enough passphrase 42\n")
            handle.flush()
            out = io.StringIO()
            call_command(CreateUser(), "malee", "TH_OIE", password_file=handle.name, stdout=out)
        user = User.objects.get(username="malee")
        self.assertEqual(user.agency_id, "TH_OIE")
        self.assertTrue(user.check_password("a long enough passphrase 42"))
        self.assertIn("Created malee in TH_OIE", out.getvalue())


class ErrorPageAndIconTests(WebTestCase):
    """Issue #17, 1: a mistyped address is a page of the site; the APIs keep problem+json."""

    def test_a_mistyped_address_is_an_html_page_signed_in_or_not(self):
        for user in (self.clerk, None):
            if user is not None:
                self.signed_in(user)
            response = self.client.get("/no-such-page/")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
            self.assertContains(response, "<h1>Page not found</h1>", status_code=404)
            self.client.logout()

    def test_the_apis_keep_problem_json(self):
        self.signed_in(self.clerk)
        response = self.client.get("/api/v1/no-such-thing/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertEqual(response.json()["status"], 404)
        from indices.web.views.errors import not_found

        request = RequestFactory().get("/sdmx/no/such/thing")
        self.assertEqual(not_found(request)["Content-Type"], "application/problem+json")

    def test_pages_name_their_icon_and_favicon_ico_leads_to_it(self):
        self.signed_in(self.clerk)
        self.assertContains(self.client.get("/"), '<link rel="icon" href="/static/web/favicon.svg"')
        response = self.client.get("/favicon.ico")
        self.assertRedirects(
            response, "/static/web/favicon.svg", status_code=301, fetch_redirect_response=False
        )


class SubmissionWordingTests(WebTestCase):
    """Issue #17, 6 and 10: counts in words a person writes; the format said once; HEAD."""

    def test_one_error_is_one_error(self):
        bad = LONG_CSV.replace(b"2021-03,107.6", b"2021-03,abc")
        submission = validated(bad)
        errors = submission.summary["errors"]
        warnings = submission.summary["warnings"]
        self.assertEqual(errors, 1)
        self.signed_in(self.clerk)
        expected = f"1 error, {warnings} warning{'' if warnings == 1 else 's'}"
        for address in (f"/submissions/{submission.pk}/", "/submissions/"):
            page = self.client.get(address).content.decode()
            self.assertIn(f'data-role="findings">{expected}<', page)
            self.assertNotIn("1 errors", page)
        poll = self.client.get(f"/submissions/{submission.pk}/progress.json").json()
        self.assertEqual(poll["findings"], expected)

    def test_the_format_is_said_once_in_words(self):
        from indices.receive.parsing.templates import TemplateSeries, build_template

        workbook = build_template(
            fmt="xlsx",
            layout="wide",
            ref_area="TH",
            series=[TemplateSeries(activity="C")],
            periods=["2024-01", "2024-02"],
        )
        submission = validated(workbook)
        self.assertEqual((submission.detected_format, submission.layout), ("xlsx-wide", "wide"))
        self.signed_in(self.clerk)
        page = self.client.get(f"/submissions/{submission.pk}/")
        self.assertContains(page, "<dd>Excel workbook (xlsx), wide layout</dd>")
        self.assertNotContains(page, "xlsx-wide")

    def test_head_of_the_report_csv(self):
        submission = validated(LONG_CSV)
        self.signed_in(self.clerk)
        response = self.client.head(f"/submissions/{submission.pk}/report.csv")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        self.assertEqual(response.content, b"")


class CreatingAUserDocTests(WebTestCase):
    """Issue #17, 10: docs/web.md's "Creating a user" commands run as written, in order."""

    def test_the_documented_commands_run(self):
        import re
        import shlex
        from pathlib import Path

        doc = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text()
        section = doc[doc.index("## Creating a user") :]
        block = re.search(r"```sh\n(.*?)```", section, re.S)
        assert block is not None
        commands = [line.split("#")[0] for line in block.group(1).splitlines()]
        prefix = "python3 dev.py manage"
        commands = [shlex.split(c)[3:] for c in commands if c.startswith(prefix)]
        self.assertIn("create_agency", [c[0] for c in commands])
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
            handle.write("a long enough passphrase 42\n")
            handle.flush()
            for name, *args in commands:
                args = [handle.name if a == "pw.txt" else a for a in args]
                if name == "create_user" and "--password-file" not in args:
                    args += ["--password-file", handle.name]
                call_command(name, *args, stdout=io.StringIO())
        self.assertEqual(User.objects.get(username="reader1").agency.role, "reader")
