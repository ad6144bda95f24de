"""Values as published (rounded half away from zero, like PostgreSQL's numeric round, so the
data endpoint and the bulk export agree to the digit) and the data CSV rendering."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from rest_framework.renderers import BaseRenderer

from indices.publish.models import PublishedSeries

DATA_COLUMNS = [
    "KEY",
    "FREQ",
    "REF_AREA",
    "ACTIVITY",
    "ADJUSTMENT",
    "TRANSFORMATION",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "COMMENT",
]
HISTORY_COLUMNS = ["VALID_FROM", "VALID_TO"]
CHANGE_COLUMNS = ["ACTION"]
QUANTA = {places: Decimal(1).scaleb(-places) for places in range(10)}


def decimals_of(series: PublishedSeries) -> int:
    return places(series.transformation, series.attributes)


def places(transformation: str, attributes: dict) -> int:
    """The series' DECIMALS attribute; else 2 for index levels, 1 for percentage changes."""
    declared = attributes.get("DECIMALS")
    if isinstance(declared, int) and 0 <= declared < len(QUANTA):
        return declared
    return 2 if transformation == "IX" else 1


def rounded(value: float | None, places: int) -> Decimal | None:
    if value is None:
        return None
    # 15 significant digits: what PostgreSQL keeps when it casts float8 to numeric.
    result = Decimal(format(value, ".15g")).quantize(QUANTA[places], ROUND_HALF_UP)
    return result if result else abs(result)  # no "-0.0": numeric has no negative zero


def instant(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.isoformat().replace("+00:00", "Z")


class DataCsvRenderer(BaseRenderer):
    """One row per observation; the columns for the mode asked (history, changes) are added
    after the standard ones. No BOM: this CSV is for programs (pandas, R, SQL COPY)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "series" not in data:
            return str(data).encode()
        extra = list(getattr((renderer_context or {}).get("view"), "csv_extra", ()))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(DATA_COLUMNS + extra)
        for series in data["series"]:
            d = series["dimensions"]
            head = [
                series["key"],
                d["FREQ"],
                d["REF_AREA"],
                d["ACTIVITY"],
                d["ADJUSTMENT"],
                d["TRANSFORMATION"],
            ]
            shown = f"{{:.{places(d['TRANSFORMATION'], series['attributes'])}f}}".format
            for o in series["observations"]:
                value = o["value"]
                row = [*head, o["period"], "" if value is None else shown(value), o["status"]]
                row.append(o.get("comment", ""))
                if extra == HISTORY_COLUMNS:
                    row += [instant(o["valid_from"]), instant(o["valid_to"])]
                elif extra == CHANGE_COLUMNS:
                    row.append(o["action"])
                writer.writerow(row)
        return buffer.getvalue().encode()
