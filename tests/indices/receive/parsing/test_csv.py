"""Long-layout CSV: encodings, separators, quoting, and the E01/E02 paths of STANDARD.md 3-4."""

from __future__ import annotations

import codecs

from indices.receive.parsing import ACCEPTED_FORMATS_MESSAGE
from tests.indices.receive.parsing.conftest import raw

HEADER = "REF_AREA,ACTIVITY,ADJUSTMENT,FREQ,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER,COMMENT"
THAI = "ผลผลิตลดลงช่วงสงกรานต์"


def th(row_no: int, period: str, value: str, **fields: str):
    defaults = {
        "ref_area": "TH",
        "activity": "C",
        "adjustment": "N",
        "freq": "M",
        "time_period": period,
        "obs_value": value,
        "base_per": "2021",
    }
    defaults.update(fields)
    return raw(row_no, **defaults)  # a text file has no cells


def test_long_csv_rows_are_exact(parse):
    parsed, rows = parse(
        f"{HEADER}\r\nTH,C,N,M,2024-01,101.3,,2021,\r\nTH,C,N,M,2024-02,,M,2021,closed\r\n"
    )
    assert (parsed.format, parsed.layout, parsed.encoding, parsed.fatal) == (
        "csv-long",
        "long",
        "utf-8",
        False,
    )
    assert parsed.columns == {
        "REF_AREA": "A",
        "ACTIVITY": "B",
        "ADJUSTMENT": "C",
        "FREQ": "D",
        "TIME_PERIOD": "E",
        "OBS_VALUE": "F",
        "OBS_STATUS": "G",
        "BASE_PER": "H",
        "COMMENT": "I",
    }
    assert rows == [
        th(2, "2024-01", "101.3"),
        th(3, "2024-02", "", obs_status="M", comment="closed"),
    ]
    assert parsed.findings == []
    assert parsed.declared_action is None


def test_headers_any_case_any_order_and_values_stripped(parse):
    parsed, rows = parse(
        " obs_value ,Base_Per,time_period,nat_code,ref_area\n  99.5 , 2021 ,2024M03, 1011 , TH \n"
    )
    assert parsed.columns == {
        "OBS_VALUE": "A",
        "BASE_PER": "B",
        "TIME_PERIOD": "C",
        "NAT_CODE": "D",
        "REF_AREA": "E",
    }
    assert rows == [
        raw(
            2,
            ref_area="TH",
            nat_code="1011",
            time_period="2024M03",
            obs_value="99.5",
            base_per="2021",
        )
    ]


def test_semicolons_bom_and_thai_in_quoted_fields(parse):
    text = (
        f"{HEADER.replace(',', ';')}\r\n"
        f'TH;C;N;M;2024-04;80.1;P;2021;"{THAI}; ""Songkran"""\r\n'
        'TH;C;N;M;2024-05;95.2;;2021;"two\r\nlines"\r\n'
        "TH;C;N;M;2024-06;97;;2021;\r\n"
    )
    parsed, rows = parse(codecs.BOM_UTF8 + text.encode())
    assert parsed.encoding == "utf-8-sig"
    assert "REF_AREA" in parsed.columns  # the BOM is not part of the first header
    assert rows == [
        th(2, "2024-04", "80.1", obs_status="P", comment=f'{THAI}; "Songkran"'),
        th(3, "2024-05", "95.2", comment="two\r\nlines"),
        # a quoted line break does not start a new row: Excel shows this as row 4
        th(4, "2024-06", "97"),
    ]
    assert parsed.findings == []


def test_utf16_with_bom_from_excel_unicode_text(parse):
    text = f"{HEADER}\r\nTH,C,N,M,2024-01,101.3,,2021,{THAI}\r\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        parsed, rows = parse(bom + text.encode(encoding))
        assert parsed.encoding == "utf-16"
        assert rows == [th(2, "2024-01", "101.3", comment=THAI)]
    # Excel's "Unicode Text" is tab-separated
    parsed, rows = parse(text.replace(",", "\t").encode("utf-16"))
    assert rows == [th(2, "2024-01", "101.3", comment=THAI)]
    # all ASCII, so a zero byte at every other position: the mark says it is UTF-16 as meant
    ascii_only = f"{HEADER}\r\n" + "TH,C,N,M,2024-01,101.3,,2021,\r\n" * 20
    for encoding in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        parsed, rows = parse(bom + ascii_only.encode(encoding))
        assert (parsed.encoding, len(rows), parsed.findings) == ("utf-16", 20, [])


def test_legacy_thai_tis620_and_cp874(parse):
    text = f"{HEADER}\r\nTH,C,N,M,2024-01,101.3,,2021,{THAI}\r\n"
    parsed, rows = parse(text.encode("tis-620"))
    assert parsed.encoding == "tis-620"
    assert rows == [th(2, "2024-01", "101.3", comment=THAI)]
    # Windows-874 adds typographic quotes to TIS-620
    text = text.replace(THAI, f"\u201c{THAI}\u201d")
    parsed, rows = parse(text.encode("cp874"))
    assert parsed.encoding == "cp874"
    assert rows == [th(2, "2024-01", "101.3", comment=f"\u201c{THAI}\u201d")]


def test_other_legacy_encoding_is_e01_save_as_utf8(parse):
    text = f"{HEADER}\r\nTH,C,N,M,2024-01,101.3,,2021,Caf\u00e9 cr\u00e8me\r\n"
    parsed, rows = parse(text.encode("cp1252"))
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert finding.row == 2
    assert "UTF-8" in finding.message and "save as CSV UTF-8" in finding.message


def test_broken_utf16_is_e01(parse):
    parsed, rows = parse(codecs.BOM_UTF16_LE + "REF_AREA".encode("utf-16-le") + b"\x00\xd8")
    assert parsed.fatal and rows == []
    assert parsed.findings[0].rule_id == "E01"
    assert "save as CSV UTF-8" in parsed.findings[0].message


def test_a_nul_anywhere_is_not_text(parse):
    # PostgreSQL stores no text holding a NUL: past the first 64 KiB looked at for control
    # characters too, and as a UTF-16 character.
    rows = "".join(f"TH,C,N,M,{2000 + i // 12}-{i % 12 + 1:02d},1,,2021,\n" for i in range(3000))
    text = f"{HEADER}\n{rows}TH,C,N,M,2024-01,1\x00,,2021,\n"
    assert len(text) > 70_000
    thai = f"{HEADER}\n" + f"TH,C,N,M,2024-01,1,,2021,{THAI}\n" * 40_000 + "TH,C,a\x00b\n"
    assert len(thai.encode("tis-620")) > 1 << 20  # the UTF-8 check fails in the first MiB
    for data in (
        text.encode(),
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        thai.encode("tis-620"),
    ):
        parsed, read = parse(data)
        assert parsed.fatal and read == []
        assert [f.rule_id for f in parsed.findings] == ["E01"]
        assert "not in a format the exchange accepts" in parsed.findings[0].message


def test_utf32_is_e01(parse):
    parsed, _ = parse(f"{HEADER}\n".encode("utf-32"))
    assert parsed.fatal and parsed.findings[0].rule_id == "E01"


def test_numbers_pass_through_as_text(parse):
    """NaN, Inf and thousands separators are E06 later; the parser keeps the text."""
    parsed, rows = parse(
        f'{HEADER}\nTH,C,N,M,2024-01,NaN,,2021,\nTH,C,N,M,2024-02,Inf,,2021,\nTH,C,N,M,2024-03,"1,234.5",,2021,\n'
        "TH,C,N,M,2024-04,-1e309,,2021,\n"
    )
    assert [r.obs_value for r in rows] == ["NaN", "Inf", "1,234.5", "-1e309"]
    assert parsed.findings == []


def test_missing_required_columns_is_fatal_e02(parse):
    parsed, rows = parse("REF_AREA,TIME_PERIOD,OBS_VALUE\nTH,2024-01,100\n")
    assert parsed.fatal and rows == []
    assert parsed.format == "csv-long"
    assert {(f.rule_id, f.column) for f in parsed.findings} == {
        ("E02", "BASE_PER"),
        ("E02", "ACTIVITY"),
    }
    assert all(f.row == 1 for f in parsed.findings)


def test_each_unknown_column_is_one_e02_naming_it(parse):
    parsed, rows = parse(f"{HEADER},UNIT,Remarks\nTH,C,N,M,2024-01,1,,2021,,x,y\n")
    assert parsed.fatal and rows == []
    assert [(f.rule_id, f.column, f.cell) for f in parsed.findings] == [
        ("E02", "UNIT", "J1"),
        ("E02", "Remarks", "K1"),
    ]
    assert "REF_AREA, ACTIVITY, NAT_CODE" in parsed.findings[0].message


def test_repeated_column_is_e02(parse):
    parsed, _ = parse("REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER,obs_value\n")
    assert parsed.fatal
    assert [(f.rule_id, f.cell) for f in parsed.findings] == [("E02", "F1")]


def test_too_many_cells_is_a_row_e02_and_the_row_is_skipped(parse):
    parsed, rows = parse(
        f"{HEADER}\nTH,C,N,M,2024-01,1,,2021,,extra\nTH,C,N,M,2024-02,2,,2021,,,,\nTH,C\n"
    )
    assert not parsed.fatal
    # trailing empty cells (Excel's extra separators) are harmless; short rows are padded
    assert rows == [
        th(3, "2024-02", "2"),
        raw(4, ref_area="TH", activity="C"),
    ]
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.row, finding.cell, finding.value) == ("E02", 2, "J2", "extra")
    assert "10 cells" in finding.message and "header has 9" in finding.message


def test_value_under_a_blank_header_is_a_row_e02(parse):
    parsed, rows = parse(
        "REF_AREA,,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,,C,2024-01,1,2021\n"
        "TH,note,C,2024-02,1,2021\n"
    )
    assert [r.row_no for r in rows] == [2]
    assert [(f.rule_id, f.cell) for f in parsed.findings] == [("E02", "B3")]


def test_empty_rows_are_skipped_and_keep_row_numbers(parse):
    parsed, rows = parse(f"\n,,\n{HEADER}\n\n,,,,,,,,\n  , ,\nTH,C,N,M,2024-01,1,,2021,\n")
    assert rows == [th(7, "2024-01", "1")]
    assert parsed.findings == []


def test_row_limit_is_one_e01_and_stops(parse):
    body = "".join(f"TH,C,N,M,2024-{m:02d},1,,2021,\n" for m in range(1, 6))
    parsed, rows = parse(f"{HEADER}\n{body}", max_rows=3)
    assert len(rows) == 3
    (finding,) = parsed.findings
    assert finding.rule_id == "E01" and "more than 3 observations" in finding.message
    assert "split" in finding.message


def test_header_only_is_e01_no_observations(parse):
    for text in (HEADER + "\n", f"\n{HEADER}\n\n,,,,,,,,\n"):
        parsed, rows = parse(text)
        assert (parsed.fatal, rows) == (False, [])
        (finding,) = parsed.findings
        assert finding.rule_id == "E01"
        assert finding.row == (1 if text.startswith(HEADER) else 2)
        assert "column headers" in finding.message and "no data rows" in finding.message
        assert "Fill in one row per observation below the header row" in finding.message


def test_rows_all_refused_get_no_extra_empty_finding(parse):
    parsed, rows = parse(f"{HEADER}\nTH,C,N,M,2024-01,1,,2021,,extra\n")
    assert rows == []
    assert [f.rule_id for f in parsed.findings] == ["E02"]


def test_title_rows_above_the_header_are_named(parse):
    parsed, rows = parse(
        "Manufacturing Production Index (2021 = 100),,\nSource: OIE,,\n\n"
        f"{HEADER}\nTH,C,N,M,2024-01,1,,2021,\n"
    )
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.row) == ("E01", 1)
    assert finding.value == "Manufacturing Production Index (2021 = 100)"
    assert finding.message == (
        "Row 1 is not the header row: the column names (REF_AREA, ACTIVITY, ...) must be in the "
        "first row of the table, with no title or note rows above them (empty rows are fine). "
        "They seem to be in row 4: delete rows 1-3 and upload again."
    )


def test_a_table_without_any_standard_header_keeps_the_general_message(parse):
    parsed, _ = parse("Report,,\nname,age\nbob,3\n" + "x,y\n" * 30 + f"{HEADER}\n")
    assert [(f.rule_id, f.message) for f in parsed.findings] == [("E01", ACCEPTED_FORMATS_MESSAGE)]


def test_delete_needs_no_obs_value_column(parse):
    text = "REF_AREA,ACTIVITY,TIME_PERIOD,BASE_PER\nTH,C,2024-01,2021\n"
    parsed, rows = parse(text, action="delete")
    assert (parsed.fatal, parsed.findings, parsed.format) == (False, [], "csv-long")
    assert rows == [raw(2, "", ref_area="TH", activity="C", time_period="2024-01", base_per="2021")]
    # a merge or replace still needs its values
    for action in ("merge", "replace"):
        parsed, _ = parse(text, action=action)
        assert parsed.fatal
        assert [(f.rule_id, f.column) for f in parsed.findings] == [("E02", "OBS_VALUE")]
    # and a delete still needs the keys and periods
    parsed, _ = parse("REF_AREA,ACTIVITY,BASE_PER\nTH,C,2021\n", action="delete")
    assert [(f.rule_id, f.column) for f in parsed.findings] == [("E02", "TIME_PERIOD")]


def test_text_without_any_standard_column_is_an_unknown_format(parse):
    parsed, rows = parse("name,age\nbob,3\n")
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.message) == ("E01", ACCEPTED_FORMATS_MESSAGE)


def test_unterminated_quote_or_huge_field_is_e01_not_a_crash(parse):
    parsed, rows = parse(f'{HEADER}\nTH,C,N,M,2024-01,1,,2021,"{"x" * 200_000}"\n')
    assert rows == []
    assert [f.rule_id for f in parsed.findings] == ["E01"]
    assert parsed.findings[0].row == 2


def test_row_findings_are_capped_per_rule(parse):
    body = "TH,C,N,M,2024-01,1,,2021,,x\n" * 1_005
    parsed, rows = parse(f"{HEADER}\n{body}")
    assert rows == []
    assert len(parsed.findings) == 1_001
    assert "5 more rows" in parsed.findings[-1].message


def test_excel_sep_hint_line(parse):
    parsed, rows = parse(f"sep=;\r\n{HEADER.replace(',', ';')}\r\nTH;C;N;M;2024-01;1,5;;2021;\r\n")
    assert parsed.columns["OBS_VALUE"] == "F"
    assert rows == [th(3, "2024-01", "1,5")]
