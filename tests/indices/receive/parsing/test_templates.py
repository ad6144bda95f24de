"""Templates: pre-filled with the agency's keys and periods, and parsing back cleanly once the
values are typed in."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from indices.receive.parsing import TemplateSeries, build_template
from indices.receive.parsing.header import is_period

SERIES = [
    TemplateSeries(activity="C", base_per="2021"),
    TemplateSeries(activity="10", adjustment="S", base_per="2021"),
    TemplateSeries(nat_code="TSIC1011", base_per="2021"),
]
MONTHS = ["2024-01", "2024-02", "2024-03"]


def _fill_csv(data: bytes, layout: str) -> bytes:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    targets = (
        [header.index("OBS_VALUE")]
        if layout == "long"
        else [i for i, h in enumerate(header) if is_period(h)]
    )
    for n, row in enumerate(rows[1:]):
        for i in targets:
            assert row[i] == ""
            row[i] = f"{100 + n}.5"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _fill_xlsx(data: bytes, layout: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    targets = (
        [header.index("OBS_VALUE")]
        if layout == "long"
        else [i for i, h in enumerate(header) if is_period(h)]
    )
    for n, row in enumerate(ws.iter_rows(min_row=2)):
        for i in targets:
            assert row[i].value is None
            row[i].value = 100 + n + 0.5  # typed as a number, as a clerk would
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("periods", [MONTHS, ["2024-Q1", "2024-Q2"], ["2024-03", "2024-Q1"]])
def test_filled_template_parses_back_without_findings(parse, fmt, layout, periods):
    data = build_template(fmt=fmt, layout=layout, ref_area="TH", series=SERIES, periods=periods)
    empty, rows = parse(data)
    assert empty.fatal is False
    # unfilled: a long row still has its keys (an empty OBS_VALUE is E06, later); a wide row
    # has no value cell at all, so the file holds no observation (E01)
    assert len(rows) == (len(SERIES) * len(periods) if layout == "long" else 0)
    assert all(r.obs_value == "" for r in rows)
    if layout == "long":
        assert empty.findings == []
    else:
        (finding,) = empty.findings
        assert (finding.rule_id, finding.row) == ("E01", 1)
        assert finding.sheet == ("Data" if fmt == "xlsx" else "")
        span = periods[0] + " to " + periods[-1]
        assert f"every period cell ({span}) is empty" in finding.message
    filled = (_fill_csv if fmt == "csv" else _fill_xlsx)(data, layout)
    parsed, rows = parse(filled)
    assert parsed.findings == []
    assert (parsed.format, parsed.layout) == (f"{fmt}-{layout}", layout)
    assert len(rows) == len(SERIES) * len(periods)
    keys = {(r.ref_area, r.activity, r.nat_code, r.adjustment, r.base_per) for r in rows}
    assert keys == {
        ("TH", "C", "", "N", "2021"),
        ("TH", "10", "", "S", "2021"),
        ("TH", "", "TSIC1011", "N", "2021"),
    }
    assert {r.time_period for r in rows} == set(periods)
    assert all(r.obs_value.endswith(".5") for r in rows)
    if all("Q" in p for p in periods):
        assert {r.freq for r in rows} == {"Q"}


def test_xlsx_template_layout(tmp_path):
    data = build_template(fmt="xlsx", layout="wide", ref_area="LA", series=SERIES, periods=MONTHS)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["Data", "Instructions"]
    assert ws.freeze_panes == "A2"
    header = list(ws[1])
    assert all(cell.font.bold for cell in header)
    periods = [cell for cell in header if cell.value in MONTHS]
    assert len(periods) == 3
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in periods)
    assert all(ws.column_dimensions[c.column_letter].width for c in header)
    long = openpyxl.load_workbook(
        io.BytesIO(
            build_template(fmt="xlsx", layout="long", ref_area="LA", series=SERIES, periods=MONTHS)
        )
    ).worksheets[0]
    time_period = [c.value for c in long[1]].index("TIME_PERIOD") + 1
    cells = [row[0] for row in long.iter_rows(min_row=2, min_col=time_period, max_col=time_period)]
    assert all(c.data_type == "s" and c.number_format == "@" for c in cells)


def test_unknown_template_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        build_template(fmt="ods", layout="long", ref_area="TH", series=SERIES, periods=MONTHS)
