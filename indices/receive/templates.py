"""What goes into an agency's ready-to-fill template: its series keys and the periods due."""

from __future__ import annotations

from datetime import date

from countries.models import Agency
from indices.national.models import NationalObservation
from indices.receive.parsing import TemplateSeries

DEFAULT_SECTIONS = ("B", "C", "D", "E")


def template_series(*, agency: Agency) -> list[TemplateSeries]:
    """The agency's stored monthly series (their latest base year); a first-time agency gets
    the four ISIC sections, not adjusted, to start from."""
    stored = (
        NationalObservation.objects.filter(series__agency=agency, series__freq="M")
        .order_by("series__series_id", "-period_start")
        .distinct("series__series_id")
        .values_list("activity", "series__nat_code", "series__adjustment", "base_year")
    )
    series = [
        TemplateSeries(
            activity="" if nat_code else activity,
            nat_code=nat_code,
            adjustment=adjustment,
            base_per=str(base_year),
        )
        for activity, nat_code, adjustment, base_year in stored
    ]
    return series or [TemplateSeries(activity=section) for section in DEFAULT_SECTIONS]


def template_periods(*, today: date, months: int) -> list[str]:
    """The `months` most recent completed months, oldest first."""
    year, month = today.year, today.month
    periods = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append(f"{year:04d}-{month:02d}")
    return periods[::-1]
