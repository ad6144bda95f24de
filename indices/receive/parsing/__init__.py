"""Reading uploaded IPI files (CSV, XLSX, SDMX-CSV, JSON) into raw text rows, without a database.

Everything here only reads: it checks that a file is readable and shaped like the standard
(rules E01 and E02, and SDMX's TRANSFORMATION under E03) and leaves every value check to
validation (indices/validate), which reads these rows into its columnar frame.
"""

from indices.receive.parsing.base import ACCEPTED_FORMATS_MESSAGE, ParsedFile, ParseFinding, RawRow
from indices.receive.parsing.detect import parse_file
from indices.receive.parsing.templates import TemplateSeries, build_template

__all__ = [
    "ACCEPTED_FORMATS_MESSAGE",
    "ParseFinding",
    "ParsedFile",
    "RawRow",
    "TemplateSeries",
    "build_template",
    "parse_file",
]
