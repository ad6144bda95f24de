"""JSON bodies: {"observations": [{...one object per observation...}]}.

Read incrementally: the decoder parses one observation object at a time out of a sliding
buffer, so a two-million-observation body costs one buffer, not two million dicts at once
(json.load would need gigabytes for that).
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, TextIO

from indices.receive.parsing.base import (
    ROW_FIELDS,
    FindingSink,
    ParsedFile,
    ParseFinding,
    RawRow,
    fatal_file,
    float_text,
    row_limit_finding,
    truncate,
)

_CHUNK = 1 << 16
_WHITESPACE = " \t\r\n\ufeff"


class _Literal(str):
    """A JSON number's own text: the API client's 101.30000000000001 or 1e2 is kept as written
    (a float would print it differently); only a zero fraction goes, so 2021.0 is "2021"."""


_DECODER = json.JSONDecoder(parse_float=_Literal, parse_constant=_Literal)
_FIELD = {name: i for i, name in enumerate(ROW_FIELDS)}
_SHAPE = 'The body must be one JSON object of the form {"observations": [{...}, ...]}'
# What JSON's \u escapes can write but no text can hold: NUL (PostgreSQL stores no text with
# it) and half of a surrogate pair (not a character: it cannot even be encoded as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _Reader:
    """Pulls JSON values from a text stream without reading all of it."""

    def __init__(self, fh: TextIO) -> None:
        self.fh, self.buf, self.pos, self.offset, self.eof = fh, "", 0, 0, False

    def _fill(self) -> bool:
        chunk = self.fh.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.offset += self.pos
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos : self.pos + 1]

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def expect(self, char: str, what: str) -> None:
        if not self.take(char):
            raise ValueError(f"expected {what} at character {self.offset + self.pos + 1}")

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue  # the value may only be cut off by the buffer's end
                raise ValueError(f"{exc.msg} at character {self.offset + exc.pos + 1}") from None
            # A number at the buffer's end may continue in the next chunk ("12" of "123").
            if end == len(self.buf) and not self.eof and self._fill():
                continue
            self.pos = end
            return value


def parse_json(path: Path, *, encoding: str, max_rows: int) -> ParsedFile:
    findings: list[ParseFinding] = []
    stream = _stream(path, encoding, FindingSink(findings), max_rows)
    problem = next(stream)
    if problem is not None:
        stream.close()
        return fatal_file("json", [problem], encoding=encoding)
    return ParsedFile(
        format="json",
        layout="long",
        columns={},
        encoding=encoding,
        findings=findings,
        rows=stream,
        fatal=False,
    )


def _stream(
    path: Path, encoding: str, sink: FindingSink, max_rows: int
) -> Generator[Any, None, None]:
    """First yields the finding that makes the file unreadable (or None), then the rows. One
    generator owns the open file, so it is closed however far the consumer iterates."""
    with path.open(encoding=encoding, newline="") as fh:
        reader = _Reader(fh)
        try:
            problem = _to_observations(reader)
        except (ValueError, RecursionError) as exc:
            problem = ParseFinding("E01", f"The file is not valid JSON ({exc}). {_SHAPE}.")
        yield problem
        if problem is None:
            yield from _observations(reader, sink, max_rows)


def _to_observations(reader: _Reader) -> ParseFinding | None:
    """Advance to the first item of the observations list; a finding if there is none."""
    if not reader.take("{"):
        return ParseFinding("E01", f"The JSON is not an object. {_SHAPE}.")
    while not reader.take("}"):
        key = reader.value()
        if not isinstance(key, str):
            raise ValueError(f"an object key must be text, not {truncate(repr(key))}")
        reader.expect(":", '":"')
        if key.strip().lower() == "observations":
            if reader.take("["):
                return None
            # The file's shape, not a column, is wrong: the file cannot be read (E01).
            return ParseFinding(
                "E01", f'"observations" is not a list. {_SHAPE}.', column="observations"
            )
        reader.value()
        if not reader.take(","):
            reader.expect("}", '"," or "}"')
            break
    return ParseFinding("E01", f'The JSON object has no "observations" list. {_SHAPE}.')


def _observations(reader: _Reader, sink: FindingSink, max_rows: int) -> Iterator[RawRow]:
    index = emitted = 0
    unknown: set[str] = set()
    seen: set[int] = set()
    try:
        more = not reader.take("]")
        while more:
            item = reader.value()
            index += 1
            if not reader.take(","):
                reader.expect("]", '"," or "]" after observation ' + str(index))
                more = False
            vals = _fields(item, index, sink, unknown, seen)
            if vals is None or not any(vals):
                continue
            emitted += 1
            if emitted > max_rows:
                sink.findings.append(row_limit_finding(max_rows, index))
                return
            yield RawRow(index, "", "", *vals)
        while reader.take(","):  # keys after the list still have to be valid JSON
            reader.value()
            reader.expect(":", '":"')
            reader.value()
        reader.expect("}", '"}" at the end')
        if reader.peek():
            raise ValueError("there is more text after the closing brace")
    except (ValueError, RecursionError) as exc:
        sink.findings.append(
            ParseFinding(
                "E01",
                f"The JSON is not valid after observation {index} ({exc}). {_SHAPE}.",
                row=index + 1,
            )
        )
    finally:
        sink.close()
    missing = [name for name in ("REF_AREA", "TIME_PERIOD", "BASE_PER") if _FIELD[name] not in seen]
    if index and not ({_FIELD["ACTIVITY"], _FIELD["NAT_CODE"]} & seen):
        missing.append("ACTIVITY or NAT_CODE")
    for name in missing if index else ():
        sink.findings.append(
            ParseFinding(
                "E02",
                f'No observation has the key "{name}", which is required; add it to every '
                "observation.",
                column=name,
            )
        )
    if not emitted and not sink.findings:
        sink.findings.append(
            ParseFinding(
                "E01",
                'The "observations" list is empty, so the body holds no observations. Put one '
                'object per observation in it, e.g. {"observations": [{"REF_AREA": "TH", '
                '"ACTIVITY": "C", "TIME_PERIOD": "2024-01", "OBS_VALUE": 101.3, '
                '"BASE_PER": 2021}]}.',
                column="observations",
            )
        )


def _fields(
    item: Any, index: int, sink: FindingSink, unknown: set[str], seen: set[int]
) -> list[str] | None:
    if not isinstance(item, dict):
        sink.add(
            ParseFinding(
                "E02",
                f"Observation {index} is not an object but {truncate(json.dumps(item))}; write "
                'each observation as {"REF_AREA": "TH", "TIME_PERIOD": "2024-01", ...}.',
                row=index,
            )
        )
        return None
    if _unstorable(item):
        sink.add(
            ParseFinding(
                "E02",
                f"Observation {index} holds a character no value may contain: \\u0000 (NUL) or "
                "half of a surrogate pair (\\ud800 to \\udfff, meaningful only as a pair); "
                "remove it. This observation was not read.",
                row=index,
                value=truncate(json.dumps(item)),
            )
        )
        return None
    vals = [""] * len(ROW_FIELDS)
    for key, value in item.items():
        name = key.strip().upper()
        i = _FIELD.get(name)
        if i is None:
            if name not in unknown:
                unknown.add(name)
                sink.findings.append(
                    ParseFinding(
                        "E02",
                        f'"{truncate(key)}" (first in observation {index}) is not a column of '
                        f"the standard; remove it or rename it to one of {', '.join(ROW_FIELDS)}."
                        " Keys are not case-sensitive.",
                        row=index,
                        column=truncate(key),
                    )
                )
            continue
        text = _text(value)
        if text is None:
            sink.add(
                ParseFinding(
                    "E02",
                    f"{name} in observation {index} is a list or an object; give it as text or "
                    "a number. This observation was not read.",
                    row=index,
                    column=name,
                    value=truncate(json.dumps(value)),
                )
            )
            return None
        vals[i] = text
        seen.add(i)
    return vals


def _unstorable(item: dict) -> bool:
    """Whether a key, or the value of a standard column, holds an _UNSTORABLE character (the
    values of other keys are never read)."""
    return any(
        _UNSTORABLE.search(key)
        or (type(value) is str and key.strip().upper() in _FIELD and _UNSTORABLE.search(value))
        for key, value in item.items()
    )


def _text(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return value.strip()
    if value is None:
        return ""
    if kind is _Literal:
        whole, _, fraction = value.partition(".")
        return whole if fraction and not fraction.strip("0") else str.__str__(value)
    if kind is float:
        return float_text(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return None
