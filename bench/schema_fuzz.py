"""Deep schema fuzzing: schemathesis (`st run`) against a live gunicorn and a real Celery
worker, once per role (reader, reporter, secretariat), at the depth of issue #19: every check,
positive and negative generation, the examples, coverage, fuzzing and stateful phases.

    .venv/bin/python bench/schema_fuzz.py [--max-examples 300] [--roles reader,reporter,...]
                                          [--max-time SECONDS] [--phases ...] [--write-docs]

Uses DATABASE_URL / REDIS_URL when set, else the embedded servers; works in a database of its
own (`ipi_bench_fuzz`, recreated each run, a few published series seeded) and Redis db 10.
Failed tokens and the rate limit are not counted here (the fuzzer sends hundreds of requests a
minute, `ignored_auth` sends bad tokens on purpose): the service is measured, not its brakes.
Per role: the failures by check and operation, and the server errors (5xx); the JSON reports
and logs are kept under var/bench/schema_fuzz/. Results go to docs/reliability.md between
`<!-- schema_fuzz -->` markers with --write-docs.

Raw and classified: `positive_data_acceptance` (ST202) counts every refusal of schema-valid
data; `undocumented_rejection` (bench/schema_fuzz_hooks.py) counts only those that are not one
of the operation's documented refusals (`x-refusals`: rules across parameters, times relative
to now, references to stored data). `negative_data_rejection` (ST201) counts every acceptance
of a request schemathesis made invalid; `accepted_negative_data` only those still invalid as
sent (a `text/csv` body `true`, or a form field sent as the text `12`, is valid text on the
wire). The classified figures are every check but those two raw ones; the documented refusals
met are counted per operation and code. Exit status 1 when any role has a classified failure
or a server error. `--operations 'POST /api/v1/submissions/'` replays one operation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import servers  # noqa: E402
from bench.api_read import seed  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.submission_1m import _recreate_database, _with_database  # noqa: E402
from ipi_exchange.queues import ALL_QUEUES  # noqa: E402

WORK = ROOT / "var" / "bench" / "schema_fuzz"
DATABASE = "ipi_bench_fuzz"
# Not 9, the test suite's (settings_test, IPI_TEST_REDIS_DB): a fuzz run beside a test run
# would share their queues, and each worker would take the other's tasks.
REDIS_DB = 10
RELIABILITY = ROOT / "docs" / "reliability.md"
ROLES = {
    "reader": ("FUZZ_READER", ["read"]),
    "reporter": ("TH_OIE", ["submit", "read", "admin"]),
    "secretariat": ("MKG_SEC", ["read", "admin"]),
}
PHASES = "examples,coverage,fuzzing,stateful"
# Counted raw only: `undocumented_rejection` is the first less the documented refusals,
# `accepted_negative_data` the second less the negations the wire undoes.
RAW_ONLY = frozenset({"positive_data_acceptance", "negative_data_rejection"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=300, help="per operation")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated")
    parser.add_argument("--phases", default=PHASES)
    parser.add_argument("--mode", default="all", choices=["all", "positive", "negative"])
    parser.add_argument("--checks", default="all")
    parser.add_argument(
        "--operations", default="", help="only these, e.g. 'POST /api/v1/submissions/' (a replay)"
    )
    parser.add_argument("--max-time", type=int, default=0, help="seconds per st pass (0: none)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--st-workers", default="1", help="schemathesis workers (or auto)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/reliability.md")
    parser.add_argument(
        "--wait-while",
        default="",
        help="before each role, wait while this path exists (another's timing benchmark)",
    )
    args = parser.parse_args()
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        parser.error(f"unknown roles: {', '.join(unknown)}")
    from ipi_exchange import embedded
    from ipi_exchange.env import with_redis_db

    WORK.mkdir(parents=True, exist_ok=True)
    with embedded.services_from_environment() as urls:
        database_url = _with_database(urls.database, DATABASE)
        _recreate_database(urls.database, DATABASE)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": with_redis_db(urls.redis, REDIS_DB),
            "IPI_FILE_STORE": str(WORK / "files"),
            "DJANGO_SETTINGS_MODULE": "ipi_exchange.settings",
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "IPI_API_RATE": "0/minute",
            "IPI_AUTH_FAILURES_PER_WINDOW": "0",
            "IPI_WEBHOOK_MAX_PER_AGENCY": "100000",
            "IPI_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        }
        os.environ.update(env)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        _flush_redis(env["REDIS_URL"])
        results = run(args, roles, env, database_url)
    report = format_results(results, args)
    print(report)
    if args.write_docs:
        write_section("schema_fuzz", report, RELIABILITY)
    sys.exit(1 if any(r["classified"] or r["server_errors"] for r in results["roles"]) else 0)


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def tokens(roles: list[str]) -> dict[str, str]:
    import django

    django.setup()
    from countries.models import Agency
    from countries.services import credential_create

    made = {}
    for role in roles:
        agency_id, scopes = ROLES[role]
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None:  # the reader: an agency of its own, no country
            agency = Agency.objects.create(id=agency_id, name="Fuzz reader", role="reader")
        _, made[role] = credential_create(agency=agency, name=f"fuzz-{role}", scopes=scopes)
    return made


def run(args, roles: list[str], env: dict, database_url: str) -> dict:

    seed(database_url, 4_000)  # ten published series, M.TH.C.N.IX among them
    made = tokens(roles)
    web, base = servers.gunicorn(
        env, workers=args.web_workers, log=WORK / "gunicorn.log", timeout=120
    )
    worker = servers.celery_worker(
        env,
        queues=ALL_QUEUES,
        log=WORK / "worker.log",  # every queue, webhooks included
    )
    per_role = []
    started = time.monotonic()
    try:
        for role in roles:
            while args.wait_while and Path(args.wait_while).exists():
                time.sleep(15)
            per_role.append(fuzz_role(args, role, made[role], base, env))
            print(_role_line(per_role[-1]), flush=True)
    finally:
        for process in (web, worker):
            servers.stop(process)
    return {
        "roles": per_role,
        "seconds": time.monotonic() - started,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"schemathesis {_schemathesis_version()}"
        ),
    }


def _schemathesis_version() -> str:
    from importlib.metadata import version

    return version("schemathesis")


# A stateful run soon revokes the credential it runs with (POST .../revoke/ of an id it has
# just listed), and every later request is a 401: the revocations run last, on their own.
PASSES = (
    ("main", ["--exclude-path-regex", "/revoke/$"]),
    ("revoke", ["--include-path-regex", "/revoke/$"]),
)


def fuzz_role(args, role: str, token: str, base: str, env: dict) -> dict:
    started = time.monotonic()
    exit_code = 0
    summaries = []
    for name, selection in PASSES:
        ndjson = WORK / f"{role}-{name}.ndjson"
        ndjson.unlink(missing_ok=True)
        refusals = WORK / f"{role}-{name}-refusals.jsonl"
        refusals.unlink(missing_ok=True)
        command = [
            str(Path(sys.executable).parent / "st"),
            "--config-file",
            str(ROOT / "bench" / "schemathesis.toml"),
            "run",
            f"{base}/api/schema/",
            *selection,
            "--checks",
            args.checks,
            "--mode",
            args.mode,
            "--phases",
            args.phases,
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            str(args.st_workers),
            "--suppress-health-check",
            "all",
            "--request-timeout",
            "60",
            "--header",
            f"Authorization: Bearer {token}",
            "--continue-on-failure",
            "--output-sanitize",
            "false",
            "--no-color",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(ndjson),
        ]
        if args.max_time:
            command += ["--max-time", str(args.max_time)]
        command += _operation_filter(args.operations)
        st_env = {
            **env,
            "SCHEMATHESIS_HOOKS": "bench.schema_fuzz_hooks",
            "PYTHONPATH": str(ROOT),
            "IPI_FUZZ_REFUSALS_LOG": str(refusals),
        }
        with (WORK / f"{role}-{name}.log").open("wb") as log:
            code = subprocess.run(
                command, cwd=WORK, env=st_env, stdout=log, stderr=subprocess.STDOUT
            ).returncode
        exit_code = max(exit_code, code)
        summaries.append({**summarize(ndjson), "refusals": documented_refusals(refusals)})
    seconds = time.monotonic() - started
    merged = _merged(summaries)
    by_check = merged["by_check"].items()
    merged["classified"] = sum(n for check, n in by_check if check not in RAW_ONLY)
    return {"role": role, "exit_code": exit_code, "seconds": seconds, **merged}


def _operation_filter(operations: str) -> list[str]:
    """`st run` options keeping only the operations named "METHOD /path", comma-separated."""
    selected = []
    for item in filter(None, (part.strip() for part in operations.split(","))):
        method, _, path = item.partition(" ")
        selected += ["--include-name", f"{method.upper()} {path.strip()}"]
    return selected


def documented_refusals(log: Path) -> Counter[str]:
    """Requests answered with a documented refusal, by operation and code(s)."""
    counts: Counter[str] = Counter()
    if log.exists():
        for line in log.read_text().splitlines():
            item = json.loads(line)
            codes = ",".join(sorted(set(item["codes"])))
            counts[f"{item['operation']}: {codes} ({item['status']})"] += 1
    return counts


def _merged(summaries: list[dict]) -> dict:
    first, *rest = summaries
    merged = {
        **first,
        "statuses": Counter(first["statuses"]),
        "by_check": Counter(first["by_check"]),
    }
    merged["errors"] = Counter(first["errors"])
    merged["refusals"] = Counter(first["refusals"])
    for other in rest:
        for name in ("requests", "failures", "server_errors"):
            merged[name] += other[name]
        for name in ("statuses", "by_check", "errors", "refusals"):
            merged[name].update(other[name])
        merged["by_operation"] = merged["by_operation"] + other["by_operation"]
    for name in ("statuses", "by_check", "errors", "refusals"):
        merged[name] = dict(merged[name].most_common())
    return merged


def summarize(ndjson: Path) -> dict:
    """Requests, failures by check and by (operation, check), server errors, from the events."""
    requests = 0
    statuses: Counter[str] = Counter()
    by_check: Counter[str] = Counter()
    by_operation: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    errors: Counter[str] = Counter()
    if not ndjson.exists():
        return _summary(0, statuses, by_check, by_operation, examples, errors)
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            if kind == "ScenarioFinished":
                _scenario(body, statuses, by_check, by_operation, examples)
            elif kind == "NonFatalError":
                label = body.get("label") or "?"
                errors[f"{label}: {body.get('info', {}).get('title', 'error')}"] += 1
    requests = sum(statuses.values())
    return _summary(requests, statuses, by_check, by_operation, examples, errors)


def _scenario(body: dict, statuses, by_check, by_operation, examples) -> None:
    recorder = body.get("recorder") or {}
    label = recorder.get("label", "?")
    interactions = recorder.get("interactions") or {}
    for interaction in interactions.values():
        response = (interaction or {}).get("response")
        if response:
            statuses[str(response.get("status_code"))] += 1
    seen: set[tuple[str, str]] = set()
    for case_id, checks in (recorder.get("checks") or {}).items():
        for check in checks:
            if check.get("status") != "failure":
                continue
            failure = (check.get("failure_info") or {}).get("failure") or {}
            title = " ".join(filter(None, (failure.get("code"), failure.get("title"))))
            key = (label, f"{check.get('name', '?')}: {title}" if title else check["name"])
            if key in seen:  # one scenario counts once per kind
                continue
            seen.add(key)
            by_check[check.get("name", "?")] += 1
            by_operation[key] += 1
            if key not in examples:
                examples[key] = _request_line(interactions.get(case_id), failure)


def _request_line(interaction: dict | None, failure: dict) -> str:
    """The request that failed and the answer's status, short enough for one line."""
    import base64

    if not interaction:
        return failure.get("message", "")[:200]
    request = interaction.get("request") or {}
    response = interaction.get("response") or {}
    body = (request.get("body") or {}).get("$base64")
    text = base64.b64decode(body).decode("utf-8", "replace")[:200] if body else ""
    content_type = (request.get("headers") or {}).get("Content-Type", [""])[0]
    return (
        f"{request.get('method')} {request.get('uri', '')[:300]} [{content_type}] {text!r} -> "
        f"{response.get('status_code')}"
    )


def _summary(requests, statuses, by_check, by_operation, examples, errors) -> dict:
    server_errors = sum(n for code, n in statuses.items() if code.startswith("5"))
    return {
        "requests": requests,
        "statuses": dict(sorted(statuses.items())),
        "failures": sum(by_check.values()),
        "by_check": dict(by_check.most_common()),
        "by_operation": [
            {"operation": op, "check": check, "count": n, "example": examples.get((op, check))}
            for (op, check), n in by_operation.most_common()
        ],
        "server_errors": server_errors,
        "errors": dict(errors.most_common()),
    }


def _role_line(r: dict) -> str:
    return (
        f"{r['role']}: {r['requests']} requests, {r['failures']} failures "
        f"{r['by_check'] or ''} ({r['classified']} classified), "
        f"{sum(r['refusals'].values())} documented refusals, {r['server_errors']} server errors, "
        f"{len(r['errors'])} errors, {r['seconds']:.0f} s (st exit {r['exit_code']})"
    )


def format_results(r: dict, args) -> str:
    lines = [
        "### Deep schema fuzzing (`bench/schema_fuzz.py`)\n",
        f"`st run` against gunicorn ({args.web_workers} workers) and a Celery worker, "
        f"checks `{args.checks}`, mode `{args.mode}`, phases `{args.phases}`, "
        f"{args.max_examples} examples per operation"
        + (f", at most {args.max_time} s per pass (`st run`)" if args.max_time else "")
        + f"; {r['when']}, {r['machine']}; {r['seconds']:.0f} s in all.\n",
        "Raw: every check as schemathesis has it (`positive_data_acceptance`: every refusal of "
        "schema-valid data; `negative_data_rejection`: every acceptance of a request it made "
        "invalid). Classified: every check but those two; `undocumented_rejection` is the first "
        "less the operation's documented refusals (`x-refusals`), whose requests are counted "
        "apart, and `accepted_negative_data` the second less the requests valid as sent (a "
        "`text/csv` body `true`, a form field sent as the text `12`).\n",
        "| role | requests | raw failures (scenarios) by check | classified failures | "
        "documented refusals (requests) | server errors | errors | time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for role in r["roles"]:
        raw = ", ".join(f"{k} {v}" for k, v in role["by_check"].items()) or "0"
        classified = (
            ", ".join(f"{k} {v}" for k, v in role["by_check"].items() if k not in RAW_ONLY) or "0"
        )
        lines.append(
            f"| {role['role']} | {role['requests']:,} | {raw} | {classified} | "
            f"{sum(role['refusals'].values()):,} | {role['server_errors']} | "
            f"{sum(role['errors'].values())} | {role['seconds']:.0f} s |"
        )
    details = [
        f"- {role['role']}: {item['operation']} | {item['check']} | x{item['count']} | "
        f"e.g. `{item['example']}`"
        for role in r["roles"]
        for item in role["by_operation"]
    ] + [
        f"- {role['role']}: error {text} x{n}"
        for role in r["roles"]
        for text, n in role["errors"].items()
    ]
    if details:
        lines += ["", "Failures:", "", *details]
    met = [
        f"- {role['role']}: {what} x{n}"
        for role in r["roles"]
        for what, n in role["refusals"].items()
    ]
    if met:
        lines += ["", "Documented refusals met (requests):", "", *met]
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    main()
