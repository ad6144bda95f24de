"""The child process of bench/validation_parity.py: runs the parity scenarios in ONE checkout.

Started by the driver with cwd and PYTHONPATH set to the checkout under test (so `indices`,
`countries` and `ipi_exchange` are that checkout's), DATABASE_URL naming a database of its own,
and DJANGO_SETTINGS_MODULE=ipi_exchange.settings. It only uses the service functions both the old
SQL validator and the columnar one keep: submission_create, submission_validate,
submission_confirm, staged_rows_ensure, national_store_apply and concordance_upload.

    python validation_parity_child.py --scenarios scenarios.json --out result.json \
        --now 2026-03-15T10:00:00+00:00

Each scenario runs inside one transaction that is rolled back at its end, so every scenario
starts from the migrated database (no national history, no concordance), as each corpus test
does, and no Celery task is ever sent (on_commit callbacks of a rolled-back transaction never
run). "Now" is frozen by replacing django.utils.timezone.now in this process only: E05, E08 and
W07 read it through the RuleContext, and the parsers never read the clock.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# This script lives in the new checkout's bench/; the checkout under test comes from PYTHONPATH.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Rollback(Exception):
    """Raised at the end of a scenario to roll its transaction back."""


def freeze_now(instant: datetime) -> None:
    """Every timezone.now() of this process returns `instant` (before Django loads any model,
    so field defaults bound to the function get the frozen one too)."""
    from django.utils import timezone

    timezone.now = lambda: instant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--now", required=True, help="ISO datetime with offset, e.g. ...+00:00")
    args = parser.parse_args()
    instant = datetime.fromisoformat(args.now)
    if instant.tzinfo is None:
        raise SystemExit("--now needs a UTC offset")
    freeze_now(instant)

    import django

    django.setup()
    import indices

    plan = json.loads(args.scenarios.read_text())
    scenarios = plan["scenarios"]
    results: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    for number, scenario in enumerate(scenarios, 1):
        print(f"[{number}/{len(scenarios)}] {scenario['name']}", flush=True)
        results[scenario["name"]] = run_scenario(scenario, plan["concordances"])
    args.out.write_text(
        json.dumps(
            {
                "checkout": str(Path.cwd()),
                "indices_module": indices.__file__,
                "now": instant.isoformat(),
                "seconds": round(time.perf_counter() - started, 2),
                "scenarios": results,
            },
            indent=1,
        )
    )


def run_scenario(scenario: dict[str, Any], concordances: dict) -> list[dict[str, Any]]:
    from django.db import transaction

    steps: list[dict[str, Any]] = []
    current = "(loading the concordances)"
    try:
        with transaction.atomic():
            load_concordances(concordances, scenario.get("division_weights") or {})
            for step in scenario["steps"]:
                current = step["name"]
                steps.append(run_step(step, step.get("agency") or scenario["agency"]))
            raise Rollback
    except Rollback:
        pass
    except Exception as error:  # recorded, compared, and the next scenario runs
        steps.append(
            {
                "file": current,
                "error": UUID_RE.sub("<uuid>", f"{type(error).__name__}: {error}")[:2000],
                "traceback": traceback.format_exc()[-4000:],
            }
        )
    return steps


def load_concordances(concordances: dict, division_weights: dict[str, str]) -> None:
    """The corpus concordances, as tests/indices/corpus.py loads them: W09's division weights
    are added to every classification as national codes W<division>."""
    from countries.models import Agency, NationalClassification
    from countries.services import concordance_upload

    for classification_id, entries in concordances.items():
        rows = list(entries)
        for division, weight in division_weights.items():
            rows.append(
                {"national_code": f"W{division}", "isic_code": division, "weight": str(weight)}
            )
        concordance_upload(
            classification=NationalClassification.objects.get(pk=classification_id),
            raw_rows=rows,
            created_by=Agency.objects.get(pk="MKG_SEC"),
        )


def run_step(step: dict[str, Any], agency_id: str) -> dict[str, Any]:
    from countries.models import Agency
    from indices.national.services import national_store_apply
    from indices.receive.models import Submission
    from indices.receive.services import SubmissionOptions, submission_create
    from indices.validate.rows import staged_rows_ensure
    from indices.validate.services import submission_confirm, submission_validate

    path = Path(step["path"])
    submission, created = submission_create(
        agency=Agency.objects.get(pk=agency_id),
        credential=None,
        chunks=[path.read_bytes()],
        original_name=step["name"],
        media_type="",
        options=SubmissionOptions(**step.get("options", {})),
    )
    started = time.perf_counter()
    submission_validate(submission.pk)
    seconds = time.perf_counter() - started
    submission.refresh_from_db()
    result: dict[str, Any] = {
        "file": step["name"],
        "created": created,
        "status": submission.status,
        "action": submission.action,
        "detected_format": submission.detected_format,
        "rows_read": submission.rows_read,
        "summary": submission.summary,
        "findings": findings_of(submission),
        "seconds": round(seconds, 3),
    }
    applicable = (Submission.Status.ACCEPTED, Submission.Status.NEEDS_CONFIRMATION)
    if step.get("apply") and submission.status in applicable:
        if submission.status == Submission.Status.NEEDS_CONFIRMATION:
            submission = submission_confirm(submission=submission)
        staged_rows_ensure(submission)
        result["applied"] = national_store_apply(submission=submission)
        result["store"] = national_store(agency_id)
    return result


FINDING_FIELDS = (
    "rule_id",
    "severity",
    "row",
    "sheet",
    "cell",
    "column",
    "value",
    "series_key",
    "time_period",
    "message",
)


def findings_of(submission: Any) -> list[dict[str, Any]]:
    rows = submission.findings.order_by("rule_id", "row", "id").values_list(*FINDING_FIELDS)
    return [dict(zip(FINDING_FIELDS, row, strict=True)) for row in rows]


def national_store(agency_id: str) -> list[list[Any]]:
    """The agency's stored observations after an apply, in a stable order."""
    from indices.national.models import NationalObservation

    rows = (
        NationalObservation.objects.filter(agency_id=agency_id)
        .order_by("series_id", "base_year", "period_start")
        .values_list(
            "series_id",
            "base_year",
            "period_label",
            "activity",
            "nat_code",
            "value",
            "status",
            "comment",
            "row_no",
        )
    )
    return [list(row) for row in rows]


if __name__ == "__main__":
    main()
