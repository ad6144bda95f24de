"""Text files: finding the encoding, and reading CSV records from a lazily decoded stream.

Offices export from Excel on Windows, so besides UTF-8 (with or without BOM) we meet UTF-16
("Unicode Text") and, in Thailand, TIS-620 / Windows-874. The whole file is decoded once in
chunks before any row is read: an encoding error discovered at row 900,000, after rows were
handed out, could no longer reject the file cleanly.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Generator
from pathlib import Path

from indices.receive.parsing.base import ParseFinding

_CHUNK = 1 << 20
# Bytes that never occur in text; a file with them is not a CSV or JSON export.
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13, 26})
_CONTROL_RE = re.compile(b"[" + re.escape(_CONTROL) + b"]")
# Thai combining marks (above/below vowels, tone marks) sit on a consonant or on another mark.
# Latin-1 or cp1252 bytes read as cp874 break this at once ("Caf\xe9" -> a tone mark on "f"),
# which is how legacy Thai is told apart from other legacy encodings.
_THAI_MARK = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_THAI_BAD_RE = re.compile(f"(?<![\u0e01-\u0e2e{_THAI_MARK}])[{_THAI_MARK}]")
_THAI_RE = re.compile("[\u0e01-\u0e5b]")
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")
_WINDOWS_874_RE = re.compile(b"[\x80-\xa0]")

SAVE_AS = (
    "save as CSV UTF-8 (in Excel: File > Save As > \u201cCSV UTF-8 (Comma delimited)\u201d) and "
    "upload that file"
)


class NotText(Exception):
    """The bytes are binary, not text in any encoding: an unknown format."""


def looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = len(_CONTROL_RE.findall(head))
    return b"\x00" in head or controls > max(2, len(head) // 100)


def utf16_without_bom(head: bytes) -> bool:
    """UTF-16 text that lacks its byte-order mark: a header row of ASCII letters has a zero
    byte at every other position (odd positions for little-endian, even for big-endian)."""
    sample = head[: min(len(head), 512) // 2 * 2]
    if len(sample) < 8 or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    even, odd = sample[0::2], sample[1::2]
    for codec, zeros, letters in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and letters.count(0) <= 0.1 * len(letters):
            text = sample.decode(codec, errors="replace")
            return not _CONTROL_RE.search(text.encode("utf-8", errors="replace"))
    return False


def utf16_finding() -> ParseFinding:
    return ParseFinding(
        "E01",
        "The file looks like UTF-16 (\u201cUnicode\u201d) text without the byte-order mark that "
        f"tells which UTF-16 it is, so it cannot be read reliably; {SAVE_AS}.",
    )


def detect_encoding(path: Path, head: bytes) -> tuple[str, ParseFinding | None]:
    """Return (codec name, None) for a decodable file, or ("", an E01 finding).

    Raises NotText for binary content: control characters past the first chunk, or a NUL
    anywhere (a NUL byte; in UTF-16 a NUL character), which no text PostgreSQL stores can hold.
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "", ParseFinding(
            "E01", f"The file is UTF-32 text, which is not accepted; {SAVE_AS}."
        )
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    error = _decode_error(path, encoding)
    if error is None:
        return encoding, None
    if encoding == "utf-8":
        thai = _thai_encoding(path)
        if thai:
            return thai, None
    line, byte = error
    label = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16"}[encoding]
    return "", ParseFinding(
        "E01",
        f"The file is not valid {label} text: line {line} contains bytes ({byte}) that cannot "
        f"be read in {label} nor as Thai TIS-620, so Thai or other non-English text would be "
        f"garbled; {SAVE_AS}.",
        row=line,
        value=byte,
    )


def _decode_error(path: Path, encoding: str) -> tuple[int, str] | None:
    """(line, offending bytes in hex) of the first decoding error, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 1
    check_binary = encoding != "utf-16"
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            final = not chunk
            # A NUL anywhere, not only in the part looked at for control characters.
            if check_binary and (looks_binary(chunk[:65536]) or b"\x00" in chunk):
                raise NotText
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                start = max(0, min(exc.start, len(chunk)))
                lines += chunk.count(b"\n", 0, start)
                return lines, chunk[start : start + 4].hex(" ").upper() or "end of file"
            if not check_binary and "\x00" in text:
                raise NotText
            if final:
                return None
            lines += chunk.count(b"\n")


def _thai_encoding(path: Path) -> str:
    """ "tis-620" or "cp874" when the whole file reads as Thai text in that encoding, else "".

    Raises NotText for a NUL (the UTF-8 check stopped at its first error, maybe before it)."""
    decoder = codecs.getincrementaldecoder("cp874")("strict")
    thai = other = 0
    windows_only = False  # bytes 0x80-0xA0: Windows-874 additions to TIS-620
    prev = " "
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if b"\x00" in chunk:
                raise NotText
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return ""
            if _THAI_BAD_RE.search(prev + text):
                return ""
            thai += len(_THAI_RE.findall(text))
            other += len(_NON_ASCII_RE.findall(text))
            windows_only = windows_only or _WINDOWS_874_RE.search(chunk) is not None
            prev = text[-1:] or prev
    other -= thai
    if thai == 0 or other > thai:
        return ""
    return "cp874" if windows_only else "tis-620"


def first_content(path: Path, encoding: str) -> tuple[str, str]:
    """(first non-blank character, first non-blank line) of the decoded text, from its start."""
    with path.open(encoding=encoding, newline="") as fh:
        sample = fh.read(65536)
    stripped = sample.lstrip("\ufeff \t\r\n")
    for line in stripped.splitlines():
        if line.strip(" \t,;\"'"):
            return stripped[:1], line
    return stripped[:1], ""


def sniff_delimiter(line: str) -> str:
    """The separator of a header line: the most frequent of , ; and tab outside quotes, or the
    one Excel's "sep=;" first line names."""
    if line.lower().startswith("sep=") and len(line.rstrip("\r\n")) == 5:
        return line[4]
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def csv_records(
    path: Path, encoding: str, delimiter: str, findings: list[ParseFinding]
) -> Generator[tuple[int, list[str]], None, None]:
    """(row number, cells) for every CSV record; row 1 is the first record as Excel shows it
    (a quoted line break does not start a new row). A read error ends the file with an E01."""
    row_no = 0
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        try:
            for row_no, cells in enumerate(reader, 1):
                yield row_no, cells
        except (csv.Error, UnicodeDecodeError, ValueError) as exc:
            findings.append(
                ParseFinding(
                    "E01",
                    f"Row {row_no + 1} cannot be read as CSV ({exc}); check its quotes and "
                    f"separators, {SAVE_AS}.",
                    row=row_no + 1,
                )
            )
