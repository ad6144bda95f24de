"""Recognising the format by content; what cannot be recognised is one E01 listing the formats."""

from __future__ import annotations

import pytest

from indices.receive.parsing import ACCEPTED_FORMATS_MESSAGE, parse_file

UNKNOWN = [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00\x01",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(64)),
]


@pytest.mark.parametrize("data", UNKNOWN)
def test_unknown_binary_or_empty_is_one_e01_with_the_accepted_formats(parse, data):
    parsed, rows = parse(data, original_name="report.pdf")
    assert parsed.fatal and rows == []
    assert parsed.format == "" and parsed.layout == ""
    assert [(f.rule_id, f.message) for f in parsed.findings] == [("E01", ACCEPTED_FORMATS_MESSAGE)]


def test_an_empty_file_says_it_is_empty(parse):
    parsed, rows = parse(b"")
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert finding.message.startswith("The file is empty (0 bytes). Export the data table again")


@pytest.mark.parametrize(
    "data",
    [
        b"   \r\n\t\n",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\r\n\r\n",
        b"\xff\xfe",
        b";;;\r\n,,\r\n",
        b"sep=;\n",
    ],
)
def test_a_file_of_blanks_or_separators_says_it_is_empty(parse, data):
    parsed, rows = parse(data)
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert finding.message.startswith(
        "The file is empty: it has no table, only blank lines, spaces or separators."
    )


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_named(parse, codec):
    text = "REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\r\nTH,C,2024-01,101.3,2021\r\n"
    parsed, rows = parse(text.encode(codec))
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert "UTF-16" in finding.message and "without the byte-order mark" in finding.message
    assert "save as CSV UTF-8" in finding.message


def test_accepted_formats_message_lists_every_format():
    for word in (
        "CSV",
        "UTF-8",
        "semicolon",
        ".xlsx",
        "long",
        "wide",
        "SDMX-CSV 1.0",
        "2.0",
        "JSON",
        "observations",
    ):
        assert word in ACCEPTED_FORMATS_MESSAGE


def test_format_comes_from_content_not_name(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2024-01,1,2021\n")
    parsed = parse_file(path, original_name="data.xlsx")
    assert parsed.format == "csv-long"
    assert len(list(parsed.rows)) == 1


def test_missing_file_is_e01_not_an_exception(tmp_path):
    parsed = parse_file(tmp_path / "gone")
    assert parsed.fatal and parsed.findings[0].rule_id == "E01"


def test_rows_iterate_once(parse):
    parsed, rows = parse("REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2024-01,1,2021\n")
    assert len(rows) == 1
    assert list(parsed.rows) == []
