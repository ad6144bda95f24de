"""The national store keeps each series once (migration 0020): its values carry its number.
A series is added by its first submission, found again by its key whatever case the file gave
REF_AREA in, and stays when its values are withdrawn; a delete adds none."""

from __future__ import annotations

from django.test import TestCase

from indices.national.models import NationalObservation, NationalSeries
from indices.publish.models import PublishedObservation
from indices.publish.releases import releases_publish_due
from tests.indices.publishing import accept, monthly_csv, thai_concordance, year_2021


def published(series_key: str) -> dict[str, float]:
    return dict(
        PublishedObservation.objects.filter(series_key=series_key, valid_to__isnull=True)
        .order_by("period_start")
        .values_list("time_period", "value")
    )


class NationalSeriesTests(TestCase):
    def test_a_series_is_stored_once_and_its_values_point_at_it(self):
        accept(monthly_csv("TH", "C", year_2021()))
        releases_publish_due()
        accept(monthly_csv("TH", "C", {"2022-01": 101.0}))
        releases_publish_due()
        (series,) = NationalSeries.objects.all()
        self.assertEqual(
            (series.agency_id, series.series_id, series.freq, series.ref_area, series.adjustment),
            ("TH_OIE", "M.TH.C.N", "M", "TH", "N"),
        )
        self.assertEqual(series.nat_code, "")
        values = NationalObservation.objects.filter(series=series).select_related("series")
        self.assertEqual(values.count(), 13)
        self.assertEqual(
            [value.period_label for value in values.order_by("period_start")][-2:],
            ["2021-12", "2022-01"],
        )

    def test_a_national_code_is_kept_with_its_series(self):
        thai_concordance({"N01": ("10", "2")})
        lines = ["REF_AREA,NAT_CODE,TIME_PERIOD,OBS_VALUE,BASE_PER"]
        lines += [f"TH,N01,{period},{value},2021" for period, value in year_2021().items()]
        accept(("\n".join(lines) + "\n").encode())
        releases_publish_due()
        series = NationalSeries.objects.get()
        self.assertEqual((series.series_id, series.nat_code), ("M.TH.NAT:N01.N", "N01"))
        self.assertEqual(
            set(NationalObservation.objects.values_list("activity", flat=True)), {"10"}
        )

    def test_ref_area_in_small_letters_names_the_same_series_and_is_published(self):
        # The file's REF_AREA in small letters passes E04 (compared in capitals); its values
        # are the series' M.TH.C.N and are harmonized with the member's.
        accept(monthly_csv("th", "C", year_2021()))
        releases_publish_due()
        accept(monthly_csv("TH", "C", {"2022-01": 101.0}))
        releases_publish_due()
        series = NationalSeries.objects.get()
        self.assertEqual((series.series_id, series.ref_area), ("M.TH.C.N", "TH"))
        index = published("M.TH.C.N.IX")
        self.assertEqual(len(index), 13)
        self.assertAlmostEqual(sum(index[f"2021-{m:02d}"] for m in range(1, 13)) / 12, 100.0)

    def test_a_withdrawn_series_stays_and_a_delete_adds_no_series(self):
        accept(monthly_csv("TH", "C", year_2021()))
        releases_publish_due()
        accept(monthly_csv("TH", "C", year_2021()), action="delete")
        releases_publish_due()
        self.assertFalse(NationalObservation.objects.exists())
        self.assertEqual(
            list(NationalSeries.objects.values_list("series_id", flat=True)), ["M.TH.C.N"]
        )
        # withdrawing values of a series never stored: nothing to do, and no series for it
        accept(monthly_csv("TH", "D", {"2021-01": 100.0}), action="delete")
        releases_publish_due()
        self.assertEqual(NationalSeries.objects.count(), 1)
