"""JSON bodies: {"observations": [...]}, read incrementally."""

from __future__ import annotations

import json

import pytest

from tests.indices.receive.parsing.conftest import raw

OBS = {
    "REF_AREA": "TH",
    "ACTIVITY": "C",
    "TIME_PERIOD": "2024-01",
    "OBS_VALUE": 101.3,
    "BASE_PER": 2021,
}


def test_observations_keys_case_insensitive_numbers_as_text(parse):
    body = {
        "agency": {"id": "TH_OIE", "nested": [1, 2, {"a": None}]},
        "Observations": [
            OBS,
            {
                "ref_area": "TH",
                "Nat_Code": " 1011 ",
                "time_period": "2024-02",
                "obs_value": 100.0,
                "obs_status": "P",
                "base_per": 2021.0,
                "comment": "ผลิต",
                "freq": None,
            },
            {
                "REF_AREA": "TH",
                "ACTIVITY": "C",
                "TIME_PERIOD": "2024-03",
                "OBS_VALUE": None,
                "OBS_STATUS": "M",
                "BASE_PER": "2021",
            },
        ],
        "after": "fine",
    }
    parsed, rows = parse(json.dumps(body, ensure_ascii=False))
    assert (parsed.format, parsed.layout, parsed.columns, parsed.fatal) == (
        "json",
        "long",
        {},
        False,
    )
    assert rows == [
        raw(
            1,
            ref_area="TH",
            activity="C",
            time_period="2024-01",
            obs_value="101.3",
            base_per="2021",
        ),
        raw(
            2,
            ref_area="TH",
            nat_code="1011",
            time_period="2024-02",
            obs_value="100",
            obs_status="P",
            base_per="2021",
            comment="ผลิต",
        ),
        raw(3, ref_area="TH", activity="C", time_period="2024-03", obs_status="M", base_per="2021"),
    ]
    assert parsed.findings == []


def test_large_body_streams_across_buffer_boundaries(parse):
    observations = [
        {**OBS, "TIME_PERIOD": f"{2000 + i // 12}-{i % 12 + 1:02d}", "OBS_VALUE": 100 + i / 7}
        for i in range(5_000)
    ]
    parsed, rows = parse(json.dumps({"observations": observations}, indent=2))
    assert len(rows) == 5_000
    assert rows[-1].obs_value == json.dumps(100 + 4_999 / 7)
    assert rows[-1].row_no == 5_000
    assert parsed.findings == []


def test_non_object_items_nested_values_and_unknown_keys(parse):
    body = {
        "observations": [
            OBS,
            "TH,C,2024-01",
            {**OBS, "OBS_VALUE": [1]},
            {**OBS, "unit": "IX"},
            {**OBS, "UNIT": "IX"},
        ]
    }
    parsed, rows = parse(json.dumps(body))
    assert [r.row_no for r in rows] == [1, 4, 5]
    assert [(f.rule_id, f.row, f.column) for f in parsed.findings] == [
        ("E02", 2, ""),
        ("E02", 3, "OBS_VALUE"),
        ("E02", 4, "unit"),  # reported once per key, not per observation
    ]


def test_a_character_no_text_can_hold_skips_its_observation(parse):
    # JSON's \u escapes write NUL, which PostgreSQL cannot store, and lone surrogates, which
    # cannot even be encoded.
    body = {
        "observations": [
            OBS,
            {**OBS, "COMMENT": "a\x00b"},
            {**OBS, "X\x00": 1},
            {**OBS, "REF_AREA": "T\ud800H"},
            {**OBS, "NOTE": "a\x00\udfff"},  # an ignored key's value is never read: no harm
            OBS,
        ]
    }
    text = json.dumps(body)
    assert "\\u0000" in text and "\\ud800" in text
    parsed, rows = parse(text)
    assert [r.row_no for r in rows] == [1, 5, 6]
    assert [(f.rule_id, f.row) for f in parsed.findings] == [
        ("E02", 2),
        ("E02", 3),
        ("E02", 4),
        ("E02", 5),  # NOTE is not a column of the standard
    ]
    assert "\\u0000 (NUL)" in parsed.findings[0].message
    assert all(
        not any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in f.value + f.message + f.column)
        for f in parsed.findings
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("[1, 2]", "E01"),
        ('{"observations": {"a": 1}}', "E01"),
        ('{"data": []}', "E01"),
        ("{", "E01"),
        ('{"observations" 1}', "E01"),
    ],
)
def test_wrong_shapes_are_fatal(parse, text, rule):
    parsed, rows = parse(text)
    assert parsed.fatal and rows == []
    assert [f.rule_id for f in parsed.findings] == [rule]
    assert "observations" in parsed.findings[0].message


def test_syntax_error_after_some_rows_is_e01_during_iteration(parse):
    parsed, rows = parse('{"observations": [' + json.dumps(OBS) + ", {oops}]}")
    assert not parsed.fatal
    assert len(rows) == 1
    assert [(f.rule_id, f.row) for f in parsed.findings] == [("E01", 2)]
    parsed, rows = parse('{"observations": [}')
    assert rows == []
    assert [f.rule_id for f in parsed.findings] == ["E01"]


def test_number_literals_are_kept_as_written(parse):
    body = (
        '{"observations": [{"OBS_VALUE": 101.30000000000001, "BASE_PER": 2021.00}, '
        '{"OBS_VALUE": 1e2}]}'
    )
    _, rows = parse(body)
    assert [(r.obs_value, r.base_per) for r in rows] == [
        ("101.30000000000001", "2021"),
        ("1e2", ""),
    ]


def test_trailing_garbage_is_e01(parse):
    parsed, rows = parse(json.dumps({"observations": [OBS]}) + " extra")
    assert len(rows) == 1
    assert [f.rule_id for f in parsed.findings] == ["E01"]


def test_required_keys_missing_everywhere_is_e02(parse):
    parsed, rows = parse(json.dumps({"observations": [{"REF_AREA": "TH", "OBS_VALUE": 1}]}))
    assert len(rows) == 1
    assert sorted(f.column for f in parsed.findings) == [
        "ACTIVITY or NAT_CODE",
        "BASE_PER",
        "TIME_PERIOD",
    ]


def test_empty_list_and_row_limit(parse):
    parsed, rows = parse('{"observations": []}')
    assert (parsed.fatal, rows) == (False, [])
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert finding.message.startswith('The "observations" list is empty')
    parsed, rows = parse(json.dumps({"observations": [OBS] * 4}), max_rows=2)
    assert len(rows) == 2
    assert [f.rule_id for f in parsed.findings] == ["E01"]


def test_nan_and_huge_numbers_do_not_crash(parse):
    parsed, rows = parse('{"observations": [{"OBS_VALUE": NaN}, {"OBS_VALUE": 1e999}]}')
    assert [r.obs_value for r in rows] == ["NaN", "1e999"]
    parsed, rows = parse('{"observations": [{"OBS_VALUE": ' + "9" * 5000 + "}]}")
    assert [f.rule_id for f in parsed.findings] == ["E01"]
