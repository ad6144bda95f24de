"""Excel workbooks (.xlsx, first worksheet), refused before openpyxl sees them when they are
zip bombs, carry macros, are encrypted or are legacy .xls.

openpyxl parses the workbook's XML through defusedxml when it is installed (entity expansion
and external entities are refused); we insist on that at import time rather than parse
uploaded XML unprotected.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

import openpyxl

from indices.receive.parsing.base import (
    ACCEPTED_FORMATS_MESSAGE,
    ParsedFile,
    ParseFinding,
    fatal_file,
    float_text,
    truncate,
    unknown_format,
)
from indices.receive.parsing.layout import first_nonempty, table_file

if not openpyxl.DEFUSEDXML:  # pragma: no cover - a deployment error, not a code path
    raise RuntimeError(
        "openpyxl is not using defusedxml: install defusedxml and do not set "
        "OPENPYXL_DEFUSEDXML=False; uploaded workbooks must not be parsed without it."
    )

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_RATIO = 100
# A member smaller than this cannot hurt whatever its ratio; tiny XML parts compress well.
_RATIO_FLOOR = 1 << 20
_MAX_MEMBERS = 10_000
_SAVE_XLSX = "save it in Excel as \u201cExcel Workbook (*.xlsx)\u201d"


def legacy_finding() -> ParseFinding:
    return ParseFinding(
        "E01",
        "This is an old-style Excel .xls file or a password-protected workbook, which cannot be "
        f"read; open it in Excel, remove any password, {_SAVE_XLSX} without a password, and "
        "upload that file.",
    )


def inspect_zip(path: Path, max_uncompressed_bytes: int) -> ParseFinding | ParsedFile | None:
    """Look at the zip's central directory only: None if it is a workbook openpyxl may open,
    else the E01 finding (or an unknown-format ParsedFile) that refuses it."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > _MAX_MEMBERS:
                return _damaged(f"it has {len(infos)} parts")
            total = sum(info.file_size for info in infos)
            if total > max_uncompressed_bytes:
                return ParseFinding(
                    "E01",
                    f"The workbook unpacks to {total / 1e6:,.0f} MB, more than the "
                    f"{max_uncompressed_bytes / 1e6:,.0f} MB allowed; split the data into "
                    "several files, or upload it as CSV UTF-8.",
                )
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
                    return ParseFinding(
                        "E01",
                        f"The workbook part {info.filename} is compressed {ratio:,.0f} times, "
                        "which real workbooks never are (it looks like a zip bomb); "
                        f"{_SAVE_XLSX} again from the original data, or upload CSV UTF-8.",
                        value=info.filename[:100],
                    )
                if info.flag_bits & 0x1:
                    return legacy_finding()
            names = {info.filename.lower() for info in infos}
            if "[content_types].xml" not in names:
                if "mimetype" in names and b"spreadsheet" in zf.open("mimetype").read(200):
                    return ParseFinding(
                        "E01",
                        "This is an OpenDocument spreadsheet (.ods), which is not accepted; "
                        f"{_SAVE_XLSX} (or in LibreOffice: Save As > Excel 2007-365) and upload "
                        "that file.",
                    )
                return _archive(infos)
            content_types = zf.open(_member(zf, "[content_types].xml")).read(1 << 20).lower()
            if b"macroenabled" in content_types or any(
                name.endswith("vbaproject.bin") for name in names
            ):
                return ParseFinding(
                    "E01",
                    "This workbook contains macros (.xlsm or .xlsb), which are not accepted; "
                    f"{_SAVE_XLSX} without macros and upload that file.",
                )
            if b"spreadsheetml" not in content_types:
                for marker, document in _OTHER_OFFICE:
                    if marker in content_types:
                        return ParseFinding(
                            "E01",
                            f"This is {document}, not an Excel workbook: copy the table into "
                            f"Excel, {_SAVE_XLSX} and upload that file.",
                        )
                return unknown_format()
    except Exception:  # zipfile, zlib and friends on hostile bytes: many exception types
        return _damaged_zip(path)
    return None


_OTHER_OFFICE = (
    (b"wordprocessingml", "a Word document (.docx)"),
    (b"presentationml", "a PowerPoint presentation (.pptx)"),
)


def _archive(infos: list[zipfile.ZipInfo]) -> ParseFinding:
    """A plain .zip (whatever its name): say so, and what is inside."""
    files = [info.filename for info in infos if not info.is_dir()]
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    inside = f" (it holds {shown})" if files else " (it is empty)"
    return ParseFinding(
        "E01",
        f"This is a .zip archive{inside}, not an Excel workbook; archives are not unpacked. "
        "Unzip it and upload the CSV or .xlsx file inside, one file per submission.",
        value=truncate(shown),
    )


def _member(zf: zipfile.ZipFile, lower_name: str) -> str:
    return next(info.filename for info in zf.infolist() if info.filename.lower() == lower_name)


def _damaged(detail: str) -> ParseFinding:
    return ParseFinding(
        "E01",
        f"The Excel file is damaged and cannot be opened ({detail[:200]}); {_SAVE_XLSX} again "
        "and upload that file.",
    )


# What a zip's first local headers name, when its directory cannot be read: the kind of file.
_ZIP_KINDS = (
    (b"word/", "a Word document (.docx)"),
    (b"ppt/", "a PowerPoint presentation (.pptx)"),
    (b"application/vnd.oasis.opendocument.text", "an OpenDocument text (.odt)"),
    (b"application/vnd.oasis.opendocument.spreadsheet", "an OpenDocument spreadsheet (.ods)"),
    (b"xl/", ""),  # a workbook
)


def _damaged_zip(path: Path) -> ParseFinding:
    """A zip that cannot be opened (cut short, corrupted): say what it is, when the names of
    its first parts tell, in a clerk's words (no Python exception names)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        head = b""
    kind = next((kind for marker, kind in _ZIP_KINDS if marker in head), None)
    if kind:
        return ParseFinding(
            "E01",
            f"This is {kind}, not an Excel workbook, and it is damaged as well (it cannot be "
            f"opened). Put the table in an Excel workbook, {_SAVE_XLSX} and upload that file.",
        )
    if kind == "":
        return ParseFinding(
            "E01",
            "The Excel file is damaged or incomplete (cut short while saving, copying or "
            f"downloading) and cannot be opened; {_SAVE_XLSX} again and upload that file.",
        )
    return ParseFinding(
        "E01",
        "The file is a damaged .zip archive or Office file, not a readable Excel workbook, and "
        f"cannot be opened; {_SAVE_XLSX} again and upload that file.",
    )


def _reason(exc: Exception) -> str:
    """An exception's own words, without its Python type name."""
    return str(exc).strip().strip("\"'") or "it cannot be read"


def parse_xlsx(
    path: Path, *, max_rows: int, max_uncompressed_bytes: int, action: str = "merge"
) -> ParsedFile:
    refusal = inspect_zip(path, max_uncompressed_bytes)
    if isinstance(refusal, ParsedFile):
        return refusal
    if refusal is not None:
        return fatal_file("", [refusal])
    findings: list[ParseFinding] = []
    records = _sheet_records(path, findings)
    try:
        sheet = next(records)
        first = first_nonempty(records, cell_text)
    except Exception as exc:  # openpyxl raises many types on bad workbooks
        records.close()
        return fatal_file("", [*findings, _damaged(_reason(exc))])
    if first is None:
        records.close()
        if findings:
            return fatal_file("", findings)
        return fatal_file(
            "",
            [
                ParseFinding(
                    "E01",
                    f"The first sheet ({sheet}) is empty; put the data on the first sheet. "
                    + ACCEPTED_FORMATS_MESSAGE,
                    sheet=str(sheet),
                )
            ],
        )
    row_no, cells = first
    return table_file(
        records,
        (row_no, [period_text(c) for c in cells]),
        kind="xlsx",
        encoding="",
        sheet=str(sheet),
        text=cell_text,
        period_text=period_text,
        max_rows=max_rows,
        findings=findings,
        action=action,
    )


def _sheet_records(path: Path, findings: list[ParseFinding]) -> Generator[Any, None, None]:
    """Yield the first worksheet's title, then (row number, values) for each row; row numbers are
    the sheet's, as openpyxl fills gaps with empty rows."""
    # A file object, not the path: openpyxl would refuse a path without an .xlsx extension, and
    # stored uploads are named by id.
    fh = path.open("rb")
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported" and the like: harmless for values.
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    except BaseException:
        fh.close()
        raise
    try:
        if not wb.worksheets:
            raise ValueError("the workbook has no worksheet")
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # the stored dimension may be wrong; read every row there is
        yield ws.title
        row_no = 0
        try:
            for row_no, values in enumerate(ws.iter_rows(values_only=True), 1):
                yield row_no, values
        except Exception as exc:  # the sheet XML is damaged past this row
            findings.append(
                ParseFinding(
                    "E01",
                    f"The sheet {ws.title} cannot be read after row {row_no} (it is damaged "
                    f"there: {_reason(exc)[:120]}); {_SAVE_XLSX} again and upload that file.",
                    row=row_no + 1,
                    sheet=ws.title,
                )
            )
    finally:
        wb.close()
        fh.close()


def cell_text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value.strip()
    if value is None:
        return ""
    if kind is float:
        return float_text(value)
    if kind is int:
        return str(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return str(value).strip()


def period_text(value: Any) -> str:
    """TIME_PERIOD cells and wide headers: a date cell (Excel turned 2024-01 into 1 Jan 2024)
    means its month."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return cell_text(value)
