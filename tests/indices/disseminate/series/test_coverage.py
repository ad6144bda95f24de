"""COVERAGE of aggregates as STANDARD 1.1 defines it, read back over REST and SDMX-CSV:
percent with one decimal, rounded down (a period with a member missing never shows 100.0);
a quarter or year carries the lowest coverage of its months; each series the coverage of its
own latest observation. Expected values are computed here from the weights, not by the code."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_FLOOR, Decimal

from django.test import override_settings

from countries.models import Country
from indices.publish.models import ValueAddedWeight
from tests.base import PersonaTestCase
from tests.indices.publishing import monthly_csv, publish, year_2021

# VN is 46 / 100,000 of the value added: a month without VN is 99.954% covered.
VA = {"TH": 99_954, "VN": 46}
TH_2022 = {"2022-01": 110, "2022-02": 111, "2022-03": 112, "2022-04": 113}
VN_2022 = {"2022-01": 130, "2022-02": 131, "2022-03": 132}  # VN has not sent April yet
SDMX_CSV = "application/vnd.sdmx.data+csv;version=1.0.0"


def floor_1(percent: Decimal) -> float:
    return float(percent.quantize(Decimal("0.1"), ROUND_FLOOR))


@override_settings(IPI_API_RATE="100000/minute")
class CoverageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for code, value in VA.items():
            for year in (2020, 2021):
                ValueAddedWeight.objects.create(
                    country=Country.objects.get(pk=code),
                    activity="C",
                    year=year,
                    value_added=value,
                )
        publish(monthly_csv("TH", "C", {**year_2021(), **TH_2022}))
        publish(monthly_csv("VN", "C", {**year_2021(), **VN_2022}), agency="VN_NSO")

    def data(self, key: str) -> dict:
        response = self.reader.client().get(f"/api/v1/data/{key}")
        self.assertEqual(response.status_code, 200, response.content[:500])
        (series,) = response.json()["series"]
        return series

    def sdmx_coverage(self, key: str) -> set[str]:
        response = self.reader.client().get(f"/sdmx/data/DF_IPI/{key}", HTTP_ACCEPT=SDMX_CSV)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        self.assertEqual(response.status_code, 200, content[:500])
        return {row["COVERAGE"] for row in csv.DictReader(io.StringIO(content.decode()))}

    def test_a_month_with_a_member_missing_shows_99_9_not_100(self):
        april = Decimal(100) * VA["TH"] / sum(VA.values())  # 99.954
        series = self.data("M.MKG.C.N.IX")
        observations = {o["period"]: o for o in series["observations"]}
        self.assertEqual(observations["2022-04"]["status"], "E")
        self.assertEqual(observations["2022-04"]["coverage"], floor_1(april))
        self.assertEqual(observations["2022-04"]["coverage"], 99.9)
        self.assertEqual(observations["2022-03"]["coverage"], 100.0)
        # The series: the coverage of its latest observation, rounded the same way.
        self.assertEqual(series["attributes"]["COVERAGE"], 99.9)
        self.assertEqual(self.sdmx_coverage("M.MKG.C.N.IX"), {"99.9"})

    def test_quarterly_and_annual_series_carry_their_own_latest_coverage(self):
        # The latest quarter (2022-Q1) and year (2021) are fully reported: 100, not April's.
        for key, latest in (("Q.MKG.C.N.IX", "2022-Q1"), ("A.MKG.C.N.IX", "2021")):
            with self.subTest(key=key):
                series = self.data(key)
                self.assertEqual(series["observations"][-1]["period"], latest)
                self.assertEqual(series["observations"][-1]["coverage"], 100.0)
                self.assertEqual(series["attributes"]["COVERAGE"], 100.0)
                self.assertEqual(self.sdmx_coverage(key), {"100.0"})

    def test_a_growth_rate_series_carries_the_lower_of_its_latest_two_levels(self):
        series = self.data("M.MKG.C.N.PCH_PRE")
        self.assertEqual(series["observations"][-1]["period"], "2022-04")
        self.assertEqual(series["observations"][-1]["coverage"], 99.9)
        self.assertEqual(series["attributes"]["COVERAGE"], 99.9)

    def test_a_series_stored_before_1_1_shows_its_coverage_rounded_down_too(self):
        from indices.publish.models import PublishedSeries

        series = PublishedSeries.objects.get(series_key="M.MKG.C.N.IX")
        series.attributes = {**series.attributes, "COVERAGE": 91.60110904121726}
        series.save(update_fields=["attributes"])
        self.assertEqual(self.data("M.MKG.C.N.IX")["attributes"]["COVERAGE"], 91.6)
        listed = self.reader.client().get("/api/v1/series/?ref_area=MKG&freq=M").json()
        (entry,) = [s for s in listed["results"] if s["key"] == "M.MKG.C.N.IX"]
        self.assertEqual(entry["attributes"]["COVERAGE"], 91.6)
        self.assertEqual(self.sdmx_coverage("M.MKG.C.N.IX"), {"91.6"})
