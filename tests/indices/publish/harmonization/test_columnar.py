"""H1-H5 over columns give, bit for bit, what the per-value implementation gave (oracle.py):
every series in the same order, every point's float repr, status, coverage and comment, every
attribute and every reason a series is not published, over generated national series with
base changes, gaps, missing statuses, declared breaks, comments, repeated periods and several
national codes, as rows and as the store's frame (windowed.national_series); and national codes
that give the same periods on one base year each, which member.py combines as one matrix."""

from __future__ import annotations

import unittest
from dataclasses import replace

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indices.publish.harmonization import NationalObservation, NationalSeries, harmonize_member
from indices.publish.harmonization.derive import derive_all
from indices.publish.harmonization.levels import Levels
from indices.publish.harmonization.member import _aligned_combination, _columns, rereference
from indices.publish.harmonization.periods import PER_YEAR, to_date, year_indexes
from indices.publish.services.windowed import OBSERVED, SERIES_KEY, STORED_SCHEMA, national_series
from tests.indices.publish.harmonization import oracle
from tests.indices.publish.harmonization.helpers import REF_YEAR

FIRST_YEAR, LAST_YEAR = 2017, 2024
STATUSES = ["A"] * 12 + ["P", "E", "I", "U", "B", ""]
MISSING = ["M", "L"]  # one value in 50: most series still have their reference year
COMMENTS = ["", "", "", "", "strike", "revised\tbase"]
# 60 generated cases a run, drawn anew each run (not derandomized), so runs add up: 100 took
# 11-13 s a test, of a suite that must stay within 15 minutes on 2 cores.
CHECKS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def stored_part(draw, freq: str) -> list[NationalObservation]:
    """One base year's values over a stretch of periods, most covering the reference year."""
    per_year = PER_YEAR[freq]
    first, last = FIRST_YEAR * per_year, (LAST_YEAR + 1) * per_year - 1
    reference = year_indexes(freq, REF_YEAR)
    covers = draw(st.booleans()) or draw(st.booleans())
    start = draw(st.integers(first, reference[0] if covers else last))
    stop = draw(st.integers(reference[-1] if covers and start <= reference[-1] else start, last))
    base_year = draw(st.sampled_from([2010, 2015, 2016, 2021]))
    gaps = draw(st.sets(st.integers(start, stop), max_size=2))
    observations = []
    for index in range(start, stop + 1):
        if index in gaps:
            continue
        if draw(st.integers(0, 49)):
            status, value = draw(st.sampled_from(STATUSES)), draw(st.floats(20.0, 400.0))
        else:
            status, value = draw(st.sampled_from(MISSING)), None
        comment = draw(st.sampled_from(COMMENTS))
        observations.append(
            NationalObservation(to_date(freq, index), value, status, base_year, comment)
        )
    return observations


@st.composite
def member_series(draw) -> list[NationalSeries]:
    """One member's stored series: one or two activities and adjustments, each monthly or
    quarterly (sometimes both), given as its ISIC code or as national codes with weights, each
    in one or more parts (base years; sometimes a part given twice)."""
    result = []
    for activity, adjustment in draw(
        st.lists(st.sampled_from([("C", "N"), ("C", "S"), ("10", "N")]), min_size=1, unique=True)
    ):
        for freq in draw(st.sampled_from([["M"], ["Q"], ["M", "Q"]])):
            codes = draw(st.sampled_from([[""], ["1011"], ["1011", "1012"], ["", "1011", "1012"]]))
            for code in codes:
                weight = draw(st.sampled_from([None, 0.0, 1.0, 3.0, 30.0, 7.5])) if code else None
                parts = draw(st.lists(stored_part(freq), min_size=1, max_size=3))
                if draw(st.integers(0, 9)) == 0:
                    parts.append(parts[0])  # the same periods of a base again
                result += [
                    NationalSeries(freq, "TH", activity, code, adjustment, tuple(part), weight)
                    for part in parts
                ]
    return result


@st.composite
def aligned_codes(draw) -> list[NationalSeries]:
    """One pair's national codes giving the same periods, each on one base year (member.py's
    `_aligned_combination`), but now and then one that falls outside that case: a code with no
    positive weight, a period one code lacks or gives twice, a reference year not complete."""
    freq = draw(st.sampled_from(["M", "M", "Q"]))
    per_year = PER_YEAR[freq]
    reference = year_indexes(freq, REF_YEAR)
    covers = draw(st.integers(0, 9)) > 0
    start = draw(st.integers(FIRST_YEAR * per_year, reference[0] if covers else reference[-1]))
    stop = draw(st.integers(reference[-1] if covers else start, (LAST_YEAR + 1) * per_year - 1))
    periods = range(start, stop + 1)
    odd = draw(st.sampled_from([None] * 7 + ["weight", "lacks", "twice"]))
    result = []
    for number in range(draw(st.integers(2, 5))):
        code = f"10{number:02d}"
        weight = draw(st.sampled_from([1.0, 3.0, 30.0, 7.5, 0.1]))
        given = list(periods)
        if number == 0 and odd == "weight":
            weight = draw(st.sampled_from([None, 0.0]))
        # (Never its only period: a code with no value at all is not in the store, so the
        # frame's path would not see it, where the oracle given the series says it has none.)
        if number == 1 and odd == "lacks" and len(given) > 1:
            given.remove(draw(st.sampled_from(given)))
        if number == 1 and odd == "twice":
            given.append(draw(st.sampled_from(given)))
        base_year = draw(st.sampled_from([2010, 2015, 2021]))
        observations = tuple(
            NationalObservation(
                to_date(freq, index),
                draw(st.floats(20.0, 400.0)),
                draw(st.sampled_from(STATUSES)),
                base_year,
                draw(st.sampled_from(COMMENTS)),
            )
            for index in given
        )
        result.append(NationalSeries(freq, "TH", "10", code, "N", observations, weight))
    return result


def published(result) -> tuple[list, list]:
    series, problems = result
    return [
        (
            item.key,
            [
                (p.period, repr(float(p.value)), p.status, repr(p.coverage), p.comment)
                for p in item.points
            ],
            item.attributes,
        )
        for item in series
    ], problems


def as_stored_frame(series: list[NationalSeries]) -> pl.DataFrame:
    """The series as the store's rows (SERIES_KEY, then OBSERVED), in the order the store is
    read: by series_id, base year and period."""
    rows = [
        (
            item.nat_code or item.activity,
            item.freq,
            item.activity,
            item.nat_code,
            item.adjustment,
            *observation,
        )
        for item in series
        for observation in item.observations
    ]
    frame = pl.DataFrame(rows, schema=[*SERIES_KEY, *OBSERVED], orient="row")
    return frame.cast(STORED_SCHEMA).sort(  # type: ignore[arg-type]
        ["series_id", "base_year", "period_start"], maintain_order=True
    )


def as_rows(frame: pl.DataFrame, weights: dict[str, float | None]) -> list[NationalSeries]:
    """The stored frame as NationalSeries of rows, one per key in the order keys first come
    (windowed.national_series as it was before it made columns)."""
    by_key: dict[tuple, list[NationalObservation]] = {}
    for row in frame.iter_rows():
        by_key.setdefault(row[: len(SERIES_KEY)], []).append(
            NationalObservation(*row[len(SERIES_KEY) :])
        )
    return [
        NationalSeries(
            freq, "TH", activity, code, adjustment, tuple(rows), weights.get(code) if code else None
        )
        for (_, freq, activity, code, adjustment), rows in by_key.items()
    ]


class ColumnarMatchesPerValueTests(unittest.TestCase):
    @CHECKS
    @given(member_series())
    def test_member_series_given_as_rows(self, series):
        self.assertEqual(
            published(harmonize_member(series=series, ref_year=REF_YEAR)),
            published(oracle.harmonize_member(series=series, ref_year=REF_YEAR)),
        )

    @CHECKS
    @given(member_series())
    def test_member_series_read_from_the_store(self, series):
        weights = {item.nat_code: item.weight for item in series if item.nat_code}
        frame = as_stored_frame(series)
        self.assertEqual(
            published(
                harmonize_member(series=national_series(frame, "TH", weights), ref_year=REF_YEAR)
            ),
            published(oracle.harmonize_member(series=as_rows(frame, weights), ref_year=REF_YEAR)),
        )

    @CHECKS
    @given(
        st.dictionaries(
            st.integers(FIRST_YEAR * 12, (LAST_YEAR + 1) * 12 - 1),
            st.tuples(
                st.floats(20.0, 400.0),
                st.sampled_from(["A", "A", "P", "E", "U"]),
                st.booleans(),
                st.floats(50.0, 100.0),
            ),
            min_size=1,
        ),
        st.booleans(),
    )
    def test_aggregate_levels_with_coverage(self, drawn, reference_year_complete):
        """What aggregates hand H2, H4 and H5: levels with a coverage each."""
        if reference_year_complete:
            for index in year_indexes("M", REF_YEAR):
                drawn.setdefault(index, (100.0 + index % 7, "A", False, 100.0))
        levels = {
            index: oracle.Level(value, status, brk, coverage)
            for index, (value, status, brk, coverage) in drawn.items()
        }
        expected = oracle.rereference("M", levels, REF_YEAR)
        referenced = rereference("M", Levels.from_mapping(levels), REF_YEAR)
        if expected is None:
            self.assertIsNone(referenced)
            expected, referenced = levels, Levels.from_mapping(levels)
        derived = {
            "freq": "M",
            "ref_area": "MKG",
            "activity": "C",
            "adjustment": "N",
            "attributes": {"REF_YEAR": REF_YEAR},
        }
        self.assertEqual(
            published((derive_all(levels=referenced, **derived), [])),
            published((oracle.derive_all(levels=expected, **derived), [])),
        )

    @CHECKS
    @given(aligned_codes())
    def test_national_codes_of_the_same_periods(self, series):
        weights = {item.nat_code: item.weight for item in series}
        frame = as_stored_frame(series)
        expected = published(oracle.harmonize_member(series=series, ref_year=REF_YEAR))
        self.assertEqual(published(harmonize_member(series=series, ref_year=REF_YEAR)), expected)
        self.assertEqual(
            published(
                harmonize_member(series=national_series(frame, "TH", weights), ref_year=REF_YEAR)
            ),
            expected,
        )

    def test_national_codes_of_the_same_periods_are_combined_as_one_matrix(self):
        """The case the test above compares is the one `_aligned_combination` takes (else it
        would only compare the code-by-code path again), and only that case."""
        components = {
            code: [
                NationalSeries(
                    "M",
                    "TH",
                    "10",
                    code,
                    "N",
                    tuple(
                        NationalObservation(to_date("M", index), 100.0 + index % 5, "A", 2021)
                        for index in range(2019 * 12, 2023 * 12)
                    ),
                    weight,
                )
            ]
            for code, weight in (("1011", 2.0), ("1012", 3.0))
        }

        def combined(components):
            columns = {code: _columns("M", parts) for code, parts in sorted(components.items())}
            return _aligned_combination("M", components, columns, REF_YEAR)

        levels, newest_base = combined(components)
        self.assertEqual((len(levels), newest_base, levels.comment), (48, 2021, None))
        cut = components["1012"][0]
        components["1012"] = [replace(cut, observations=cut.observations[1:])]
        self.assertIsNone(combined(components))
