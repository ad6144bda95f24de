"""The wide layout: one row per series, one column per period, in CSV and XLSX."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.indices.receive.parsing.conftest import raw, xlsx_bytes


def series(row_no: int, cell: str, period: str, value: str, status: str = "", **fields: str):
    defaults = {"ref_area": "TH", "activity": "C", "adjustment": "N", "base_per": "2021"}
    defaults.update(fields)
    return raw(row_no, cell, time_period=period, obs_value=value, obs_status=status, **defaults)


def test_wide_csv_every_accepted_period_header(parse):
    parsed, rows = parse(
        "REF_AREA;ACTIVITY;ADJUSTMENT;BASE_PER;2024-01;2024M02;2024-m03;2024-Q1;2024q2\n"
        "TH;C;N;2021;101.3;M;;99;L\n"
        "TH;10;S;2021;;;98.25;;\n"
    )
    assert (parsed.format, parsed.layout, parsed.fatal) == ("csv-wide", "wide", False)
    assert parsed.columns == {"REF_AREA": "A", "ACTIVITY": "B", "ADJUSTMENT": "C", "BASE_PER": "D"}
    assert rows == [
        series(2, "", "2024-01", "101.3"),
        series(2, "", "2024M02", "", "M"),
        series(2, "", "2024-Q1", "99"),
        series(2, "", "2024q2", "", "L"),
        series(3, "", "2024-m03", "98.25", activity="10", adjustment="S"),
    ]
    assert parsed.findings == []


def test_wide_with_nat_code_freq_and_comment(parse):
    _, rows = parse("FREQ,REF_AREA,NAT_CODE,BASE_PER,COMMENT,2024-Q1\nQ,VN,C10,2015,revised,O\n")
    assert rows == [
        raw(
            2,
            ref_area="VN",
            nat_code="C10",
            freq="Q",
            base_per="2015",
            comment="revised",
            time_period="2024-Q1",
            obs_status="O",
        ),
    ]


def test_lowercase_status_letter_is_a_value_not_a_status(parse):
    _, rows = parse("REF_AREA,ACTIVITY,BASE_PER,2024-01\nTH,C,2021,m\n")
    assert (rows[0].obs_value, rows[0].obs_status) == ("m", "")


@pytest.mark.parametrize("header", ["Jan-24", "2024", "01/2024", "Total"])
def test_unknown_wide_header_is_e02(parse, header):
    parsed, rows = parse(f"REF_AREA,ACTIVITY,BASE_PER,2024-01,{header}\nTH,C,2021,1,2\n")
    assert parsed.fatal and rows == []
    assert parsed.format == "csv-wide"
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.cell, finding.column) == ("E02", "E1", header)
    assert "2024-01" in finding.message


def test_wide_requires_series_keys_and_refuses_observation_columns(parse):
    parsed, _ = parse("REF_AREA,OBS_VALUE,2024-01\nTH,1,2\n")
    assert parsed.fatal
    assert sorted(f.column for f in parsed.findings) == ["ACTIVITY", "BASE_PER", "OBS_VALUE"]
    assert all(f.rule_id == "E02" for f in parsed.findings)


def test_wide_row_limit_counts_observations(parse):
    text = "REF_AREA,ACTIVITY,BASE_PER,2024-01,2024-02\nTH,C,2021,1,2\nTH,B,2021,3,4\n"
    parsed, rows = parse(text, max_rows=3)
    assert len(rows) == 3
    assert [f.rule_id for f in parsed.findings] == ["E01"]


def test_wide_xlsx_with_excel_date_headers(parse):
    data = xlsx_bytes(
        [
            [
                "REF_AREA",
                "ACTIVITY",
                "ADJUSTMENT",
                "BASE_PER",
                dt.date(2024, 1, 1),
                "2024-02",
                "2024-Q1",
            ],
            ["TH", "C", "N", 2021, 101.3, "M", 100.0],
            ["TH", "C", "S", 2021.0, None, 99.9, None],
        ]
    )
    parsed, rows = parse(data)
    assert (parsed.format, parsed.layout, parsed.encoding) == ("xlsx-wide", "wide", "")
    assert rows == [
        series(2, "E2", "2024-01", "101.3", sheet="Data"),
        series(2, "F2", "2024-02", "", "M", sheet="Data"),
        series(2, "G2", "2024-Q1", "100", sheet="Data"),
        series(3, "F3", "2024-02", "99.9", sheet="Data", adjustment="S"),
    ]
    assert parsed.findings == []
