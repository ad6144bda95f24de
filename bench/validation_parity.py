"""Differential parity: the columnar validator must report exactly what the SQL one reported.

Runs the same uploads through two checkouts, each in a child process with a database of its
own, and compares, step by step, the submission's status, summary and every finding (rule,
severity, row, sheet, cell, column, value, series key, period, message), and, where a step is
applied to the national store, the number of observations written and the store itself.
Exits 1 on any difference (printing the first ones of each scenario, each error a side raised
with its traceback once, and how many scenarios differ in each rule's findings), 2 when a
child could not run at all, 0 when both agree everywhere.

The old checkout is the reference, an unmodified worktree of the last commit with the SQL rule
engine (treated as read-only):

    cd /work/main && git worktree add /tmp/oldmain <ref of the SQL validator>
    .venv/bin/python bench/validation_parity.py --old /tmp/oldmain --new /work/main

and to check the harness itself (must report no difference):

    .venv/bin/python bench/validation_parity.py --old /tmp/oldmain --new /tmp/oldmain

A full run takes 4 to 8 minutes (the two children run at once; the old SQL validator is the
slower: it spends 30 to 90 s on one XLSX file, gen_41.xlsx, in the regex of its staging,
normalize._PLAIN_DECIMALS, which backtracks on long decimals).
Options: --only TEXT runs the scenarios whose name contains TEXT (repeatable); --generated N
sets the number of random long CSV files (default 48); --now fixes "today" (default
2026-03-15T10:00:00+00:00); --work DIR works there and keeps it (the uploaded files, both
children's results and logs; by default a temporary directory, removed unless --keep);
--report-only --work DIR compares the results kept there again, without running anything.

The scenarios (bench/validation_parity_scenarios.py): every file of tests/corpus as
tests/indices/test_corpus.py uploads it; random long CSV files mixing many problems (bad
codes and values, future periods, quarters, duplicates, gaps, flat runs, large moves, base-year
means off 100, mixed base years, national codes beside ISIC codes, sections with all their
divisions, late and stale files), a few of them also as XLSX and wide files; files exceeding
the per-rule cap of 1,000 findings; and history scenarios, where a first file is accepted and
applied (staged_rows_ensure, national_store_apply) before the next is validated against it.

Each child (bench/validation_parity_child.py) runs with cwd and PYTHONPATH set to its checkout,
DJANGO_SETTINGS_MODULE=ipi_exchange.settings, DATABASE_URL naming a fresh database
(ipi_parity_old / ipi_parity_new, or --database-prefix; dropped, created and migrated by that
checkout's `manage.py migrate`), REDIS_URL database 14, and the kept-files store
(IPI_FILE_STORE) in the work directory. Both freeze django.utils.timezone.now at --now. Each
scenario runs in a transaction rolled back at its end. The corpus and its concordances are
read from the old checkout, so both children read exactly the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # the scenarios, and the standard's columns
from validation_parity_scenarios import Scenario, all_scenarios  # noqa: E402

CHILD = HERE / "validation_parity_child.py"
PYTHON = HERE.parent / ".venv" / "bin" / "python"
DEFAULT_NOW = "2026-03-15T10:00:00+00:00"
SIDES = ("old", "new")
# What a step's result holds that is compared; "seconds" and "traceback" are not.
COMPARED = (
    "file",
    "created",
    "error",
    "status",
    "action",
    "detected_format",
    "rows_read",
    "summary",
    "findings",
    "applied",
    "store",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, help="checkout of the SQL validator (reference)")
    parser.add_argument("--new", type=Path, help="checkout under test")
    parser.add_argument("--now", default=DEFAULT_NOW, help="frozen 'now', ISO with offset")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--database-prefix", default="ipi_parity", help="databases <prefix>_old, <prefix>_new"
    )
    parser.add_argument("--generated", type=int, default=48, help="random long CSV files")
    parser.add_argument("--only", action="append", default=[], help="scenario name contains")
    parser.add_argument("--max-diffs", type=int, default=5, help="shown per scenario")
    parser.add_argument("--work", type=Path, help="work directory, kept (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="only compare the results a kept --work directory holds (no run)",
    )
    args = parser.parse_args()
    if args.report_only:
        if args.work is None:
            parser.error("--report-only reads the results of a kept --work directory")
        results = {
            side: json.loads((args.work / f"result_{side}.json").read_text()) for side in SIDES
        }
        return report(results, args.max_diffs)
    if args.old is None or args.new is None:
        parser.error("--old and --new name the two checkouts to compare")
    now = datetime.fromisoformat(args.now)
    if now.tzinfo is None:
        parser.error("--now needs a UTC offset, e.g. 2026-03-15T10:00:00+00:00")
    checkouts = {"old": args.old.resolve(), "new": args.new.resolve()}
    for checkout in checkouts.values():
        if not (checkout / "manage.py").exists():
            parser.error(f"{checkout} is not a checkout (no manage.py)")

    work = args.work or Path(tempfile.mkdtemp(prefix="ipi_parity_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {work}")
    scenarios = all_scenarios(
        corpus=checkouts["old"] / "tests" / "corpus",
        work=work / "files",
        now=now,
        generated=args.generated,
    )
    if args.only:
        scenarios = [s for s in scenarios if any(text in s.name for text in args.only)]
    print(f"{len(scenarios)} scenarios, {sum(len(s.steps) for s in scenarios)} uploads")
    try:
        results = run_both(checkouts, scenarios, work, args)
        if results is None:
            return 2
        return report(results, args.max_diffs)
    finally:
        if args.keep or args.work:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- Running the two checkouts ---------------------------------------------------------------


def run_both(
    checkouts: dict[str, Path], scenarios: list[Scenario], work: Path, args: argparse.Namespace
) -> dict[str, dict[str, Any]] | None:
    """Migrate both databases, then run both children at once; None when one failed."""
    scenario_file = work / "scenarios.json"
    concordances = checkouts["old"] / "tests" / "corpus" / "concordances.json"
    scenario_file.write_text(
        json.dumps(
            {
                "concordances": json.loads(concordances.read_text()),
                "scenarios": [s.as_json() for s in scenarios],
            },
            indent=1,
        )
    )
    environments = {}
    for side in SIDES:
        database = f"{args.database_prefix}_{side}"
        recreate_database(args.database_url, database)
        environments[side] = child_environment(
            checkouts[side],
            database_url=with_path(args.database_url, database),
            redis_url=args.redis_url,
            files=work / f"store_{side}",
        )
    migrations = {
        side: spawn(
            [str(PYTHON), "manage.py", "migrate", "-v", "0"],
            checkouts[side],
            environments[side],
            work / f"migrate_{side}.log",
        )
        for side in SIDES
    }
    if not all(
        wait(side, process, work / f"migrate_{side}.log") for side, process in migrations.items()
    ):
        return None
    started = time.perf_counter()
    children = {
        side: spawn(
            [
                str(PYTHON),
                str(CHILD),
                "--scenarios",
                str(scenario_file),
                "--out",
                str(work / f"result_{side}.json"),
                "--now",
                args.now,
            ],
            checkouts[side],
            environments[side],
            work / f"child_{side}.log",
        )
        for side in SIDES
    }
    finished = {
        side: wait(side, process, work / f"child_{side}.log") for side, process in children.items()
    }
    print(f"both children finished in {time.perf_counter() - started:.0f} s")
    if not all(finished.values()):
        return None
    return {side: json.loads((work / f"result_{side}.json").read_text()) for side in SIDES}


def with_path(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def recreate_database(url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(with_path(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')


def child_environment(checkout: Path, *, database_url: str, redis_url: str, files: Path) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "IPI_", "DJANGO_", "PYTHON"))
    }
    return environment | {
        "PYTHONPATH": str(checkout),
        "DJANGO_SETTINGS_MODULE": "ipi_exchange.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "IPI_FILE_STORE": str(files),
        # A secret of its own: without one, settings would write var/secret_key in the checkout.
        "SECRET_KEY": "validation-parity-harness-not-a-secret-" + "x" * 20,
        "LOG_LEVEL": "WARNING",
        "PYTHONHASHSEED": "0",
    }


def spawn(command: list[str], cwd: Path, environment: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as handle:
        return subprocess.Popen(
            command, cwd=cwd, env=environment, stdout=handle, stderr=subprocess.STDOUT
        )


def wait(side: str, process: subprocess.Popen, log: Path) -> bool:
    if process.wait() == 0:
        return True
    tail = log.read_text(errors="replace")[-3000:]
    print(f"\n{side}: {' '.join(map(str, process.args))} failed ({process.returncode}):\n{tail}")
    return False


# --- Comparing ---------------------------------------------------------------------------------


def report(results: dict[str, dict[str, Any]], max_diffs: int) -> int:
    old, new = results["old"], results["new"]
    names = list(dict.fromkeys([*old["scenarios"], *new["scenarios"]]))
    for side in SIDES:
        run = results[side]
        validating = sum(s.get("seconds", 0) for steps in run["scenarios"].values() for s in steps)
        print(
            f"{side}: {run['checkout']} ({run['indices_module']}): {run['seconds']} s, of which"
            f" {validating:.1f} s in submission_validate"
        )
    by_what: Counter[str] = Counter()  # scenarios in which a rule's findings (or a field) differ
    errors: dict[str, list[str]] = {}  # error text -> the scenarios that raised it
    tracebacks: dict[str, str] = {}
    differing = 0
    for name in names:
        comparison = Comparison(max_diffs)
        comparison.scenario(old["scenarios"].get(name, []), new["scenarios"].get(name, []))
        for text, traceback in comparison.errors.items():
            errors.setdefault(text, []).append(name)
            tracebacks.setdefault(text, traceback)
        if comparison.lines:
            differing += 1
            by_what.update(comparison.differs)
            print(f"\n=== {name}: differs")
            print("\n".join(comparison.lines))
    print_coverage(old)
    for text, raised_in in errors.items():
        print(f"\nRaised in {len(raised_in)} scenarios ({', '.join(raised_in[:3])}...): {text}")
        print(indent(tracebacks[text]))
    if not differing:
        print(f"\nNo difference in {len(names)} scenarios.")
        return 0
    print(f"\n{differing} of {len(names)} scenarios differ, by what differs:")
    for what, count in sorted(by_what.items()):
        print(f"  {what}: {count}")
    return 1


class Comparison:
    """The differences of one scenario: `lines` to print, `differs` (rule ids, or fields such
    as 'status', 'error', 'store'), and the `errors` a side raised (text -> traceback)."""

    def __init__(self, max_diffs: int) -> None:
        self.max_diffs = max_diffs
        self.lines: list[str] = []
        self.differs: set[str] = set()
        self.errors: dict[str, str] = {}

    def scenario(self, old_steps: list[dict], new_steps: list[dict]) -> None:
        for number, (before, after) in enumerate(zip(old_steps, new_steps, strict=False), 1):
            where = f"  step {number} ({before.get('file')})"
            if before.get("error") or after.get("error"):
                self.failed(where, before, after)
            else:
                self.step(where, before, after)
        if len(old_steps) != len(new_steps) and not self.errors:
            self.lines.append(f"  steps: old ran {len(old_steps)}, new ran {len(new_steps)}")
            self.differs.add("steps")

    def failed(self, where: str, before: dict, after: dict) -> None:
        """A step that raised on one side (or both): nothing else of it compares."""
        if before.get("error") == after.get("error"):
            return
        self.differs.add("error")
        for side, result in (("old", before), ("new", after)):
            if result.get("error"):
                self.errors[f"{side}: {result['error']}"] = result.get("traceback", "")
        self.lines.append(f"{where} old: {outcome(before)} | new: {outcome(after)}")

    def step(self, where: str, before: dict, after: dict) -> None:
        for key in COMPARED:
            if key == "findings" or before.get(key) == after.get(key):
                continue
            if key == "summary":
                self.summary(where, before[key], after.get(key))
            elif key == "store":
                self.differs.add(key)
                self.lines.append(f"{where} store: {first_difference(before[key], after.get(key))}")
            else:
                self.differs.add(key)
                self.lines.append(
                    f"{where} {key}: old {before.get(key)!r} | new {after.get(key)!r}"
                )
        self.findings(where, before.get("findings", []), after.get("findings", []))

    def summary(self, where: str, old: dict | None, new: dict | None) -> None:
        old, new = old or {}, new or {}
        parts = [
            f"{key} old {old.get(key)} | new {new.get(key)}"
            for key in ("errors", "warnings")
            if old.get(key) != new.get(key)
        ]
        old_rules, new_rules = old.get("by_rule", {}), new.get("by_rule", {})
        for rule_id in sorted(set(old_rules) | set(new_rules)):
            if old_rules.get(rule_id) != new_rules.get(rule_id):
                self.differs.add(rule_id)
                counts = [
                    rules.get(rule_id, {}).get("count", 0) for rules in (old_rules, new_rules)
                ]
                parts.append(f"{rule_id} found old {counts[0]} | new {counts[1]}")
        self.lines.append(f"{where} summary: " + "; ".join(parts))

    def findings(self, where: str, old: list[dict], new: list[dict]) -> None:
        """Per rule: the numbers stored, and the first findings that differ field by field."""
        for rule_id in sorted({f["rule_id"] for f in old} | {f["rule_id"] for f in new}):
            mine = [f for f in old if f["rule_id"] == rule_id]
            theirs = [f for f in new if f["rule_id"] == rule_id]
            if mine == theirs:
                continue
            self.differs.add(rule_id)
            same_set = sorted(map(_key, mine)) == sorted(map(_key, theirs))
            self.lines.append(
                f"{where} {rule_id}: old stored {len(mine)}, new stored {len(theirs)}"
                + (" (the same findings in another order)" if same_set else "")
            )
            shown = 0
            for index in range(max(len(mine), len(theirs))):
                a = mine[index] if index < len(mine) else None
                b = theirs[index] if index < len(theirs) else None
                if a != b:
                    self.lines.append(f"{where}   #{index + 1}: {finding_difference(a, b)}")
                    shown += 1
                    if shown >= self.max_diffs:
                        break


def outcome(result: dict) -> str:
    if result.get("error"):
        return f"raised {result['error']}"
    return f"{result.get('status')}, {len(result.get('findings', []))} findings stored"


def _key(finding: dict) -> str:
    return json.dumps(finding, sort_keys=True)


def finding_difference(old: dict | None, new: dict | None) -> str:
    if old is None or new is None:
        only, which = (new, "new") if old is None else (old, "old")
        return f"only {which}: {json.dumps(only, ensure_ascii=False)}"
    fields = [
        f"{key}: old {old[key]!r} | new {new.get(key)!r}" for key in old if old[key] != new.get(key)
    ]
    return f"row {old['row']}: " + "; ".join(fields)


def first_difference(old: list | None, new: list | None) -> str:
    old, new = old or [], new or []
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return f"{len(old)} vs {len(new)} rows; first difference at {index}: old {a} | new {b}"
    return f"{len(old)} vs {len(new)} rows"


def indent(text: str) -> str:
    return "\n".join("      " + line for line in text.rstrip().splitlines())


def print_coverage(run: dict[str, Any]) -> None:
    """What the scenarios exercised, by the reference's findings: the total each rule found,
    how many findings were stored, and in how many uploads it was capped."""
    found: Counter[str] = Counter()
    stored: Counter[str] = Counter()
    uploads: Counter[str] = Counter()
    capped: Counter[str] = Counter()
    for steps in run["scenarios"].values():
        for step in steps:
            for rule_id, numbers in (step.get("summary") or {}).get("by_rule", {}).items():
                found[rule_id] += numbers["count"]
                stored[rule_id] += numbers["shown"]
                uploads[rule_id] += 1
                capped[rule_id] += numbers["count"] > numbers["shown"]
    print("\nCoverage (the old checkout's findings): rule, found, stored, uploads, capped")
    for rule_id in sorted(found):
        print(
            f"  {rule_id}  {found[rule_id]:>8}  {stored[rule_id]:>7}  {uploads[rule_id]:>4}"
            f"  {capped[rule_id]:>3}"
        )


if __name__ == "__main__":
    sys.exit(main())
