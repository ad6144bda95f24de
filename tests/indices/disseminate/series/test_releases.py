"""GET /api/v1/releases/: the calendar, its filters, and nothing of an embargoed release but
its time and country."""

from datetime import timedelta

from django.utils import timezone
from django.utils.http import urlencode

from tests.indices.disseminate.series.base import ReadApiTestCase
from tests.indices.publishing import accept, monthly_csv

URL = "/api/v1/releases/"


class ReleaseListTests(ReadApiTestCase):
    def setUp(self) -> None:
        self.release_at = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
        accept(
            monthly_csv("VN", "C", {"2022-01": 104}),
            agency="VN_NSO",
            release_at=self.release_at,
            comment="secret",
        )

    def results(self, **params) -> list[dict]:
        response = self.reader.client().get(URL + ("?" + urlencode(params) if params else ""))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["results"]

    def test_upcoming_first_with_time_and_country_only_then_published_latest_first(self):
        results = self.results()
        self.assertEqual(
            results[0],
            {
                "status": "scheduled",
                "country": "VN",
                "release_at": self.release_at.isoformat().replace("+00:00", "Z"),
            },
        )
        published = results[1:]
        self.assertEqual([r["country"] for r in published], ["VN", "TH", "TH"])
        first = published[-1]
        self.assertEqual(first["status"], "published")
        self.assertEqual(first["agency"], "TH_OIE")
        self.assertIn("M.TH.C.N.IX", first["changed_series"])
        self.assertEqual(first["series_changed"], len(first["changed_series"]))
        self.assertGreater(first["observations_changed"], 0)
        self.assertEqual(first["observations_withdrawn"], 0)
        self.assertTrue(first["published_at"])
        self.assertGreater(published[0]["published_at"], published[1]["published_at"])

    def test_filters_by_country_status_and_date(self):
        self.assertEqual([r["country"] for r in self.results(country="TH")], ["TH", "TH"])
        self.assertEqual(len(self.results(country="TH,VN")), 4)
        self.assertEqual(len(self.results(status="scheduled")), 1)
        self.assertEqual(len(self.results(status="published")), 3)
        tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
        self.assertEqual([r["status"] for r in self.results(after=tomorrow)], ["scheduled"])
        self.assertEqual(len(self.results(before=tomorrow)), 3)
        self.assertEqual(len(self.results(after="2000-01-01", before="2000-02-01")), 0)

    def test_bad_filters_are_400(self):
        for params, field in (({"status": "failed"}, "status"), ({"after": "soon"}, "after")):
            with self.subTest(params=params):
                body = self.assertProblem(
                    self.reader.client().get(URL + "?" + urlencode(params)), 400
                )
                self.assertEqual(body["errors"][0]["field"], field)

    def test_a_failed_release_is_not_on_the_calendar(self):
        from indices.publish.models import Release

        Release.objects.filter(status="SCHEDULED").update(status="FAILED")
        self.assertEqual(self.results(status="scheduled"), [])
