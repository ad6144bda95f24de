"""Bulk reads of the national store: a query's rows COPYed out as CSV and read by polars.

A third of the time of a cursor's row tuples, or less: harmonization reads a country's store
so, validation the stored history of the submitted series (hundreds of thousands of rows for a
monthly update of every series of a country)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import polars as pl
from django.db import connection

from ipi_exchange.db_settings import settings_for_block


def copied_out(
    sql: str, params, schema: dict, *, planner: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """The rows of a query, COPYed out as CSV and read by polars, the columns named and typed
    by `schema` in the query's order (PostgreSQL writes each float in its shortest exact form,
    and an empty text quoted, NULL not: both come back as they were). A parameter given as a
    polars Series is sent as an array (`array_params`). `planner`: settings of PostgreSQL's
    planner for this query alone (in a transaction; outside one they lapse)."""
    if isinstance(params, Mapping):
        params = array_params(params)
    buffer = io.BytesIO()
    with (
        connection.cursor() as cursor,
        settings_for_block(cursor, planner or {}),
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.getbuffer().nbytes:  # no row (a country's last values withdrawn)
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, schema=schema)


def array_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A statement's parameters with each polars Series as the text of an array (`array_text`):
    for a COPY here, and for any statement run through Django's cursor."""
    return {
        name: array_text(value) if isinstance(value, pl.Series) else value
        for name, value in params.items()
    }


def array_text(values: pl.Series) -> str:
    """`values` as the text of a PostgreSQL array ('{1,NULL,3}'; cast it in the statement:
    `%(name)s::int[]`), made by polars in one pass. Parameters are bound client-side (a COPY
    takes none on the server, and Django's psycopg backend binds every statement's so), and
    psycopg writes a list's elements one by one: the 5,000 elements of each array of a monthly
    update's stored-history read took 1 to 3 us each, their text a tenth of that."""
    text = values.cast(pl.String)
    if values.dtype == pl.String:  # quoted, so that a text is never read as NULL or split
        text = (
            '"'
            + text.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
                '"', '\\"', literal=True
            )
            + '"'
        )
    return "{" + text.fill_null("NULL").str.join(",").item() + "}"
