"""The value-added weights table of the regional aggregates (H6), kept by the secretariat."""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal, InvalidOperation
from typing import cast

from django.db import transaction
from django.utils import timezone

from countries.audit import audit_record
from countries.models import Agency, Country
from countries.standard.selectors import codelist_codes
from indices.publish.models import Release, ValueAddedWeight
from indices.publish.releases import aggregates_recompute_schedule
from ipi_exchange.errors import ApplicationError

COLUMNS = ("country", "activity", "year", "value_added")


def weights_read_csv(data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid(
            [
                {
                    "row": None,
                    "column": None,
                    "value": "",
                    "message": "The file is not UTF-8 text; save it as CSV UTF-8.",
                }
            ]
        ) from None
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","
    )
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise _invalid(
            [
                {"row": 1, "column": c, "value": c, "message": f"Unknown column {c!r}."}
                for c in unknown
            ]
            + [
                {"row": 1, "column": c, "value": "", "message": f"Column {c!r} is missing."}
                for c in missing
            ]
        )
    return [
        {"row": number, **{k.strip().lower(): (v or "").strip() for k, v in row.items() if k}}
        for number, row in enumerate(reader, start=2)
    ]


@transaction.atomic
def weights_upload(*, rows: list[dict], agency: Agency, actor: str = "") -> tuple[int, Release]:
    """Check every row, upsert them all (or none), then recompute every aggregate."""
    countries = set(Country.objects.values_list("code", flat=True))
    activities = codelist_codes("CL_ACTIVITY_ISIC4")
    problems, clean = [], {}
    for index, row in enumerate(rows, start=1):
        number = row.get("row", index)
        country, activity = (
            str(row.get("country", "")).strip(),
            str(row.get("activity", "")).strip(),
        )
        year, value = _year(row.get("year")), _positive(row.get("value_added"))
        for column, ok, shown, message in (
            ("country", country in countries, country, "is not a member country code"),
            ("activity", activity in activities, activity, "is not in CL_ACTIVITY_ISIC4"),
            ("year", year is not None, row.get("year"), "is not a year from 1990 to 2100"),
            (
                "value_added",
                value is not None,
                row.get("value_added"),
                "must be a positive number (constant US dollars), with a decimal point",
            ),
        ):
            if not ok:
                problems.append(
                    {
                        "row": number,
                        "column": column,
                        "value": str(shown or ""),
                        "message": f"{column} {str(shown or '')!r} {message}.",
                    }
                )
        if (country, activity, year) in clean:
            problems.append(
                {
                    "row": number,
                    "column": "year",
                    "value": str(year),
                    "message": f"{country} {activity} {year} is given twice.",
                }
            )
        clean[(country, activity, year)] = value
    if not rows:
        problems.append({"row": None, "column": None, "value": "", "message": "No rows."})
    if problems:
        raise _invalid(problems)
    # No problems: every year and value parsed.
    parsed = cast(dict[tuple[str, str, int], Decimal], clean)
    now = timezone.now()
    ValueAddedWeight.objects.bulk_create(
        [
            ValueAddedWeight(country_id=c, activity=a, year=y, value_added=v, updated_at=now)
            for (c, a, y), v in parsed.items()
        ],
        update_conflicts=True,
        unique_fields=["country", "activity", "year"],
        update_fields=["value_added", "updated_at"],
    )
    audit_record(
        action="weights.uploaded",
        agency=agency.pk,
        actor=actor,
        object_type="weights",
        details={"rows": len(clean)},
    )
    release = aggregates_recompute_schedule(
        agency=agency, description=f"aggregates recomputed with {len(clean)} new weights"
    )
    return len(clean), release


def _year(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and 1990 <= int(text) <= 2100 else None


def _positive(raw: object) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if math.isfinite(value) and value > 0 else None


def _invalid(problems: list[dict]) -> ApplicationError:
    return ApplicationError(
        f"The weights have {len(problems)} problem(s); nothing was stored.",
        code="weights_invalid",
        extra={"problems": problems},
    )
