"""Schemathesis hooks for `bench/schema_fuzz.py` (loaded by `st run` via SCHEMATHESIS_HOOKS).

Without a deserializer schemathesis skips the body of a text/csv answer; with this one the CSV
is parsed (a malformed file is a failure) and checked against the schema as the string it is.

`undocumented_rejection` is `positive_data_acceptance` (ST202) less the refusals the schema
documents and cannot express: a request whose every value has the form the schema describes is
still refused when it breaks a rule across parameters, names a time in the past, or refers to
data the exchange does not hold (`x-refusals` of the operation: ipi_exchange/http/schema.py
`Refusal`). Such an answer is expected only when it is a 4xx problem+json whose status and
every error code are among the operation's own documented refusals; any other refusal of
schema-valid data still fails here. Both checks run, so a run reports the raw figure
(positive_data_acceptance) and the classified one (undocumented_rejection); the documented
refusals met are written, one JSON line each, to $IPI_FUZZ_REFUSALS_LOG when set.
"""

from __future__ import annotations

import csv
import io
import json
import os

import schemathesis
from schemathesis.core.failures import Failure, Severity
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

# What positive_data_acceptance refuses to count as a refusal worth a failure anyway.
REFUSAL_STATUSES = frozenset({400, 404, 409, 413, 422})


@schemathesis.deserializer("text/csv")
def deserialize_csv(ctx, response) -> str:
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if rows and len({len(row) for row in rows}) != 1:
        raise ValueError(f"CSV rows of different lengths: {sorted({len(r) for r in rows})}")
    return text


def problem_codes(response) -> list[str]:
    """The error codes of a problem+json answer: each input's, or the problem's own."""
    if not response.headers.get("content-type", [""])[0].startswith("application/problem+json"):
        return []
    try:
        problem = json.loads(response.content)
    except ValueError:
        return []
    if not isinstance(problem, dict):
        return []
    errors = problem.get("errors") or []
    codes = [error.get("code") for error in errors if isinstance(error, dict)]
    return [str(code) for code in codes or [problem.get("code")] if code]


def documented_refusal(definition: dict, status: int, codes: list[str]) -> bool:
    """Whether (status, codes) is one of the refusals the operation documents."""
    documented = {
        (item.get("code"), item.get("status")) for item in definition.get("x-refusals") or []
    }
    return (
        status in REFUSAL_STATUSES
        and bool(codes)
        and all((code, status) in documented for code in codes)
    )


class UndocumentedRejection(Failure):
    """Schema-valid data refused, and the refusal is none the operation documents."""

    code = "ST202U"
    checks = ("undocumented_rejection",)
    kind_title = "Schema-valid request rejected, not a documented refusal"

    __slots__ = ("codes", "status_code")

    def __init__(self, *, operation: str, message: str, status_code: int, codes: list[str]):
        super().__init__(
            operation=operation,
            title=self.kind_title,
            message=message,
            case_id=None,
            severity=Severity.MEDIUM,
        )
        self.status_code = status_code
        self.codes = codes

    @property
    def _unique_key(self) -> str:
        # One finding per status and set of codes: a documented refusal hides no other.
        return f"{self.status_code}|{','.join(sorted(set(self.codes)))}"


@schemathesis.check
def undocumented_rejection(ctx, response, case) -> bool | None:
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData as rejected:
        definition = case.operation.definition.raw
        codes = problem_codes(response)
        if not documented_refusal(definition, response.status_code, codes):
            raise UndocumentedRejection(
                operation=case.operation.label,
                message=f"{rejected.message}\nGot {response.status_code} with code(s) "
                f"{', '.join(codes) or '-'}; documented refusals: "
                + (
                    ", ".join(
                        f"{item['code']} ({item['status']})"
                        for item in definition.get("x-refusals") or []
                    )
                    or "none"
                ),
                status_code=response.status_code,
                codes=codes,
            ) from None
        if path := os.environ.get("IPI_FUZZ_REFUSALS_LOG"):
            with open(path, "a", encoding="utf-8") as log:
                record = {"operation": case.operation.label, "status": response.status_code}
                log.write(json.dumps({**record, "codes": codes}) + "\n")
        return None
