"""A submission's validation report, built once for the API (JSON and CSV) and the pages.

The findings are read in report order (rule, row); the CSV is safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict

from countries.standard import load_definition
from indices.receive.models import Submission
from indices.validate.models import Finding

# Report columns, each with the Finding field it shows.
REPORT_FIELDS = {
    "rule": "rule_id",
    "severity": "severity",
    "row": "row",
    "sheet": "sheet",
    "cell": "cell",
    "column": "column",
    "value": "value",
    "series_key": "series_key",
    "time_period": "time_period",
    "message": "message",
}
REPORT_COLUMNS = list(REPORT_FIELDS)
# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Findings of publication, not of validation: the series harmonization could not publish.
HARMONIZATION_TITLES = {"H2": "Series not published: harmonization could not place them"}


def report_findings(submission: Submission) -> list[dict]:
    """Every stored finding as the report shows it, in report order."""
    rows = (
        Finding.objects.filter(submission=submission)
        .order_by("rule_id", "row", "id")
        .values_list(*REPORT_FIELDS.values())
    )
    return [dict(zip(REPORT_COLUMNS, row, strict=True)) for row in rows]


def report_data(submission: Submission) -> dict:
    return {
        "submission": str(submission.pk),
        "status": submission.status,
        "file": submission.original_name,
        "summary": submission.summary,
        "findings": report_findings(submission),
    }


def report_csv(data: dict) -> bytes:
    """The report's findings as CSV, with a BOM: Excel opens UTF-8 CSV (Thai messages, values)
    correctly only with it."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for finding in data["findings"]:
        writer.writerow([spreadsheet_safe(finding.get(column)) for column in REPORT_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def report_groups(submission: Submission) -> list[dict]:
    """Findings grouped by rule, in rule order: id, title, severity, count, then each one."""
    rules = load_definition().rules
    by_rule = submission.summary.get("by_rule", {})
    groups: OrderedDict[str, dict] = OrderedDict()
    for finding in report_findings(submission):
        rule = finding["rule"]
        group = groups.setdefault(
            rule,
            {
                "rule": rule,
                "title": rules.get(rule, {}).get("title", "") or HARMONIZATION_TITLES.get(rule, ""),
                "severity": finding["severity"],
                "count": (by_rule.get(rule) or {}).get("count", 0),
                "findings": [],
            },
        )
        group["findings"].append(finding)
    for group in groups.values():
        group["count"] = max(group["count"], len(group["findings"]))
        group["shown"] = len(group["findings"])
    return list(groups.values())
