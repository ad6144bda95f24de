"""Run every rule of a submission's staged rows, storing their findings."""

from __future__ import annotations

import logging
import time

from django.db import connection

from indices.locking import LockBusy, lock_wait_at_most
from indices.validation.rules import REGISTRY, RULE_ORDER, RuleContext
from indices.validation.rules.context import session_settings
from indices.validation.rules.shared import shared_tables

logger = logging.getLogger(__name__)

# A delete withdraws observations named by their key and base year: only the rules about those
# apply, since its rows carry no values to check. E08: a row without a valid BASE_PER would
# name no stored observation and withdraw nothing, silently.
DELETE_RULES = frozenset({"E02", "E03", "E04", "E05", "E07", "E08"})


def rules_for(action: str) -> tuple[str, ...]:
    if action == "delete":
        return tuple(rule_id for rule_id in RULE_ORDER if rule_id in DELETE_RULES)
    return RULE_ORDER


# How long to wait for the staging table's ANALYZE lock, which another validation's
# transaction may hold until it ends: better slower plans than a queue of validations.
ANALYZE_LOCK_TIMEOUT = "200ms"


def staging_statistics_refresh() -> bool:
    """ANALYZE the staging table, unless another validation holds that lock; True if done.

    Just after the COPY the planner guesses a few thousand staged rows where there may be a
    million, and picks bitmap scans and sorts without parallel workers. ANALYZE samples 30,000
    rows (0.3 s for a million); the rules then take 2.5 s less. Its lock is held until the
    transaction ends, so it is taken only if free within ANALYZE_LOCK_TIMEOUT.
    """
    try:
        with lock_wait_at_most(ANALYZE_LOCK_TIMEOUT), connection.cursor() as cursor:
            cursor.execute("ANALYZE indices_submissionrow")
    except LockBusy:
        logger.info("staging statistics not refreshed: another validation holds the lock")
        return False
    return True


def run_rules(ctx: RuleContext, timings: dict[str, float] | None = None) -> dict[str, int]:
    """{rule_id: findings found} for every rule, errors first; each stores at most ctx.cap.

    Every rule runs even after errors, so one report lists everything wrong with the file.
    `timings`, when given, receives the seconds of each rule.
    """
    totals: dict[str, int] = {}
    timings = {} if timings is None else timings
    staging_statistics_refresh()
    # The tables several rules share are built once, by the first rule that reads them.
    with session_settings(), shared_tables(ctx):
        for rule_id in rules_for(ctx.action):
            started = time.perf_counter()
            totals[rule_id] = REGISTRY[rule_id](ctx)
            timings[rule_id] = time.perf_counter() - started
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:3]
    logger.info(
        "submission %s: rules in %.2fs (slowest %s)",
        ctx.submission_id,
        sum(timings.values()),
        ", ".join(f"{rule_id} {seconds:.2f}s" for rule_id, seconds in slowest),
    )
    return totals
