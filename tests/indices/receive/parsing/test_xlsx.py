"""XLSX: cell values to text, sheet/cell references, and the refusals made before openpyxl
opens anything (zip bombs, macros, encryption, legacy .xls)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import openpyxl.xml.functions

from indices.receive.parsing import ACCEPTED_FORMATS_MESSAGE
from indices.receive.parsing.base import float_text
from indices.receive.parsing.xlsx import CFB_MAGIC
from tests.indices.receive.parsing.conftest import raw, xlsx_bytes

HEADER = ["REF_AREA", "ACTIVITY", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "BASE_PER", "COMMENT"]


def _rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """Copy a workbook's zip, replacing or adding members."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, replace.get(info.filename, src.read(info.filename)))
        for name, content in add.items():
            dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _patch_central_directory(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of every central-directory entry (the zip's table of contents)."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        struct.pack_into(fmt, buf, pos + offset, value)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    # Worksheets (read_only mode) are streamed through iterparse: defusedxml's.
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")
    fromstring = openpyxl.xml.functions.fromstring
    if openpyxl.LXML:
        # With lxml installed (the SDMX clients bring it) openpyxl parses the small parts
        # with lxml and a parser that resolves no entities.
        element = fromstring(b'<!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>')
        assert element.text is None  # the entity was not expanded
        assert b"boom" not in openpyxl.xml.functions.tostring(element)
    else:
        assert fromstring.__module__.startswith("defusedxml")


def test_long_xlsx_cell_values_become_exact_text(parse):
    data = xlsx_bytes(
        [
            HEADER,
            ["TH", "C", "2024-01", 101.3, None, 2021, "  note  "],
            ["TH", "C", dt.date(2024, 2, 1), 100.0, "P", 2021.0, None],
            ["TH", 10, dt.date(2024, 3, 15), 0.1 + 0.2, None, "2021", True],
            [None, None, None, None, None, None, None],
            ["TH", "C", "2024-04", 7, None, 2021, dt.date(2024, 5, 2)],
        ],
        title="MPI 2024",
        extra_sheet=True,
    )
    parsed, rows = parse(data, original_name="mpi.csv")  # the name does not matter
    assert (parsed.format, parsed.layout, parsed.encoding) == ("xlsx-long", "long", "")
    assert parsed.columns["OBS_VALUE"] == "D"
    common = {"sheet": "MPI 2024", "ref_area": "TH", "base_per": "2021"}
    assert rows == [
        raw(
            2,
            "D2",
            **common,
            activity="C",
            time_period="2024-01",
            obs_value="101.3",
            comment="note",
        ),
        raw(
            3, "D3", **common, activity="C", time_period="2024-02", obs_value="100", obs_status="P"
        ),
        raw(
            4, "D4", **common, activity="10", time_period="2024-03", obs_value="0.3", comment="TRUE"
        ),
        raw(
            6,
            "D6",
            **common,
            activity="C",
            time_period="2024-04",
            obs_value="7",
            comment="2024-05-02",
        ),
    ]
    assert parsed.findings == []


def test_float_text_is_what_the_clerk_typed():
    assert float_text(101.3) == "101.3"
    assert float_text(101.30000000000001) == "101.3"  # Excel stores 17 digits, shows 15
    assert float_text(100.0) == "100"
    assert float_text(2021.0) == "2021"
    assert float_text(-0.5) == "-0.5"
    assert float_text(1e20) == "1e+20"
    assert float_text(123456.789012) == "123456.789012"


def test_header_below_blank_rows_keeps_sheet_row_numbers(parse):
    data = xlsx_bytes([[], [], HEADER, ["TH", "C", "2024-01", 99.5, None, 2021, None]])
    _, rows = parse(data)
    assert rows == [
        raw(
            4,
            "D4",
            "Data",
            ref_area="TH",
            activity="C",
            time_period="2024-01",
            obs_value="99.5",
            base_per="2021",
        )
    ]


def test_unknown_column_in_xlsx_names_sheet_and_cell(parse):
    data = xlsx_bytes([[*HEADER, "Source"], ["TH", "C", "2024-01", 1, None, 2021, None, "OIE"]])
    parsed, rows = parse(data)
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    where = (finding.rule_id, finding.sheet, finding.cell, finding.column)
    assert where == ("E02", "Data", "H1", "Source")


def test_stray_value_right_of_the_table_is_a_row_e02(parse):
    data = xlsx_bytes([HEADER, ["TH", "C", "2024-01", 1, None, 2021, None, None, "see note"]])
    parsed, rows = parse(data)
    assert rows == []
    assert [(f.rule_id, f.sheet, f.cell) for f in parsed.findings] == [("E02", "Data", "I2")]


def test_empty_first_sheet_is_e01(parse):
    wb = openpyxl.Workbook()
    wb.create_sheet("Second").append(HEADER)
    out = io.BytesIO()
    wb.save(out)
    parsed, rows = parse(out.getvalue())
    assert parsed.fatal and rows == []
    assert parsed.findings[0].rule_id == "E01" and "first sheet" in parsed.findings[0].message


def test_title_rows_above_the_header_are_named_with_the_sheet(parse):
    data = xlsx_bytes(
        [["MPI 2024 (2021 = 100)"], HEADER, ["TH", "C", "2024-01", 1, None, 2021, None]],
        title="MPI",
    )
    parsed, rows = parse(data)
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.row, finding.sheet) == ("E01", 1, "MPI")
    assert finding.message.startswith("Row 1 of sheet MPI is not the header row")
    assert "They seem to be in row 2: delete row 1 and upload again." in finding.message


def test_a_header_without_data_rows_is_e01_no_observations(parse):
    parsed, rows = parse(xlsx_bytes([[], HEADER, [None] * len(HEADER)], title="MPI"))
    assert (parsed.fatal, rows) == (False, [])
    (finding,) = parsed.findings
    assert (finding.rule_id, finding.row, finding.sheet) == ("E01", 2, "MPI")
    assert "column headers (row 2 of sheet MPI) but no data rows" in finding.message


def test_row_limit_in_xlsx(parse):
    rows = [["TH", "C", f"2024-{m:02d}", 1, None, 2021, None] for m in range(1, 5)]
    data = xlsx_bytes([HEADER, *rows])
    parsed, rows = parse(data, max_rows=2)
    assert [r.row_no for r in rows] == [2, 3]
    assert [(f.rule_id, f.sheet) for f in parsed.findings] == [("E01", "Data")]


def test_member_claiming_a_huge_size_is_refused(parse):
    data = xlsx_bytes([HEADER])
    # uncompressed size field of every central-directory entry: ~4 GB each
    parsed, rows = parse(_patch_central_directory(data, 24, "<I", 0xFFFFFFF0))
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01" and "MB" in finding.message


def test_highly_compressed_member_is_refused_as_zip_bomb(parse):
    bomb = _rezip(xlsx_bytes([HEADER]), add={"xl/media/zeros.bin": bytes(50 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    parsed, rows = parse(bomb)
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01" and "zip bomb" in finding.message


def test_total_uncompressed_size_limit(parse):
    parsed, _ = parse(xlsx_bytes([HEADER]), max_uncompressed_bytes=1_000)
    assert parsed.fatal and parsed.findings[0].rule_id == "E01"


def test_macro_workbooks_are_refused(parse):
    data = xlsx_bytes([HEADER, ["TH", "C", "2024-01", 1, None, 2021, None]])
    with_vba = _rezip(data, add={"xl/vbaProject.bin": b"\x00" * 64})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml")
    xlsm_types = types.replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    assert xlsm_types != types
    macro_type = _rezip(data, replace={"[Content_Types].xml": xlsm_types})
    for macro in (with_vba, macro_type):
        parsed, rows = parse(macro)
        assert parsed.fatal and rows == []
        (finding,) = parsed.findings
        assert finding.rule_id == "E01"
        assert "macros" in finding.message and ".xlsx" in finding.message


def test_legacy_xls_and_encrypted_workbooks_are_refused(parse):
    parsed, rows = parse(CFB_MAGIC + bytes(1024))
    assert parsed.fatal and rows == []
    (finding,) = parsed.findings
    assert finding.rule_id == "E01" and "password" in finding.message and ".xlsx" in finding.message
    # a zip whose members are flagged encrypted
    encrypted = _patch_central_directory(xlsx_bytes([HEADER]), 8, "<H", 0x1)
    parsed, _ = parse(encrypted)
    assert parsed.fatal and "password" in parsed.findings[0].message


def test_damaged_zip_and_other_zips(parse):
    parsed, _ = parse(b"PK\x03\x04" + b"\x00" * 100)
    assert parsed.fatal and parsed.findings[0].rule_id == "E01"
    assert "damaged" in parsed.findings[0].message
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("data/ipi_2024.csv", "REF_AREA\n")
    parsed, _ = parse(out.getvalue())
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert finding.message == (
        "This is a .zip archive (it holds readme.txt, data/ipi_2024.csv), not an Excel "
        "workbook; archives are not unpacked. Unzip it and upload the CSV or .xlsx file inside, "
        "one file per submission."
    )
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w/>")
    parsed, _ = parse(docx.getvalue())
    assert parsed.fatal and "a Word document (.docx)" in parsed.findings[0].message
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    parsed, _ = parse(other.getvalue())
    assert [(f.rule_id, f.message) for f in parsed.findings] == [("E01", ACCEPTED_FORMATS_MESSAGE)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    parsed, _ = parse(out.getvalue())
    assert parsed.fatal and ".ods" in parsed.findings[0].message


def test_a_damaged_file_is_named_in_a_clerks_words(parse):
    # Issue #17 (10): a broken .docx was "The Excel file is damaged (BadZipFile ...)".
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w/>" * 2000)
    cut = docx.getvalue()[: len(docx.getvalue()) // 2]  # an interrupted download
    parsed, _ = parse(cut)
    (finding,) = parsed.findings
    assert finding.rule_id == "E01"
    assert finding.message.startswith(
        "This is a Word document (.docx), not an Excel workbook, and it is damaged as well"
    )
    workbook = xlsx_bytes([HEADER, ["TH", "C", "2024-01", 1, None, 2021, None]])
    parsed, _ = parse(workbook[: len(workbook) // 2])
    assert parsed.findings[0].message.startswith("The Excel file is damaged or incomplete")
    parsed, _ = parse(b"PK\x03\x04" + b"\x00" * 100)
    for finding in parsed.findings:
        assert "BadZipFile" not in finding.message and "Error" not in finding.message


def test_entity_expansion_in_sheet_xml_is_refused_not_expanded(parse):
    data = xlsx_bytes([HEADER, ["TH", "C", "2024-01", 1, None, 2021, None]])
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    parsed, rows = parse(_rezip(data, replace={"xl/worksheets/sheet1.xml": laughs}))
    assert rows == []
    assert parsed.fatal
    assert parsed.findings[0].rule_id == "E01"
