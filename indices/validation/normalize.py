"""From a file row's raw text to the staging table's normalized columns (STANDARD.md section 3).

Pure Python, no database. Everything that repeats across rows (codes, periods, base years) is
cached in dicts, because a million-row upload has a few thousand distinct values of those and a
million distinct OBS_VALUEs: only the value is parsed on every row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from indices.standard import StandardDefinition

if TYPE_CHECKING:  # the parsers' row type; only its attributes are used here
    from indices.parsing import RawRow

UPLOAD_FREQS = frozenset({"M", "Q"})
DEFAULT_FREQ = "M"
DEFAULT_ADJUSTMENT = "N"
DEFAULT_STATUS = "A"
SERIES_ID_MAX = 80  # SubmissionRow.series_id

_MONTHLY = re.compile(r"^(\d{4})(?:-|M|-M)(\d{2})$")
_QUARTERLY = re.compile(r"^(\d{4})-?Q([1-4])$")
# A plain decimal with a point: no thousands separator, no comma, no NaN/Infinity words.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_YEAR = re.compile(r"^\d{4}$")

Normalized = tuple[
    str | None,  # freq_n
    str | None,  # adjustment_n
    str | None,  # status_n
    str | None,  # activity_n
    date | None,  # period_start
    str | None,  # period_label
    float | None,  # value_n
    int | None,  # base_year
    str | None,  # series_id
]


# COPY text format (the staging load writes rows as text): backslash, tab, newline and carriage
# return are escaped; NULL is \N.
COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: object) -> str:
    """One field in COPY text format."""
    if value is None:
        return COPY_NULL
    if isinstance(value, float):
        return repr(value)
    return str(value).translate(_COPY_ESCAPES)


def copy_value(obs_value: str) -> str:
    """value_n of an OBS_VALUE as COPY text."""
    return copy_text(parse_value(obs_value) if obs_value else None)


# Lines of plain decimals (digits with at most one point), which PostgreSQL's float8 input
# reads exactly as parse_value does.
_PLAIN_DECIMALS = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:\n(?:[0-9]+\.?[0-9]*|\.[0-9]+))*")


class _Texts(dict):
    """A dict filling itself from `make` on a miss, so lookups can run as a C-level map."""

    def __init__(self, make: Callable[[Any], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> str:
        value = self[key] = self.make(key)
        return value


def parse_period(text: str, freq: str | None) -> tuple[date, str] | None:
    """(first day, canonical label) of a TIME_PERIOD, or None if it is not a period of `freq`."""
    text = text.upper()
    if freq == "M":
        match = _MONTHLY.match(text)
        if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
            year, month = int(match[1]), int(match[2])
            return date(year, month, 1), f"{year:04d}-{month:02d}"
    elif freq == "Q":
        match = _QUARTERLY.match(text)
        if match and int(match[1]) >= 1:
            year, quarter = int(match[1]), int(match[2])
            return date(year, 3 * quarter - 2, 1), f"{year:04d}-Q{quarter}"
    return None


def parse_value(text: str) -> float | None:
    if not _NUMBER.match(text):
        return None
    value = float(text)
    # "1e999" matches the pattern but overflows to inf.
    return value if math.isfinite(value) else None


def activity_code(text: str, isic_codes: frozenset[str]) -> str | None:
    """An ISIC code as written, or with the leading zero Excel drops from divisions 05-09."""
    code = text.upper()
    if code in isic_codes:
        return code
    if len(code) == 1 and code.isdigit() and "0" + code in isic_codes:
        return "0" + code
    return None


class Normalizer:
    def __init__(self, *, standard: StandardDefinition, concordance: dict[str, str]) -> None:
        self.standard = standard
        self.concordance = concordance
        self.isic_codes = standard.codes("CL_ACTIVITY_ISIC4")
        self.adjustments = standard.codes("CL_ADJUSTMENT")
        self.statuses = standard.codes("CL_OBS_STATUS")
        # (freq, adjustment, status, activity, nat_code, base_per, ref_area) -> everything that
        # does not depend on the period or the value; (time_period, freq_n) -> period.
        self._series_cache: dict[tuple[str, ...], tuple] = {}
        self._period_cache: dict[tuple[str, str | None], tuple[date, str] | None] = {}
        # The same as COPY text, for the staging load (see `copy_texts`).
        self._series_texts = _Texts(self._series_text)
        self._period_texts = _Texts(self._period_text)

    def copy_texts(
        self, columns: list[tuple[str, ...]]
    ) -> tuple[list[str], list[str], Sequence[str]]:
        """COPY text of the normalized columns of a batch of rows given column by column (the
        RawRow fields, transposed): the series part (freq_n, adjustment_n, status_n,
        activity_n, base_year, series_id), the period (period_start, period_label) and value_n.

        The loops over rows are C loops over cached texts: a million rows have a few thousand
        series keys and periods. Values are the one thing parsed per row, and a batch of plain
        decimals is not even that: PostgreSQL reads "101.25" into the same double as float().
        """
        (_, _, _, ref_area, activity, nat_code, adjustment, freq, time_period, obs_value) = columns[
            :10
        ]
        series = list(
            map(
                self._series_texts.__getitem__,
                zip(
                    freq,
                    adjustment,
                    columns[10],
                    activity,
                    nat_code,
                    columns[11],
                    ref_area,
                    strict=True,
                ),
            )
        )
        periods = list(map(self._period_texts.__getitem__, zip(freq, time_period, strict=True)))
        values: Sequence[str]
        joined = "\n".join(obs_value)
        if (
            max(map(len, obs_value)) <= 300
            and joined.count("\n") == len(obs_value) - 1
            and _PLAIN_DECIMALS.fullmatch(joined)
        ):
            values = obs_value
        else:
            values = list(map(copy_value, obs_value))
        return series, periods, values

    def _series_text(self, key: tuple[str, ...]) -> str:
        series = self._series_cache.get(key)
        if series is None:
            series = self._series_cache[key] = self.series_part(*key)
        return "\t".join(map(copy_text, series))

    def _period_text(self, key: tuple[str, str]) -> str:
        freq, time_period = key
        freq_n = (freq or DEFAULT_FREQ).upper()
        period = parse_period(time_period, freq_n if freq_n in UPLOAD_FREQS else None)
        if period is None:
            return f"{COPY_NULL}\t{COPY_NULL}"
        return f"{period[0].isoformat()}\t{period[1]}"

    def normalized(self, row: RawRow) -> Normalized:
        key = (
            row.freq,
            row.adjustment,
            row.obs_status,
            row.activity,
            row.nat_code,
            row.base_per,
            row.ref_area,
        )
        series = self._series_cache.get(key)
        if series is None:
            series = self._series_cache[key] = self.series_part(*key)
        freq_n, adjustment_n, status_n, activity_n, base_year, series_id = series
        period_key = (row.time_period, freq_n)
        try:
            period = self._period_cache[period_key]
        except KeyError:
            period = self._period_cache[period_key] = parse_period(row.time_period, freq_n)
        period_start, period_label = period if period is not None else (None, None)
        value_n = parse_value(row.obs_value) if row.obs_value else None
        return (
            freq_n,
            adjustment_n,
            status_n,
            activity_n,
            period_start,
            period_label,
            value_n,
            base_year,
            series_id,
        )

    def series_part(
        self,
        freq: str,
        adjustment: str,
        status: str,
        activity: str,
        nat_code: str,
        base_per: str,
        ref_area: str,
    ) -> tuple:
        freq_n: str | None = (freq or DEFAULT_FREQ).upper()
        if freq_n not in UPLOAD_FREQS:
            freq_n = None
        adjustment_n: str | None = (adjustment or DEFAULT_ADJUSTMENT).upper()
        if adjustment_n not in self.adjustments:
            adjustment_n = None
        status_n: str | None = (status or DEFAULT_STATUS).upper()
        if status_n not in self.statuses:
            status_n = None
        activity_n = activity_code(activity, self.isic_codes) if activity else None
        if activity_n is None and nat_code:
            activity_n = self.concordance.get(nat_code)
        base_year = int(base_per) if _YEAR.match(base_per) else None
        # A row names its series by ACTIVITY when it has one, else by its national code: national
        # codes sharing an ISIC code stay separate series until harmonization combines them (H1).
        if activity:
            source = activity_n
        elif nat_code:
            source = f"NAT:{nat_code}"
        else:
            source = None
        series_id = (
            f"{freq_n}.{ref_area.upper()}.{source}.{adjustment_n}"
            if freq_n and adjustment_n and source
            else None
        )
        if series_id is not None and len(series_id) > SERIES_ID_MAX:
            # Only an unknown, overlong national code gets here; E03 reports it.
            series_id = None
        return freq_n, adjustment_n, status_n, activity_n, base_year, series_id
