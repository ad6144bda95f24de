from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from indices.validation.normalize import Normalizer, parse_period, parse_value
from tests.indices.validation.helpers import CONCORDANCE, STANDARD, raw


class NormalizerTests(SimpleTestCase):
    def setUp(self) -> None:
        self.normalizer = Normalizer(standard=STANDARD, concordance=CONCORDANCE)

    def test_defaults_and_series_id(self):
        self.assertEqual(
            self.normalizer.normalized(raw(2, "2024-01", "101.5")),
            ("M", "N", "A", "C", dt.date(2024, 1, 1), "2024-01", 101.5, 2021, "M.TH.C.N"),
        )

    def test_national_code_is_its_own_series_mapped_to_isic(self):
        result = self.normalizer.normalized(raw(2, activity="", nat_code="1011"))
        self.assertEqual(result[3], "10")
        self.assertEqual(result[8], "M.TH.NAT:1011.N")

    def test_unknown_national_code(self):
        result = self.normalizer.normalized(raw(2, activity="", nat_code="9999"))
        self.assertIsNone(result[3])
        self.assertEqual(result[8], "M.TH.NAT:9999.N")

    def test_excel_drops_leading_zero_of_division(self):
        result = self.normalizer.normalized(raw(2, activity="5"))
        self.assertEqual((result[3], result[8]), ("05", "M.TH.05.N"))

    def test_invalid_codes_are_none(self):
        result = self.normalizer.normalized(
            raw(2, activity="X", adjustment="Z", freq="A", obs_status="Q", base_per="21")
        )
        freq_n, adjustment_n, status_n, activity_n, start, label, _, base_year, sid = result
        self.assertEqual(
            (freq_n, adjustment_n, status_n, activity_n, start, label, base_year, sid),
            (None, None, None, None, None, None, None, None),
        )

    def test_quarterly(self):
        result = self.normalizer.normalized(raw(2, "2024Q3", freq="q", adjustment="s"))
        self.assertEqual(result[:6], ("Q", "S", "A", "C", dt.date(2024, 7, 1), "2024-Q3"))
        self.assertEqual(result[8], "Q.TH.C.S")

    def test_periods(self):
        for text in ("2024-01", "2024M01", "2024-M01"):
            self.assertEqual(parse_period(text, "M"), (dt.date(2024, 1, 1), "2024-01"), text)
        for text in ("2024-Q1", "2024Q1"):
            self.assertEqual(parse_period(text, "Q"), (dt.date(2024, 1, 1), "2024-Q1"), text)
        for text, freq in [
            ("2024-13", "M"),
            ("2024-1", "M"),
            ("202401", "M"),
            ("2024-Q1", "M"),
            ("2024-01", "Q"),
            ("2024-Q5", "Q"),
            ("", "M"),
            ("2024-01", None),
        ]:
            self.assertIsNone(parse_period(text, freq), (text, freq))

    def test_values(self):
        self.assertEqual(parse_value("101.25"), 101.25)
        self.assertEqual(parse_value("-3"), -3.0)
        self.assertEqual(parse_value("1.5e2"), 150.0)
        self.assertEqual(parse_value(".5"), 0.5)
        for text in ("NaN", "inf", "Infinity", ".", "1,234.5", "1234,5", "", "1e999", "12a"):
            self.assertIsNone(parse_value(text), text)
