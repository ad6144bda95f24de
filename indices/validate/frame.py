"""A submission's rows as one columnar table (polars): the raw text beside the normalized values.

The rules are vectorized expressions over this frame, in the worker: a million rows are read,
normalized and checked in about a second, where a pass of PostgreSQL over a staged million rows
costs 0.5-1 s each and the rules need a dozen. The normalization itself stays the Python of
`Normalizer`, applied once per distinct series key and period (a million rows have a few
thousand) and joined back; only OBS_VALUE is parsed per row, by polars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, cast

import polars as pl

from indices.receive.parsing.base import RAW_COLUMNS
from indices.validate.normalize import UPLOAD_FREQS, Normalizer, parse_period

if TYPE_CHECKING:
    from indices.receive.parsing import ParsedFile, RawRow

RAW_SCHEMA = {name: (pl.Int64 if name == "row_no" else pl.String) for name in RAW_COLUMNS}
# The columns normalization adds, NULL where the raw text does not parse (see `Normalizer`):
# freq_n, adjustment_n, status_n, activity_n, base_year, series_id from the series part;
# period_start, period_label and mi (year * 12 + month - 1) from the period; value_n.
# Besides: area_n, REF_AREA in capitals (E04 compares it with the agency's country), and sk.
SERIES_KEY_COLUMNS = (
    "freq",
    "adjustment",
    "obs_status",
    "activity",
    "nat_code",
    "base_per",
    "ref_area",
)
SERIES_PART_SCHEMA = {
    "freq_n": pl.String,
    "adjustment_n": pl.String,
    "status_n": pl.String,
    "activity_n": pl.String,
    "base_year": pl.Int32,
    "series_id": pl.String,
}
# A plain decimal with a point: no thousands separator, no comma, no NaN/Infinity words. Its
# digits are any Unicode digits, as Python's float() reads them (Thai digits included).
NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
# Rows turned into columns at a time when the frame is built from parsed rows; progress is
# reported after each chunk.
CHUNK_ROWS = 10_000


def parsed_rows(
    parsed: ParsedFile, on_progress: Callable[[int], None] | None = None
) -> pl.DataFrame:
    """A parsed file's rows as a raw frame: the one the fast CSV reader built, or the rows."""
    if parsed.frame is not None:
        if on_progress is not None:
            on_progress(parsed.frame.height)
        return parsed.frame
    return raw_frame(parsed.rows, on_progress)


def raw_frame(
    rows: Iterable[RawRow], on_progress: Callable[[int], None] | None = None
) -> pl.DataFrame:
    """The parsed rows as a frame of RAW_COLUMNS, built a chunk of rows at a time."""
    iterator = iter(rows)
    chunks = []
    read = 0
    while batch := list(islice(iterator, CHUNK_ROWS)):
        columns = list(zip(*batch, strict=True))
        chunks.append(
            pl.DataFrame(
                {name: columns[i] for i, name in enumerate(RAW_COLUMNS)},
                schema=RAW_SCHEMA,
            )
        )
        read += len(batch)
        if on_progress is not None:
            on_progress(read)
    if not chunks:
        return pl.DataFrame(schema=RAW_SCHEMA)
    return pl.concat(chunks, rechunk=True)


def normalized_frame(raw: pl.DataFrame, normalizer: Normalizer) -> pl.DataFrame:
    """`raw` with the normalized columns added, row order kept.

    Also `area_n`, REF_AREA in capitals, and `sk`, the series' number in the order series first
    appear in the file (NULL without a series id): the rules sort and group by it, several
    times faster than by the text, and a file written series by series is already in that
    order.
    """
    series_keys, series_of_row = _distinct(raw, SERIES_KEY_COLUMNS)
    parts = [normalizer.series_part(*key) for key in series_keys.iter_rows()]
    numbers: dict[str, int] = {}
    for part in parts:  # the distinct keys come in the order of their first row
        if part[5] is not None:
            numbers.setdefault(part[5], len(numbers))
    series = pl.DataFrame(parts or None, schema=SERIES_PART_SCHEMA, orient="row").with_columns(
        sk=pl.Series([numbers.get(part[5] or "") for part in parts], dtype=pl.UInt32),
        area_n=series_keys["ref_area"].str.to_uppercase(),
    )
    period_keys, period_of_row = _distinct(raw, ("freq", "time_period"))
    periods = _periods(period_keys).drop("freq", "time_period")
    return raw.hstack(
        [
            # One select per table: its columns are gathered in parallel.
            *series.select(pl.all().gather(series_of_row)).get_columns(),
            *periods.select(pl.all().gather(period_of_row)).get_columns(),
            _values(raw["obs_value"]),
        ]
    )


def _distinct(frame: pl.DataFrame, columns: tuple[str, ...]) -> tuple[pl.DataFrame, pl.Series]:
    """(the distinct values of `columns` in the order of their first row, the index of each
    row's among them).

    Exact, and cheap for the files we get: a column with one value throughout needs no
    comparing; a file lists a series' rows one after the other, so equal neighbours are matched
    by a comparison with the row before (a million rows of 2,000 series leave 2,000 runs), and
    only the first row of each run is matched to its distinct value. Where most rows start a
    run (a file in random order), every row is matched: picking the runs out would cost more.
    """
    keys = frame.select(columns).rechunk()  # gathers from many chunks cost several times more
    changed = {name: pl.col(name).ne_missing(pl.col(name).shift(1)) for name in columns}
    flags = keys.select(changed[name].slice(1).any() for name in columns).row(0)
    varying = [name for name, flag in zip(columns, flags, strict=True) if flag]
    if not varying:  # one value throughout (or no rows at all)
        return keys.head(1), pl.zeros(keys.height, pl.UInt32, eager=True)
    first_row = pl.int_range(pl.len()) == 0
    run_starts = keys.select(
        pl.any_horizontal(first_row, *(changed[name] for name in varying))
    ).to_series()
    if run_starts.sum() * 2 > keys.height:
        return _distinct_runs(keys, varying)
    distinct, of_run = _distinct_runs(keys.filter(run_starts), varying)
    return distinct, of_run.gather(run_starts.cum_sum().cast(pl.UInt32) - 1)


def _distinct_runs(runs: pl.DataFrame, varying: list[str]) -> tuple[pl.DataFrame, pl.Series]:
    """`_distinct` of the runs' first rows (or of every row), in which only the `varying`
    columns differ.

    Each row's key is one integer made of its texts' numbers in a dictionary of each column
    (a categorical's codes: equal texts, equal numbers), so rows are told apart exactly and
    each text is hashed once."""
    key = _text_codes(runs[varying[0]])
    for name in varying[1:]:
        codes = _text_codes(runs[name])
        width = _largest(codes) + 1
        if (_largest(key) + 1) * width > 1 << 64:  # numbered anew (below 2**32), the product fits
            key = _first_seen_index(key).cast(pl.UInt64)
        key = key * width + codes
    first = key.is_first_distinct()
    return runs.filter(first), _first_seen_index(key, first)


def _text_codes(texts: pl.Series) -> pl.Series:
    """A number per distinct text of the column (NULL's the largest), as UInt64."""
    # A dictionary of this column's own, dropped with it (the global one would keep every text
    # the worker ever saw).
    codes = texts.cast(pl.Categorical(pl.Categories.random())).to_physical().cast(pl.UInt64)
    return codes.fill_null(_largest(codes) + 1)


def _largest(numbers: pl.Series) -> int:
    """The largest of unsigned numbers (0 of none)."""
    return int(cast(int, numbers.max()) or 0)


def _first_seen_index(key: pl.Series, first: pl.Series | None = None) -> pl.Series:
    """Each key's index among the distinct keys in the order they first come (UInt32)."""
    first = key.is_first_distinct() if first is None else first
    distinct = key.filter(first)
    return key.replace_strict(distinct, pl.int_range(len(distinct), dtype=pl.UInt32, eager=True))


def _values(obs_value: pl.Series) -> pl.Series:
    """OBS_VALUE as a finite float, or NULL where it is not a plain decimal number."""
    plain = obs_value.str.contains(NUMBER_PATTERN)
    number = obs_value.cast(pl.Float64, strict=False)
    # Digits other than ASCII ones (Thai digits) match the pattern but not polars' parser:
    # Python's float reads those few.
    unread = obs_value.filter(plain & number.is_null()).unique()
    if unread.len():
        by_text = {text: float(text) for text in unread}
        number = number.fill_null(
            obs_value.replace_strict(by_text, default=None, return_dtype=pl.Float64)
        )
    return pl.Series("value_n", number).set(~(plain & number.is_finite()).fill_null(False), None)


def _periods(pairs: pl.DataFrame) -> pl.DataFrame:
    """(freq, time_period) -> period_start, period_label, mi, parsed as Normalizer does."""
    starts: list[date | None] = []
    labels: list[str | None] = []
    months: list[int | None] = []
    for freq, time_period in pairs.iter_rows():
        freq_n = (freq or "M").upper()
        period = parse_period(time_period, freq_n if freq_n in UPLOAD_FREQS else None)
        if period is None:
            starts.append(None)
            labels.append(None)
            months.append(None)
        else:
            starts.append(period[0])
            labels.append(period[1])
            months.append(period[0].year * 12 + period[0].month - 1)
    return pairs.with_columns(
        period_start=pl.Series(starts, dtype=pl.Date),
        period_label=pl.Series(labels, dtype=pl.String),
        mi=pl.Series(months, dtype=pl.Int32),
    )
