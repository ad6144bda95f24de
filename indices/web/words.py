"""Series said in words for readers: titles from the standard's codelists, periods, numbers and
dates as people write them. No database reads here: only the standard (a cached file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.utils import timezone

from countries.standard import load_definition

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# What people read: a minus sign (not a hyphen) and a dash for a missing value.
MINUS, DASH = "\u2212", "\u2013"
FREQUENCIES = {"M": "monthly", "Q": "quarterly", "A": "annual"}
# The adjustment as a reader says it (CL_ADJUSTMENT names it "Neither seasonally nor calendar
# adjusted", which is right and long): the codelist's name where no shorter wording is kept.
ADJUSTMENTS = {
    "N": "not seasonally adjusted",
    "S": "seasonally adjusted",
    "W": "calendar adjusted only",
    "Y": "seasonally and calendar adjusted",
    "T": "trend-cycle",
}
# The views of one series (its TRANSFORMATION), as the series page's switch names them.
VIEWS = {
    "IX": {"M": "Index level", "Q": "Index level", "A": "Index level"},
    "PCH_PRE": {"M": "Month on month", "Q": "Quarter on quarter", "A": "Year on year"},
    "PCH_SM": {"M": "Year on year", "Q": "Year on year", "A": "Year on year"},
}
PERIOD_NAMES = {"M": "month", "Q": "quarter", "A": "year"}
# Words a reader may type for an area besides its name (found by their beginning: "thai" finds
# Thailand already, "vietnam" does not find "Viet Nam").
AREA_WORDS = {
    "KH": ["cambodian", "khmer"],
    "LA": ["laos", "lao"],
    "MM": ["burma", "burmese", "myanmar"],
    "TH": ["thai"],
    "VN": ["vietnam", "vietnamese"],
    "JP": ["japanese"],
    "MKG": ["region", "regional", "aggregate", "group"],
    "MKG_JP": ["region", "regional", "aggregate", "group"],
}


@cache
def names(codelist: str) -> dict[str, str]:
    return {code.code: code.name for code in load_definition().codelists[codelist]}


def order(codelist: str) -> dict[str, int]:
    return {code: index for index, code in enumerate(names(codelist))}


def area_name(code: str) -> str:
    return names("CL_AREA").get(code, code)


def activity_name(code: str) -> str:
    """ "Manufacturing (ISIC C)"."""
    name = names("CL_ACTIVITY_ISIC4").get(code)
    return f"{name} (ISIC {code})" if name else f"ISIC {code}"


def unit(transformation: str, freq: str, ref_year: object = None) -> str:
    if transformation == "IX":
        return f"index, {ref_year or load_definition().ref_year} = 100"
    period = PERIOD_NAMES.get(freq, "period")
    if transformation == "PCH_PRE":
        return f"% change on the previous {period}"
    if freq == "A":
        return "% change on the previous year"
    return f"% change on the same {period} a year earlier"


@dataclass(frozen=True)
class Key:
    """A series key's five codes (FREQ.REF_AREA.ACTIVITY.ADJUSTMENT.TRANSFORMATION)."""

    freq: str
    area: str
    activity: str
    adjustment: str
    transformation: str

    @classmethod
    def parse(cls, key: str) -> Key | None:
        parts = key.split(".")
        if len(parts) != 5 or not all(parts):
            return None
        return cls(*parts)

    def __str__(self) -> str:
        return ".".join((self.freq, self.area, self.activity, self.adjustment, self.transformation))

    def but(self, **changes: str) -> Key:
        return Key(**{**self.__dict__, **changes})


def title(key: Key, ref_year: object = None) -> str:
    """ "Thailand · Manufacturing (ISIC C) · not seasonally adjusted · index, 2021 = 100", with
    " · quarterly" or " · annual" after it for those frequencies."""
    parts = [
        area_name(key.area),
        activity_name(key.activity),
        ADJUSTMENTS.get(key.adjustment, key.adjustment),
        unit(key.transformation, key.freq, ref_year),
    ]
    if key.freq != "M":
        parts.append(FREQUENCIES.get(key.freq, key.freq))
    return " · ".join(parts)


def short_label(key: Key) -> str:
    """What tells one series from others on a shared chart: area and activity."""
    return f"{area_name(key.area)} · {names('CL_ACTIVITY_ISIC4').get(key.activity, key.activity)}"


def period(label: str) -> str:
    """ "Jan 2024" for 2024-01, "Q1 2024" for 2024-Q1, "2024" for a year."""
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        return f"{MONTHS[int(label[5:]) - 1]} {label[:4]}"
    if len(label) == 7 and label[5] == "Q":
        return f"{label[5:]} {label[:4]}"
    return label


def number(value: float | None, places: int = 1) -> str:
    """ "104.5", "1,234.0"; a minus sign for negative values; a dash for no value."""
    if value is None:
        return DASH
    text = f"{value:,.{places}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.0"
    return text.replace("-", MINUS)


def change(value: float | None, places: int = 1) -> str:
    """A growth rate with its sign: "+1.2%", MINUS "0.4%"."""
    if value is None:
        return DASH
    text = number(value, places)
    if text.startswith(MINUS) or not text.strip("0.,"):
        return f"{text}%"
    return f"+{text}%"


def day(value: date | datetime | None) -> str:
    """ "5 March 2025"; an instant in the site's time zone, with its time: "5 March 2025,
    14:00 UTC"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"
    return f"{value.day} {value:%B %Y}"
