"""H7 wired in: a published release's monthly N series adjusted by Celery tasks (eager here, one
task per series in a chord), published by a follow-up release at the same instant (embargo
kept), the model kept between releases, opt-outs, a member's own Y, bad cases, regional Y, the
diagnostics endpoint and page. About a dozen X-13 runs of half a second each."""

from __future__ import annotations

import math
from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from countries.models import Agency, Country
from indices.disseminate.selectors.published import observations_current
from indices.publish.models import (
    AdjustmentOptOut,
    PublishedObservation,
    PublishedSeries,
    Release,
    SeriesAdjustment,
    ValueAddedWeight,
)
from indices.publish.releases import aggregates_recompute_schedule, releases_publish_due
from indices.publish.services.adjustment import (
    adjustment_release_schedule,
    series_adjust,
)
from tests.api_clients import client_for
from tests.indices.publishing import accept, monthly_csv
from tests.web.base import make_user

YEARS = range(2019, 2024)  # 60 months


def seasonal(area: str, *, years=YEARS) -> dict:
    """A seasonal index with a trend, an April dip and a random irregular (seeded)."""
    rng = np.random.default_rng(sum(map(ord, area)))
    values = {}
    for i, (year, month) in enumerate((y, m) for y in years for m in range(1, 13)):
        season = 1 + 0.06 * math.sin(2 * math.pi * month / 12) - (0.05 if month == 4 else 0)
        irregular = 1 + rng.normal(0, 0.006)
        values[f"{year}-{month:02d}"] = (95 + 0.2 * i) * season * irregular
    # The base year, where there is one, averages 100 (E09).
    base = [v for p, v in values.items() if p.startswith("2021")]
    factor = 100 / (sum(base) / 12) if base else 1.0
    return {p: round(v * factor, 3) for p, v in values.items()}


def current(key: str) -> dict[str, float]:
    return {o.time_period: o.value for o in observations_current([key])}


@pytest.mark.usefixtures("eager_celery")
class AdjustmentPipelineTests(TestCase):
    def publish(self, content: bytes, agency: str = "TH_OIE", now=None, **options) -> Release:
        submission = accept(content, agency, **options)
        with self.captureOnCommitCallbacks(execute=True):
            releases_publish_due(now=now)
        return Release.objects.get(submission=submission)

    def test_a_release_is_followed_by_its_adjustment_published_by_the_publisher(self):
        source = self.publish(monthly_csv("TH", "C", seasonal("TH")))
        follow_up = Release.objects.get(adjusts=source)
        self.assertEqual(follow_up.status, "PUBLISHED")
        self.assertEqual(follow_up.release_at, source.release_at)
        self.assertEqual(follow_up.adjusted_series, ["M.TH.C.N.IX"])
        y = current("M.TH.C.Y.IX")
        self.assertEqual(len(y), 60)
        self.assertEqual(len(current("M.TH.C.T.IX")), 60)
        self.assertEqual(len(current("Q.TH.C.Y.IX")), 20)
        self.assertFalse(PublishedSeries.objects.filter(series_key="A.TH.C.Y.IX").exists())
        series = PublishedSeries.objects.get(series_key="M.TH.C.Y.IX")
        self.assertEqual(series.attributes["COMPILING_ORG"], "MKG_SEC")
        self.assertEqual(
            PublishedSeries.objects.get(series_key="M.TH.C.N.IX").attributes["COMPILING_ORG"],
            "TH_OIE",
        )
        # Y values belong to the follow-up release's vintages, not the source's.
        self.assertEqual(
            set(
                PublishedObservation.objects.filter(series_key="M.TH.C.Y.IX").values_list(
                    "release_id", flat=True
                )
            ),
            {follow_up.pk},
        )
        # The April dip is gone from Y: April's Y is close to its neighbours.
        n = current("M.TH.C.N.IX")
        self.assertLess(abs(y["2022-04"] / y["2022-03"] - 1), abs(n["2022-04"] / n["2022-03"] - 1))
        row = SeriesAdjustment.objects.get(pk="M.TH.C.N.IX")
        self.assertEqual(row.status, "ADJUSTED")
        self.assertTrue(row.diagnostics["reidentified"])
        self.assertIn("automdl", row.spec)
        self.assertEqual(row.published["release"], follow_up.pk)

        # The next release of the year keeps the model and re-estimates it.
        identified_on = row.model["identified_on"]
        again = self.publish(monthly_csv("TH", "C", {"2024-01": 112.0}))
        row.refresh_from_db()
        self.assertFalse(row.diagnostics["reidentified"])
        self.assertEqual(row.model["identified_on"], identified_on)
        self.assertIn("arima{ model=", row.spec)
        self.assertIn("2024-01", current("M.TH.C.Y.IX"))
        self.assertEqual(Release.objects.get(adjusts=again).status, "PUBLISHED")

        # The endpoint and the page.
        api = client_for("TH_OIE")
        answer = api.get("/api/v1/series/M.TH.C.Y.IX/adjustment")
        self.assertEqual(answer.status_code, 200, answer.content)
        body = answer.json()
        self.assertEqual(body["adjusted_series"], "M.TH.C.N.IX")
        self.assertEqual(body["status"], "ADJUSTED")
        self.assertEqual(body["compiling_org"], "MKG_SEC")
        self.assertIn("M07", body["m_statistics"])
        self.assertIn("lag_24", body["ljung_box"])
        self.assertIn("original", body["qs"])
        self.assertTrue(any(c["variable"] == "wd" and c["t"] for c in body["calendar"]))
        self.assertIsNotNone(body["model"]["arima"])
        for key in ("M.TH.XX.Y.IX", "M.MKG.C.Y.IX", "A.TH.C.Y.IX", "M.LA.C.Y.IX"):
            missing = api.get(f"/api/v1/series/{key}/adjustment")
            self.assertEqual(missing.status_code, 404, key)
        self.client.force_login(make_user("reader", Agency.objects.get(pk="TH_OIE")))
        page = self.client.get("/series/M.TH.C.Y.IX/")
        self.assertContains(page, "Seasonal adjustment")
        self.assertContains(page, "Ljung-Box")

    def test_an_embargoed_releases_adjustment_is_invisible_before_its_instant(self):
        release_at = timezone.now() + timedelta(hours=2)
        source = self.publish(
            monthly_csv("TH", "C", seasonal("TH")),
            release_at=release_at,
            now=release_at - timedelta(minutes=1),
        )
        self.assertEqual(source.status, "SCHEDULED")
        self.assertFalse(SeriesAdjustment.objects.exists())
        self.assertFalse(Release.objects.filter(adjusts__isnull=False).exists())
        with self.captureOnCommitCallbacks(execute=True):
            releases_publish_due(now=release_at + timedelta(seconds=1))
        source.refresh_from_db()
        self.assertEqual(source.status, "PUBLISHED")
        # Adjusted at once, but its follow-up release waits for the same instant: the publisher
        # run by the chord (at the real now, before release_at) did not publish it.
        follow_up = Release.objects.get(adjusts=source)
        self.assertEqual(follow_up.release_at, release_at)
        self.assertEqual(SeriesAdjustment.objects.get().status, "ADJUSTED")
        self.assertEqual(releases_publish_due(now=release_at - timedelta(seconds=1)), [])
        self.assertEqual(current("M.TH.C.Y.IX"), {})
        self.assertEqual(SeriesAdjustment.objects.get().published, {})
        answer = client_for("TH_OIE").get("/api/v1/series/M.TH.C.Y.IX/adjustment")
        self.assertEqual(answer.status_code, 404)
        instant = release_at + timedelta(seconds=2)
        self.assertEqual(releases_publish_due(now=instant), [follow_up.pk])
        self.assertEqual(
            set(
                PublishedObservation.objects.filter(series_key="M.TH.C.Y.IX").values_list(
                    "valid_from", flat=True
                )
            ),
            {instant},
        )

    def test_bad_series_opt_outs_and_a_members_own_y(self):
        # Too short: the release is published, the series stays unadjusted with a finding.
        short = self.publish(
            monthly_csv("VN", "C", seasonal("VN", years=range(2021, 2023))), "VN_NSO"
        )
        self.assertEqual(short.status, "PUBLISHED")
        row = SeriesAdjustment.objects.get(pk="M.VN.C.N.IX")
        self.assertEqual(row.status, "NOT_ADJUSTED")
        self.assertIn("fewer than the 3 full years", row.findings[0])
        self.assertEqual(current("M.VN.C.Y.IX"), {})
        self.assertEqual(Release.objects.get(adjusts=short).status, "PUBLISHED")

        # Adjusted, then opted out by the secretariat: the exchange's Y is withdrawn.
        self.publish(monthly_csv("TH", "C", seasonal("TH")))
        self.assertTrue(current("M.TH.C.Y.IX"))
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command(
                "adjustment_opt_out", "M.TH.C.N.IX", reason="administrative series", stdout=out
            )
        self.assertIn("opted out", out.getvalue())
        self.assertEqual(AdjustmentOptOut.objects.get().reason, "administrative series")
        self.assertEqual(SeriesAdjustment.objects.get(pk="M.TH.C.N.IX").status, "OPTED_OUT")
        self.assertEqual(current("M.TH.C.Y.IX"), {})
        self.assertIn(
            "opted out by the member", SeriesAdjustment.objects.get(pk="M.TH.C.N.IX").findings[0]
        )
        with self.captureOnCommitCallbacks(execute=True):
            call_command("adjustment_opt_out", "M.TH.C.N.IX", withdraw=True, stdout=out)
        self.assertFalse(AdjustmentOptOut.objects.exists())
        self.assertEqual(SeriesAdjustment.objects.get(pk="M.TH.C.N.IX").status, "ADJUSTED")
        self.assertTrue(current("M.TH.C.Y.IX"))

        # A member that sends its own Y: its Y is published, the exchange's kept in diagnostics.
        lines = ["REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"]
        for period, value in seasonal("LA").items():
            lines.append(f"LA,C,N,{period},{value},2021")
            lines.append(f"LA,C,Y,{period},{100 + int(period[-2:]) * 0.01:.2f},2021")
        self.publish(("\n".join(lines) + "\n").encode(), "LA_LSB")
        row = SeriesAdjustment.objects.get(pk="M.LA.C.N.IX")
        self.assertEqual(row.status, "ADJUSTED")
        self.assertEqual(row.member_own, ["Y"])
        self.assertIn("publishes its own Y", row.findings[-1])
        la_y = PublishedSeries.objects.get(series_key="M.LA.C.Y.IX")
        self.assertNotEqual(la_y.attributes["COMPILING_ORG"], "MKG_SEC")
        self.assertAlmostEqual(
            current("M.LA.C.Y.IX")["2022-03"] / current("M.LA.C.Y.IX")["2022-02"],
            100.03 / 100.02,
            places=6,
        )
        # T, which it does not send, is the exchange's.
        self.assertEqual(
            PublishedSeries.objects.get(series_key="M.LA.C.T.IX").attributes["COMPILING_ORG"],
            "MKG_SEC",
        )

    def test_regional_y_is_h6_over_the_members_y(self):
        for code, value in (("TH", 300), ("VN", 100)):
            for year in range(2018, 2024):
                ValueAddedWeight.objects.create(
                    country=Country.objects.get(pk=code),
                    activity="C",
                    year=year,
                    value_added=value,
                )
        self.publish(monthly_csv("TH", "C", seasonal("TH")))
        self.publish(monthly_csv("VN", "C", seasonal("VN")), "VN_NSO")
        mkg = current("M.MKG.C.Y.IX")
        self.assertEqual(len(mkg), 60)
        th, vn = current("M.TH.C.Y.IX"), current("M.VN.C.Y.IX")
        # Within a year the chain-linked aggregate moves as the weighted members do.
        for a, b in (("2022-02", "2022-03"), ("2023-05", "2023-06")):

            def weighted(p):
                return 3 * th[p] / sum(th[f"2021-{m:02d}"] for m in range(1, 13)) + vn[p] / sum(
                    vn[f"2021-{m:02d}"] for m in range(1, 13)
                )

            self.assertAlmostEqual(mkg[b] / mkg[a], weighted(b) / weighted(a), places=2)
        self.assertEqual(len(current("M.MKG.C.T.IX")), 60)
        self.assertEqual(len(current("Q.MKG.C.T.IX")), 20)
        for key in ("M.MKG.C.Y.IX", "M.MKG.C.T.IX", "Q.MKG_JP.C.Y.IX"):
            attributes = PublishedSeries.objects.get(series_key=key).attributes
            self.assertEqual(attributes["COMPILING_ORG"], "MKG_SEC", key)
        self.assertFalse(PublishedSeries.objects.filter(series_key="A.MKG.C.Y.IX").exists())

        # A weights release recomputes every aggregate through H6, Y and T included: the same
        # values, no annual Y or T, the same compiler. Nothing for the next follow-up to undo.
        adjusted = r"^[MQA]\.MKG(_JP)?\.C\.[YT]\."
        before = {
            (o.series_key, o.period_start): o.value
            for o in PublishedObservation.objects.filter(
                series_key__regex=adjusted, valid_to__isnull=True
            )
        }
        weights = aggregates_recompute_schedule(
            agency=Agency.objects.get(pk="MKG_SEC"), description="weights"
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(releases_publish_due(), [weights.pk])
        weights.refresh_from_db()
        self.assertEqual(
            [k for k in weights.changed_series if k.split(".")[3] in "YT"], [], "no revision"
        )
        self.assertFalse(Release.objects.filter(adjusts=weights).exists())
        after = {
            (o.series_key, o.period_start): o.value
            for o in PublishedObservation.objects.filter(
                series_key__regex=adjusted, valid_to__isnull=True
            )
        }
        self.assertEqual(after, before)
        self.assertFalse(any(key.startswith("A.") for key, _ in after))
        for key in ("M.MKG.C.Y.IX", "M.MKG.C.T.IX"):
            attributes = PublishedSeries.objects.get(series_key=key).attributes
            self.assertEqual(attributes["COMPILING_ORG"], "MKG_SEC", key)
        self.assertTrue(current("A.MKG.C.N.IX"))  # N keeps its years


class AdjustmentFailureTests(TestCase):
    def test_an_x13_timeout_leaves_the_series_unadjusted_and_the_release_goes_on(self):
        submission = accept(monthly_csv("TH", "C", seasonal("TH")))
        releases_publish_due()
        source = Release.objects.get(submission=submission)
        status = series_adjust("M.TH.C.N.IX", source_release_id=source.pk, timeout=0.001)
        self.assertEqual(status, "NOT_ADJUSTED")
        row = SeriesAdjustment.objects.get()
        self.assertIn("did not finish", row.findings[0])
        follow_up = adjustment_release_schedule(source.pk, ["M.TH.C.N.IX"])
        self.assertEqual(releases_publish_due(), [follow_up.pk])
        self.assertEqual(current("M.TH.C.Y.IX"), {})
        row.refresh_from_db()
        self.assertEqual(row.published["status"], "NOT_ADJUSTED")
