"""The scenarios of bench/validation_parity.py: which files are uploaded, as which agency, in
which order, with which concordance weights.

Three kinds, all deterministic (seeded random.Random, fixed formulas):

- corpus: every file of tests/corpus, as tests/indices/test_corpus.py uploads it (agency,
  `before` files accepted and applied first, `division_weights`);
- generated: long CSV files (and a few XLSX and wide copies) mixing many problems at random,
  plus files made to exceed the per-rule cap of 1,000 findings;
- history: a first file validated, accepted and applied to the national store, then later files
  of the same series validated against it (W01, W03, W04, W06 read the stored history).

Imports nothing from the project: both checkouts must read exactly the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from indices.receive.parsing.base import STANDARD_COLUMNS as COLUMNS

AGENCIES = {"TH_OIE": "TH", "VN_NSO": "VN", "KH_NIS": "KH"}
DIVISIONS = {
    "B": ["05", "06", "07", "08", "09"],
    "C": [str(code) for code in range(10, 34)],
    "D": ["35"],
    "E": ["36", "37", "38", "39"],
}
ISIC = ["B", "C", "D", "E", "B-E", "B_C", *[d for codes in DIVISIONS.values() for d in codes]]
NATIONAL = {
    "TH": [
        *("C", "1011", "1072", "1104", "1920", "2211", "2219", "2610", "2620", "2910"),
        *("D", "3510", "3520"),
    ],
    "VN": ["B", "C", "D", "E"],
    "KH": ["C01", "1010"],  # Cambodia has no concordance: every national code is E03
}
# National codes next to the ISIC code they map to (E07 "send either ... not both").
CLASHES = {"TH": {"2910": "29", "1011": "10", "2610": "26", "D": "D"}, "VN": {"C": "C", "B": "B"}}
BAD_CODES = {
    "ACTIVITY": ["99", "1O", "c", "5", "b-e", "B_C ", "X", "C'", "1\\0", "Ç"],
    "NAT_CODE": ["9999", "29 10", "x'y", "a\\b"],
    "ADJUSTMENT": ["X", "s", "", "NS", "n"],
    "FREQ": ["W", "A", "q", "", "m", "Monthly"],
    "OBS_STATUS": ["Z", "p", "", "a", "MM", "m"],
    "REF_AREA": ["VN", "th", "", "MKG", " TH", "KH"],
}
BAD_VALUES = [
    "1,5",
    "121,4",
    "1,234",
    "1,234.5",
    "1.234,5",
    "NaN",
    "nan",
    "-inf",
    "Infinity",
    "-3",
    "0",
    "-0.0",
    "",
    "1e10",
    "0.0000001",
    "0.000001",
    "1000000000",
    "1000000001",
    "abc",
    "1 234",
    "+101.5",
    "1e-7",
    "100.",
    ".5",
    "1'5",
    "12\\5",
    "-",
    "99,9%",
]
MISSING = ["M", "L", "O"]
COMMENTS = ["", "", "", "revised", 'it\'s "final"', "back\\slash", "น้ำท่วม; ฝนตก", "a,b;c"]


@dataclass
class Step:
    path: Path
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    apply: bool = False  # accept (confirming warnings) and apply to the national store
    agency: str = ""  # uploaded by another agency than the scenario's

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "name": self.name,
            "options": self.options,
            "apply": self.apply,
            "agency": self.agency,
        }


@dataclass
class Scenario:
    name: str
    agency: str
    steps: list[Step]
    division_weights: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agency": self.agency,
            "division_weights": self.division_weights,
            "steps": [step.as_json() for step in self.steps],
        }


# --- Periods ---------------------------------------------------------------------------------
# A period is its first month's number, year * 12 + month - 1 (a quarter: its first month).


def month_number(year: int, month: int) -> int:
    return year * 12 + month - 1


def label(period: int, freq: str) -> str:
    year, month = divmod(period, 12)
    if freq == "Q":
        return f"{year:04d}-Q{month // 3 + 1}"
    return f"{year:04d}-{month + 1:02d}"


def periods_between(first: int, last: int, freq: str) -> list[int]:
    if freq == "Q":
        first -= first % 3
        return list(range(first, last + 1, 3))
    return list(range(first, last + 1))


# --- Series ----------------------------------------------------------------------------------


@dataclass
class Series:
    """One series of a file: its key, base year, and each period's OBS_VALUE text ('' when
    missing) and OBS_STATUS."""

    ref_area: str
    activity: str
    nat_code: str
    adjustment: str
    freq: str
    base: int
    values: dict[int, str]
    statuses: dict[int, str] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    decimals: int = 1
    # (first period, base year): the rows from that period on give another BASE_PER (E08)
    later_base: tuple[int, int] | None = None

    def base_of(self, period: int) -> int:
        if self.later_base and period >= self.later_base[0]:
            return self.later_base[1]
        return self.base

    def rows(self) -> list[dict[str, str]]:
        return [
            {
                "REF_AREA": self.ref_area,
                "ACTIVITY": self.activity,
                "NAT_CODE": self.nat_code,
                "ADJUSTMENT": self.adjustment,
                "FREQ": self.freq,
                "TIME_PERIOD": label(period, self.freq),
                "OBS_VALUE": self.values[period],
                "OBS_STATUS": self.statuses.get(period, "A"),
                "BASE_PER": str(self.base_of(period)),
                "COMMENT": self.comments.get(period, ""),
            }
            for period in sorted(self.values)
        ]

    def set_number(self, period: int, number: float) -> None:
        self.values[period] = f"{max(number, 0.1):.{self.decimals}f}"


def levels(
    rng: random.Random,
    periods: list[int],
    freq: str,
    base: int,
    *,
    decimals: int = 1,
    noise: float | None = None,
) -> dict[int, str]:
    """Index levels with a seasonal pattern, a drift and noise, on base `base` (= 100): where
    the series covers its whole base year, those periods average exactly 100 (E09 holds)."""
    season = [rng.uniform(0.86, 1.12) for _ in range(12)]
    if rng.random() < 0.3:
        season[3] *= 0.8  # a Songkran-like April: seasonal, must not be W01
    drift = rng.uniform(-0.003, 0.006)
    noise = rng.uniform(0.002, 0.015) if noise is None else noise
    raw = {}
    for i, period in enumerate(periods):
        month = period % 12
        factor = season[month] if freq == "M" else statistics.fmean(season[month : month + 3])
        raw[period] = (1 + drift) ** i * factor * (1 + rng.gauss(0, noise))
    in_base = [p for p in periods if p // 12 == base]
    reference = [raw[p] for p in in_base] or list(raw.values())
    scale = 100 / statistics.fmean(reference) * (1 if in_base else rng.uniform(0.9, 1.3))
    unit = 10**decimals
    units = {p: max(1, round(raw[p] * scale * unit)) for p in periods}
    if len(in_base) == (12 if freq == "M" else 4):
        units[in_base[-1]] = 100 * len(in_base) * unit - sum(units[p] for p in in_base[:-1])
    return {p: f"{units[p] / unit:.{decimals}f}" for p in periods}


def new_series(
    rng: random.Random,
    *,
    country: str,
    activity: str = "",
    nat_code: str = "",
    adjustment: str = "N",
    freq: str = "M",
    base: int,
    first: int,
    last: int,
    decimals: int = 1,
    noise: float | None = None,
) -> Series:
    periods = periods_between(first, last, freq)
    return Series(
        ref_area=country,
        activity=activity,
        nat_code=nat_code,
        adjustment=adjustment,
        freq=freq,
        base=base,
        values=levels(rng, periods, freq, base, decimals=decimals, noise=noise),
        decimals=decimals,
    )


# --- Writing files ---------------------------------------------------------------------------


def header_for(rows: list[dict[str, str]], rng: random.Random | None = None) -> list[str]:
    """The standard columns the rows use: NAT_CODE only when a row has one, ACTIVITY unless
    every row gives a national code; sometimes no COMMENT, sometimes shuffled."""
    columns = list(COLUMNS)
    if not any(r["NAT_CODE"] for r in rows):
        columns.remove("NAT_CODE")
    elif all(r["NAT_CODE"] and not r["ACTIVITY"] for r in rows):
        columns.remove("ACTIVITY")
    if rng is not None:
        if rng.random() < 0.3 and not any(r["COMMENT"] for r in rows):
            columns.remove("COMMENT")
        if rng.random() < 0.2:
            rng.shuffle(columns)
    return columns


def write_csv(
    path: Path, rows: list[dict[str, str]], columns: list[str], *, delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _typed(column: str, text: str) -> Any:
    """As a clerk's workbook holds it: numbers as numbers, codes and periods as text."""
    if text == "":
        return None
    if column == "OBS_VALUE":
        try:
            number = float(text)
        except ValueError:
            return text
        return number if number == number and abs(number) != float("inf") else text
    if column == "BASE_PER" and text.isdigit():
        return int(text)
    return text


def _workbook() -> Workbook:
    book = Workbook()
    book.properties.creator = "validation parity"
    book.properties.created = book.properties.modified = datetime(2024, 1, 1)  # noqa: DTZ001
    return book


def write_xlsx(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    book = _workbook()
    sheet = book.active
    sheet.title = "MPI"
    sheet.append(columns)
    for row in rows:
        sheet.append([_typed(c, row.get(c, "")) for c in columns])
    book.save(path)
    return path


WIDE_KEYS = ["REF_AREA", "ACTIVITY", "ADJUSTMENT", "BASE_PER"]


def write_wide(path: Path, series: list[Series]) -> Path:
    """Wide layout (one row per series, one column per month), CSV or XLSX by suffix."""
    periods = sorted({p for s in series for p in s.values})
    header = [*WIDE_KEYS, *(label(p, "M") for p in periods)]
    lines = [
        [s.ref_area, s.activity, s.adjustment, str(s.base)] + [s.values.get(p, "") for p in periods]
        for s in series
    ]
    if path.suffix == ".xlsx":
        book = _workbook()
        sheet = book.active
        sheet.title = "MPI"
        sheet.append(header)
        for line in lines:
            keys = [_typed(c, t) for c, t in zip(WIDE_KEYS, line, strict=False)]
            sheet.append(keys + [_typed("OBS_VALUE", t) for t in line[len(WIDE_KEYS) :]])
        book.save(path)
        return path
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# --- Problems, injected at random ------------------------------------------------------------


def inject_series_problems(
    rng: random.Random, series: Series, problems: set[str], rate: float, now: int
) -> None:
    """Problems that change a series' values: gaps, flat runs, large moves, a base-year mean
    off 100, missing periods, periods in the future."""
    periods = sorted(series.values)
    chance = min(1.0, rate * 20)
    if "moves" in problems and rng.random() < chance:
        for period in rng.sample(periods, max(1, int(len(periods) * rate * 3))):
            factor = rng.choice([1.25, 1.6, 0.7, 0.45, 1.08, 3.0, 0.93])
            series.set_number(period, float(series.values[period] or 100) * factor)
    if "flat" in problems and rng.random() < chance:
        start = rng.randrange(len(periods))
        run = periods[start : start + rng.randint(2, 5)]
        for period in run[1:]:
            series.values[period] = series.values[run[0]]
    if "base_mean" in problems and rng.random() < chance:
        factor = rng.choice([1.004, 1.006, 0.994, 0.995, 1.05, 1.3])
        for period, text in series.values.items():
            if text:
                series.set_number(period, float(text) * factor)
    if "missing" in problems:
        for period in periods:
            if rng.random() < rate * 3:
                series.values[period] = ""
                series.statuses[period] = rng.choice(MISSING)
    if "gaps" in problems and len(periods) > 3 and rng.random() < chance:
        start = rng.randrange(1, len(periods) - 1)
        for period in periods[start : start + rng.randint(1, 4)]:
            del series.values[period]
    if "future" in problems and rng.random() < chance:
        step = 3 if series.freq == "Q" else 1
        start = max(max(series.values), now)
        start -= start % step
        for period in range(start + step, start + step * rng.randint(2, 4), step):
            series.values[period] = f"{rng.uniform(90, 110):.1f}"


def inject_row_problems(
    rng: random.Random, rows: list[dict[str, str]], problems: set[str], rate: float
) -> list[dict[str, str]]:
    """Problems of single rows: codes, values, period spellings, base years, duplicates,
    quoted text; and the row order."""
    out: list[dict[str, str]] = []
    for row in rows:
        row = dict(row)
        if "codes" in problems and rng.random() < rate:
            column = rng.choice(list(BAD_CODES))
            if column == "NAT_CODE" and not row["NAT_CODE"]:
                column = "ACTIVITY"
            if column == "ACTIVITY" and row["NAT_CODE"] and rng.random() < 0.5:
                row["ACTIVITY"] = rng.choice(["", "C", "29"])  # both or neither: E02
            else:
                row[column] = rng.choice(BAD_CODES[column])
        if "values" in problems and rng.random() < rate:
            row["OBS_VALUE"] = rng.choice(BAD_VALUES)
            row["OBS_STATUS"] = rng.choice(["A", "A", "", "P", *MISSING])
        if "spelling" in problems and rng.random() < rate:
            row["TIME_PERIOD"] = respell(rng, row["TIME_PERIOD"], row["FREQ"])
        if "base_bad" in problems and rng.random() < rate:
            row["BASE_PER"] = rng.choice(
                ["1985", "21", "2031", "abc", "2021.0", "", " 2021", "1990"]
            )
        if "quotes" in problems and rng.random() < rate * 3:
            row["COMMENT"] = rng.choice(COMMENTS)
        out.append(row)
        if "duplicates" in problems and rng.random() < rate:
            again = dict(row)
            if rng.random() < 0.5:
                again["OBS_VALUE"] = f"{rng.uniform(80, 120):.1f}"
            if rng.random() < 0.3:
                again["TIME_PERIOD"] = respell(rng, row["TIME_PERIOD"], row["FREQ"], valid=True)
            out.insert(rng.randrange(len(out) + 1), again)
    if "shuffle" in problems:
        rng.shuffle(out)
    return out


def respell(rng: random.Random, period: str, freq: str, *, valid: bool = False) -> str:
    """Another spelling of a period: accepted ones (2024M02, 2024-M02, 2024Q1) or, unless
    `valid`, broken ones (2024-13, Jan 2024, a quarter under FREQ M...)."""
    year = period[:4]
    rest = period[5:]
    if freq == "Q" or rest.startswith("Q"):
        good = [f"{year}{rest}", f"{year}-{rest.lower()}"]
        bad = [f"{year}-Q5", f"{year}-03", "", f"{year}Q0", "Q1 " + year]
    else:
        good = [f"{year}M{rest}", f"{year}-M{rest}", f"{year}m{rest}"]
        bad = [f"{year}-13", f"Jan {year}", f"{year}/{rest}", f"{year}-Q1", "", f"{year}-00"]
    return rng.choice(good if valid else good + bad + bad)


def section_block(
    rng: random.Random,
    *,
    country: str,
    section: str,
    weights: dict[str, float],
    periods: list[int],
    base: int,
    adjustment: str = "N",
    through_national: dict[str, list[tuple[str, float]]] | None = None,
    offsets: tuple[float, ...] = (0.0, 0.0, 0.2, -0.4, 0.6, -1.5, 4.0),
) -> list[Series]:
    """A section and all its divisions over `periods`: the section is their weighted mean,
    off by a little (within W09's 0.5 points) or a lot in some periods; a division is
    sometimes missing from a period (no W09 there). `through_national` gives a division as
    national codes with their weights instead (H1 combines them)."""
    divisions: dict[str, dict[int, float]] = {}
    out: list[Series] = []
    for division in DIVISIONS[section]:
        numbers = {p: float(v) for p, v in levels(rng, periods, "M", base).items()}
        divisions[division] = numbers
        codes = (through_national or {}).get(division)
        if not codes:
            out.append(_series_of(country, division, "", adjustment, base, numbers))
            continue
        for code, _weight in codes:  # each national code near the division's value
            own = {p: v * rng.uniform(0.97, 1.03) for p, v in numbers.items()}
            out.append(_series_of(country, "", code, adjustment, base, own))
        total = sum(w for _, w in codes)
        for p in periods:
            divisions[division][p] = (
                sum(
                    w * float(s.values[p])
                    for (_, w), s in zip(codes, out[-len(codes) :], strict=True)
                )
                / total
            )
    section_values: dict[int, float] = {}
    for p in periods:
        mean = sum(weights[d] * divisions[d][p] for d in divisions) / sum(weights.values())
        section_values[p] = mean + rng.choice(offsets)
    out.append(_series_of(country, section, "", adjustment, base, section_values))
    for s in out[:-1]:
        if rng.random() < 0.2:
            del s.values[rng.choice(sorted(s.values))]
    return out


def _series_of(
    country: str, activity: str, nat_code: str, adjustment: str, base: int, numbers: dict
) -> Series:
    return Series(
        ref_area=country,
        activity=activity,
        nat_code=nat_code,
        adjustment=adjustment,
        freq="M",
        base=base,
        values={p: f"{v:.1f}" for p, v in numbers.items()},
    )


def effective_weights(concordances: dict, extra: dict[str, str]) -> dict[str, float]:
    """ISIC code -> weight as the validator reads them (national weights summed per ISIC code,
    W09's extra division weights added), from every classification (the driver loads them all)."""
    weights: dict[str, float] = {}
    for entries in concordances.values():
        for entry in entries:
            weights[entry["isic_code"]] = weights.get(entry["isic_code"], 0) + float(
                entry["weight"]
            )
    for division, weight in extra.items():
        weights[division] = weights.get(division, 0) + float(weight)
    return weights


# --- Generated files ---------------------------------------------------------------------------

PROBLEMS = [
    "codes",
    "values",
    "missing",
    "future",
    "spelling",
    "duplicates",
    "gaps",
    "flat",
    "moves",
    "base_mean",
    "base_mixed",
    "base_bad",
    "clash",
    "sections",
    "shuffle",
    "quotes",
]


@dataclass
class Generated:
    name: str
    agency: str
    rows: list[dict[str, str]]
    columns: list[str]
    series: list[Series]
    division_weights: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","


def random_file(seed: int, now: int, concordances: dict) -> Generated:
    """A long file of many series with a random mix of problems (seed 0: none at all)."""
    rng = random.Random(seed)
    agency = rng.choice(["TH_OIE"] * 6 + ["VN_NSO"] * 2 + ["KH_NIS"])
    country = AGENCIES[agency]
    problems = set(rng.sample(PROBLEMS, rng.randint(0, 8))) if seed else set()
    rate = rng.choice([0.002, 0.01, 0.03])
    last = now - rng.choice([0, 0, 1, 1, 2, 3, 6, 14, 30])
    length = rng.choice([12, 18, 24, 36, 60, 84, 96])
    base = rng.choice([last // 12 - k for k in (0, 1, 2, 3, 4)] + [last // 12 - 12, 2021, 2015])
    series: list[Series] = []
    keys: set[tuple[str, str, str, str]] = set()
    for _ in range(rng.randint(2, 24)):
        national = rng.random() < 0.25
        code = rng.choice(NATIONAL[country] if national else ISIC)
        adjustment = rng.choice("NNNNNNSWYT")
        freq = "Q" if rng.random() < 0.1 else "M"
        key = (code, str(national), adjustment, freq)
        if key in keys:
            continue
        keys.add(key)
        series.append(
            new_series(
                rng,
                country=country,
                activity="" if national else code,
                nat_code=code if national else "",
                adjustment=adjustment,
                freq=freq,
                base=base,
                first=last - length + 1,
                last=last,
                decimals=rng.choice([1, 1, 1, 2, 3]),
            )
        )
    if "clash" in problems and country in CLASHES:
        for nat_code, isic in rng.sample(sorted(CLASHES[country].items()), 2):
            for activity, nat in ((isic, ""), ("", nat_code)):
                clash = {"activity": activity, "nat_code": nat, "first": last - 11, "last": last}
                series.append(new_series(rng, country=country, base=base, **clash))
    division_weights: dict[str, str] = {}
    if "sections" in problems:
        section = {"TH": "D", "VN": "B", "KH": "E"}[country] if rng.random() < 0.5 else "C"
        if section != "D" or country != "TH":
            division_weights = {d: f"{rng.uniform(0.5, 12):.1f}" for d in DIVISIONS[section]}
        weights = effective_weights(concordances if country != "KH" else {}, division_weights)
        national = (
            {"35": [("3510", 8.0), ("3520", 1.2)]}
            if section == "D" and country == "TH" and rng.random() < 0.6
            else None
        )
        series += section_block(
            rng,
            country=country,
            section=section,
            weights={d: weights.get(d, 1.0) for d in DIVISIONS[section]},
            periods=periods_between(last - rng.randint(2, 14), last, "M"),
            base=base,
            adjustment=rng.choice("NS"),
            through_national=national,
        )
    for s in series:
        inject_series_problems(rng, s, problems, rate, now)
    if "base_mixed" in problems:
        for s in rng.sample(series, max(1, len(series) // 4)):
            s.later_base = (rng.choice(sorted(s.values)), s.base + rng.choice([1, -5, 3]))
    rows = inject_row_problems(rng, _rows(series), problems, rate)
    return Generated(
        name=f"gen_{seed:02d}.csv",
        agency=agency,
        rows=rows,
        columns=header_for(rows, rng),
        series=series,
        division_weights=division_weights,
        delimiter=";" if rng.random() < 0.2 else ",",
    )


# --- Files over the cap --------------------------------------------------------------------------
# Each makes one rule find more than the 1,000 findings a report keeps, so the cap and the
# order of the findings kept are compared too. (W07 finds one per submission and W08 one per
# series, of which a country has at most a few hundred valid ones: those have no cap file.)


def distinct_series(
    rng: random.Random,
    count: int,
    *,
    months: int,
    last: int,
    adjustments: str = "N",
    base: int | None = None,
    noise: float | None = None,
) -> list[Series]:
    """`count` Thai series with distinct keys: every ISIC code in each adjustment in turn."""
    keys = [(a, code) for a in adjustments for code in ISIC]
    if count > len(keys):
        raise ValueError(f"only {len(keys)} distinct series in adjustments {adjustments}")
    return [
        new_series(
            rng,
            country="TH",
            activity=code,
            adjustment=adjustment,
            base=base or last // 12 - 3,
            first=last - months + 1,
            last=last,
            noise=noise,
        )
        for adjustment, code in keys[:count]
    ]


def _rows(series: list[Series]) -> list[dict[str, str]]:
    return [row for s in series for row in s.rows()]


def cap_files(now: int) -> list[Generated]:
    rng = random.Random(1000)
    made: list[Generated] = []

    def add(name: str, series: list[Series], rows: list[dict[str, str]] | None = None) -> None:
        rows = _rows(series) if rows is None else rows
        made.append(Generated(name, "TH_OIE", rows, header_for(rows), series))

    # E02: rows with neither ACTIVITY nor NAT_CODE; E03: unknown codes of every kind.
    series = distinct_series(rng, 120, months=48, last=now - 1, adjustments="NSWYT")
    rows = _rows(series)
    for i, row in enumerate(rows):
        if i % 3 == 0:
            row["ACTIVITY"] = ""
        else:
            column = list(BAD_CODES)[i % len(BAD_CODES)]
            row[column] = BAD_CODES[column][i % len(BAD_CODES[column])]
    add("cap_e02_e03_codes.csv", series, rows)
    # E04: another country's REF_AREA on most rows.
    series = distinct_series(rng, 60, months=45, last=now - 2, adjustments="NS")
    rows = _rows(series)
    for i, row in enumerate(rows):
        row["REF_AREA"] = ["VN", "th", "", "KH", "TH", " TH"][i % 6]
    add("cap_e04_ref_area.csv", series, rows)
    # E05: future and malformed periods.
    series = distinct_series(rng, 40, months=60, last=now + 30)
    rows = _rows(series)
    for i, row in enumerate(rows):
        if i % 7 == 0:
            row["TIME_PERIOD"] = respell(rng, row["TIME_PERIOD"], "M")
    add("cap_e05_periods.csv", series, rows)
    # E06: values written every wrong way.
    series = distinct_series(rng, 30, months=50, last=now - 1, adjustments="NSWYT")
    rows = _rows(series)
    for i, row in enumerate(rows):
        if i % 5:
            row["OBS_VALUE"] = BAD_VALUES[i % len(BAD_VALUES)]
            row["OBS_STATUS"] = ["A", "", "M", "P", "L"][i % 5]
    add("cap_e06_values.csv", series, rows)
    # E07: every row given twice (some spelled differently).
    series = distinct_series(rng, 30, months=40, last=now - 1)
    rows = []
    for row in _rows(series):
        again = dict(row, OBS_VALUE=f"{float(row['OBS_VALUE']) + 1:.1f}")
        if len(rows) % 4 == 0:
            again["TIME_PERIOD"] = respell(rng, row["TIME_PERIOD"], "M", valid=True)
        rows += [row, again]
    add("cap_e07_duplicates.csv", series, rows)
    # E08: base years mixed within series, and years outside 1990-now.
    series = distinct_series(rng, 30, months=48, last=now - 1)
    rows = _rows(series)
    for i, row in enumerate(rows):
        if i % 48 >= 20:
            row["BASE_PER"] = ["2019", "1985", "2031", "2020", "x"][i % 5]
    add("cap_e08_base_years.csv", series, rows)
    # E09: 30 series giving every year since 1990 on that year as base, averaging 103 (one
    # finding per series and base year; E08 finds the mixed base years too).
    series = []
    for code in ISIC[:30]:
        for year in range(1990, (now - 12) // 12 + 1):
            one = new_series(
                rng,
                country="TH",
                activity=code,
                base=year,
                first=month_number(year, 1),
                last=month_number(year, 12),
            )
            for period, text in one.values.items():
                one.set_number(period, float(text) * 1.03)
            series.append(one)
    add("cap_e09_base_means.csv", series)
    # W01: 40 N series of 12 years whose last three years swing unusually every month.
    series = distinct_series(rng, 40, months=144, last=now - 1, noise=0.004)
    for s in series:
        for i, period in enumerate(sorted(s.values)[-36:]):
            s.set_number(period, float(s.values[period]) * (1.15 if i % 2 else 0.87))
    add("cap_w01_movements.csv", series)
    # W02: adjusted series jumping month to month; W03: N series jumping year to year.
    series = distinct_series(rng, 40, months=60, last=now - 1, adjustments="S")
    for s in series:
        for i, period in enumerate(sorted(s.values)):
            if i % 2:
                s.set_number(period, float(s.values[period]) * 1.5)
    yearly = distinct_series(rng, 40, months=60, last=now - 1)
    for s in yearly:
        for period in s.values:
            if period // 12 % 2:
                s.set_number(period, float(s.values[period]) * 1.5)
    add("cap_w02_w03_jumps.csv", series + yearly)
    # W05: most months missing without a status.
    series = distinct_series(rng, 60, months=48, last=now - 1, adjustments="NS")
    for s in series:
        for i, period in enumerate(sorted(s.values)[1:-1]):
            if i % 2 == 0 or i % 7 == 3:
                del s.values[period]
    add("cap_w05_gaps.csv", series)
    # W06: runs of three equal values one after another.
    series = distinct_series(rng, 100, months=48, last=now - 1, adjustments="NSWYT")
    for s in series:
        periods = sorted(s.values)
        for i, period in enumerate(periods):
            if i % 4 in (1, 2):
                s.values[period] = s.values[periods[i - i % 4]]
    add("cap_w06_flat.csv", series)
    # W09: Thailand's D against its division 35, in five adjustments since 1990.
    series = []
    for adjustment in "NSWYT":
        series += section_block(
            rng,
            country="TH",
            section="D",
            weights={"35": 9.2},
            periods=periods_between(month_number(1990, 1), now - 1, "M"),
            base=2021,
            adjustment=adjustment,
            offsets=(0.0, 0.3, 0.6, -1.5, 4.0, -0.8),
        )
    add("cap_w09_sections.csv", series)
    return made


# --- History: files validated against the national store ------------------------------------


def history_scenarios(work: Path, now: int) -> list[Scenario]:
    scenarios: list[Scenario] = []

    def scenario(name: str, agency: str, steps: list[tuple]) -> None:
        """steps: (rows, options, apply[, agency])"""
        out = []
        for number, (rows, options, apply, *who) in enumerate(steps, 1):
            path = write_csv(work / f"history_{name}_{number}.csv", rows, header_for(rows))
            out.append(Step(path, path.name, options, apply, who[0] if who else ""))
        scenarios.append(Scenario(f"history/{name}", agency, out))

    rng = random.Random(2000)
    first, last = month_number(2012, 1), month_number(2024, 12)

    def thai(code: str, adjustment: str = "N", *, national: bool = False, **kw) -> Series:
        kw = {"base": 2021, "first": first, "last": now - 1, "noise": 0.004} | kw
        return new_series(
            rng,
            country="TH",
            activity="" if national else code,
            nat_code=code if national else "",
            adjustment=adjustment,
            **kw,
        )

    # 13 years stored, then the next months: revisions of stored values (W04), withdrawals
    # by a missing status (W04), unusual movements against the stored years (W01, W03), jumps
    # of adjusted series on their stored previous month (W02), and a flat run begun in the
    # store and continued by the upload (W06).
    series = [thai("C"), thai("10"), thai("29"), thai("D", "S"), thai("B-E", "Y")]
    series.append(thai("1104", national=True))
    stored = [_cut(s, first, last) for s in series]
    flat = stored[1]
    run = sorted(flat.values)[-3:]
    for period in run:
        flat.values[period] = flat.values[run[0]]
    later = [_cut(s, last - 3, now - 1) for s in series]
    for s in later:
        periods = sorted(s.values)
        s.set_number(periods[0], float(s.values[periods[0]]) * rng.choice([1.01, 1.03, 1.07]))
        s.values[periods[1]], s.statuses[periods[1]] = "", rng.choice(MISSING)
        for period in rng.sample(periods[4:], 3):
            s.set_number(period, float(s.values[period]) * rng.choice([1.15, 0.8, 1.3]))
    later[1] = _cut(series[1], last + 1, now - 1)
    later[1].values[last + 1] = flat.values[last]
    scenario("continuation", "TH_OIE", [(_rows(stored), {}, True), (_rows(later), {}, False)])

    # A base change: base 2016 stored, then base 2021 overlapping it, then a revision of that.
    old = [thai(c, base=2016, first=month_number(2014, 1), last=last - 24) for c in ("C", "22")]
    new = [thai(c, first=month_number(2020, 1), last=now - 2) for c in ("C", "22")]
    revised = [_cut(s, now - 14, now - 2) for s in new]
    for s in revised:
        for period in sorted(s.values)[:3]:
            s.set_number(period, float(s.values[period]) * 1.06)
        s.values[now - 1] = f"{float(s.values[now - 2]) * 1.4:.1f}"
    scenario(
        "base_change",
        "TH_OIE",
        [(_rows(old), {}, True), (_rows(new), {}, True), (_rows(revised), {}, False)],
    )

    # replace and delete actions on stored series, then an upload validated against the result.
    replacing = [_cut(s, last - 24, last) for s in stored[:3]]
    for s in replacing:
        for period in rng.sample(sorted(s.values), 5):
            s.values[period], s.statuses[period] = "", rng.choice(MISSING)
    scenario(
        "replace",
        "TH_OIE",
        [
            (_rows(stored[:3]), {}, True),
            (_rows(replacing), {"action": "replace"}, True),
            (_rows([_cut(s, last - 30, now - 1) for s in series[:3]]), {}, False),
        ],
    )
    # A delete names observations (one series by another base year, which withdraws nothing);
    # the same with periods in the future and BASE_PER errors is rejected.
    deleting = _rows([_cut(s, last - 5, last) for s in stored[:3]])
    for i, row in enumerate(deleting):
        row["OBS_VALUE"] = "" if i % 2 else row["OBS_VALUE"]
        row["BASE_PER"] = "2016" if i >= 12 else row["BASE_PER"]
    broken = [dict(row) for row in deleting]
    for i, row in enumerate(broken):
        row["TIME_PERIOD"] = "2031-01" if i % 7 == 0 else row["TIME_PERIOD"]
        row["BASE_PER"] = "21" if i % 4 == 0 else row["BASE_PER"]
        row["ACTIVITY"] = "99" if i % 9 == 0 else row["ACTIVITY"]
    scenario(
        "delete",
        "TH_OIE",
        [
            (_rows(stored[:3]), {}, True),
            (broken, {"action": "delete"}, True),
            (deleting, {"action": "delete"}, True),
            (_rows([_cut(s, last - 12, now - 1) for s in series[:3]]), {}, False),
        ],
    )

    # W04 over the cap: 1,200 stored values, all revised by 10%.
    many = distinct_series(rng, 5, months=240, last=last, base=2015)
    revised = [_cut(s, 0, last) for s in many]
    for s in revised:
        for period, text in s.values.items():
            s.set_number(period, float(text) * 1.1)
    scenario("cap_w04_revisions", "TH_OIE", [(_rows(many), {}, True), (_rows(revised), {}, False)])

    # Quarterly series; national codes that H1 combines (validated as a dry run).
    quarterly = [thai(c, freq="Q", first=month_number(2010, 1), last=now - 3) for c in ("C", "10")]
    scenario(
        "quarterly",
        "TH_OIE",
        [
            (_rows([_cut(s, 0, last) for s in quarterly]), {}, True),
            (_rows(_moved(rng, [_cut(s, last - 11, now) for s in quarterly])), {}, False),
        ],
    )
    national = [thai(c, national=True) for c in ("1011", "1072", "3510", "3520", "D")]
    scenario(
        "national_codes",
        "TH_OIE",
        [
            (_rows([_cut(s, 0, last - 6) for s in national]), {}, True),
            (_rows(_moved(rng, [_cut(s, last - 11, now - 1) for s in national])), {}, False),
            (_rows([_cut(s, last - 6, now - 1) for s in national]), {"dry_run": True}, False),
        ],
    )

    # Another agency's store is not this agency's history.
    vietnam = [
        new_series(rng, country=country, activity=code, base=2020, first=first, last=now - 1)
        for country in ("VN", "TH")
        for code in ("C", "B")
    ]
    moved = _moved(rng, [_cut(s, last - 11, now - 1) for s in vietnam[2:]])
    scenario(
        "other_agency",
        "TH_OIE",
        [(_rows(vietnam[:2]), {}, True, "VN_NSO"), (_rows(moved), {}, False)],
    )

    # Random continuations: a clean stored file, then the next months with random problems.
    for seed in range(6):
        rng = random.Random(3000 + seed)
        start = month_number(rng.choice([2008, 2014, 2018]), 1)
        split = now - rng.choice([3, 6, 13])
        series = [
            thai(
                code,
                rng.choice("NNNSY"),
                base=rng.choice([2016, 2021]),
                first=start,
                noise=rng.choice([0.003, 0.01]),
            )
            for code in rng.sample(ISIC, rng.randint(3, 10))
        ]
        stored = [_cut(s, start, split) for s in series]
        later = [_cut(s, split - rng.randint(0, 8), now - 1) for s in series]
        problems = set(rng.sample(PROBLEMS[:10], 5)) | {"moves", "missing", "flat"}
        for s in later:
            for period in sorted(s.values)[:4]:
                if rng.random() < 0.5:
                    s.set_number(period, float(s.values[period]) * rng.uniform(0.9, 1.1))
            inject_series_problems(rng, s, problems, 0.03, now)
        rows = inject_row_problems(rng, _rows(later), problems, 0.01)
        scenario(f"random_{seed}", "TH_OIE", [(_rows(stored), {}, True), (rows, {}, False)])
    return scenarios


def _cut(series: Series, first: int, last: int) -> Series:
    """A copy of `series` over first..last."""
    return Series(
        ref_area=series.ref_area,
        activity=series.activity,
        nat_code=series.nat_code,
        adjustment=series.adjustment,
        freq=series.freq,
        base=series.base,
        values={p: v for p, v in series.values.items() if first <= p <= last},
        statuses={p: v for p, v in series.statuses.items() if first <= p <= last},
        decimals=series.decimals,
    )


def _moved(rng: random.Random, series: list[Series]) -> list[Series]:
    """A few values of each series moved by 4% to 33%."""
    for s in series:
        for period in rng.sample(sorted(s.values), min(3, len(s.values))):
            s.set_number(period, float(s.values[period]) * rng.choice([1.3, 0.75, 1.04]))
    return series


# --- All scenarios ---------------------------------------------------------------------------


def corpus_scenarios(corpus: Path) -> list[Scenario]:
    """Every corpus file as tests/indices/test_corpus.py runs it."""
    scenarios = []
    for entry in json.loads((corpus / "manifest.json").read_text()):
        agency = entry.get("agency", "TH_OIE")
        # Uploaded under the file's own name, as tests/indices/corpus.py does.
        files = [*entry.get("before", []), entry["file"]]
        steps = [Step(corpus / f, Path(f).name, {}, f != entry["file"]) for f in files]
        weights = {k: str(v) for k, v in (entry.get("division_weights") or {}).items()}
        scenarios.append(Scenario(f"corpus/{entry['file']}", agency, steps, weights))
    return scenarios


def generated_scenarios(work: Path, now: int, concordances: dict, count: int) -> list[Scenario]:
    """`count` random long CSV files, a few of them again as XLSX or wide, and the cap files."""
    scenarios = []
    files = [random_file(seed, now, concordances) for seed in range(count)]
    for made in files:
        path = write_csv(work / made.name, made.rows, made.columns, delimiter=made.delimiter)
        scenarios.append(_single("generated", made, path))
    for made in files[1:count:8]:
        path = write_xlsx(work / made.name.replace(".csv", ".xlsx"), made.rows, made.columns)
        scenarios.append(_single("generated", made, path))
    for made in files[2:count:10]:
        monthly = [s for s in made.series if s.freq == "M" and s.activity]
        for suffix in (".wide.csv", ".wide.xlsx"):
            path = write_wide(work / made.name.replace(".csv", suffix), monthly)
            scenarios.append(_single("generated", made, path))
    for made in cap_files(now):
        path = write_csv(work / made.name, made.rows, made.columns)
        scenarios.append(_single("cap", made, path))
        if made.name.startswith(("cap_e06", "cap_w06")):  # the cap's order with XLSX cells
            path = write_xlsx(work / made.name.replace(".csv", ".xlsx"), made.rows, made.columns)
            scenarios.append(_single("cap", made, path))
    return scenarios


def _single(kind: str, made: Generated, path: Path) -> Scenario:
    return Scenario(
        f"{kind}/{path.name}", made.agency, [Step(path, path.name)], made.division_weights
    )


def all_scenarios(*, corpus: Path, work: Path, now: datetime, generated: int) -> list[Scenario]:
    work.mkdir(parents=True, exist_ok=True)
    current = month_number(now.year, now.month)
    concordances = json.loads((corpus / "concordances.json").read_text())
    return (
        corpus_scenarios(corpus)
        + generated_scenarios(work, current, concordances, generated)
        + history_scenarios(work, current)
    )
