"""Validate one submission: read its rows into a columnar frame (validate/rows.py), run the
rules over it in the worker, store the findings, decide its status; confirm its warnings.

An accepted submission is handed to publication (`submission_accepted`), which schedules its
release in the same transaction that accepts it. Its rows are staged in PostgreSQL only when
they are applied, at publication, from the frame kept here: a rejected file is never staged
at all, and a validation's time is the rules', not the COPY's.

Exactly-once under crashes: the task first claims the submission (RECEIVED -> VALIDATING, a
committed conditional update), then does all the work in ONE transaction that holds a row lock
on the submission (`FOR UPDATE SKIP LOCKED`). A worker killed mid-way rolls the transaction
back: no findings, status still VALIDATING and unlocked, so a retry (or the
sweeper, which re-queues VALIDATING submissions nobody holds a lock on) does it again from the
start and finishes with exactly one set of findings. A second worker given the same submission
while the first still works finds it locked and leaves it alone.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from contextlib import suppress

import polars as pl
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from countries.audit import audit_record
from countries.selectors import concordance_entries_for_country
from countries.standard import load_definition
from indices.receive import progress
from indices.receive.models import Submission
from indices.receive.parsing import ParsedFile, ParseFinding
from indices.receive.signals import submission_accepted
from indices.validate.locking import LockBusy, lock_wait_at_most
from indices.validate.models import Finding
from indices.validate.rows import country_of, rows_keep, submission_file, submission_rows
from indices.validate.rules.context import RuleContext
from indices.validate.rules.shared import rows_in_series_order
from indices.validate.runner import run_rules
from ipi_exchange.errors import Conflict

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
Status = Submission.Status


def submission_claim(submission_id: uuid.UUID | str) -> bool:
    """RECEIVED -> VALIDATING, visible at once; False when it was not RECEIVED."""
    return bool(
        Submission.objects.filter(pk=submission_id, status=Status.RECEIVED).update(
            status=Status.VALIDATING,
            validation_started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


# How long a retry waits for the row lock before it counts itself: the holder may be the session
# of a worker just killed, which PostgreSQL ends within moments; a live holder (a duplicate
# delivery) keeps it longer, and then nothing is counted.
RETRY_LOCK_WAIT = "5s"


def _count_retry(submission_id: uuid.UUID | str) -> None:
    """A retry of an interrupted validation counts as an attempt, committed before the work so
    a file that kills its worker every time is given up on (MAX_ATTEMPTS). Not counted when
    another worker holds the submission right now (a duplicate delivery, not a retry)."""
    with suppress(LockBusy), lock_wait_at_most(RETRY_LOCK_WAIT):
        idle = list(
            Submission.objects.select_for_update()
            .filter(pk=submission_id, status=Status.VALIDATING)
            .values_list("pk", flat=True)
        )
        Submission.objects.filter(pk__in=idle).update(attempts=F("attempts") + 1)


def submission_validate(submission_id: uuid.UUID | str) -> str | None:
    """Validate unless another worker is; the final status, or None if there was nothing to do."""
    if not submission_claim(submission_id):
        _count_retry(submission_id)
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agency")
            .filter(pk=submission_id, status=Status.VALIDATING)
            .first()
        )
        if submission is None:
            return None  # finished already, or another worker holds it right now
        if submission.attempts > MAX_ATTEMPTS:
            return _give_up(submission)
        # Leftovers cannot exist (a failed attempt rolls back), but a rerun must never double.
        Finding.objects.filter(submission=submission).delete()
        final_status = _validate_locked(submission)
    progress.clear(submission.pk)
    return final_status


def _validate_locked(submission: Submission) -> str:
    parsed = submission_file(submission)
    submission.detected_format = parsed.format
    submission.layout = parsed.layout
    submission.columns = parsed.columns
    if parsed.declared_action and submission.action == Submission.Action.MERGE:
        submission.action = parsed.declared_action  # an SDMX-CSV ACTION column says what to do
    totals: Counter[str] = Counter()
    rows = kept = None
    if not parsed.fatal:
        rows = submission_rows(
            submission,
            parsed,
            on_progress=lambda count: progress.report(
                submission.pk, rows_read=count, stage="reading"
            ),
        )
        parsed.let_go_of_rows()
    totals.update(_store_parse_findings(submission, parsed.findings))
    submission.rows_read = 0 if rows is None else rows.height
    file_unreadable = any(f.rule_id == "E01" for f in parsed.findings)
    if rows is not None and not file_unreadable:
        progress.report(submission.pk, rows_read=submission.rows_read, stage="checking")
        context = _rule_context(submission, parsed, rows)
        # Only the context holds the rows, so that the file's order of them can go once the
        # rules hold them in series order (rules/shared.py valid_rows).
        rows = None
        totals.update(run_rules(context))
        kept = rows_in_series_order(context)
        submission.rows_checked = submission.rows_read
    status = _decide(submission, totals)
    if kept is not None and status in (Status.ACCEPTED, Status.NEEDS_CONFIRMATION):
        rows_keep(submission, kept)
    return status


def _rule_context(submission: Submission, parsed: ParsedFile, rows: pl.DataFrame) -> RuleContext:
    standard = load_definition()
    country = country_of(submission)
    weights: defaultdict[str, float] = defaultdict(float)
    national: dict[str, float] = {}
    for entry in concordance_entries_for_country(country_code=country):
        if entry.weight is not None:
            weights[entry.isic_code] += float(entry.weight)
            national[entry.national_code] = float(entry.weight)
    return RuleContext(
        submission_id=submission.pk,
        agency_id=submission.agency_id,
        country_code=country,
        standard=standard,
        now=timezone.now(),
        columns=parsed.columns,
        is_spreadsheet=parsed.format.startswith("xlsx"),
        division_weights=dict(weights),
        cap=int(standard.thresholds["report"]["max_findings_per_rule"]),
        rows=rows,
        action=submission.action,
        national_weights=national,
    )


def _store_parse_findings(submission: Submission, findings: list[ParseFinding]) -> Counter[str]:
    """Parser findings (E01/E02/E03), capped per rule like every other rule's."""
    standard = load_definition()
    cap = int(standard.thresholds["report"]["max_findings_per_rule"])
    totals: Counter[str] = Counter(f.rule_id for f in findings)
    kept: Counter[str] = Counter()
    rows = []
    for finding in findings:
        kept[finding.rule_id] += 1
        if kept[finding.rule_id] > cap:
            continue
        rows.append(
            Finding(
                submission=submission,
                rule_id=finding.rule_id,
                severity=standard.rules[finding.rule_id]["severity"],
                row=finding.row,
                sheet=finding.sheet[:100],
                cell=finding.cell[:16],
                column=finding.column[:32],
                value=finding.value[:1000],
                message=finding.message,
            )
        )
    Finding.objects.bulk_create(rows)
    return totals


def _decide(submission: Submission, totals: Counter[str]) -> str:
    standard = load_definition()
    cap = int(standard.thresholds["report"]["max_findings_per_rule"])
    by_rule = {
        rule_id: {
            "severity": standard.rules[rule_id]["severity"],
            "count": count,
            "shown": min(count, cap),
        }
        for rule_id, count in sorted(totals.items())
        if count
    }
    errors = sum(r["count"] for r in by_rule.values() if r["severity"] == "error")
    warnings = sum(r["count"] for r in by_rule.values() if r["severity"] == "warning")
    submission.summary = {"errors": errors, "warnings": warnings, "by_rule": by_rule}
    if errors:
        submission.status = Status.REJECTED
    elif submission.dry_run:
        submission.status = Status.VALIDATED
    elif warnings and not submission.acknowledge_warnings:
        submission.status = Status.NEEDS_CONFIRMATION
    else:
        submission_accepted.send(sender=Submission, submission=submission)
        submission.status = Status.ACCEPTED
    submission.validated_at = timezone.now()
    submission.save()
    return submission.status


def _give_up(submission: Submission) -> str:
    """A file that crashed the worker MAX_ATTEMPTS times is rejected with a clear finding,
    so one poisonous file cannot occupy the workers forever."""
    logger.error("submission %s failed %s attempts; rejecting", submission.pk, submission.attempts)
    return _reject_unfinished(
        submission,
        message=(
            f"The exchange could not finish reading this file after {MAX_ATTEMPTS} attempts. "
            "Nothing was stored. Check that the file opens in Excel, or split it into smaller "
            "files; if it still fails, contact the secretariat and give them this submission id."
        ),
        failure=f"gave up after {submission.attempts - 1} interrupted attempts",
    )


def submission_fail(submission_id: uuid.UUID | str, *, error: BaseException) -> str | None:
    """Reject, at once, a validation that failed with an error that a retry would meet again
    (a bug, or input the checks did not foresee): the clerk learns it in seconds, not after
    the sweeper's retries. None if the submission is no longer VALIDATING or is held."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(skip_locked=True)
            .filter(pk=submission_id, status=Status.VALIDATING)
            .first()
        )
        if submission is None:
            return None
        status = _reject_unfinished(
            submission,
            message=(
                "The exchange could not finish checking this file because of an error on its "
                "side, not in your file as far as it can tell. Nothing was stored. The "
                "secretariat has been alerted; upload the file again later, or contact them "
                "and give them this submission id."
            ),
            failure=f"{type(error).__name__}: {error}"[:1000],
        )
    progress.clear(submission.pk)
    return status


def _reject_unfinished(submission: Submission, *, message: str, failure: str) -> str:
    Finding.objects.filter(submission=submission).delete()
    Finding.objects.create(submission=submission, rule_id="E01", severity="error", message=message)
    submission.status = Status.REJECTED
    submission.failure = failure
    submission.summary = {
        "errors": 1,
        "warnings": 0,
        "by_rule": {"E01": {"severity": "error", "count": 1, "shown": 1}},
    }
    submission.validated_at = timezone.now()
    submission.save()
    return submission.status


@transaction.atomic
def submission_confirm(*, submission: Submission, actor: str = "") -> Submission:
    """Accept a submission's warnings: it is accepted and its observations are stored."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status == Submission.Status.ACCEPTED:
        return locked  # confirming twice is harmless
    if locked.status != Submission.Status.NEEDS_CONFIRMATION:
        raise Conflict(
            f"Only a submission that needs confirmation can be confirmed; this one is "
            f"{locked.status}.",
            code="not_confirmable",
        )
    submission_accepted.send(sender=Submission, submission=locked)
    locked.status = Submission.Status.ACCEPTED
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_at"])
    audit_record(
        action="submission.confirmed",
        agency=locked.agency_id,
        actor=actor,
        object_type="submission",
        object_id=locked.pk,
    )
    return locked
