"""Each member's calendar as X-13 regressors (H7): a working-day regressor and one moving
festival regressor per festival, by month.

Sources: public holidays from the `holidays` package (python-holidays, pinned in
requirements.txt), which follows each government's official announcements; festivals are the
holidays whose names match FESTIVALS below. Japan's New Year holidays are the closure of
government offices from 29 December to 3 January (Act on Holidays of Administrative Organs,
Act No. 91 of 1988, article 1), which the `holidays` package does not list (only 1 January).

- Working days (WD): Monday-Friday that are neither a public holiday nor a festival day,
  contrasted with the other days as X-13's td1coef does: WD(t) = working(t) - 5/2 x other(t).
- Festival (one per festival): the festival's days of month t that fall Monday-Friday (the
  working days it takes away). Tet moves between January and February; an April festival
  (Songkran, Khmer New Year, Pi Mai Lao, Thingyan) stays in April but takes away 1 to 4
  working days depending on the weekday it starts.
- Each regressor is centred on its long-run mean of the same calendar month (CENTRE_YEARS),
  so it carries no seasonality of its own: the seasonal factors keep the regular part, the
  regressor only the year-to-year difference.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

CENTRE_YEARS = range(2000, 2040)


@dataclass(frozen=True)
class Festival:
    name: str  # the regressor's name in specs and diagnostics
    pattern: str  # matched against the holidays package's English names
    extra_days: tuple[tuple[int, int], ...] = ()  # (month, day) added every year


FESTIVALS: dict[str, tuple[Festival, ...]] = {
    "TH": (Festival("songkran", r"Songkran"),),
    "KH": (Festival("khmer_new_year", r"Khmer New Year"),),
    "LA": (Festival("pi_mai_lao", r"Lao New Year"),),
    "MM": (Festival("thingyan", r"Myanmar New Year|Thingyan"),),
    "VN": (Festival("tet", r"Lunar New Year"),),
    "JP": (
        Festival("golden_week", r"Showa Day|Constitution Day|Greenery Day|Children's Day"),
        Festival(
            "new_year",
            r"^New Year's Day",
            ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)),
        ),
    ),
}


@cache
def _holidays(country: str, year: int) -> dict[date, str]:
    try:
        found = holidays.country_holidays(country, years=year, language="en_US")
    except (NotImplementedError, KeyError):
        return {}
    return dict(found.items())


@cache
def festival_days(country: str, year: int) -> dict[str, frozenset[date]]:
    """Each festival's days in `year` (calendar year)."""
    result: dict[str, frozenset[date]] = {}
    for festival in FESTIVALS.get(country, ()):
        # Substitute days ("Songkran Festival (in lieu)", 2024-04-16) match the pattern too.
        days = {
            d for d, name in _holidays(country, year).items() if re.search(festival.pattern, name)
        }
        days |= {date(year, m, d) for m, d in festival.extra_days}
        result[festival.name] = frozenset(days)
    return result


def _month_counts(country: str, year: int, month: int) -> dict[str, float]:
    festivals = festival_days(country, year)
    festival_all = frozenset().union(*festivals.values()) if festivals else frozenset()
    public = _holidays(country, year)
    working = other = 0
    festival_weekdays = dict.fromkeys(festivals, 0)
    first = date(year, month, 1)
    for offset in range(calendar.monthrange(year, month)[1]):
        day = first + timedelta(days=offset)
        weekday = day.weekday() < 5
        for name, days in festivals.items():
            if weekday and day in days:
                festival_weekdays[name] += 1
        # A festival's weekdays count as working days here: its own regressor takes them away.
        if weekday and (day not in public or day in festival_all):
            working += 1
        else:
            other += 1
    return {"wd": working - 2.5 * other, **{k: float(v) for k, v in festival_weekdays.items()}}


@cache
def _centres(country: str) -> dict[tuple[str, int], float]:
    sums: dict[tuple[str, int], float] = {}
    for year in CENTRE_YEARS:
        for month in range(1, 13):
            for name, value in _month_counts(country, year, month).items():
                sums[(name, month)] = sums.get((name, month), 0.0) + value
    return {key: total / len(CENTRE_YEARS) for key, total in sums.items()}


def regressor_names(country: str) -> list[str]:
    return ["wd", *(f.name for f in FESTIVALS.get(country, ()))]


def regressors(country: str, months: Iterable[tuple[int, int]]) -> dict[str, list[float]]:
    """Centred regressors for the (year, month)s given, by name (wd first)."""
    centres = _centres(country)
    result: dict[str, list[float]] = {name: [] for name in regressor_names(country)}
    for year, month in months:
        counts = _month_counts(country, year, month)
        for name in result:
            result[name].append(counts[name] - centres[(name, month)])
    return result
