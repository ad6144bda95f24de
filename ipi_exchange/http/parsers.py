"""The request-body parsers of every API view: DRF's, with the limits of the edge.

- JSON: nested at most `IPI_MAX_JSON_DEPTH` levels, checked on the text before decoding (the
  decoder recurses once per level: about 950 levels exhaust Python's stack), and no bad text
  (`ipi_exchange.http.text`) in any key or string.
- Multipart and URL-encoded forms: no bad text in a field name, a value or a file's name or
  media type; more parts than DATA_UPLOAD_MAX_NUMBER_FIELDS / DATA_UPLOAD_MAX_NUMBER_FILES (or
  form fields above DATA_UPLOAD_MAX_MEMORY_SIZE) is a 413 naming the limit, not Django's
  SuspiciousOperation (which DRF would turn into a 500).

Each refusal is a DRF exception, so it reaches the view's exception handler (problem+json).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework import parsers
from rest_framework.exceptions import APIException, ErrorDetail, ParseError, ValidationError
from rest_framework.utils import json as drf_json

from ipi_exchange.http.text import bad_text, check_form, check_json, text_error

DEFAULT_MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class TooManyParts(APIException):
    status_code = 413
    default_code = "too_many_parts"
    default_detail = "The body has too many parts."


def max_json_depth() -> int:
    return int(getattr(settings, "IPI_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def json_too_deep(text: str, limit: int) -> bool:
    """Whether arrays and objects in the JSON `text` nest more than `limit` levels; brackets
    inside strings do not count. Linear, and without recursion."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) <= limit:
        return False
    depth = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def too_deep_error(limit: int) -> ValidationError:
    message = f"The JSON body nests arrays and objects more than {limit} levels deep."
    return ValidationError({"body": [ErrorDetail(message, code="too_deep")]})


def json_loads_guarded(text: str, *, strict: bool = True) -> Any:
    """`json.loads` with the depth limit and the bad-text rule; ParseError if not JSON."""
    limit = max_json_depth()
    if json_too_deep(text, limit):
        raise too_deep_error(limit)
    try:
        data = json.loads(text, parse_constant=drf_json.strict_constant if strict else None)
    except RecursionError:  # only if the limit is set above what the stack allows
        raise too_deep_error(limit) from None
    except ValueError as error:
        raise ParseError(f"JSON parse error - {error}") from None
    check_json(data)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        return json_loads_guarded(text, strict=self.strict)


def _too_many(error: Exception) -> TooManyParts:
    if isinstance(error, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return TooManyParts(f"The body has more than {limit} files.", code="too_many_files")
    if isinstance(error, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return TooManyParts(f"The body has more than {limit} fields.", code="too_many_fields")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return TooManyParts(f"The form fields (files aside) exceed {limit} bytes.", code="too_large")


_TOO_MANY = (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)


def check_files(files) -> None:
    for name, uploads in files.lists():
        if problem := bad_text(name):
            raise text_error(name, "file field name", problem)
        for upload in uploads:
            for what, value in (
                ("file name", upload.name),
                ("file media type", upload.content_type),
                ("file charset", upload.charset),
            ):
                if isinstance(value, str) and (problem := bad_text(value)):
                    raise text_error(name, what, problem)


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            result = super().parse(stream, media_type, parser_context)
        except _TOO_MANY as error:
            raise _too_many(error) from None
        check_form(result.data.lists())
        check_files(result.files)
        return result


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except _TOO_MANY as error:
            raise _too_many(error) from None
        check_form(data.lists())
        return data


class FileUploadParser(parsers.FileUploadParser):
    """A raw body as a file: its name (`filename` in the address, or Content-Disposition,
    whose RFC 2231 form is percent-decoded) obeys the rule."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_files(result.files)
        return result
