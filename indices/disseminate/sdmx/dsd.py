"""The data structure `MKG:DSD_IPI(1.0)` (STANDARD.md section 2) as plain definitions."""

from __future__ import annotations

from dataclasses import dataclass

from countries.standard.selectors import codelist_list

CONCEPT_SCHEME_ID = "CS_IPI"


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    codelist: str = ""
    text_type: str = "String"
    level: str = ""  # attributes: "series" or "observation"
    mandatory: bool = False


DIMENSIONS = (
    Component("FREQ", "Frequency", "CL_FREQ"),
    Component("REF_AREA", "Reference area", "CL_AREA"),
    Component("ACTIVITY", "Economic activity (ISIC Rev.4)", "CL_ACTIVITY_ISIC4"),
    Component("ADJUSTMENT", "Adjustment", "CL_ADJUSTMENT"),
    Component("TRANSFORMATION", "Transformation", "CL_TRANSFORMATION"),
)
TIME_DIMENSION = Component("TIME_PERIOD", "Time period", text_type="ObservationalTimePeriod")
PRIMARY_MEASURE = Component("OBS_VALUE", "Observation value", text_type="Double")
ATTRIBUTES = (
    Component("OBS_STATUS", "Observation status", "CL_OBS_STATUS", "", "observation", True),
    Component("COMMENT", "Comment", "", "String", "observation"),
    Component("UNIT_MEASURE", "Unit of measure", "CL_UNIT_MEASURE", "", "series", True),
    Component("UNIT_MULT", "Unit multiplier", "", "Integer", "series"),
    Component("DECIMALS", "Decimals", "", "Integer", "series"),
    Component("REF_YEAR", "Reference year of the harmonized index", "", "Integer", "series"),
    Component("NAT_BASE_PER", "National base year of the source series", "", "Integer", "series"),
    Component("NAT_CLASSIF", "National classification", "", "String", "series"),
    Component("COMPILING_ORG", "Compiling organisation (reporting agency)", "", "String", "series"),
    Component("COVERAGE", "Reported share of the aggregate weight (%)", "", "Double", "series"),
)
CONCEPTS = (*DIMENSIONS, TIME_DIMENSION, PRIMARY_MEASURE, *ATTRIBUTES)
CODELIST_IDS = tuple(dict.fromkeys(c.codelist for c in CONCEPTS if c.codelist))


def code_names() -> dict[str, dict[str, str]]:
    """Codelist id -> code -> name, from the current standard in the database."""
    return {
        codelist.codelist_id: {code.code: code.name for code in codelist.codes.all()}
        for codelist in codelist_list()
    }
