"""SDMX-ML 2.1 namespaces, identifiers and the message header, shared by every writer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone

from countries.standard import load_definition

_ROOT = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1"
NS = {
    "mes": f"{_ROOT}/message",
    "com": f"{_ROOT}/common",
    "str": f"{_ROOT}/structure",
    "gen": f"{_ROOT}/data/generic",
    "ss": f"{_ROOT}/data/structurespecific",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
SENDER = "MKG_SEC"

_FLOW = load_definition().dataflow
AGENCY: str = _FLOW["agency"]
FLOW_ID: str = _FLOW["id"]
VERSION: str = _FLOW["version"]
DSD_ID: str = _FLOW["structure"]
STRUCTURE_REF = f"{AGENCY}_{DSD_ID}_{VERSION.replace('.', '_')}"
DSD_URN = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={AGENCY}:{DSD_ID}({VERSION})"
FLOW_URN = f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={AGENCY}:{FLOW_ID}({VERSION})"
FLOW_LABEL = f"{AGENCY}:{FLOW_ID}({VERSION})"


# Characters XML 1.0 does not allow at all, escaped or not (a comment typed in a CSV may carry
# one): left out, so that every message stays well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def attr(value: object) -> str:
    """An XML attribute value, quoted and escaped."""
    return quoteattr(_NOT_XML.sub("", str(value)))


def text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


# A data message kept for later answers (indices/disseminate/answers.py) is written with these
# in its header, and each answer fills in its own ID and preparation time (`message_fill`).
# Plain ASCII that neither XML nor JSON escapes; the header comes first in every message.
_ID_MARK = "IPI@@MESSAGE-ID@@"
_PREPARED_MARK = "@@PREPARED@@"
_template: ContextVar[bool] = ContextVar("sdmx_message_template", default=False)


@contextmanager
def message_template(on: bool = True) -> Iterator[None]:
    """Messages written inside carry placeholders for their ID and preparation time."""
    reset = _template.set(on)
    try:
        yield
    finally:
        _template.reset(reset)


def message_fill(body: bytes) -> bytes:
    """A kept message with its own ID and preparation time."""
    if _ID_MARK.encode() in body:
        body = body.replace(_ID_MARK.encode(), _new_id().encode(), 1)
    if _PREPARED_MARK.encode() in body:
        body = body.replace(_PREPARED_MARK.encode(), _now().encode(), 1)
    return body


def message_id() -> str:
    return _ID_MARK if _template.get() else _new_id()


def _new_id() -> str:
    return "IPI" + uuid.uuid4().hex[:16].upper()


def instant(value: datetime) -> str:
    """An instant in UTC with `Z`, as the REST API writes them (xs:dateTime allows both)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def prepared() -> str:
    return _PREPARED_MARK if _template.get() else _now()


def _now() -> str:
    return instant(timezone.now().replace(microsecond=0))


def data_header(*, dimension_at_observation: str, namespace: bool = False) -> str:
    """`mes:Header` of a data message; `namespace` adds the structure-specific schema URN."""
    ns = ""
    if namespace:
        ns = f" namespace={attr(ss_namespace(dimension_at_observation))}"
    return (
        "<mes:Header>"
        f"<mes:ID>{message_id()}</mes:ID><mes:Test>false</mes:Test>"
        f"<mes:Prepared>{prepared()}</mes:Prepared>"
        f'<mes:Sender id="{SENDER}"/>'
        f'<mes:Structure structureID="{STRUCTURE_REF}"{ns} '
        f"dimensionAtObservation={attr(dimension_at_observation)}>"
        f'<com:Structure><Ref agencyID="{AGENCY}" id="{DSD_ID}" version="{VERSION}"/>'
        "</com:Structure></mes:Structure>"
        "</mes:Header>"
    )


def ss_namespace(dimension_at_observation: str) -> str:
    level = "ObsLevelDim:" + dimension_at_observation
    if dimension_at_observation == "AllDimensions":
        level = "ObsLevelDim:AllDimensions"
    return f"{DSD_URN}:{level}"
