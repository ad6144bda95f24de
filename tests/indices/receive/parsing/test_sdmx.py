"""SDMX-CSV 1.0 and 2.0 of MKG:DF_IPI(1.0)."""

from __future__ import annotations

import pytest

from tests.indices.receive.parsing.conftest import raw

V1_HEADER = (
    "DATAFLOW,FREQ,REF_AREA,ACTIVITY,ADJUSTMENT,TRANSFORMATION,TIME_PERIOD,OBS_VALUE,OBS_STATUS,"
    "UNIT_MEASURE,UNIT_MULT,DECIMALS,REF_YEAR,NAT_BASE_PER,NAT_CLASSIF,COMPILING_ORG,COMMENT"
)
V2_HEADER = (
    "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,ACTIVITY,ADJUSTMENT,TRANSFORMATION,TIME_PERIOD,"
    "OBS_VALUE,OBS_STATUS,BASE_PER"
)


def obs(row_no: int, period: str, value: str, **fields: str):
    defaults = {"freq": "M", "ref_area": "TH", "activity": "C", "adjustment": "N"}
    defaults.update(fields)
    return raw(row_no, time_period=period, obs_value=value, **defaults)


def test_sdmx_csv_1_attributes_ignored_nat_base_per_is_base_per(parse):
    parsed, rows = parse(
        f"{V1_HEADER}\n"
        "MKG:DF_IPI(1.0),M,TH,C,N,IX,2024-01,101.3,A,IX,0,1,2021,2021,TSIC2009,TH_OIE,\n"
        "MKG:DF_IPI(1.0),M,TH,C,N,PCH_PRE,2024-01,1.3,A,PC,0,1,2021,2021,TSIC2009,TH_OIE,\n"
        "MKG:DF_IPI(1.0),M,TH,C,N,,2024-02,99,P,IX,0,1,2021,2021,TSIC2009,TH_OIE,x\n"
    )
    assert (parsed.format, parsed.layout, parsed.fatal) == ("sdmx-csv-1.0", "long", False)
    assert parsed.columns["BASE_PER"] == "N"
    assert parsed.columns["OBS_VALUE"] == "H"
    assert "UNIT_MEASURE" not in parsed.columns
    assert rows == [
        obs(2, "2024-01", "101.3", obs_status="A", base_per="2021"),
        obs(4, "2024-02", "99", obs_status="P", base_per="2021", comment="x"),
    ]
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.row, finding.cell, finding.column, finding.value) == (
        "E03",
        3,
        "F3",
        "TRANSFORMATION",
        "PCH_PRE",
    )
    assert parsed.declared_action is None


@pytest.mark.parametrize(
    ("codes", "action"), [("II", "merge"), ("IA", "merge"), ("RR", "replace"), ("DD", "delete")]
)
def test_sdmx_csv_2_action(parse, codes, action):
    parsed, rows = parse(
        f"{V2_HEADER}\n"
        f"dataflow,MKG:DF_IPI(1.0),{codes[0]},M,TH,C,N,IX,2024-01,101.3,A,2021\n"
        f"dataflow,MKG:DF_IPI(1.0),{codes[1]},M,TH,C,N,IX,2024-02,102,A,2021\n"
    )
    assert (parsed.format, parsed.declared_action, parsed.fatal) == ("sdmx-csv-2.0", action, False)
    assert rows == [
        obs(2, "2024-01", "101.3", obs_status="A", base_per="2021"),
        obs(3, "2024-02", "102", obs_status="A", base_per="2021"),
    ]


def test_sdmx_csv_2_without_action_and_with_labels(parse):
    parsed, rows = parse(
        "STRUCTURE,STRUCTURE_ID,FREQ: Frequency,REF_AREA: Reference area,ACTIVITY,TIME_PERIOD,"
        "OBS_VALUE,NAT_BASE_PER\n"
        "dataflow,MKG:DF_IPI(1.0),M,TH,C,2024-01,1,2021\n"
    )
    assert parsed.declared_action is None
    assert rows == [
        raw(
            2,
            freq="M",
            ref_area="TH",
            activity="C",
            time_period="2024-01",
            obs_value="1",
            base_per="2021",
        )
    ]


def test_mixed_actions_are_fatal_e01(parse):
    parsed, rows = parse(
        f"{V2_HEADER}\n"
        "dataflow,MKG:DF_IPI(1.0),R,M,TH,C,N,IX,2024-01,101.3,A,2021\n"
        "dataflow,MKG:DF_IPI(1.0),D,M,TH,C,N,IX,2024-02,102,A,2021\n"
    )
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.row, finding.cell) == ("E01", 3, "C3")
    assert "split" in finding.message


def test_unknown_action_is_e01(parse):
    parsed, _ = parse(f"{V2_HEADER}\ndataflow,MKG:DF_IPI(1.0),X,M,TH,C,N,IX,2024-01,1,A,2021\n")
    assert parsed.fatal and parsed.findings[0].rule_id == "E01"


def test_sdmx_unknown_and_missing_columns_are_e02(parse):
    parsed, _ = parse(
        "DATAFLOW,REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,OBS_CONF\nx,TH,C,2024-01,1,F\n"
    )
    assert parsed.fatal
    assert sorted((f.rule_id, f.column) for f in parsed.findings) == [
        ("E02", "BASE_PER"),
        ("E02", "OBS_CONF"),
    ]
    assert "NAT_BASE_PER" in next(f.message for f in parsed.findings if f.column == "BASE_PER")


def test_a_delete_needs_no_obs_value_whether_declared_or_asked(parse):
    header = "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,ACTIVITY,TIME_PERIOD,NAT_BASE_PER"
    parsed, rows = parse(f"{header}\ndataflow,MKG:DF_IPI(1.0),D,M,TH,C,2024-01,2021\n")
    assert (parsed.fatal, parsed.findings, parsed.declared_action) == (False, [], "delete")
    assert rows == [raw(2, "", freq="M", ref_area="TH", activity="C", time_period="2024-01",
                        base_per="2021")]  # fmt: skip
    without_action = "DATAFLOW,FREQ,REF_AREA,ACTIVITY,TIME_PERIOD,NAT_BASE_PER\n"
    row = "MKG:DF_IPI(1.0),M,TH,C,2024-01,2021\n"
    parsed, _ = parse(without_action + row, action="delete")
    assert (parsed.fatal, parsed.findings) == (False, [])
    parsed, _ = parse(without_action + row)
    assert [(f.rule_id, f.column) for f in parsed.findings] == [("E02", "OBS_VALUE")]
    # an explicit option wins over the column, as in the validation
    parsed, _ = parse(
        f"{header}\ndataflow,MKG:DF_IPI(1.0),D,M,TH,C,2024-01,2021\n", action="replace"
    )
    assert [(f.rule_id, f.column) for f in parsed.findings] == [("E02", "OBS_VALUE")]


def test_an_sdmx_file_without_observations_is_e01(parse):
    parsed, rows = parse(f"{V2_HEADER}\n")
    assert (parsed.fatal, rows) == (False, [])
    assert [(f.rule_id, f.row) for f in parsed.findings] == [("E01", 1)]
    assert "no data rows" in parsed.findings[0].message
