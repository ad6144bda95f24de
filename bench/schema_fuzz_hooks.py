"""Schemathesis hooks for `bench/schema_fuzz.py` (loaded by `st run` via SCHEMATHESIS_HOOKS).

Without a deserializer schemathesis skips the body of a text/csv answer; with this one the CSV
is parsed (a malformed file is a failure) and checked against the schema as the string it is.
"""

from __future__ import annotations

import csv
import io

import schemathesis


@schemathesis.deserializer("text/csv")
def deserialize_csv(ctx, response) -> str:
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if rows and len({len(row) for row in rows}) != 1:
        raise ValueError(f"CSV rows of different lengths: {sorted({len(r) for r in rows})}")
    return text
