"""The fast path for plain long CSV files (indices/parsing/fast.py) gives exactly what the slow
path gives: the same rows frame, row for row and value for value, and the same findings. Each
file is parsed both ways, the slow way by taking the fast reader away from `parse_file`."""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from indices.receive.parsing import ParsedFile, detect, parse_file
from indices.receive.parsing.base import FINDINGS_CAP_PER_RULE, STANDARD_COLUMNS
from indices.validate.frame import RAW_SCHEMA, parsed_rows

CORPUS = Path(__file__).resolve().parents[3] / "corpus"
HEADER = "REF_AREA,NAT_CODE,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"


def parse_both(path: Path, **options) -> tuple[ParsedFile, pl.DataFrame]:
    """Parse `path` both ways, check that both give the same, and return the fast parse (its
    `frame` is None when the fast path declined) with its rows frame."""
    fast = parse_file(path, **options)
    fast_frame = parsed_rows(fast)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detect, "long_csv_reader", lambda *args: None)
        slow = parse_file(path, **options)
    slow_frame = parsed_rows(slow)  # consumes the rows: the findings are complete after
    assert slow.frame is None
    assert_frame_equal(fast_frame, slow_frame)
    assert fast_frame.schema == pl.Schema(RAW_SCHEMA)
    assert fast.findings == slow.findings
    assert (fast.format, fast.layout, fast.columns, fast.encoding, fast.fatal) == (
        slow.format,
        slow.layout,
        slow.columns,
        slow.encoding,
        slow.fatal,
    )
    if fast.frame is not None:  # the frame's rows as RawRows, for readers that want those
        assert list(fast.rows) == list(slow_frame.iter_rows())
    return fast, fast_frame


# --- (a) generated plain CSV files -------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis directory in the working tree
    suppress_health_check=[HealthCheck.too_slow],
)
VALUES = st.sampled_from(
    ["", "TH", "th", "C", "N", "S", "M", "A", "2024-01", "2024M02", "101.3", "1e3", "2021", "x y"]
) | st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"'), max_size=8)
SPACES = st.sampled_from(["", "", "", " ", "  ", "\t"])
# Something that makes a file not plain, now and then: the fast path must decline it.
# (Put before a line: a "\r" after one would make its line end a plain "\r\n".)
TAINTS = st.sampled_from([None] * 12 + ['"', "\u0e1c", "\x0c", "\x1c", "\r ", "\xa0"])


@st.composite
def cells(draw, width: int) -> list[str]:
    """One data row's cells: short, full, or with cells past the header (empty or not)."""
    count = draw(
        st.sampled_from([width] * 12 + [max(0, width - 2), width + 1, width + 2])
        | st.integers(0, width + 3)
    )
    return [draw(SPACES) + draw(VALUES) + draw(SPACES) for _ in range(count)]


@st.composite
def plain_csv(draw) -> tuple[bytes, str, str, bool]:
    """(file bytes, action, what the file is, whether the fast path must take it)."""
    delimiter = draw(st.sampled_from([",", ";"]))
    action = draw(st.sampled_from(["merge", "merge", "delete"]))
    required = [
        "REF_AREA",
        "TIME_PERIOD",
        "BASE_PER",
        draw(st.sampled_from(["ACTIVITY", "NAT_CODE"])),
    ]
    if action == "merge" or draw(st.booleans()):
        required.append("OBS_VALUE")
    optional = [name for name in STANDARD_COLUMNS if name not in required]
    names = required + draw(st.lists(st.sampled_from(optional), unique=True))
    names = draw(st.permutations(names))
    # No tabs around the names: the separator is sniffed from the header line, tabs included.
    padding = st.sampled_from(["", "", " "])
    header = [
        draw(padding) + draw(st.sampled_from([name, name.lower(), name.title()])) + draw(padding)
        for name in names
    ]
    blank_column = draw(st.sampled_from([False] * 9 + [True]))
    if blank_column:
        header.insert(draw(st.integers(0, len(header) - 1)), " ")
    header += [""] * draw(st.sampled_from([0, 0, 0, 1, 2]))  # Excel's trailing separators
    width = len(header)
    lines = [""] * draw(st.integers(0, 2))
    if delimiter == ";" and draw(st.booleans()):
        lines.insert(0, "sep=;")
    lines.append(delimiter.join(header))
    kinds = st.sampled_from(["row"] * 8 + ["blank", "separators", "spaces"])
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(kinds)
        if kind == "row":
            lines.append(delimiter.join(draw(cells(width))))
        elif kind == "blank":
            lines.append("")
        elif kind == "separators":
            lines.append(delimiter * draw(st.integers(1, width + 2)))
        else:
            lines.append(draw(st.sampled_from([" ", "\t", " ; , "])))
    taint = draw(TAINTS)
    if taint is not None:
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = taint + lines[at]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from([newline, ""]))
    bom = draw(st.booleans())
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode()
    what = f"{delimiter!r} {newline!r} bom={bom} taint={taint!r} blank_column={blank_column}"
    return data, action, what, taint is None and not blank_column


def test_generated_plain_csv_fast_equals_slow(tmp_path):
    counts: Counter[str] = Counter()

    @FUZZ
    @given(case=plain_csv(), max_rows=st.sampled_from([1_000] * 9 + [0, 1, 3]))
    def check(case, max_rows):
        data, action, what, plain = case
        path = tmp_path / "upload.csv"
        path.write_bytes(data)
        parsed, frame = parse_both(path, max_rows=max_rows, action=action)
        counts["files"] += 1
        if plain and not parsed.fatal:
            assert parsed.frame is not None, what
            counts["fast"] += 1
            counts["fast rows"] += frame.height
        elif not plain:
            assert parsed.frame is None, what

    check()
    # Most generated files are plain long tables, and the fast path must have read them: 74 to
    # 113 of 150 in 13 runs (hypothesis draws anew each run). A quarter is the floor, so that
    # a run that draws fewer does not fail, while a fast path that declines most still does.
    assert counts["fast"] > counts["files"] // 4, counts
    assert counts["fast rows"] > 0, counts


# --- (b) the corpus ----------------------------------------------------------------------------

CORPUS_CSV = sorted(CORPUS.glob("*/*.csv"))


@pytest.mark.parametrize("path", CORPUS_CSV, ids=[f"{p.parent.name}/{p.name}" for p in CORPUS_CSV])
def test_corpus_csv_fast_equals_slow(path):
    parse_both(path)


def test_corpus_has_fast_files():
    taken = [path.name for path in CORPUS_CSV if parse_file(path).frame is not None]
    assert "long_comma.csv" in taken
    assert len(taken) > len(CORPUS_CSV) // 2


# --- (c) the row limit, (d) no rows ------------------------------------------------------------


def test_row_limit_truncates_and_reports(tmp_path):
    path = tmp_path / "limit.csv"
    rows = [f"TH,N{i:04d},N,2024-01,{100 + i},2021" for i in range(10)]
    rows[1] += ",stray before the limit"
    rows[7] += ",stray after the limit"
    path.write_text("\n".join([HEADER, rows[0], "", ",,,", *rows[1:]]) + "\n")
    parsed, frame = parse_both(path, max_rows=3)
    assert parsed.frame is not None
    # Read rows: lines 2, 5 and 6 (line 3 is blank, line 4 only separators, line 5 has a stray).
    assert frame["row_no"].to_list() == [2, 6, 7]
    assert frame["value_cell"].to_list() == ["", "", ""]  # text files have no cells
    assert [(f.rule_id, f.row, f.cell) for f in parsed.findings] == [
        ("E02", 5, "G5"),
        ("E01", 8, ""),
    ]
    assert "more than 3 observations" in parsed.findings[1].message


def test_row_limit_zero(tmp_path):
    path = tmp_path / "zero.csv"
    path.write_text(f"{HEADER}\nTH,N0001,N,2024-01,100,2021\n")
    parsed, frame = parse_both(path, max_rows=0)
    assert parsed.frame is not None and frame.is_empty()
    assert [(f.rule_id, f.row) for f in parsed.findings] == [("E01", 2)]


@pytest.mark.parametrize(
    "text",
    [
        f"{HEADER}\n",
        HEADER,
        f"\r\n{HEADER}\r\n\r\n,,,,,\r\n   \r\n",
        f"sep=,\n{HEADER},,\n,,,,,,,,\n",
    ],
)
def test_header_without_rows_has_no_observations(tmp_path, text):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    parsed, frame = parse_both(path)
    assert parsed.frame is not None and frame.is_empty()
    [finding] = parsed.findings
    assert finding.rule_id == "E01" and "no data rows" in finding.message


# --- findings of the rows, and what the fast path declines --------------------------------------


def test_stray_cells_are_capped_like_the_slow_path(tmp_path):
    path = tmp_path / "strays.csv"
    count = FINDINGS_CAP_PER_RULE + 5
    rows = [f"TH,N{i:04d},N,2024-01,100,2021,,x" for i in range(count)]
    path.write_text("\n".join([f"{HEADER},", *rows, "TH,N9999,N,2024-02,100,2021,,"]) + "\n")
    parsed, frame = parse_both(path)
    assert parsed.frame is not None
    assert frame["row_no"].to_list() == [count + 2]
    assert [f.rule_id for f in parsed.findings] == ["E02"] * (FINDINGS_CAP_PER_RULE + 1)
    assert parsed.findings[-1].message.startswith("5 more rows have E02 problems")


def test_large_file_keeps_line_numbers(tmp_path):
    """Polars reads a file in parallel chunks (this one in about 30): the blank lines and the row
    numbers must still come out in file order."""
    path = tmp_path / "large.csv"
    count = 40_000
    lines = [f"{HEADER};;"]
    for i in range(count):
        period = f"{1990 + i % 30}-{i % 12 + 1:02d}"
        lines.append("" if i % 13 == 0 else f"TH ; N{i % 400:04d};N;{period};{i};2021")
    path.write_text("\r\n".join(lines).replace(",", ";"))
    parsed, frame = parse_both(path)
    assert parsed.frame is not None
    assert frame.height == count - len(range(0, count, 13))
    assert frame["row_no"][-1] == count + 1 and frame["obs_value"][-1] == str(count - 1)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f'{HEADER}\nTH,"N0001",N,2024-01,100,2021\n', "a quote"),
        (f"{HEADER},COMMENT\nTH,N0001,N,2024-01,100,2021,ผลิต\n", "not ASCII"),
        (f"{HEADER}\nTH,N0001,N,2024-01,100\x0c,2021\n", "form feed, stripped by str.strip"),
        (f"{HEADER}\nTH,N0001,N,2024-01,100\x1f,2021\n", "unit separator, stripped"),
        (f"{HEADER}\nTH,N0001,N,2024-01,100,2021\rTH,N0002,N,2024-01,100,2021\n", "a bare CR"),
        (f"{HEADER}\nTH,N0001,N,2024-01,100,2021\r\r\n", "CR CR LF"),
        (f"{HEADER.replace(',', chr(9))}\nTH\tN0001\tN\t2024-01\t100\t2021\n", "tab separator"),
        (f"REF_AREA,,{HEADER[9:]}\nTH,,N0001,N,2024-01,100,2021\n", "a blank header column"),
        ("REF_AREA,NAT_CODE,BASE_PER,2024-01\nTH,N0001,2021,100\n", "the wide layout"),
    ],
)
def test_not_plain_files_take_the_slow_path(tmp_path, text, why):
    path = tmp_path / "odd.csv"
    path.write_bytes(text.encode())
    parsed, _ = parse_both(path)
    assert parsed.frame is None, why


def test_utf16_takes_the_slow_path(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(f"{HEADER}\r\nTH,N0001,N,2024-01,100,2021\r\n".encode("utf-16"))
    parsed, frame = parse_both(path)
    assert parsed.frame is None and frame.height == 1


def test_a_cell_past_the_csv_field_limit_takes_the_slow_path(tmp_path):
    path = tmp_path / "long-cell.csv"
    path.write_text(f"{HEADER},COMMENT\nTH,N0001,N,2024-01,100,2021,{'x' * 60}\n")
    limit = csv.field_size_limit(50)
    try:
        parsed, frame = parse_both(path)
    finally:
        csv.field_size_limit(limit)
    assert parsed.frame is None and frame.is_empty()
    assert "cannot be read as CSV" in parsed.findings[0].message
