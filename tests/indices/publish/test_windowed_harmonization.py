"""Harmonization over a window (publish/services/windowed.py) publishes exactly what the full
recomputation publishes: each scenario runs twice in the same database (rolled back between),
windowed and full, and the published store (every vintage, a float's repr), the series'
attributes, the releases' counts and the findings must be the same byte for byte."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from countries.models import Agency, Country, NationalClassification
from countries.services import concordance_upload
from indices.publish.models import PublishedObservation, PublishedSeries, Release, ValueAddedWeight
from indices.publish.releases import releases_publish_due
from indices.publish.services import publication, windowed
from indices.validate.models import Finding
from tests.indices.publishing import accept, thai_concordance

HEADER = "REF_AREA,NAT_CODE,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER,COMMENT"
# National codes of TSIC2009: four combined into ISIC 10 (H1), one alone in ISIC 11.
CODES = {"N01": ("10", "2"), "N02": ("10", "3"), "N03": ("10", "1.5"), "N04": ("10", "1"),
         "N05": ("11", "4")}  # fmt: skip


def raw(code: str, adjustment: str, year: int, month: int) -> float:
    number = int(code[1:])
    t = (year - 2015) * 12 + month
    seasonal = 1 + (0.03 * ((month * 7 + number) % 5 - 2) if adjustment == "N" else 0)
    return (90 + 0.13 * t + number * 1.7) * seasonal


def level(code: str, adjustment: str, year: int, month: int, base: int = 2021) -> float:
    """About 100 on average over the base year (E09)."""
    mean = sum(raw(code, adjustment, base, m) for m in range(1, 13)) / 12
    return round(raw(code, adjustment, year, month) * 100 / mean, 4)


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    (year, month), result = first, []
    while (year, month) <= last:
        result.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def nat_csv(rows: list[tuple]) -> bytes:
    """rows: (code, adjustment, (year, month), value or None, status, base, comment)."""
    lines = [HEADER]
    for code, adjustment, (year, month), value, status, base, comment in rows:
        shown = "" if value is None else f"{value}"
        lines.append(f"TH,{code},{adjustment},{year}-{month:02d},{shown},{status},{base},{comment}")
    return ("\n".join(lines) + "\n").encode()


def filled(
    codes=tuple(CODES), adjustments="NS", span=((2015, 1), (2026, 8)), base=2021, scale=1.0
) -> bytes:
    return nat_csv(
        [
            (code, adjustment, ym, round(level(code, adjustment, *ym, base) * scale, 4), "A",
             base, "")
            for code in codes
            for adjustment in adjustments
            for ym in months(*span)
        ]
    )  # fmt: skip


def quarterly_csv(values: dict[str, float], status: str = "A", base: int = 2021) -> bytes:
    lines = ["FREQ,REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER"]
    lines += [f"Q,TH,B,{period},{value},{status},{base}" for period, value in values.items()]
    return ("\n".join(lines) + "\n").encode()


def quarters(first: int, last: int) -> dict[str, float]:
    """2021 averaging 100 (E09)."""
    return {
        f"{year}-Q{q}": round(100 + (year - 2021) * 1.3 + (q - 2.5) * 0.7, 3)
        for year in range(first, last + 1)
        for q in range(1, 5)
    }


def update(revised: dict[tuple[int, int], float], codes=tuple(CODES), adjustments="NS") -> bytes:
    """New or revised months: each value times its factor (a comment on the newest)."""
    newest = max(revised)
    return nat_csv(
        [
            (code, adjustment, ym, round(level(code, adjustment, *ym) * factor, 4),
             "P" if ym == newest else "A", 2021, "provisional" if ym == newest else "")
            for code in codes
            for adjustment in adjustments
            for ym, factor in revised.items()
        ]
    )  # fmt: skip


RECENT = {(2026, 6): 1.002, (2026, 7): 0.999, (2026, 8): 1.003, (2026, 9): 1.0}


class WindowedParityTests(TestCase):
    def setUp(self):
        thai_concordance(CODES)
        for code, value in (("TH", 300), ("VN", 100)):
            for year in range(2014, 2027):
                for activity in ("10", "11", "B"):
                    ValueAddedWeight.objects.create(
                        country=Country.objects.get(pk=code),
                        activity=activity,
                        year=year,
                        value_added=value + year % 7,
                    )
        self.instant = timezone.now() + timedelta(days=1)

    # -- the two runs -----------------------------------------------------------------------

    def run_steps(self, steps: list, *, enabled: bool) -> tuple[dict, list[set]]:
        taken: list[set] = []
        original = publication.windowed_harmonize
        self.group_windows: list[set] = []  # per group computed: its pairs over a window
        windows_kept = publication._windows_kept

        def spy(**kwargs):
            result = original(**kwargs)
            taken.append(set(result.since))
            return result

        def groups_spy(series, since):
            kept = windows_kept(series, since)
            self.group_windows.append(kept)
            return kept

        with (
            mock.patch.object(windowed, "ENABLED", enabled),
            mock.patch.object(publication, "windowed_harmonize", spy),
            mock.patch.object(publication, "_windows_kept", groups_spy),
            mock.patch("indices.publish.tasks.publish_releases.delay_on_commit"),
            transaction.atomic(),
        ):
            for number, step in enumerate(steps):
                if callable(step):
                    step()
                    continue
                content, agency, options = step
                accept(content, agency, **options)
                releases_publish_due(now=self.instant + timedelta(hours=number))
            snapshot = self.snapshot()
            transaction.set_rollback(True)
        return snapshot, taken

    def snapshot(self) -> dict:
        releases = {
            pk: n
            for n, pk in enumerate(Release.objects.order_by("pk").values_list("pk", flat=True))
        }
        observations = sorted(
            (o.series_key, o.period_start, o.time_period, repr(o.value), o.status,
             repr(o.coverage), o.comment, releases[o.release_id], o.valid_from, o.valid_to)
            for o in PublishedObservation.objects.all()
        )  # fmt: skip
        series = sorted(
            (s.series_key, repr(sorted(s.attributes.items())), s.first_published_at,
             s.last_updated_at)
            for s in PublishedSeries.objects.all()
        )  # fmt: skip
        counts = [
            (r.status, r.published_at, sorted(r.changed_series), r.observations_changed,
             r.observations_withdrawn)
            for r in Release.objects.order_by("pk")
        ]  # fmt: skip
        findings = sorted(
            (f.rule_id, f.series_key, f.message) for f in Finding.objects.filter(rule_id="H2")
        )
        return {"observations": observations, "series": series, "releases": counts,
                "findings": findings}  # fmt: skip

    def assert_same(self, steps: list, *, windowed_last: bool) -> None:
        full, taken_full = self.run_steps(steps, enabled=False)
        self.assertTrue(all(not pairs for pairs in self.group_windows))
        window, taken = self.run_steps(steps, enabled=True)
        self.assertTrue(all(not pairs for pairs in taken_full))
        self.assertEqual(bool(taken and taken[-1]), windowed_last, taken)
        self.assertTrue(full["observations"])
        for part in ("observations", "series", "releases", "findings"):
            self.assertEqual(window[part], full[part], part)

    # -- scenarios --------------------------------------------------------------------------

    def fill(self, **options) -> tuple:
        return (filled(**options), "TH_OIE", {})

    def test_revisions_of_recent_months_and_a_new_month(self):
        steps = [self.fill(), (update(RECENT), "TH_OIE", {})]
        self.assert_same(steps, windowed_last=True)

    def test_two_updates_in_a_row_and_another_member_for_the_aggregates(self):
        # Viet Nam's series by ISIC code (no concordance needed).
        vn_rows = "REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER\n" + "".join(
            f"VN,{activity},{adjustment},{year}-{month:02d},"
            f"{level('N0' + str(3 + i), adjustment, year, month)},2021\n"
            for i, activity in enumerate(("10", "11"))
            for adjustment in "NS"
            for year, month in months((2015, 1), (2026, 9))
        )
        steps = [
            self.fill(),
            (vn_rows.encode(), "VN_NSO", {}),
            (update(RECENT), "TH_OIE", {}),
            (update({(2026, 9): 1.004, (2026, 10): 1.0}), "TH_OIE", {}),
        ]
        self.assert_same(steps, windowed_last=True)
        # Both updates' groups (MKG, MKG_JP) over a window too: every pair of each.
        pairs = {("10", "N"), ("10", "S"), ("11", "N"), ("11", "S")}
        self.assertEqual(self.group_windows[-4:], [pairs] * 4)

    def test_a_revision_in_the_reference_year_takes_the_full_path(self):
        steps = [self.fill(), (update({**RECENT, (2021, 3): 1.01}), "TH_OIE", {})]
        self.assert_same(steps, windowed_last=False)

    def test_a_new_base_year_takes_the_full_path(self):
        newer = filled(span=((2024, 1), (2026, 9)), base=2025, scale=1.0)
        self.assert_same([self.fill(), (newer, "TH_OIE", {})], windowed_last=False)

    def test_a_newer_base_whose_values_all_lie_before_the_window(self):
        # Base 2023 wins from its first value (2022-01) on: the later values of base 2021 are
        # not published, and the window, which reads no value of base 2023, must not say so.
        newer = filled(span=((2022, 1), (2023, 12)), base=2023)
        steps = [self.fill(), (newer, "TH_OIE", {}), (update(RECENT), "TH_OIE", {})]
        self.assert_same(steps, windowed_last=False)

    def test_an_older_base_linked_in_history_and_a_recent_update(self):
        older = filled(span=((2010, 1), (2019, 12)), base=2015)
        steps = [
            (older, "TH_OIE", {}),
            self.fill(span=((2018, 1), (2026, 8))),
            (update(RECENT), "TH_OIE", {}),
        ]
        self.assert_same(steps, windowed_last=True)

    def test_a_withdrawal_of_the_latest_month(self):
        last = nat_csv(
            [(code, adj, (2026, 8), level(code, adj, 2026, 8), "A", 2021, "")
             for code in ("N01", "N05") for adj in "NS"]
        )  # fmt: skip
        steps = [self.fill(), (last, "TH_OIE", {"action": "delete"})]
        self.assert_same(steps, windowed_last=True)

    def test_a_replace_of_recent_months_with_a_gap(self):
        rows = [
            (code, adj, ym, None if ym == (2026, 7) else level(code, adj, *ym) * 1.001,
             "M" if ym == (2026, 7) else "A", 2021, "")
            for code in CODES for adj in "NS" for ym in months((2026, 5), (2026, 9))
        ]  # fmt: skip
        steps = [self.fill(), (nat_csv(rows), "TH_OIE", {"action": "replace"})]
        self.assert_same(steps, windowed_last=True)

    def test_one_code_of_a_combination_and_a_lagging_code(self):
        steps = [
            self.fill(),
            (update(RECENT, codes=("N02",), adjustments="N"), "TH_OIE", {}),
        ]
        self.assert_same(steps, windowed_last=True)

    def test_quarterly_series(self):
        steps = [
            (quarterly_csv(quarters(2015, 2025) | {"2026-Q1": 110.5}), "TH_OIE", {}),
            (quarterly_csv({"2026-Q1": 111.25, "2026-Q2": 112.0}, status="P"), "TH_OIE", {}),
        ]
        self.assert_same(steps, windowed_last=True)

    def test_changed_concordance_weights_take_the_full_path(self):
        def reweigh():
            concordance_upload(
                classification=NationalClassification.objects.get(pk="TSIC2009"),
                raw_rows=[
                    {"national_code": code, "isic_code": isic, "weight": "1"}
                    for code, (isic, _) in CODES.items()
                ],
                created_by=Agency.objects.get(pk="MKG_SEC"),
            )

        steps = [self.fill(), reweigh, (update(RECENT, codes=("N01", "N02")), "TH_OIE", {})]
        self.assert_same(steps, windowed_last=False)

    def test_a_code_mapped_anew_takes_the_full_path_for_both_activities(self):
        """N04 moves from ISIC 10 to 11; only its 2017 values are sent again (so they alone
        name 11): the history of 10 changed without a release of 10."""

        def remap():
            concordance_upload(
                classification=NationalClassification.objects.get(pk="TSIC2009"),
                raw_rows=[
                    {"national_code": code, "isic_code": "11" if code == "N04" else isic,
                     "weight": weight}
                    for code, (isic, weight) in CODES.items()
                ],
                created_by=Agency.objects.get(pk="MKG_SEC"),
            )  # fmt: skip

        resent = nat_csv(
            [("N04", adj, ym, level("N04", adj, *ym), "A", 2021, "")
             for adj in "NS" for ym in months((2017, 1), (2017, 12))]
        )  # fmt: skip
        steps = [
            self.fill(),
            remap,
            (resent, "TH_OIE", {}),
            (update(RECENT, codes=("N01", "N02", "N03")), "TH_OIE", {}),
        ]
        self.assert_same(steps, windowed_last=False)

    def test_an_older_base_still_reported_takes_the_full_path(self):
        older = filled(span=((2015, 1), (2026, 8)), base=2015)
        recent = nat_csv(
            [(code, adj, ym, level(code, adj, *ym, base=2015), "A", 2015, "")
             for code in CODES for adj in "NS" for ym in ((2026, 8), (2026, 9))]
        )  # fmt: skip
        steps = [
            (older, "TH_OIE", {}),
            self.fill(span=((2019, 1), (2026, 8))),
            (update(RECENT), "TH_OIE", {}),
            (recent, "TH_OIE", {}),
        ]
        self.assert_same(steps, windowed_last=False)

    def test_new_weights_of_codes_equal_over_the_checked_year_take_the_full_path(self):
        """N01 and N02 (ISIC 10) have the same values from 2024 on: the year before the window
        is the same whatever their weights (1 and 1, then 1 and 3: a mean of equal values,
        exact in floating point), the history before is not."""
        rows = [
            (code, "N", ym, level("N01" if ym >= (2024, 1) else code, "N", *ym), "A", 2021, "")
            for code in ("N01", "N02")
            for ym in months((2015, 1), (2026, 8))
        ]

        def weigh(second: str):
            def upload():
                concordance_upload(
                    classification=NationalClassification.objects.get(pk="TSIC2009"),
                    raw_rows=[
                        {"national_code": code, "isic_code": isic,
                         "weight": second if code == "N02" else "1"}
                        for code, (isic, _) in CODES.items()
                    ],
                    created_by=Agency.objects.get(pk="MKG_SEC"),
                )  # fmt: skip

            return upload

        recent = update({(2026, 8): 1.001, (2026, 9): 1.0}, codes=("N01", "N02"), adjustments="N")
        steps = [weigh("1"), (nat_csv(rows), "TH_OIE", {}), weigh("3"), (recent, "TH_OIE", {})]
        self.assert_same(steps, windowed_last=False)

    def test_a_gap_in_the_year_before_a_national_break_and_comments(self):
        rows = [
            (code, adj, ym, None if (code, ym) == ("N01", (2025, 3)) else level(code, adj, *ym),
             "M" if (code, ym) == ("N01", (2025, 3)) else "A", 2021,
             "strike" if (code, ym) == ("N05", (2025, 11)) else "")
            for code in CODES for adj in "NS" for ym in months((2015, 1), (2026, 8))
        ]  # fmt: skip
        recent = nat_csv(
            [(code, adj, ym, level(code, adj, *ym) * 1.01,
              "B" if ym == (2026, 7) and code == "N05" else "E", 2021,
              "new survey" if code == "N05" else "")
             for code in CODES for adj in "NS" for ym in months((2026, 7), (2026, 9))]
        )  # fmt: skip
        steps = [(nat_csv(rows), "TH_OIE", {}), (recent, "TH_OIE", {})]
        self.assert_same(steps, windowed_last=True)
