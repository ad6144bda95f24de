"""CSV renderings, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

REPORT_COLUMNS = [
    "rule",
    "severity",
    "row",
    "sheet",
    "cell",
    "column",
    "value",
    "series_key",
    "time_period",
    "message",
]
# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class ReportCsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "findings" not in data:
            # An error body (problem+json is rendered by the exception handler, not here).
            return str(data).encode()
        buffer = io.StringIO()
        # BOM: Excel opens UTF-8 CSV (Thai messages, values) correctly only with it.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(REPORT_COLUMNS)
        for finding in data["findings"]:
            writer.writerow([spreadsheet_safe(finding.get(column)) for column in REPORT_COLUMNS])
        return buffer.getvalue().encode("utf-8")
