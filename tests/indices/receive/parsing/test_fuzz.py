"""Whatever is uploaded, parse_file returns a ParsedFile and consuming its rows never raises."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from indices.receive.parsing import ParsedFile, ParseFinding, RawRow, parse_file
from indices.receive.parsing.base import STANDARD_COLUMNS
from tests.indices.receive.parsing.conftest import xlsx_bytes

FUZZ = settings(
    # PARSING_FUZZ_EXAMPLES=5000 for a long run; 150 keeps the suite under a minute
    max_examples=int(os.environ.get("PARSING_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,  # no .hypothesis directory in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SDMX_COLUMNS = ["DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION", "TRANSFORMATION", "NAT_BASE_PER"]
HEADERS = st.sampled_from(
    [*STANDARD_COLUMNS, *SDMX_COLUMNS, "2024-01", "2024Q1", "2024-M13", "", "x", "ref_area "]
) | st.text(max_size=12)
CELLS = st.sampled_from(
    ["", "TH", "C", "M", "2024-01", "101.3", "NaN", "1,234.5", "ผลิต", '"']
) | st.text(max_size=20)
PREFIXES = st.sampled_from(
    [
        b"",
        codecs.BOM_UTF8,
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF32_LE,
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"{",
        b'{"observations": [',
        b"DATAFLOW,",
    ]
)


def _check(path: Path, data: bytes, **options: object) -> ParsedFile:
    path.write_bytes(data)
    parsed = parse_file(path, **options)  # type: ignore[arg-type]
    assert isinstance(parsed, ParsedFile)
    rows = list(parsed.rows)
    assert all(isinstance(r, RawRow) and all(isinstance(v, str) for v in r[1:]) for r in rows)
    for finding in parsed.findings:
        assert isinstance(finding, ParseFinding) and finding.rule_id in {"E01", "E02", "E03"}
    if parsed.fatal:
        assert rows == [] and parsed.findings
    return parsed


@FUZZ
@given(prefix=PREFIXES, data=st.binary(max_size=2_000))
def test_any_bytes(tmp_path, prefix, data):
    _check(tmp_path / "upload", prefix + data, max_rows=50)


@FUZZ
@given(
    header=st.lists(HEADERS, min_size=1, max_size=12),
    rows=st.lists(st.lists(CELLS, max_size=14), max_size=20),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "tis-620", "cp1252"]),
)
def test_near_valid_csv(tmp_path, header, rows, delimiter, encoding):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    data = out.getvalue().encode(encoding, errors="replace")
    _check(tmp_path / "upload.csv", data, max_rows=10)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | CELLS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    observations=st.lists(
        st.dictionaries(HEADERS, JSON_VALUES, max_size=10) | JSON_VALUES, max_size=15
    ),
    key=st.sampled_from(["observations", "OBSERVATIONS", "data"]),
    cut=st.integers(min_value=0, max_value=400),
)
def test_near_valid_json(tmp_path, observations, key, cut):
    text = json.dumps({"meta": 1, key: observations}, ensure_ascii=False)
    _check(tmp_path / "upload.json", text.encode())
    _check(tmp_path / "cut.json", text[: len(text) - cut].encode())  # truncated bodies


@FUZZ
@given(
    header=st.lists(HEADERS, min_size=1, max_size=8),
    rows=st.lists(
        st.lists(
            CELLS
            | st.floats()
            | st.integers(-(10**20), 10**20)
            | st.none()
            | st.booleans()
            | st.datetimes(),
            max_size=10,
        ),
        max_size=8,
    ),
    damage=st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=8)),
)
def test_near_valid_xlsx(tmp_path, header, rows, damage):
    def clean(cell):  # characters a worksheet cannot hold at all
        return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell

    data = xlsx_bytes([[clean(c) for c in row] for row in [header, *rows]])
    _check(tmp_path / "upload.xlsx", data, max_rows=20)
    at, junk = damage
    at %= len(data)
    _check(tmp_path / "damaged.xlsx", data[:at] + junk + data[at + len(junk) :])


CONTENT_TYPES = (
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


@FUZZ
@given(
    names=st.lists(
        st.sampled_from(["[Content_Types].xml", "mimetype", "xl/workbook.xml", "xl/vbaProject.bin"])
        | st.text(
            st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
            min_size=1,
            max_size=30,
        ),
        max_size=5,
        unique=True,
    ),
    payload=st.binary(max_size=500) | st.just(CONTENT_TYPES),
)
def test_arbitrary_zips(tmp_path, names, payload):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in names:
            zf.writestr(name, payload)
    _check(tmp_path / "upload.zip", out.getvalue())
