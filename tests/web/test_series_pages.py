"""Issue #17, the readers' pages: a page per series at its key, its downloads and vintages,
comparing series with the regional aggregate, and finding a series by names in words."""

from __future__ import annotations

import csv
import html
import io
import json
import re

from openpyxl import load_workbook

from countries.models import Agency, Country
from indices.publish.models import Release, ValueAddedWeight
from indices.web.words import DASH
from tests.base import make_persona
from tests.indices.publishing import YEAR_2021, monthly_csv, publish, year_2021
from tests.web.base import WebTestCase

KEY = "M.TH.C.N.IX"
TITLE = "Thailand · Manufacturing (ISIC C) · not seasonally adjusted · index, 2021 = 100"
AVERAGE = sum(YEAR_2021) / 12


def chart_of(response) -> dict:
    text = response.content.decode()
    marker = '<script id="chart-data" type="application/json">'
    start = text.index(marker) + len(marker)
    return json.loads(text[start : text.index("</script>", start)])


def text_of(response) -> str:
    """The page's text, tags removed and spaces folded: what a reader reads."""
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def rows_of(response, table_id: str) -> list[list[str]]:
    text = response.content.decode()
    start = text.index(f'id="{table_id}"')
    body = text[text.index("<tbody>", start) : text.index("</tbody>", start)]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


class SeriesPagesTestCase(WebTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Weights: Cambodia never reports, so the Mekong aggregate covers 400 of 420.
        for code, value in (("TH", 300), ("VN", 100), ("KH", 20)):
            for year in (2020, 2021):
                ValueAddedWeight.objects.create(
                    country=Country.objects.get(pk=code), activity="C", year=year, value_added=value
                )
        publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110.0}))
        cls.first = Release.objects.get(ref_area="TH")
        publish(monthly_csv("VN", "C", year_2021()), agency="VN_NSO")
        # A revision: 2022-01 from 110 to 111, and a new month.
        publish(monthly_csv("TH", "C", {"2022-01": 111.0, "2022-02": 112.0}))
        cls.second = Release.objects.filter(ref_area="TH").latest("published_at")


class SeriesPageTests(SeriesPagesTestCase):
    def test_the_title_in_words_the_latest_value_and_its_changes(self):
        self.signed_in(self.reader)
        page = self.client.get(f"/series/{KEY}/")
        self.assertContains(page, f'<h1 id="series-title">{TITLE}</h1>', html=False)
        self.assertContains(page, f"<title>{TITLE} · Mekong IPI Data Exchange</title>")
        text = text_of(page)
        self.assertIn("Latest: Feb 2022", text)
        level = 112.0 / AVERAGE * 100
        self.assertIn(f"Index level {level:.2f}", text)
        self.assertIn(f"Month on month +{(112 / 111 - 1) * 100:.1f}%", text)
        self.assertIn(f"Year on year +{(112 / YEAR_2021[1] - 1) * 100:.1f}%", text)
        chart = chart_of(page)
        self.assertEqual(chart["lines"][0]["key"], KEY)
        self.assertEqual(len(chart["lines"][0]["periods"]), 14)
        # The values in a table, newest first, for people.
        rows = rows_of(page, "series-table")
        self.assertEqual(rows[0], ["Feb 2022", f"{level:.2f}", ""])
        self.assertEqual(rows[-1][0], "Jan 2021")

    def test_views_and_frequencies_switch_by_links(self):
        self.signed_in(self.reader)
        page = self.client.get(f"/series/{KEY}/")
        for label, key in [
            ("Month on month", "M.TH.C.N.PCH_PRE"),
            ("Year on year", "M.TH.C.N.PCH_SM"),
            ("Quarterly", "Q.TH.C.N.IX"),
            ("Annual", "A.TH.C.N.IX"),
        ]:
            self.assertContains(page, f'<a href="/series/{key}/">{label}</a>')
        self.assertContains(page, f'<a href="/series/{KEY}/" aria-current="page">Index level</a>')
        quarterly = self.client.get("/series/Q.TH.C.N.PCH_PRE/")
        self.assertContains(quarterly, "% change on the previous quarter · quarterly</h1>")
        self.assertEqual(chart_of(quarterly)["lines"][0]["periods"][0], "2021-Q2")
        self.assertIn("Latest: Q4 2021", text_of(quarterly))  # 2022-Q1 lacks a month
        self.assertContains(quarterly, '<a href="/series/Q.TH.C.N.PCH_PRE/" aria-current="page">')

    def test_notes_last_release_and_one_liners(self):
        self.signed_in(self.reader)
        page = self.client.get(f"/series/{KEY}/")
        text = text_of(page)
        self.assertIn("National base year 2021", text)
        self.assertIn("National classification ", text)
        agency = Agency.objects.get(pk="TH_OIE")
        self.assertIn(f"Compiling agency {agency.name} (TH_OIE)", text)
        self.assertIn("Last changed by the release of", text)
        self.assertIn(f"{self.second.published_at:%B %Y}", text)
        self.assertIn("All 2 releases and 1 revision of this series", text)
        rest = f"http://testserver/api/v1/data/{KEY}?format=csv"
        self.assertIn(f'curl -H "Authorization: Bearer $TOKEN" "{rest}"', text)
        self.assertIn(f"http://testserver/sdmx/data/DF_IPI/{KEY}?format=csv", text)
        self.assertIn(f'pd.read_csv("{rest}"', text)
        # The addresses answer, with a token of the reader's kind.
        client = make_persona(Agency.objects.get(pk="RESEARCH_WEB")).client()
        api = client.get(rest.removeprefix("http://testserver"))
        self.assertEqual(api.status_code, 200)
        self.assertIn(f"{KEY},M,TH,C,N,IX,2022-02", api.content.decode())
        sdmx = client.get(f"/sdmx/data/DF_IPI/{KEY}?format=csv")
        self.assertEqual(sdmx.status_code, 200)

    def test_downloads_hold_exactly_what_is_shown(self):
        self.signed_in(self.reader)
        page = self.client.get(f"/series/{KEY}/?start=2022")
        self.assertEqual(len(rows_of(page, "series-table")), 2)
        self.assertContains(page, f'href="/series/{KEY}/data.csv?start=2022"')
        self.assertContains(page, f'href="/series/{KEY}/data.xlsx?start=2022"')
        shown = chart_of(page)["lines"][0]
        response = self.client.get(f"/series/{KEY}/data.csv?start=2022")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(f'filename="{KEY}-from-2022.csv"', response["Content-Disposition"])
        table = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(table[0], ["KEY", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"])
        self.assertEqual([row[1] for row in table[1:]], shown["periods"])
        self.assertEqual(
            [float(row[2]) for row in table[1:]], [round(v, 2) for v in shown["values"]]
        )
        response = self.client.get(f"/series/{KEY}/data.xlsx?start=2022")
        self.assertIn("spreadsheetml", response["Content-Type"])
        book = load_workbook(io.BytesIO(response.content))
        data = list(book["data"].values)
        self.assertEqual(data[0], ("TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"))
        self.assertEqual([row[0] for row in data[1:]], shown["periods"])
        self.assertEqual([row[1] for row in data[1:]], [round(v, 2) for v in shown["values"]])
        about = dict(book["about"].values)
        self.assertEqual(about["Series"], TITLE)
        self.assertEqual(about["Key"], KEY)

    def test_an_aggregate_shows_its_members_and_coverage(self):
        self.signed_in(self.reader)
        page = self.client.get("/series/M.MKG.C.N.IX/")
        self.assertContains(
            page, '<h1 id="series-title">Mekong (KH+LA+MM+TH+VN) · Manufacturing (ISIC C)'
        )
        text = text_of(page)
        self.assertIn("Cambodia, Lao PDR, Myanmar, Thailand, Viet Nam: a regional aggregate", text)
        self.assertIn("Coverage 95.2% of the group's value added", text)
        rows = rows_of(page, "series-table")
        self.assertEqual(rows[0][0], "Dec 2021")
        self.assertEqual(rows[0][3], "95.2")
        download = self.client.get("/series/M.MKG.C.N.IX/data.csv")
        self.assertEqual(
            download.content.decode().splitlines()[0],
            "KEY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COVERAGE",
        )
        self.assertTrue(download.content.decode().splitlines()[1].endswith(",95.2"))

    def test_an_unknown_key_is_a_page_not_found_with_a_way_on(self):
        self.signed_in(self.reader)
        for key in ("M.XX.C.N.IX", "nonsense"):
            page = self.client.get(f"/series/{key}/", follow=False)
            self.assertContains(page, "No such series", status_code=404)
            self.assertContains(page, 'href="/find/"', status_code=404)
        self.assertEqual(self.client.get("/series/M.XX.C.N.IX/data.csv").status_code, 404)

    def test_signed_out_the_pages_ask_to_sign_in(self):
        for url in (f"/series/{KEY}/", f"/series/{KEY}/data.csv", "/find/", "/compare/"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/accounts/login/", response["Location"])


class VintageTests(SeriesPagesTestCase):
    def test_releases_two_vintages_overlaid_and_their_differences(self):
        self.signed_in(self.reader)
        page = self.client.get(f"/series/{KEY}/vintages/")
        releases = rows_of(page, "releases")
        # Newest first: 1 revised and 1 new value; then 13 new ones.
        self.assertEqual([row[2:5] for row in releases], [["1", "1", "0"], ["13", "0", "0"]])
        chart = chart_of(page)
        self.assertEqual([line["dash"] for line in chart["lines"]], ["dot", "solid"])
        self.assertEqual([len(line["periods"]) for line in chart["lines"]], [13, 14])
        differences = rows_of(page, "differences")
        self.assertEqual(differences[0], ["Feb 2022", f"{112 / AVERAGE * 100:.2f}", DASH, DASH])
        self.assertEqual(
            differences[1],
            [
                "Jan 2022",
                f"{111 / AVERAGE * 100:.2f}",
                f"{110 / AVERAGE * 100:.2f}",
                f"{1 / AVERAGE * 100:.2f}",
            ],
        )
        self.assertIn("2 periods differ", text_of(page))
        revisions = rows_of(page, "revisions")
        self.assertEqual(len(revisions), 1)
        self.assertEqual(revisions[0][0], "Jan 2022")
        self.assertEqual(revisions[0][2:], differences[1][1:])
        # Any two: picked in the form's order or the other way round, the earlier is dotted.
        page = self.client.get(
            f"/series/{KEY}/vintages/?earlier={self.second.pk}&later={self.first.pk}"
        )
        self.assertEqual([len(line["periods"]) for line in chart_of(page)["lines"]], [13, 14])
        self.assertContains(page, '<label for="earlier">Earlier vintage</label>')
        same = self.client.get(
            f"/series/{KEY}/vintages/?earlier={self.first.pk}&later={self.first.pk}"
        )
        self.assertEqual(len(chart_of(same)["lines"]), 1)


class CompareTests(SeriesPagesTestCase):
    def test_the_first_look_compares_members_with_the_aggregate_and_its_coverage(self):
        self.signed_in(self.reader)
        page = self.client.get("/compare/")
        keys = [line["key"] for line in chart_of(page)["lines"]]
        self.assertEqual(keys, ["M.TH.C.N.IX", "M.VN.C.N.IX", "M.MKG.C.N.IX", "M.MKG_JP.C.N.IX"])
        self.assertContains(page, 'data-group="M.MKG.C.N.IX"')
        self.assertIn(
            "Regional aggregate, computed from Cambodia, Lao PDR, Myanmar, Thailand, Viet Nam; "
            "95.2% of their value added reported in the latest period.",
            text_of(page),
        )
        rows = rows_of(page, "compare-table")
        self.assertEqual(rows[0], ["Feb 2022", f"{112 / AVERAGE * 100:.2f}", *[DASH] * 5])
        self.assertEqual(rows[2][0], "Dec 2021")
        self.assertEqual(rows[2][4], "95.2")
        self.assertContains(
            page, '<a href="/series/M.MKG.C.N.IX/">Mekong (KH+LA+MM+TH+VN) · Manufacturing</a>'
        )

    def test_activities_and_views_and_the_csv(self):
        self.signed_in(self.reader)
        page = self.client.get("/compare/?area=VN&area=TH&activity=C&transformation=PCH_PRE&freq=Q")
        self.assertEqual(
            [line["key"] for line in chart_of(page)["lines"]],
            ["Q.VN.C.N.PCH_PRE", "Q.TH.C.N.PCH_PRE"],
        )
        response = self.client.get("/compare/data.csv?area=TH&area=MKG&activity=C&start=2021")
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "KEY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COVERAGE")
        self.assertIn("M.MKG.C.N.IX,2021-12,", "\n".join(lines))
        self.assertEqual(len(lines), 1 + 14 + 12)

    def test_a_choice_with_nothing_published_says_so(self):
        self.signed_in(self.reader)
        page = self.client.get("/compare/?area=KH&activity=C")
        self.assertContains(page, 'id="no-data"')
        self.assertContains(
            self.client.get("/compare/?area=XX"), "Select a valid choice", status_code=400
        )


class FindTests(SeriesPagesTestCase):
    def test_words_find_the_series(self):
        self.signed_in(self.reader)
        page = self.client.get("/find/?q=thai manufacturing")
        found = re.findall(r'<li><a href="(/series/[^"]+/)">([^<]+)</a>', page.content.decode())
        self.assertEqual(found[0], (f"/series/{KEY}/", TITLE))
        for query, key in [
            ("vietnam", "M.VN.C.N.IX"),
            ("Viet Nam manufacturing", "M.VN.C.N.IX"),
            ("mekong", "M.MKG.C.N.IX"),
            ("thailand quarterly", "Q.TH.C.N.IX"),
            ("TH C", KEY),
        ]:
            with self.subTest(query=query):
                page = self.client.get("/find/", {"q": query})
                self.assertIn(f'<a href="/series/{key}/">', page.content.decode())
        nothing = self.client.get("/find/?q=xyzzy")
        self.assertContains(nothing, 'id="nothing-found"')

    def test_browse_by_country_and_activity(self):
        self.signed_in(self.reader)
        page = self.client.get("/find/")
        self.assertContains(page, '<a href="?area=TH">Thailand</a>')
        self.assertContains(page, '<a href="?activity=C">Manufacturing (ISIC C)</a>')
        self.assertNotContains(page, 'id="found"')
        page = self.client.get("/find/?area=MKG")
        self.assertContains(page, '<a href="/series/M.MKG.C.N.IX/">')
        self.assertNotContains(page, f'<a href="/series/{KEY}/">')
