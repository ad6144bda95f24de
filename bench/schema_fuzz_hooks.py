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

`accepted_negative_data` is `negative_data_rejection` (ST201) less the negations the wire
undoes, which schemathesis 4.32 still counts: a body whose only fault was its type or a form
field's, and whose bytes as sent satisfy the schema. Its check knows that a `text/plain` body
is sent as text, but a `text/csv` body goes through the same text serializer (`{}`, `true`,
`159` are CSV text), and it cannot read a multipart body with a file part (the file's bytes
make its validator raise), so a form field sent as the text `5.6e+16` for a string counts as
a number. Here the body is read back from the request as the server reads it (text, or form
fields as text with the file parts as the binary strings the schema says) and checked
against the schema; only when it is invalid as sent is the acceptance a failure. Both run:
the raw figure is `negative_data_rejection`, the classified one `accepted_negative_data`.
"""

from __future__ import annotations

import csv
import io
import json
import os

import schemathesis
from schemathesis.core import media_types
from schemathesis.core.errors import MalformedMediaType
from schemathesis.core.failures import Failure, Severity
from schemathesis.core.jsonschema import BUNDLE_STORAGE_KEY, make_validator, resolve_bundled_ref
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    _form_text_readings,
    _get_openapi_schema,
    _has_errors_at,
    _has_other_negated_location,
    _sent_form_fields,
    negative_data_rejection,
    positive_data_acceptance,
)

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


@schemathesis.check
def accepted_negative_data(ctx, response, case) -> bool | None:
    try:
        valid = body_valid_as_sent(response, case)
    except Exception:  # a body it cannot read back counts as schemathesis has it
        valid = False
    if valid:
        return None
    return negative_data_rejection(ctx, response, case)


def body_valid_as_sent(response, case) -> bool:
    """Whether the body was the request's only negated part and its bytes, read back as the
    server reads them, satisfy the schema after all."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    if not meta.is_negative_at(ParameterLocation.BODY):
        return False
    if _has_other_negated_location(case, ParameterLocation.BODY):
        return False
    media_type = case.media_type
    content = response.request.body
    if not media_type or content is None:
        return False  # no body sent, or one under no media type: nothing to read back
    try:
        body = case.operation.get_body_for_media_type(media_type)
    except MalformedMediaType:
        return False
    if body is None:
        return False
    if isinstance(content, str):
        content = content.encode()
    schema = body.optimized_schema
    validator = make_validator(schema, _get_openapi_schema(case).adapter.jsonschema_validator_cls)
    try:
        main, sub = media_types.parse(media_type)
        if main == "text":
            return validator.is_valid(content.decode("utf-8"))
        if (main, sub) == ("multipart", "form-data"):
            sent = _form_as_sent(response, media_type, schema, validator)
            return sent is not None and validator.is_valid(sent)
    except (MalformedMediaType, UnicodeDecodeError, ValueError):
        return False
    return False


def _form_as_sent(response, media_type: str, schema: dict, validator) -> dict | None:
    """The multipart fields as sent: text read as text (or as the JSON value it spells, as a
    server may read `true` or `12`), a file part as a binary string where the schema has one."""
    fields = _sent_form_fields(response, media_type)
    if fields is None:
        return None
    properties = resolve_bundled_ref(schema, schema.get(BUNDLE_STORAGE_KEY)).get("properties") or {}
    sent: dict[str, object] = {}
    for name, texts in fields.items():
        if len(texts) != 1:
            return None  # a repeated field: which one the server reads is its choice
        (text,) = texts
        if text is None:  # a file part: any bytes are a `format: binary` string
            if (properties.get(name) or {}).get("format") != "binary":
                return None
            sent[name] = "file"
            continue
        readings = _form_text_readings(text)
        sent[name] = next(
            (r for r in readings if not _has_errors_at(validator, {**sent, name: r}, name)),
            readings[0],
        )
    return sent
