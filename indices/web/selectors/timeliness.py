"""Who has published which month: the timeliness board (published data only)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from countries.models import Agency, Country
from countries.standard import load_definition
from indices.publish.models import PublishedObservation, PublishedSeries


@dataclass
class MemberTimeliness:
    country: Country
    last_period: str | None
    late: bool
    months: list[tuple[str, str]]  # (period, "sent" | "late" | "due")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def timeliness_board(*, today: date, months: int = 12) -> list[MemberTimeliness]:
    """Which member has published which month (its monthly index levels), and who is late: a
    month is late once more than W07's max_days_late have passed since its end."""
    max_days = int(load_definition().threshold("W07", "max_days_late"))
    periods = _recent_months(today, months)
    members = list(
        Country.objects.filter(agencies__role=Agency.Role.REPORTER).distinct().order_by("code")
    )
    keys_by_area: dict[str, list[str]] = defaultdict(list)
    for key, area in PublishedSeries.objects.filter(
        freq="M", transformation="IX", ref_area__in=[m.code for m in members]
    ).values_list("series_key", "ref_area"):
        keys_by_area[area].append(key)
    area_of = {key: area for area, keys in keys_by_area.items() for key in keys}
    sent: dict[str, set[date]] = defaultdict(set)
    last: dict[str, date] = {}
    current = PublishedObservation.objects.filter(
        valid_to__isnull=True, series__series_key__in=area_of
    )
    for key, start in current.values_list("series__series_key", "period_start").distinct():
        area = area_of[key]
        if start >= periods[0]:
            sent[area].add(start)
        if area not in last or start > last[area]:
            last[area] = start
    board = []
    for member in members:
        cells = []
        late = False
        for start in periods:
            if start in sent[member.code]:
                state = "sent"
            elif today - month_end(start.year, start.month) > timedelta(days=max_days):
                state = "late"
            else:
                state = "due"
            cells.append((f"{start:%Y-%m}", state))
        # Late when the newest month that is already overdue has not been published.
        overdue = [
            start for start, (_, state) in zip(periods, cells, strict=True) if state != "due"
        ]
        newest_overdue = overdue[-1] if overdue else None
        if newest_overdue is not None:
            late = member.code not in last or last[member.code] < newest_overdue
        board.append(
            MemberTimeliness(
                country=member,
                last_period=f"{last[member.code]:%Y-%m}" if member.code in last else None,
                late=late,
                months=cells,
            )
        )
    return board


def _recent_months(today: date, months: int) -> list[date]:
    """The first days of the `months` months before the current one, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        starts.append(date(year, month, 1))
    return starts[::-1]


# The series pages (issue #17): one series, its releases and revisions, comparisons, finding.
