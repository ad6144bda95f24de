"""SDMX-ML 2.1 Structure messages: the dataflow, its DSD, the concept scheme, the codelists
(from the database: the current standard, so members added as data appear in CL_AREA) and
availability constraints."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date

from countries.standard.selectors import codelist_list
from indices.disseminate.sdmx.dsd import (
    ATTRIBUTES,
    CONCEPT_SCHEME_ID,
    CONCEPTS,
    DIMENSIONS,
    PRIMARY_MEASURE,
    TIME_DIMENSION,
    Component,
)
from indices.disseminate.sdmx.xmlutil import (
    AGENCY,
    DSD_ID,
    FLOW_ID,
    NS,
    SENDER,
    VERSION,
    message_id,
    prepared,
)

for _prefix in ("mes", "com", "str", "xsi"):
    ET.register_namespace(_prefix, NS[_prefix])

LANG = f"{{{NS['xml']}}}lang"
URN = "urn:sdmx:org.sdmx.infomodel"
CLASSES = {
    "dataflow": ("datastructure", "Dataflow"),
    "datastructure": ("datastructure", "DataStructure"),
    "codelist": ("codelist", "Codelist"),
    "conceptscheme": ("conceptscheme", "ConceptScheme"),
}


@dataclass
class Constraint:
    """An actual content constraint: codes with data per dimension, and the time range."""

    codes: dict[str, list[str]]
    start: date | None = None
    end: date | None = None


@dataclass
class Selection:
    """What a structure message holds: artefact ids per resource type."""

    dataflows: list[str] = field(default_factory=list)
    datastructures: list[str] = field(default_factory=list)
    conceptschemes: list[str] = field(default_factory=list)
    codelists: list[str] = field(default_factory=list)
    codelist_items: dict[str, set[str]] = field(default_factory=dict)  # id -> codes kept
    constraints: list[Constraint] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (self.dataflows, self.datastructures, self.conceptschemes, self.codelists)
        ) or bool(self.constraints)


def _el(parent: ET.Element, prefix: str, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS[prefix]}}}{tag}", attrs)


def _name(parent: ET.Element, text: str) -> None:
    _el(parent, "com", "Name", **{LANG: "en"}).text = text


def _ref(parent: ET.Element, wrapper: tuple[str, str], resource: str, artefact_id: str) -> None:
    package, cls = CLASSES[resource]
    holder = _el(parent, *wrapper)
    ET.SubElement(
        holder,
        "Ref",
        {"id": artefact_id, "agencyID": AGENCY, "version": VERSION},
        package=package,
        **{"class": cls},
    )


def _maintainable(parent: ET.Element, resource: str, artefact_id: str, name: str, **extra):
    package, cls = CLASSES.get(resource, ("registry", "ContentConstraint"))
    element = _el(
        parent,
        "str",
        cls,
        id=artefact_id,
        agencyID=AGENCY,
        version=VERSION,
        urn=f"{URN}.{package}.{cls}={AGENCY}:{artefact_id}({VERSION})",
        **extra,
    )
    _name(element, name)
    return element


def _concept_ref(parent: ET.Element, concept: str) -> None:
    holder = _el(parent, "str", "ConceptIdentity")
    ET.SubElement(
        holder,
        "Ref",
        {
            "id": concept,
            "maintainableParentID": CONCEPT_SCHEME_ID,
            "maintainableParentVersion": VERSION,
            "agencyID": AGENCY,
            "package": "conceptscheme",
            "class": "Concept",
        },
    )


def _representation(parent: ET.Element, component: Component) -> None:
    holder = _el(parent, "str", "LocalRepresentation")
    if component.codelist:
        _ref(holder, ("str", "Enumeration"), "codelist", component.codelist)
    else:
        _el(holder, "str", "TextFormat", textType=component.text_type)


def _dsd(parent: ET.Element) -> None:
    dsd = _maintainable(
        parent, "datastructure", DSD_ID, "Industrial Production Index", isFinal="true"
    )
    components = _el(dsd, "str", "DataStructureComponents")
    dimensions = _el(components, "str", "DimensionList", id="DimensionDescriptor")
    for position, dimension in enumerate(DIMENSIONS, start=1):
        element = _el(dimensions, "str", "Dimension", id=dimension.id, position=str(position))
        _concept_ref(element, dimension.id)
        _representation(element, dimension)
    time = _el(dimensions, "str", "TimeDimension", id=TIME_DIMENSION.id, position="6")
    _concept_ref(time, TIME_DIMENSION.id)
    _representation(time, TIME_DIMENSION)
    attributes = _el(components, "str", "AttributeList", id="AttributeDescriptor")
    for attribute in ATTRIBUTES:
        status = "Mandatory" if attribute.mandatory else "Conditional"
        element = _el(attributes, "str", "Attribute", id=attribute.id, assignmentStatus=status)
        _concept_ref(element, attribute.id)
        _representation(element, attribute)
        relationship = _el(element, "str", "AttributeRelationship")
        if attribute.level == "observation":
            ET.SubElement(_el(relationship, "str", "PrimaryMeasure"), "Ref", id="OBS_VALUE")
        else:
            for dimension in DIMENSIONS:
                ET.SubElement(_el(relationship, "str", "Dimension"), "Ref", id=dimension.id)
    measures = _el(components, "str", "MeasureList", id="MeasureDescriptor")
    measure = _el(measures, "str", "PrimaryMeasure", id=PRIMARY_MEASURE.id)
    _concept_ref(measure, PRIMARY_MEASURE.id)
    _representation(measure, PRIMARY_MEASURE)


def _concept_scheme(parent: ET.Element) -> None:
    scheme = _maintainable(
        parent, "conceptscheme", CONCEPT_SCHEME_ID, "IPI concepts", isFinal="true"
    )
    for concept in CONCEPTS:
        element = _el(
            scheme,
            "str",
            "Concept",
            id=concept.id,
            urn=f"{URN}.conceptscheme.Concept={AGENCY}:{CONCEPT_SCHEME_ID}({VERSION}).{concept.id}",
        )
        _name(element, concept.name)


def _codelists(parent: ET.Element, selection: Selection) -> None:
    wanted = set(selection.codelists)
    for codelist in codelist_list():
        if codelist.codelist_id not in wanted:
            continue
        element = _maintainable(
            parent, "codelist", codelist.codelist_id, codelist.name, isFinal="false"
        )
        keep = selection.codelist_items.get(codelist.codelist_id)
        for code in codelist.codes.all():
            if keep is not None and code.code not in keep:
                continue
            urn = f"{URN}.codelist.Code={AGENCY}:{codelist.codelist_id}({VERSION}).{code.code}"
            item = _el(element, "str", "Code", id=code.code, urn=urn)
            _name(item, code.name)
            if code.parent and keep is None:
                ET.SubElement(_el(item, "str", "Parent"), "Ref", id=code.parent)


def _constraint(parent: ET.Element, constraint: Constraint) -> None:
    element = _el(
        parent,
        "str",
        "ContentConstraint",
        id=f"CC_{FLOW_ID}",
        agencyID=AGENCY,
        version=VERSION,
        isFinal="false",
        type="Actual",
    )
    _name(element, "Data available")
    _ref(_el(element, "str", "ConstraintAttachment"), ("str", "Dataflow"), "dataflow", FLOW_ID)
    region = _el(element, "str", "CubeRegion", include="true")
    for dimension, codes in constraint.codes.items():
        key_value = _el(region, "com", "KeyValue", id=dimension)
        for code in codes:
            _el(key_value, "com", "Value").text = code
    if constraint.start and constraint.end:
        key_value = _el(region, "com", "KeyValue", id="TIME_PERIOD")
        time_range = _el(key_value, "com", "TimeRange")
        _el(
            time_range, "com", "StartPeriod", isInclusive="true"
        ).text = constraint.start.isoformat()
        _el(time_range, "com", "EndPeriod", isInclusive="true").text = constraint.end.isoformat()


def structure_message(selection: Selection) -> bytes:
    root = ET.Element(f"{{{NS['mes']}}}Structure")
    header = _el(root, "mes", "Header")
    _el(header, "mes", "ID").text = message_id()
    _el(header, "mes", "Test").text = "false"
    _el(header, "mes", "Prepared").text = prepared()
    _el(header, "mes", "Sender", id=SENDER)
    structures = _el(root, "mes", "Structures")
    if selection.dataflows:
        flows = _el(structures, "str", "Dataflows")
        flow = _maintainable(
            flows, "dataflow", FLOW_ID, "Industrial Production Index (harmonized)", isFinal="true"
        )
        _ref(flow, ("str", "Structure"), "datastructure", DSD_ID)
    if selection.codelists:
        _codelists(_el(structures, "str", "Codelists"), selection)
    if selection.conceptschemes:
        _concept_scheme(_el(structures, "str", "Concepts"))
    if selection.datastructures:
        _dsd(_el(structures, "str", "DataStructures"))
    if selection.constraints:
        holder = _el(structures, "str", "Constraints")
        for constraint in selection.constraints:
            _constraint(holder, constraint)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
