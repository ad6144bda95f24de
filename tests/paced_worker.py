"""A real Celery worker whose validations are paced, for the fault trials that kill it.

A validation takes a fraction of a second now (a 30,000-row file: about 0.1 s), too short for a
trial to kill the worker "while the rows are read" or "while the rules run" at a moment it
chose. This worker runs the real code, unchanged, with pauses between its steps: after each
progress report of the reading stage, and before each rule. The trials then see each stage
from outside (the progress the API shows) and kill inside it.

    python -m tests.paced_worker worker --queues ... (the arguments of `celery -A ipi_exchange`)
"""

from __future__ import annotations

import functools
import os
import sys
import time

# Seconds paused after a progress report while the rows are read, and before each rule.
READING_PAUSE = 0.5
RULE_PAUSE = 0.05


def pace() -> None:
    import django

    django.setup()
    from indices.receive import progress
    from indices.validate.rules import REGISTRY

    report = progress.report

    @functools.wraps(report)
    def paced_report(submission_id, **state):
        report(submission_id, **state)
        if state.get("stage") == "reading":
            time.sleep(READING_PAUSE)

    progress.report = paced_report
    for rule_id, run in list(REGISTRY.items()):
        REGISTRY[rule_id] = _paced_rule(run)


def _paced_rule(run):
    @functools.wraps(run)
    def paced(ctx):
        time.sleep(RULE_PAUSE)
        return run(ctx)

    return paced


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipi_exchange.settings_test")
    pace()
    from celery.__main__ import main

    sys.argv = ["celery", "-A", "ipi_exchange", *sys.argv[1:]]
    sys.exit(main())
