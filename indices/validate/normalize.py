"""From a row's raw text to its normalized series key and period (STANDARD.md section 3).

Pure Python, no database, applied once per distinct series key and period (validation/frame.py
joins the results back onto the rows: a million-row upload has a few thousand of each). Values,
a million distinct ones, are parsed by polars (frame.value_expr).
"""

from __future__ import annotations

import re
from datetime import date

from countries.standard import StandardDefinition

UPLOAD_FREQS = frozenset({"M", "Q"})
DEFAULT_FREQ = "M"
DEFAULT_ADJUSTMENT = "N"
DEFAULT_STATUS = "A"
SERIES_ID_MAX = 80  # SubmissionRow.series_id

_MONTHLY = re.compile(r"^(\d{4})(?:-|M|-M)(\d{2})$")
_QUARTERLY = re.compile(r"^(\d{4})-?Q([1-4])$")
_YEAR = re.compile(r"^\d{4}$")

# What `Normalizer.series_part` returns.
SeriesPart = tuple[
    str | None,  # freq_n
    str | None,  # adjustment_n
    str | None,  # status_n
    str | None,  # activity_n
    int | None,  # base_year
    str | None,  # series_id
]


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

    def series_part(
        self,
        freq: str,
        adjustment: str,
        status: str,
        activity: str,
        nat_code: str,
        base_per: str,
        ref_area: str,
    ) -> SeriesPart:
        """(freq_n, adjustment_n, status_n, activity_n, base_year, series_id) of a row's FREQ,
        ADJUSTMENT, OBS_STATUS, ACTIVITY, NAT_CODE, BASE_PER and REF_AREA; None where invalid."""
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
