"""Run every rule over a submission's rows, storing their findings."""

from __future__ import annotations

import logging
import time

from indices.validate.rules import REGISTRY, RULE_ORDER, RuleContext

logger = logging.getLogger(__name__)

# A delete withdraws observations named by their key and base year: only the rules about those
# apply, since its rows carry no values to check. E08: a row without a valid BASE_PER would
# name no stored observation and withdraw nothing, silently.
DELETE_RULES = frozenset({"E02", "E03", "E04", "E05", "E07", "E08"})


def rules_for(action: str) -> tuple[str, ...]:
    if action == "delete":
        return tuple(rule_id for rule_id in RULE_ORDER if rule_id in DELETE_RULES)
    return RULE_ORDER


def run_rules(ctx: RuleContext, timings: dict[str, float] | None = None) -> dict[str, int]:
    """{rule_id: findings found} for every rule, errors first; each stores at most ctx.cap.

    Every rule runs even after errors, so one report lists everything wrong with the file.
    `timings`, when given, receives the seconds of each rule (the first rule to read a shared
    table, rules/shared.py, pays for building it).
    """
    totals: dict[str, int] = {}
    timings = {} if timings is None else timings
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
